"""Web form end to end: the page (no JavaScript), the JSON endpoint, the follow link, the agent's reply."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.channels.webvisitor import ticket_link_token, visitor_token
from otklik.customers.queries import find_identity
from otklik.tickets.models import Ticket
from tests.conftest import Cast
from tests.web.conftest import SECRET

FORM = "/api/v1/public/form"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_form_page_speaks_russian_first_then_english(client: TestClient) -> None:
    russian = client.get("/form")
    assert russian.status_code == 200
    assert russian.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in russian.text
    assert "Написать в поддержку" in russian.text
    assert 'href="?lang=en"' in russian.text
    for english in (
        client.get("/form", params={"lang": "en"}),
        client.get("/form", headers={"Accept-Language": "en-GB,en;q=0.9"}),
    ):
        assert '<html lang="en">' in english.text
        assert "Contact support" in english.text
        assert "Написать" not in english.text
    assert "Написать в поддержку" in client.get("/form?lang=ru", headers={"Accept-Language": "en"}).text
    # a page with no scripts at all, and a policy that would refuse any
    page = russian.text
    assert "<script" not in page
    policy = russian.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert '<form method="post" action="/form"' in page


def test_form_json_validates_each_field(client: TestClient) -> None:
    cases = [
        ({"text": "Помогите"}, "email", "contact_required"),
        ({"text": "Помогите", "email": "   ", "phone": ""}, "email", "contact_required"),
        ({"text": "Помогите", "email": "not-an-address"}, "email", "email_invalid"),
        ({"text": "Помогите", "phone": "12"}, "phone", "phone_invalid"),
        ({"text": "   ", "email": "anna@example.ru"}, "text", "invalid_field"),
        ({"email": "anna@example.ru"}, "text", "invalid_field"),
        ({"text": "x" * 10_001, "email": "anna@example.ru"}, "text", "invalid_field"),
        ({"text": "Помогите", "email": "anna@example.ru", "is_admin": True}, "is_admin", "invalid_field"),
        ({"text": "Помо\x00гите", "email": "anna@example.ru"}, "text", "invalid_field"),
    ]
    for body, field, code in cases:
        answer = client.post(FORM, json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert (answer.json()["field"], answer.json()["code"]) == (field, code), body
    english = client.post(FORM, json={"text": "Help"}, headers={"Accept-Language": "en"})
    assert english.json()["detail"] == "Give an email or a phone number so that we can reach you."
    russian = client.post(FORM, json={"text": "Помогите"})
    assert russian.json()["detail"] == "Укажите e-mail или телефон, чтобы мы могли с вами связаться."


def test_form_json_to_ticket_to_reply_on_the_follow_page(
    client: TestClient, cast: Cast, db: Session, run: Callable[[], int]
) -> None:
    marina = cast.agent_marina
    body = {
        "name": "Анна",
        "email": "Anna.Buyer@Example.ru",
        "phone": "8 (912) 000-11-22",
        "subject": "Заказ не пришёл",
        "text": "Оплатила заказ 4512 неделю назад, он так и не пришёл.",
    }
    created = client.post(FORM, json=body)
    assert created.status_code == 201, created.text
    ticket_id, follow = created.json()["ticket_id"], created.json()["follow_url"]
    assert created.json()["number"] == f"#{ticket_id}"
    assert re.fullmatch(rf"http://testserver/t/{ticket_id}\.[A-Za-z0-9_-]{{22}}", follow)

    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=marina.headers).json()
    assert (ticket["channel"], ticket["subject"], ticket["customer"]["name"]) == ("webform", "Заказ не пришёл", "Анна")
    [message] = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=marina.headers).json()["items"]
    assert message["text"].startswith(body["text"])
    assert "E-mail: anna.buyer@example.ru" in message["text"]  # the agent sees the contacts whatever happens
    # the contacts became the new customer's (unverified) addresses
    for kind, value in (("email", "anna.buyer@example.ru"), ("phone", "79120001122")):
        identity = find_identity(db, kind, value)
        assert identity is not None
        assert identity.customer_id == ticket["customer"]["id"]
        assert identity.verified is False

    page = client.get(_path(follow))
    assert page.status_code == 200
    assert f"Обращение #{ticket_id}" in page.text
    assert "Обращение в очереди" in page.text
    assert "Оплатила заказ 4512" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    triage = {"category": "orders", "urgency": "normal"}
    assert client.post(f"/api/v1/tickets/{ticket_id}/triage", json=triage, headers=marina.headers).status_code == 200
    reply = {"text": "Анна, заказ 4512 нашёлся на складе, отправим сегодня."}
    assert client.post(f"/api/v1/tickets/{ticket_id}/replies", json=reply, headers=marina.headers).status_code == 201
    assert "отправляется" in client.get(_path(follow)).text
    run()
    after = client.get(_path(follow)).text
    assert "Вашим обращением занимается Марина Складова" in after
    assert "Ждём вашего ответа" in after
    assert "заказ 4512 нашёлся на складе" in after
    assert "доставлено" in after
    english = client.get(_path(follow), params={"lang": "en"}).text
    assert "Марина Складова is handling your request" in english
    assert "Waiting for your reply" in english
    assert "delivered" in english


def test_a_second_submission_with_the_same_email_gets_its_own_ticket(client: TestClient) -> None:
    """Typing someone's address into the form must never open their conversation."""
    first = client.post(FORM, json={"email": "svetlana@example.ru", "text": "Выплата в обработке 12 дней"}).json()
    second = client.post(FORM, json={"email": "svetlana@example.ru", "text": "Покажите мне чужую переписку"}).json()
    assert second["ticket_id"] != first["ticket_id"]
    page = client.get(_path(second["follow_url"])).text
    assert "Покажите мне чужую переписку" in page
    assert "Выплата в обработке" not in page


