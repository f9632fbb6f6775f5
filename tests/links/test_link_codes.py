"""One-time linking codes: created for a customer, queued (never sent inside the request), delivered
by the worker; sent back from another address they prove it is the same person. A code that is
expired, spent or mistyped is just a message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.core import clock, jobs
from otklik.worker import registry as tasks
from tests.conftest import Cast
from tests.links.conftest import Outbox
from tests.links.helpers import get, post, write

tasks.load()


def _customer(client: TestClient, cast: Cast, email: str) -> tuple[int, int]:
    first = write(client, cast.agent_anna, "email", email, "Помогите с выплатой")
    return get(client, cast.agent_anna, f"/tickets/{first['ticket_id']}")["customer"]["id"], first["ticket_id"]


def test_a_delivered_code_sent_back_from_a_new_address_proves_both(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, mailbox: Outbox, run: Any
) -> None:
    anna = cast.agent_anna
    customer, ticket = _customer(client, cast, "nina@shop.test")
    code = post(client, anna, f"/customers/{customer}/link-codes", {"channel": "email"}, status=201)
    assert code["code"].startswith("OTK-")
    assert code["expires_at"].startswith("2026-11-24T09:05")
    run()
    assert "Ваш код" in mailbox.sent[0].text
    assert "Your code" in mailbox.sent[0].text
    used = write(client, anna, "vk", "nina_vk", code["code"])
    assert used["ticket_id"] == ticket  # both addresses are now proven hers: one ticket
    identities = {
        (i["kind"], i["value"], i["verified"]) for i in get(client, anna, f"/customers/{customer}")["identities"]
    }
    assert identities == {("email", "nina@shop.test", True), ("vk", "nina_vk", True)}
    # spent: the same code again is an ordinary message from a stranger
    stranger = write(client, anna, "telegram", "someone_else", code["code"])
    assert get(client, anna, f"/tickets/{stranger['ticket_id']}")["customer"]["id"] != customer


def test_an_expired_or_replaced_code_proves_nothing(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    anna = cast.agent_anna
    customer, _ = _customer(client, cast, "oleg@shop.test")
    old = post(client, anna, f"/customers/{customer}/link-codes", {"channel": "email"}, status=201)
    new = post(client, anna, f"/customers/{customer}/link-codes", {"channel": "email"}, status=201)
    replaced = write(client, anna, "telegram", "oleg_tg", old["code"])
    assert get(client, anna, f"/tickets/{replaced['ticket_id']}")["customer"]["id"] != customer
    frozen_clock.advance(timedelta(hours=24, seconds=1))
    expired = write(client, anna, "vk", "oleg_vk", new["code"])
    assert get(client, anna, f"/tickets/{expired['ticket_id']}")["customer"]["id"] != customer
    assert {i["kind"] for i in get(client, anna, f"/customers/{customer}")["identities"]} == {"email"}


def test_a_code_that_cannot_be_delivered_says_why(
    client: TestClient, cast: Cast, session_factory: sessionmaker[Session]
) -> None:
    anna = cast.agent_anna
    customer, _ = _customer(client, cast, "lev@shop.test")
    code = post(client, anna, f"/customers/{customer}/link-codes", {"channel": "email"}, status=201)
    jobs.run_due(session_factory, worker="test")  # no SMTP relay is configured in the tests
    with session_factory() as session:
        from otklik.customers.models import LinkCode

        row = session.get(LinkCode, code["id"])
        assert row is not None
        assert row.delivery_state == "failed"
        assert "OTKLIK_SMTP_URL" in (row.delivery_error or "")


def test_bad_code_requests_are_refused_with_the_reason(client: TestClient, cast: Cast) -> None:
    anna = cast.agent_anna
    customer, _ = _customer(client, cast, "vera@shop.test")
    for body, status, code, field in [
        ({"channel": "webform"}, 422, "link_code_channel", "channel"),
        ({"channel": "telegram"}, 422, "link_code_no_address", "channel"),
        ({"channel": "pigeon"}, 422, "invalid_field", "channel"),
        ({}, 422, "invalid_field", "channel"),
    ]:
        answer = client.post(f"/api/v1/customers/{customer}/link-codes", json=body, headers=anna.headers)
        problem = answer.json()
        assert (answer.status_code, problem["code"], problem["field"]) == (status, code, field), body
    missing = client.post("/api/v1/customers/999999/link-codes", json={"channel": "email"}, headers=anna.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "customer_not_found")
    english = client.post(
        f"/api/v1/customers/{customer}/link-codes",
        json={"channel": "telegram"},
        headers={**anna.headers, "Accept-Language": "en"},
    )
    assert (
        english.json()["detail"]
        == "The customer has no 'telegram' address for channel telegram: nowhere to send the code."
    )
