"""The knowledge-base endpoints as integrators see them (``POST /api/v1/kb/articles`` is contract)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from otklik.core.config import get_settings
from tests.conftest import Cast

ARTICLE = {
    "title": "Как забронировать слот для поставки",
    "body": "Откройте поставку, нажмите «Запланировать» и выберите дату приёмки.",
    "category": "shipping",
    "lang": "ru",
}


def create(client: TestClient, cast: Cast, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = client.post("/api/v1/kb/articles", json=body or ARTICLE, headers=cast.lead_boris.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_create_answers_201_with_the_id_and_the_article(client: TestClient, cast: Cast) -> None:
    made = create(client, cast)
    assert isinstance(made["id"], int)
    assert {k: made[k] for k in ARTICLE} == ARTICLE
    assert (made["version"], made["published"]) == (1, True)
    read = client.get(f"/api/v1/kb/articles/{made['id']}", headers=cast.agent_anna.headers)
    assert read.status_code == 200
    assert read.json()["title"] == ARTICLE["title"]


def test_an_edit_is_a_new_version_and_search_follows_it(client: TestClient, cast: Cast) -> None:
    made = create(client, cast)
    edited = {**ARTICLE, "body": "Слоты бронируются в календаре склада Подольск."}
    answer = client.put(f"/api/v1/kb/articles/{made['id']}", json=edited, headers=cast.lead_boris.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 2
    headers = cast.agent_anna.headers
    hits = client.get("/api/v1/kb/articles", params={"q": "подольска"}, headers=headers).json()["items"]
    assert [h["id"] for h in hits] == [made["id"]]
    assert client.get("/api/v1/kb/articles", params={"q": "запланировать"}, headers=headers).json()["items"] == []
    stemmed = client.get("/api/v1/kb/articles", params={"q": "слотов поставки"}, headers=headers).json()["items"]
    assert [h["id"] for h in stemmed] == [made["id"]]
    versions = client.get(f"/api/v1/kb/articles/{made['id']}/versions", headers=headers).json()["items"]
    assert [(v["version"], v["current"]) for v in versions] == [(1, False), (2, True)]
    old = client.get(f"/api/v1/kb/articles/{made['id']}", params={"version": 1}, headers=headers).json()
    assert old["body"] == ARTICLE["body"]
    assert old["version"] == 1


def test_listing_pages_by_id(client: TestClient, cast: Cast) -> None:
    ids = [create(client, cast, {**ARTICLE, "title": f"Статья {n}"})["id"] for n in range(3)]
    first = client.get("/api/v1/kb/articles", params={"limit": 2}, headers=cast.agent_anna.headers).json()
    assert [a["id"] for a in first["items"]] == ids[::-1][:2]
    rest = client.get(
        "/api/v1/kb/articles", params={"limit": 2, "cursor": first["next_cursor"]}, headers=cast.agent_anna.headers
    ).json()
    assert ids[0] in [a["id"] for a in rest["items"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"body": None}, "body"),
        ({"category": "weather"}, "category"),
        ({"lang": "de"}, "lang"),
        ({"lang": None}, "lang"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, cast: Cast, change: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in {**ARTICLE, **change}.items() if v is not None}
    answer = client.post("/api/v1/kb/articles", json=body, headers=cast.lead_boris.headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["field"] == field


def test_blank_text_after_trimming_is_refused(client: TestClient, cast: Cast) -> None:
    answer = client.post("/api/v1/kb/articles", json={**ARTICLE, "body": "   "}, headers=cast.lead_boris.headers)
    assert (answer.status_code, answer.json()["field"]) == (422, "body")


def test_a_version_past_32_bits_is_a_422_not_a_500(client: TestClient, cast: Cast) -> None:
    """Found by Schemathesis on PostgreSQL (issue 14): versions are a 32-bit column, and a larger
    number reached the query as «integer out of range», a 500."""
    made = create(client, cast)
    answer = client.get(f"/api/v1/kb/articles/{made['id']}?version={2**31}", headers=cast.agent_anna.headers)
    assert (answer.status_code, answer.json()["field"]) == (422, "version")
    assert client.get(f"/api/v1/kb/articles/{made['id']}?version=1", headers=cast.agent_anna.headers).status_code == 200


def test_no_token_is_401_and_an_unknown_article_404(client: TestClient, cast: Cast) -> None:
    assert client.post("/api/v1/kb/articles", json=ARTICLE).status_code == 401
    assert client.get("/api/v1/kb/articles").status_code == 401
    missing = client.get("/api/v1/kb/articles/999999", headers={**cast.agent_anna.headers, "Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "article_not_found"
    assert "999999" in missing.json()["detail"]


def test_only_granted_roles_publish_what_the_bot_sends(
    client: TestClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: any agent could publish articles the bot then sends to customers, while the admin
    page refused them. Publishing, and changing a published article, take a role that
    ``OTKLIK_KB_PUBLISHERS`` grants (admins always); drafts are anyone's."""
    anna = cast.agent_anna.headers
    refused = client.post("/api/v1/kb/articles", json=ARTICLE, headers={**anna, "Accept-Language": "en"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "kb_publish_forbidden"
    assert "admin, lead" in refused.json()["detail"]
    draft = client.post("/api/v1/kb/articles", json={**ARTICLE, "published": False}, headers=anna)
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    edited = {**ARTICLE, "body": "Черновик правит кто угодно.", "published": False}
    assert client.put(f"/api/v1/kb/articles/{draft_id}", json=edited, headers=anna).status_code == 200
    assert client.put(f"/api/v1/kb/articles/{draft_id}", json={**edited, "published": True},
                      headers=anna).status_code == 403  # fmt: skip
    published = create(client, cast)  # the lead, granted by default
    change = {**ARTICLE, "body": "Подмена текста, который бот отправляет клиентам."}
    assert client.put(f"/api/v1/kb/articles/{published['id']}", json=change, headers=anna).status_code == 403
    assert client.get(f"/api/v1/kb/articles/{published['id']}", headers=anna).json()["version"] == 1

    monkeypatch.setenv("OTKLIK_KB_PUBLISHERS", "admin")  # the admin takes the grant back from leads
    get_settings.cache_clear()
    try:
        boris = client.post("/api/v1/kb/articles", json=ARTICLE, headers=cast.lead_boris.headers)
        assert boris.status_code == 403
        olga = client.post("/api/v1/kb/articles", json=ARTICLE, headers=cast.admin_olga.headers)
        assert olga.status_code == 201
    finally:
        monkeypatch.delenv("OTKLIK_KB_PUBLISHERS")
        get_settings.cache_clear()
