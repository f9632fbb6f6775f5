"""``POST /api/v1/bot/answer`` (contract): an article only when sure, ``handoff`` exactly when none."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.kb.models import Article
from otklik.kb.seed import ImportSummary
from tests.conftest import Cast


def ask(client: TestClient, cast: Cast, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/api/v1/bot/answer", json=body, headers=cast.agent_anna.headers)
    assert answer.status_code == 200, answer.text
    result = dict(answer.json())
    assert 0.0 <= result["confidence"] <= 1.0
    assert result["handoff"] is (result["article_id"] is None)
    return result


def test_a_covered_question_gets_its_article(
    client: TestClient, cast: Cast, db: Session, seeded: ImportSummary, triage: Any
) -> None:
    result = ask(client, cast, {"text": "Как забронировать слот для поставки на склад?"})
    expected = db.scalar(select(Article.id).where(Article.slug == "fbo-book-slot"))
    assert result["article_id"] == expected
    assert result["handoff"] is False
    assert result["title"] == "Как забронировать слот (таймслот) для поставки на склад"
    english = ask(client, cast, {"text": "How long will the pickup point keep my parcel?", "lang": "en"})
    assert english["article_id"] == db.scalar(select(Article.id).where(Article.slug == "en-pickup-storage"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("мой заказ 4512 не пришёл", "personal_case"),
        ("верните деньги за брак", "personal_case"),
        ("стою на складе, поставку не принимают", "urgent"),
        ("позовите оператора", "asked_for_person"),
        ("можно ли продавать алкоголь на маркетплейсе", "not_confident"),
    ],
)
def test_no_article_when_a_person_is_needed(
    client: TestClient, cast: Cast, seeded: ImportSummary, triage: Any, text: str, reason: str
) -> None:
    result = ask(client, cast, {"text": text})
    assert (result["article_id"], result["handoff"], result["reason"]) == (None, True, reason)


def test_bad_input_and_no_token(client: TestClient, cast: Cast) -> None:
    assert client.post("/api/v1/bot/answer", json={"text": "как вернуть товар"}).status_code == 401
    for body, field in (
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x", "lang": "fr"}, "lang"),
    ):
        answer = client.post("/api/v1/bot/answer", json=body, headers=cast.agent_anna.headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == field


def test_with_an_empty_knowledge_base_everything_is_handed_off(client: TestClient, cast: Cast, triage: Any) -> None:
    result = ask(client, cast, {"text": "как вернуть товар?"})
    assert (result["article_id"], result["handoff"], result["reason"]) == (None, True, "not_confident")
