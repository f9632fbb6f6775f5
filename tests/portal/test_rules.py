"""When the customer may escalate, as pure rules: table-driven, no database, time given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from otklik.tickets.rules import EscalationFacts, EscalationReason, Said, Status, escalation_reason, owed_since

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
H, D = timedelta(hours=1), timedelta(days=1)
QUIET = 3 * D
OPEN = EscalationFacts(
    status=Status.OPEN, response_due=NOW + H, resolution_due=NOW + D, hold_until=None, owed_since=NOW - H,
    open_escalation=False, last_acknowledged_at=None,
)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, None),  # targets running, the customer waited an hour
        ({"response_due": NOW - H}, EscalationReason.SLA_BREACHED),
        ({"response_due": NOW}, EscalationReason.SLA_BREACHED),  # due is due
        ({"resolution_due": NOW - H}, EscalationReason.SLA_BREACHED),
        ({"response_due": None, "owed_since": NOW - 3 * D}, EscalationReason.NO_ANSWER),
        ({"response_due": None, "owed_since": NOW - 3 * D + H}, None),  # not quite three days
        ({"owed_since": None, "response_due": None}, None),  # nothing unanswered
        ({"status": Status.PENDING_CUSTOMER, "response_due": None, "owed_since": None}, None),
        ({"status": Status.PENDING_CUSTOMER, "resolution_due": NOW - H}, EscalationReason.SLA_BREACHED),
        ({"status": Status.SOLVED, "response_due": NOW - D}, None),  # they answer «решено / не решено»
        ({"status": Status.CLOSED, "owed_since": NOW - 9 * D}, None),
        ({"open_escalation": True, "response_due": NOW - D}, None),  # a lead is on it already
        # a pending promise: the customer was told when («Мы напишем вам до 26 декабря»)
        ({"status": Status.ON_HOLD, "hold_until": NOW + D, "resolution_due": NOW - D}, None),
        # the promise came due and nobody answered: quiet counts from the promise
        ({"status": Status.OPEN, "hold_until": NOW - 2 * D, "owed_since": NOW - 9 * D, "response_due": None}, None),
        ({"hold_until": NOW - 3 * D, "owed_since": NOW - 9 * D, "response_due": None}, EscalationReason.NO_ANSWER),
        ({"status": Status.ON_HOLD, "hold_until": NOW - H, "response_due": NOW - H}, EscalationReason.SLA_BREACHED),
        # acknowledged lately: not again within the quiet period, even on a breach
        ({"last_acknowledged_at": NOW - D, "response_due": NOW - H}, None),
        ({"last_acknowledged_at": NOW - 4 * D, "response_due": NOW - H}, EscalationReason.SLA_BREACHED),
        ({"status": Status.NEW, "response_due": NOW - H}, EscalationReason.SLA_BREACHED),
    ],
)
def test_escalation_reason(change: dict[str, object], expected: EscalationReason | None) -> None:
    assert escalation_reason(replace(OPEN, **change), NOW, QUIET) is expected  # type: ignore[arg-type]


C, A, X = Said.CUSTOMER, Said.ANSWER, Said.OTHER


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        ([], None),
        ([C], 0),
        ([C, C], 0),  # the first unanswered word counts
        ([C, A], None),
        ([C, A, C], 2),
        ([C, X], 0),  # a holding reply, the bot or a failed reply answers nothing
        ([C, X, C, X], 0),
        ([A, X], None),
        ([C, A, X, C, A, C, X], 5),
    ],
)
def test_owed_since(timeline: list[Said], expected: int | None) -> None:
    moments = [NOW + i * H for i in range(len(timeline))]
    found = owed_since(zip(moments, timeline, strict=True))
    assert found == (moments[expected] if expected is not None else None)
