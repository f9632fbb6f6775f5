"""Floods are refused per visitor (and per address) with 429 and Retry-After; others are untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.limiter import Bucket, MemoryLimiter, Rate, take
from tests.web.conftest import MESSAGES, VISITORS, new_visitor

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("bucket", "after", "rate", "left", "wait"),
    [
        (None, 0, Rate(3, 60), 2.0, 0),  # a new key starts full
        (Bucket(1.0, T0), 0, Rate(3, 60), 0.0, 0),  # the last token
        (Bucket(0.0, T0), 0, Rate(3, 60), 0.0, 1),  # empty: one a second at 60/min
        (Bucket(0.0, T0), 0, Rate(3, 20), 0.0, 3),  # 20/min: three seconds
        (Bucket(0.0, T0), 2, Rate(3, 20), 2 / 3, 1),  # partly refilled: the rest of the wait
        (Bucket(0.0, T0), 3, Rate(3, 20), 0.0, 0),  # refilled just enough
        (Bucket(0.0, T0), 3600, Rate(3, 20), 2.0, 0),  # never past the burst
        (Bucket(0.5, T0), -30, Rate(3, 20), 0.5, 2),  # a clock that went back refills nothing
        (Bucket(0.0, T0), 0, Rate(0, 0), 0.0, 60_000),  # nonsense settings still refuse, never crash
    ],
)
def test_token_bucket(bucket: Bucket | None, after: int, rate: Rate, left: float, wait: int) -> None:
    now = T0 + timedelta(seconds=after)
    new, waited = take(bucket, now, rate)
    assert waited == wait
    assert new.tokens == pytest.approx(left)
    assert new.at == now


def test_limiter_forgets_idle_keys_past_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemoryLimiter, "MAX_KEYS", 3)
    limiter, rate = MemoryLimiter(), Rate(2, 60)
    for n in range(3):
        limiter.hit(f"k{n}", T0, rate)
    assert limiter.hit("k3", T0 + timedelta(minutes=5), rate) == 0
    assert set(limiter._buckets) == {"k3"}


def test_a_flooding_visitor_gets_429_and_retry_after(
    client: TestClient, frozen_clock: clock.FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_PUBLIC_RATE_BURST", "2")
    monkeypatch.setenv("OTKLIK_PUBLIC_RATE_PER_MINUTE", "20")
    get_settings.cache_clear()
    flood, calm = new_visitor(client), new_visitor(client)
    for n in range(2):
        assert client.post(MESSAGES, json={"text": f"где заказ? {n}"}, headers=flood).status_code == 201
    refused = client.post(MESSAGES, json={"text": "где заказ?!"}, headers=flood)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["detail"] == "Слишком много запросов. Повторите через 3 с."
    english = client.post(MESSAGES, json={"text": "x"}, headers={**flood, "Accept-Language": "en"})
    assert english.json()["detail"] == "Too many requests. Try again in 3 s."
    # another visitor is not punished for it
    assert client.post(MESSAGES, json={"text": "у меня свой вопрос"}, headers=calm).status_code == 201
    # the allowance comes back with time
    frozen_clock.advance(timedelta(seconds=3))
    assert client.post(MESSAGES, json={"text": "где заказ? снова"}, headers=flood).status_code == 201
    # and the refused messages were never stored
    ticket = client.post(MESSAGES, json={"text": "x"}, headers=flood)
    assert ticket.status_code == 429


def test_token_minting_and_the_form_are_limited_per_address(
    client: TestClient, frozen_clock: clock.FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_PUBLIC_RATE_BURST", "1")
    monkeypatch.setenv("OTKLIK_PUBLIC_RATE_PER_MINUTE", "6")
    get_settings.cache_clear()
    assert client.post(VISITORS).status_code == 201
    minted = client.post(VISITORS)
    assert (minted.status_code, minted.headers["retry-after"]) == (429, "10")
    body = {"email": "a@example.ru", "text": "Помогите"}
    assert client.post("/api/v1/public/form", json=body).status_code == 201
    assert client.post("/api/v1/public/form", json=body).status_code == 429
    page = client.post("/form", data=body)
    assert page.status_code == 429
    assert page.headers["retry-after"] == "10"
    assert "Слишком много запросов" in page.text
    assert 'value="a@example.ru"' in page.text  # nothing the customer typed is lost
