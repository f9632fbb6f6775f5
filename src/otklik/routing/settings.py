"""Routing knobs from the environment (prefix ``OTKLIK_ROUTING_``), kept with the domain that reads them.

Whether new tickets are routed at all is ``OTKLIK_ROUTING_ENABLED`` (``core.config``), since
intake, below this domain, schedules the routing job.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class RoutingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OTKLIK_ROUTING_", extra="ignore")

    #: an owner offline (or past their shift) this long has their waiting tickets reassigned
    away_grace_seconds: int = 300
    #: a ticket parked with a lead (nobody was free) is offered to a specialist again this often
    parked_retry_seconds: int = 120
    #: at most this many tickets move in one sweep (the rest in the next, a minute later)
    sweep_batch: int = 200


@lru_cache(maxsize=1)
def get_routing_settings() -> RoutingSettings:
    return RoutingSettings()