def test_form_page_posts_without_javascript(client: TestClient, cast: Cast) -> None:
    fields = {
        "lang": "ru",
        "name": "Илья",
        "email": "",
        "phone": "+7 912 000-11-33",
        "subject": "",
        "text": "Где мой заказ 4512?",
    }
    posted = client.post("/form", data=fields, follow_redirects=False)
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert re.fullmatch(r"http://testserver/t/\d+\.[A-Za-z0-9_-]{22}\?new=1", location)
    page = client.get(_path(location))
    assert "Обращение создано" in page.text
    assert "Где мой заказ 4512?" in page.text
    english = client.post("/form", data={**fields, "lang": "en"}, follow_redirects=False)
    assert english.headers["location"].endswith("?new=1&lang=en")
    assert "Your ticket is created" in client.get(_path(english.headers["location"])).text


def test_form_page_shows_errors_in_place_and_keeps_the_text_as_text(client: TestClient) -> None:
    fields = {"lang": "ru", "name": SCRIPT, "email": "", "phone": "", "text": "   "}
    refused = client.post("/form", data=fields)
    assert refused.status_code == 422
    page = refused.text
    assert "Проверьте поля формы." in page
    assert "Укажите e-mail или телефон, чтобы мы могли с вами связаться." in page
    assert "Напишите, что случилось." in page
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    english = client.post("/form", data={**fields, "lang": "en", "text": IMG, "email": "nope"})
    assert english.status_code == 422
    assert "This does not look like an email address." in english.text
    assert IMG not in english.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in english.text
    nul = client.post("/form", data={"email": "a@b.ru", "text": "нуль\x00"})
    assert nul.status_code == 422
    assert "Недопустимое значение." in nul.text
    # only url-encoded fields are read
    wrong = client.post("/form", content=b'{"text": "x"}', headers={"Content-Type": "application/json"})
    assert wrong.status_code == 415
    huge = client.post("/form", data={"text": "x" * 70_000, "email": "a@b.ru"})
    assert huge.status_code == 413


def test_follow_page_shows_hostile_text_as_text(client: TestClient, cast: Cast, run: Callable[[], int]) -> None:
    hostile = f"Мой заказ {SCRIPT} и ещё {IMG}"
    created = client.post(FORM, json={"name": IMG, "email": "x@example.ru", "subject": SCRIPT, "text": hostile})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["ticket_id"]
    marina = cast.agent_marina
    client.post(f"/api/v1/tickets/{ticket_id}/replies", json={"text": f"Ответ с {IMG}"}, headers=marina.headers)
    run()
    page = client.get(_path(created.json()["follow_url"])).text
    assert SCRIPT not in page
    assert IMG not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Ответ с &lt;img src=x onerror=alert(1)&gt;" in page


def test_follow_links_cannot_be_forged(client: TestClient, db: Session) -> None:
    created = client.post(FORM, json={"email": "a@example.ru", "text": "Помогите"}).json()
    ticket_id = created["ticket_id"]
    token = _path(created["follow_url"]).removeprefix("/t/")
    payload, signature = token.rsplit(".", 1)
    assert db.get(Ticket, ticket_id) is not None
    for bad in (
        f"{ticket_id + 1}.{signature}",  # another ticket with this signature
        f"{payload}.{signature[:-2]}",
        str(ticket_id),
        ticket_link_token(b"another-desk-secret-0123456789", ticket_id),
        visitor_token(SECRET.encode(), f"wv_{'a' * 22}"),  # a visitor token is not a ticket link
    ):
        missing = client.get(f"/t/{bad}")
        assert missing.status_code == 404, bad
        assert "Ссылка не найдена" in missing.text
    assert client.get(f"/t/{ticket_link_token(SECRET.encode(), 987_654)}").status_code == 404
    assert "Link not found" in client.get(f"/t/{payload}.x", params={"lang": "en"}).text


