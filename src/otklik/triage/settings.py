"""Triage knobs from the environment (prefix ``OTKLIK_TRIAGE_``), kept with the domain that reads them.

``OTKLIK_TRIAGE_ENABLED`` is read by ``core.config`` (``triage_enabled``): intake decides from it which
job a new ticket gets, and intake sits below triage."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class TriageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OTKLIK_TRIAGE_", extra="ignore")

    #: this installation's model, trained with its agents' corrections by ``otklik triage train``;
    #: while it does not exist the model shipped in the package is used
    model_path: str = "./var/triage/model.npz"
    #: below this calibrated confidence a ticket goes to the general triage queue (unset: the model's own)
    threshold: float | None = None


@lru_cache(maxsize=1)
def get_triage_settings() -> TriageSettings:
    return TriageSettings()


def local_model_path() -> Path:
    return Path(get_triage_settings().model_path)
