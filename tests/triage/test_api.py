"""``POST /api/v1/triage``: the contract's shape, refusals, and the general-queue marker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from otklik.core.taxonomy import Category, Urgency
from otklik.triage.settings import get_triage_settings
from tests.conftest import Cast


@pytest.fixture
def strict_threshold(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OTKLIK_TRIAGE_THRESHOLD", "0.999")
    get_triage_settings.cache_clear()
    yield
    get_triage_settings.cache_clear()


def test_contract_shape_with_codes_from_the_taxonomy(client: TestClient, cast: Cast) -> None:
    body = {"text": "Стою на складе, поставку 30211477 не принимают!", "channel": "telegram"}
    answer = client.post("/api/v1/triage", json=body, headers=cast.agent_marina.headers)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert {"category", "urgency", "confidence"} <= set(found)
    assert found["category"] in {c.value for c in Category}
    assert found["urgency"] in {u.value for u in Urgency}
    assert 0.0 <= found["confidence"] <= 1.0
    assert (found["category"], found["urgency"]) == ("shipping", "urgent")
    assert found["queue"] == "shipping"
    assert found["signals"]
    assert {"kind": "supply", "value": "30211477"} in found["references"]


def test_english_works_and_channel_is_optional(client: TestClient, cast: Cast) -> None:
    answer = client.post(
        "/api/v1/triage", json={"text": "I want a refund, the item arrived broken"}, headers=cast.agent_anna.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["category"] == "returns"


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   \n "},
        {},
        {"text": "ok", "channel": "pigeon"},
        {"text": "ok", "extra": 1},
        {"text": "a\x00b"},
    ],
)
def test_bad_input_is_refused_with_422(client: TestClient, cast: Cast, body: dict[str, object]) -> None:
    answer = client.post("/api/v1/triage", json=body, headers=cast.agent_marina.headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_no_token_no_triage(client: TestClient) -> None:
    answer = client.post("/api/v1/triage", json={"text": "где деньги??"})
    assert answer.status_code == 401


def test_below_the_threshold_the_answer_names_the_general_queue(
    client: TestClient, cast: Cast, strict_threshold: None
) -> None:
    answer = client.post("/api/v1/triage", json={"text": "Здравствуйте, вопрос"}, headers=cast.agent_marina.headers)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["queue"] == "general"
    assert found["threshold"] == 0.999
    assert found["confidence"] < 0.999
    assert found["category"] in {c.value for c in Category}  # still said, just not routed on
