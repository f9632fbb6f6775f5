"""Canned replies are held to the same standard as any draft: the checker finds nothing in them."""

from __future__ import annotations

import pytest

from otklik.kb.canned import CANNED, list_canned_replies
from otklik.quality import check_reply
from otklik.web.agent.views import fill

VALUES = {"customer_name": "Светлана", "agent_name": "Анна Финансова", "ticket_number": "#10234"}
FILLED = {"step": "сверяю реестр выплат", "due": "15:00"}


@pytest.mark.parametrize("canned", CANNED, ids=lambda c: c.id)
def test_every_canned_reply_passes_the_checker_once_filled(canned: object) -> None:
    text, left = fill(canned.body, VALUES)  # type: ignore[attr-defined]
    assert sorted(left) == sorted({"step", "due"} & set(left))  # only what the agent must complete
    final, nothing = fill(text, FILLED)
    assert nothing == []
    result = check_reply(final, lang=canned.lang)  # type: ignore[attr-defined]
    assert result.ok, [f.code for f in result.flags]


def test_the_agents_language_comes_first() -> None:
    english_first = [c.lang for c in list_canned_replies(None, "en")]  # type: ignore[arg-type]
    assert english_first[: english_first.count("en")] == ["en"] * english_first.count("en")
    assert {c.id for c in list_canned_replies(None, "ru")} == {c.id for c in CANNED}  # type: ignore[arg-type]
