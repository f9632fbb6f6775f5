"""``POST /api/v1/replies/check`` over HTTP: the contract's shape, rights and refusals."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Cast, unique

URL = "/api/v1/replies/check"
FLAG_KEYS = {"code", "start", "end", "message"}


def test_a_flagged_draft(client: TestClient, cast: Cast) -> None:
    draft = "Мы понимаем ваше негодование, постараемся разобраться"
    response = client.post(URL, json={"reply": draft, "public": True}, headers=cast.agent_anna.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is False
    assert [f["code"] for f in body["flags"]] == ["cliche", "hedging"]
    for flag in body["flags"]:
        assert set(flag) >= FLAG_KEYS
        assert draft[flag["start"] : flag["end"]] == flag["fragment"]
        assert flag["message"]
        assert flag["suggestion"] in flag["message"]


def test_a_good_draft(client: TestClient, cast: Cast) -> None:
    draft = "Вашей выплатой занимается Анна из финансового отдела, она напишет вам до 15:00 сегодня."
    response = client.post(URL, json={"reply": draft, "lang": "ru"}, headers=cast.agent_anna.headers)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "lang": "ru", "flags": []}


def test_messages_in_the_callers_language(client: TestClient, cast: Cast) -> None:
    headers = {**cast.agent_anna.headers, "Accept-Language": "en-GB,en;q=0.9"}
    body = client.post(URL, json={"reply": "Ожидайте ответа."}, headers=headers).json()
    assert body["flags"][0]["code"] == "stalling"
    assert body["flags"][0]["message"].startswith("“Ожидайте ответа” stalls")


def test_an_article_passed_in(client: TestClient, cast: Cast) -> None:
    article = "Откройте «Профиль → Безопасность», включите вход по коду из СМС и подтвердите номер телефона."
    payload = {
        "reply": article,
        "customer_message": "Мне не вернули деньги за разбитую вазу!",
        "articles": [{"id": "2fa", "text": article}],
    }
    body = client.post(URL, json=payload, headers=cast.agent_anna.headers).json()
    assert [(f["code"], f["rule"]) for f in body["flags"]] == [("kb_dump", "kb_copy")]


def test_a_template_sent_again_on_the_same_ticket(client: TestClient, cast: Cast) -> None:
    olga = cast.admin_olga
    inbound = {
        "channel": "telegram",
        "external_id": unique("in"),
        "sender": {"kind": "telegram", "value": unique("u").replace("-", "_"), "display_name": "Светлана"},
        "text": "Выплата уже 12 дней в обработке",
    }
    ticket_id = client.post("/api/v1/messages/inbound", json=inbound, headers=olga.headers).json()["ticket_id"]
    template = "Здравствуйте! Ваша выплата находится в обработке. Обычно выплаты поступают в течение трёх рабочих дней."
    sent = client.post(
        f"/api/v1/tickets/{ticket_id}/replies", json={"text": template, "public": True}, headers=olga.headers
    )
    assert sent.status_code == 201, sent.text
    body = client.post(URL, json={"reply": template, "ticket_id": ticket_id}, headers=olga.headers).json()
    assert [(f["code"], f["rule"]) for f in body["flags"]] == [("kb_dump", "repeated")]


def test_an_empty_reply_is_refused(client: TestClient, cast: Cast) -> None:
    for payload in (
        {"reply": ""},
        {"reply": "   \n"},
        {},
        {"reply": "ok", "unknown": 1},
        {"reply": "ok", "lang": "de"},
    ):
        response = client.post(URL, json=payload, headers=cast.agent_anna.headers)
        assert response.status_code == 422, (payload, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_token_is_required(client: TestClient) -> None:
    response = client.post(URL, json={"reply": "Ожидайте ответа."})
    assert response.status_code == 401
    bad = client.post(URL, json={"reply": "Ожидайте ответа."}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_a_ticket_of_another_team_stays_closed(client: TestClient, cast: Cast) -> None:
    response = client.post(URL, json={"reply": "Ок", "ticket_id": 999_999}, headers=cast.agent_anna.headers)
    assert response.status_code == 404
