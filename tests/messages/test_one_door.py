"""One write path in fact (issue 12): message rows are made only in ``otklik.messages``, so every
outbound word goes through its outbox door (``do_reply``, ``do_desk_reply``), and a ticket's status
moves only through ``otklik.tickets.actions``. A side door added later fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from otklik.tickets.links import _load
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status, TransitionRefused, status_after_undo

SRC = Path(__file__).resolve().parents[2] / "src" / "otklik"
MAKES_A_MESSAGE = re.compile(r"(?<![A-Za-z_])Message\(")
#: ``ticket.status = …`` on anything but ``self`` (errors and records keep their own ``status``)
SETS_A_STATUS = re.compile(r"\b(?!self\b)\w+\.status\s*=(?!=)")


def _python(skip: tuple[str, ...]) -> list[Path]:
    return [p for p in SRC.rglob("*.py") if not any(part in p.relative_to(SRC).parts for part in skip)]


def test_only_the_messages_domain_makes_message_rows() -> None:
    offenders = [
        str(p.relative_to(SRC)) for p in _python(("messages", "migrations")) if MAKES_A_MESSAGE.search(p.read_text())
    ]
    assert offenders == []


def test_only_ticket_actions_set_a_tickets_status() -> None:
    allowed = {Path("tickets/actions.py")}
    offenders = [
        str(p.relative_to(SRC))
        for p in _python(("migrations",))
        if p.relative_to(SRC) not in allowed and SETS_A_STATUS.search(p.read_text())
    ]
    assert offenders == []


def test_undoing_a_merge_puts_the_status_back_through_the_rules() -> None:
    """Undoing a merge wrote the saved status with ``setattr`` (issue 12), a side door the
    assignment check above cannot see: the snapshot loader now leaves the status alone, and the
    rule decides what the status may go back to."""
    ticket = Ticket(status=Status.CLOSED.value)
    _load(ticket, {"status": Status.OPEN.value, "hold_promise": None})
    assert ticket.status == Status.CLOSED.value
    assert status_after_undo(Status.CLOSED, Status.OPEN, duplicate=True) is Status.OPEN
    assert status_after_undo(Status.OPEN, Status.ON_HOLD, duplicate=False) is Status.ON_HOLD
    for current, saved in ((Status.OPEN, Status.OPEN), (Status.CLOSED, Status.CLOSED)):
        with pytest.raises(TransitionRefused):
            status_after_undo(current, saved, duplicate=True)
