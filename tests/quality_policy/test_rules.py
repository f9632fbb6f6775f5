"""The pure parts, table-driven: the policy's defaults and decisions, and the public-answer drafts
(every channel × language × time of day passes the reply checker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.quality.checker import check_reply
from otklik.quality.drafts import WHERE, by_when, compose, first_name
from otklik.quality.lexicon import CODES
from otklik.quality.policy import Level, decide, default_levels, effective_levels, invalid_choices

PUBLIC_BLOCKS = {"cliche", "blame", "refusal_without_reason"}


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("public", [True, False])
def test_defaults(code: str, public: bool) -> None:
    expected = Level.BLOCK if public and code in PUBLIC_BLOCKS else Level.WARN
    assert default_levels(public=public)[code] is expected
    assert decide([code], None, public=public).allowed is (expected is Level.WARN)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("level", ["warn", "block"])
@pytest.mark.parametrize("public", [True, False])
def test_a_stored_choice_wins_over_the_default(code: str, level: str, public: bool) -> None:
    decision = decide([code, code], {code: level}, public=public)
    assert decision.blocking == ((code,) if level == "block" else ())
    assert decision.warnings == ((code,) if level == "warn" else ())


def test_decide_keeps_first_appearance_order_and_splits_levels() -> None:
    decision = decide(["hedging", "cliche", "hedging", "blame", "stalling"], {"stalling": "block"}, public=True)
    assert decision.warnings == ("hedging",)
    assert decision.blocking == ("cliche", "blame", "stalling")
    assert not decision.allowed
    assert decide([], None, public=True).allowed


def test_unknown_stored_codes_and_levels_never_break_sending() -> None:
    levels = effective_levels({"rudeness": "block", "cliche": "loud"}, public=False)
    assert levels == default_levels(public=False)
    assert decide(["rudeness"], None, public=True).allowed


@pytest.mark.parametrize(
    ("choices", "problems"),
    [
        ({"cliche": "block"}, 0),
        ({"cliche": "warn", "kb_dump": "block"}, 0),
        ({"rudeness": "block"}, 1),
        ({"cliche": "off"}, 1),
        ({"rudeness": "off"}, 2),
    ],
)
def test_invalid_choices(choices: dict[str, str], problems: int) -> None:
    assert len(invalid_choices(choices)) == problems


MONDAY = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)  # 12:05 in Moscow


@pytest.mark.parametrize(
    ("due", "ru", "en"),
    [
        (MONDAY + timedelta(minutes=15), "до 12:20", "by 12:20"),
        (MONDAY + timedelta(minutes=15, seconds=1), "до 12:21", "by 12:21"),  # never earlier than the target
        (MONDAY + timedelta(hours=22), "завтра до 10:05", "by 10:05 tomorrow"),
        (MONDAY + timedelta(days=2), "25 ноября до 12:05", "by 12:05 on 25 November"),
        (MONDAY + timedelta(days=40), "2 января до 12:05", "by 12:05 on 2 January"),
    ],
)
def test_by_when(due: datetime, ru: str, en: str) -> None:
    assert by_when(due, MONDAY, "Europe/Moscow", "ru") == ru
    assert by_when(due, MONDAY, "Europe/Moscow", "en") == en


def test_the_story_sentence_and_first_names() -> None:
    due = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
    text = compose(owner="Анна Финансова", ticket_id=10234, channel="telegram", due=due, now=MONDAY,
                   timezone="Europe/Moscow", lang="ru")  # fmt: skip
    assert text == "Анна уже ведёт ваше обращение #10234 и напишет вам в Telegram до 15:00."
    assert first_name("  Марина ") == "Марина"
    assert first_name("") == ""


@pytest.mark.parametrize("channel", list(WHERE))
@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("hours", [0.25, 4, 22, 50])
@pytest.mark.parametrize("owner", ["Анна Финансова", "Марина Складова", "Pavel Petrov"])
def test_every_draft_passes_the_checker(channel: str | None, lang: str, hours: float, owner: str) -> None:
    text = compose(owner=owner, ticket_id=10234, channel=channel, due=MONDAY + timedelta(hours=hours), now=MONDAY,
                   timezone="Europe/Moscow", lang=lang)  # fmt: skip
    assert "#10234" in text
    assert first_name(owner) in text
    result = check_reply(text, public=True, lang=lang)
    assert result.ok, [(f.code, f.fragment) for f in result.flags]
