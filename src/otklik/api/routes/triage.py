"""Triage over HTTP: ``POST /api/v1/triage`` (docs/shared api-contract)."""

from __future__ import annotations

from fastapi import APIRouter

from otklik.api.deps import AuthDep
from otklik.triage.model import get_model
from otklik.triage.schemas import TriageIn, TriageOut
from otklik.triage.settings import get_triage_settings

router = APIRouter(tags=["triage"])


@router.post("/triage", response_model=TriageOut)
def triage(body: TriageIn, auth: AuthDep) -> TriageOut:
    """Category, urgency and calibrated confidence of a message; below the threshold the
    answer names the general triage queue instead of a category. Nothing is stored."""
    model = get_model()  # loaded once per process
    threshold = get_triage_settings().threshold
    prediction = model.predict(body.text, threshold=threshold)
    return TriageOut.of(prediction, body.text, model.threshold if threshold is None else threshold)
