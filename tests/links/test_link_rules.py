"""The pure rules of links, merges and rate limits, table-driven, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.customers.rules import (
    RateWindow,
    match_key,
    merge_is_automatic,
    parse_link_code,
    rate_verdict,
)
from otklik.tickets.rules import (
    CaseFacts,
    duplicate_reasons,
    merge_order,
    quoted_references,
    raised_urgency,
    whole_days,
)

T0 = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "after"), [("low", "normal"), ("normal", "urgent"), ("urgent", "urgent"), (None, "urgent")]
)
def test_urgency_rises_one_level_and_untriaged_counts_as_normal(before: str | None, after: str) -> None:
    assert raised_urgency(before) == after


@pytest.mark.parametrize(
    ("delta", "days"),
    [
        (timedelta(0), 0),
        (timedelta(hours=23, minutes=59), 0),
        (timedelta(days=1), 1),
        (timedelta(days=13, hours=23), 13),
        (timedelta(days=14), 14),
        (timedelta(days=-3), 0),  # a post dated before the first message: never negative
    ],
)
def test_whole_days_of_silence(delta: timedelta, days: int) -> None:
    assert whole_days(T0, T0 + delta) == days


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Где заказ 4512?", {"4512"}),
        ("Заказ 45123 и поставка WB-77", {"WB-77"}),
        ("поставка wb-77, заказ №4512.", {"WB-77", "4512"}),
        ("заказ 14512", set()),
        ("WB-770", set()),
        ("", set()),
    ],
)
def test_a_reference_counts_only_as_a_whole_word(text: str, found: set[str]) -> None:
    assert quoted_references(text, ["4512", "WB-77", ""]) == found


def facts(ticket_id: int, category: str | None, *refs: tuple[str, str]) -> CaseFacts:
    return CaseFacts(ticket_id, category, frozenset(refs))


@pytest.mark.parametrize(
    ("mine", "other", "reasons"),
    [
        (facts(1, "finance"), facts(2, "finance"), ["category:finance"]),
        (facts(1, None), facts(2, None), []),  # untriaged twice proves nothing
        (facts(1, "finance"), facts(2, "orders"), []),
        (
            facts(1, "orders", ("order", "4512"), ("claim", "C-1")),
            facts(2, None, ("order", "4512"), ("claim", "C-1")),
            ["reference:claim:C-1", "reference:order:4512"],
        ),
        (facts(1, None, ("order", "4512")), facts(2, None, ("supply", "4512")), []),  # another kind of number
    ],
)
def test_likely_duplicates_share_a_category_or_an_outside_number(
    mine: CaseFacts, other: CaseFacts, reasons: list[str]
) -> None:
    assert duplicate_reasons(mine, other) == reasons


def test_the_newer_ticket_joins_the_older() -> None:
    assert merge_order((T0, 10005), (T0 + timedelta(days=2), 10002)) == (10002, 10005)
    assert merge_order((T0 + timedelta(days=2), 10002), (T0, 10005)) == (10002, 10005)
    assert merge_order((T0, 10007), (T0, 10003)) == (10007, 10003)  # same instant: the lower id is older


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("OTK-7F3K2Q", "OTK-7F3K2Q"),
        ("  otk-7f3k2q \n", "OTK-7F3K2Q"),
        ("OTK 7F3K2Q", "OTK-7F3K2Q"),
        ("otk7f3k2q", "OTK-7F3K2Q"),
        ("Мой код OTK-7F3K2Q", None),  # only a message that is exactly the code
        ("OTK-7F3K2", None),
        ("OTK-7F3K2QQ", None),
        ("OTK-0F3K2Q", None),  # 0 is not in the alphabet (it reads as O)
    ],
)
def test_a_linking_code_is_recognised_only_alone(text: str, code: str | None) -> None:
    assert parse_link_code(text) == code


@pytest.mark.parametrize(
    ("kind", "value", "key"),
    [
        ("email", "svetlana@shop.test", "email:svetlana@shop.test"),
        ("phone", "79991234567", "phone:79991234567"),
        ("whatsapp", "79991234567", "phone:79991234567"),
        ("viber", "79991234567", "phone:79991234567"),
        ("viber", "pa:opaque==", None),
        ("telegram", "svetlana_seller", None),
        ("public_handle", "svetlana_shop", None),
    ],
)
def test_the_same_phone_matches_across_messengers(kind: str, value: str, key: str | None) -> None:
    assert match_key(kind, value) == key


@pytest.mark.parametrize(
    ("mine", "theirs", "automatic"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_only_two_verified_addresses_merge_without_asking(mine: bool, theirs: bool, automatic: bool) -> None:
    assert merge_is_automatic(mine, theirs) is automatic


MINUTE = RateWindow("minute", 60, 20)
DAY = RateWindow("day", 86_400, 200)


MIDNIGHT = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "minute_start"),
    [
        (datetime(2026, 11, 23, 9, 5, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 5, tzinfo=UTC)),
        (datetime(2026, 11, 23, 9, 5, 59, 999, tzinfo=UTC), datetime(2026, 11, 23, 9, 5, tzinfo=UTC)),
        (datetime(2026, 11, 23, 23, 59, 30, tzinfo=UTC), datetime(2026, 11, 23, 23, 59, tzinfo=UTC)),
    ],
)
def test_windows_are_aligned_to_the_utc_clock(at: datetime, minute_start: datetime) -> None:
    assert MINUTE.start(at) == minute_start
    assert DAY.start(at) == MIDNIGHT


@pytest.mark.parametrize(
    ("counts", "refused", "retry_after"),
    [
        ({"minute": 20, "day": 200}, None, None),  # «at most 20»: the twentieth passes
        ({"minute": 21, "day": 21}, "minute", 20),  # 09:05:40 → the minute ends in 20 s
        ({"minute": 3, "day": 201}, "day", 14 * 3600 + 54 * 60 + 20),  # until UTC midnight
        ({"minute": 21, "day": 201}, "minute", 20),  # the shorter wait is named first
        ({}, None, None),
    ],
)
def test_the_verdict_names_the_limit_and_the_wait(
    counts: dict[str, int], refused: str | None, retry_after: int | None
) -> None:
    verdict = rate_verdict(counts, (MINUTE, DAY), datetime(2026, 11, 23, 9, 5, 40, tzinfo=UTC))
    if refused is None:
        assert verdict is None
        return
    assert verdict is not None
    assert verdict.window.name == refused
    assert verdict.retry_after == retry_after


def test_the_wait_is_never_zero() -> None:
    verdict = rate_verdict({"minute": 99}, (MINUTE,), datetime(2026, 11, 23, 9, 5, 59, 999_999, tzinfo=UTC))
    assert verdict is not None
    assert verdict.retry_after == 1