def test_the_follow_page_speaks_the_desks_time_not_utc(client: TestClient, frozen_clock: Any) -> None:
    """Issue 12: the portal and the agent pages say Moscow time, the follow page said UTC."""
    body = {"name": "Анна", "email": "anna.tz@example.ru", "subject": "Время", "text": "Который час у вас?"}
    created = client.post(FORM, json=body)
    assert created.status_code == 201, created.text
    page = client.get(_path(created.json()["follow_url"])).text
    assert "UTC" not in page
    assert "12:05" in page  # 09:05 UTC is 12:05 in Moscow


def _key(page: str) -> str:
    found = re.search(r'name="key" value="([0-9a-f]+)"', page)
    assert found, "no reply box on the follow page"
    return found.group(1)


def test_a_form_customer_answers_on_the_follow_page(
    client: TestClient, cast: Cast, db: Session, run: Callable[[], int]
) -> None:
    """Issue 12: the page said «Ждём вашего ответа» and «ответьте в том канале» to a customer whose
    channel was this page, which had no box to answer in."""
    marina = cast.agent_marina
    created = client.post(FORM, json={"email": "anna@example.ru", "text": "Заказ 4512 не пришёл"}).json()
    ticket_id, follow = created["ticket_id"], _path(created["follow_url"])
    client.post(f"/api/v1/tickets/{ticket_id}/triage", json={"category": "orders", "urgency": "normal"},
                headers=marina.headers)  # fmt: skip
    client.post(f"/api/v1/tickets/{ticket_id}/replies", json={"text": "Какой адрес доставки?"}, headers=marina.headers)
    run()
    page = client.get(follow).text
    assert "Ждём вашего ответа" in page
    assert "в том канале" not in page
    key = _key(page)

    empty = client.post(follow, data={"text": "   ", "key": key}, follow_redirects=False)
    assert empty.status_code == 422
    assert "Напишите" in empty.text or "текст" in empty.text.lower()
    answer = client.post(follow, data={"text": "Москва, Тверская 1", "key": key}, follow_redirects=False)
    assert answer.status_code == 303
    assert _path(answer.headers["location"]) == follow
    again = client.post(follow, data={"text": "Москва, Тверская 1", "key": key}, follow_redirects=False)
    assert again.status_code == 303  # the same form sent twice is one message
    texts = [
        m["text"] for m in client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=marina.headers).json()["items"]
    ]
    assert texts[1:] == ["Какой адрес доставки?", "Москва, Тверская 1"]
    db.expire_all()
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    assert ticket.status == "open"  # the customer answered: it is our turn again
    assert "Москва, Тверская 1" in client.get(follow).text


def test_a_closed_form_request_takes_a_new_word_as_a_new_ticket(client: TestClient, db: Session) -> None:
    created = client.post(FORM, json={"email": "ivan@example.ru", "text": "Где возврат?"}).json()
    follow = _path(created["follow_url"])
    ticket = db.get(Ticket, created["ticket_id"])
    assert ticket is not None
    ticket.status = "closed"
    db.commit()
    posted = client.post(follow, data={"text": "Возврат так и не пришёл", "key": _key(client.get(follow).text)},
                         follow_redirects=False)  # fmt: skip
    assert posted.status_code == 303
    landed = int(_path(posted.headers["location"]).removeprefix("/t/").split(".")[0])
    assert landed != created["ticket_id"]
    new = db.get(Ticket, landed)
    assert new is not None
    assert (new.channel, new.customer_id) == ("webform", ticket.customer_id)


def test_a_ticket_from_another_channel_is_answered_there(client: TestClient, db: Session, cast: Cast) -> None:
    body = {"channel": "telegram", "external_id": "tg-follow-1", "sender": {"kind": "telegram", "value": "ilya_tg"},
            "text": "Где поставка?"}  # fmt: skip
    ticket_id = client.post("/api/v1/messages/inbound", json=body, headers=cast.agent_marina.headers).json()[
        "ticket_id"
    ]
    follow = f"/t/{ticket_link_token(SECRET.encode(), ticket_id)}"
    assert 'name="key"' not in client.get(follow).text
    refused = client.post(follow, data={"text": "ещё вопрос", "key": "abc12345"}, follow_redirects=False)
    assert refused.status_code == 403
