"""Merging customers and tickets, and undoing it: an agent's merge moves identities, tickets and
authorship (and merges the one open ticket of each side); undo puts back every row exactly,
timers included. Same verified phone → merged by itself; unverified → only offered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.jobs import Job, JobState
from otklik.core.taxonomy import Channel
from otklik.customers.models import Customer, Identity
from otklik.messages.models import Message
from otklik.tickets.actions import do_add_reference, do_open_ticket, do_record_customer_message
from otklik.tickets.models import Ticket, TicketReference
from tests.conftest import Cast
from tests.links.helpers import get, post, texts, write

TESTS = Actor.system("tests")


def rows(db: Session, customer_ids: list[int]) -> dict[str, Any]:
    """Every stored row a merge may touch, as plain values."""
    db.expire_all()
    tickets = list(db.scalars(select(Ticket).where(Ticket.customer_id.in_(customer_ids)).order_by(Ticket.id)).unique())
    ticket_ids = [t.id for t in tickets]
    columns = [c.key for c in Ticket.__table__.columns]
    return {
        "customers": [
            (c.id, c.merged_into_id) for c in db.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
        ],
        "identities": [
            (i.id, i.customer_id, i.kind, i.value, i.verified)
            for i in db.scalars(select(Identity).where(Identity.customer_id.in_(customer_ids)).order_by(Identity.id))
        ],
        "tickets": [{k: getattr(t, k) for k in columns} for t in tickets],
        "messages": [
            (m.id, m.ticket_id, m.author_customer_id)
            for m in db.scalars(select(Message).where(Message.ticket_id.in_(ticket_ids)).order_by(Message.id)).unique()
        ],
        "references": [
            (r.id, r.ticket_id, r.kind, r.value)
            for r in db.scalars(select(TicketReference).where(TicketReference.ticket_id.in_(ticket_ids)))
        ],
        "timers": sorted(
            (j.key, j.kind, j.due_at)
            for j in db.scalars(select(Job).where(Job.state == JobState.PENDING.value))
            if j.key and any(j.key.startswith(f"ticket:{t}:") for t in ticket_ids)
        ),
    }  # fmt: skip


def test_an_agent_merges_two_customers_and_undo_restores_every_row(
    client: TestClient, cast: Cast, db: Session, frozen_clock: clock.FrozenClock
) -> None:
    anna = cast.agent_anna
    mail = write(client, anna, "email", "ivan@shop.test", "Где выплата за октябрь?")
    ivan = get(client, anna, f"/tickets/{mail['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/tickets/{mail['ticket_id']}/triage", {"category": "finance", "urgency": "normal"})
    post(client, anna, f"/tickets/{mail['ticket_id']}/replies", {"text": "Проверяю"}, status=201)
    frozen_clock.advance(timedelta(hours=3))
    chat = write(client, anna, "telegram", "ivan_tg", "Ау, где деньги?")
    stranger = get(client, anna, f"/tickets/{chat['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/tickets/{chat['ticket_id']}/references", {"kind": "order", "value": "4512"})
    frozen_clock.advance(timedelta(minutes=5))
    before = rows(db, [ivan, stranger])

    merge = post(client, anna, f"/customers/{ivan}/merge", {"customer_id": stranger}, status=201)
    assert merge["survivor_id"] == ivan
    assert merge["tickets"] == [chat["ticket_id"]]
    assert len(merge["ticket_merges"]) == 1
    joined = get(client, anna, f"/tickets/{mail['ticket_id']}")
    assert joined["status"] == "open"  # the customer was waiting on the Telegram ticket: the wait carries on
    assert joined["sla"]["waiting_since"] is not None
    assert [r["value"] for r in joined["references"]] == ["4512"]
    assert texts(client, anna, mail["ticket_id"]) == ["Где выплата за октябрь?", "Проверяю", "Ау, где деньги?"]
    closed = get(client, anna, f"/tickets/{chat['ticket_id']}")
    assert (closed["status"], closed["merged_into"]) == ("closed", mail["ticket_id"])
    assert {i["kind"] for i in get(client, anna, f"/customers/{ivan}")["identities"]} == {"email", "telegram"}
    assert rows(db, [ivan, stranger]) != before

    frozen_clock.advance(timedelta(minutes=1))
    undone = post(client, anna, f"/customer-merges/{merge['id']}/undo")
    assert undone["undone_at"] is not None
    assert rows(db, [ivan, stranger]) == before
    again = client.post(f"/api/v1/customer-merges/{merge['id']}/undo", headers=anna.headers)
    assert (again.status_code, again.json()["code"]) == (409, "merge_already_undone")
    audit = [e["action"] for e in get(client, cast.admin_olga, f"/tickets/{chat['ticket_id']}/audit")["items"]]
    assert audit[-3:] == ["ticket.status_changed", "ticket.merge_undone", "ticket.customer_changed"]
    assert {"ticket.merged", "ticket.customer_changed"} <= set(audit[:-3])


def test_refused_merges_name_the_problem_and_change_nothing(client: TestClient, cast: Cast, db: Session) -> None:
    anna = cast.agent_anna
    first = write(client, anna, "email", "one@shop.test", "Первый")
    second = write(client, anna, "telegram", "two_tg", "Второй")
    public = post(client, anna, "/channels/public/mentions",
                  {"url": "https://site.test/p/1", "author": "two_public", "text": "Жалоба"}, status=201)  # fmt: skip
    one = get(client, anna, f"/tickets/{first['ticket_id']}")["customer"]["id"]
    two = get(client, anna, f"/tickets/{second['ticket_id']}")["customer"]["id"]
    cases = [
        (f"/customers/{one}/merge", {"customer_id": one}, 422, "merge_same"),
        (f"/customers/{one}/merge", {"customer_id": 999_999}, 404, "customer_not_found"),
        (f"/customers/{one}/merge", {"customer_id": "x"}, 422, "invalid_field"),
        (f"/customers/{one}/merge", {"customer_id": one, "extra": 1}, 422, "invalid_field"),
        (f"/tickets/{first['ticket_id']}/merge", {"ticket_id": second["ticket_id"]}, 409, "merge_other_customer"),
        (f"/tickets/{first['ticket_id']}/merge", {"ticket_id": first["ticket_id"]}, 422, "merge_same"),
        ("/customer-merges/999999/undo", {}, 404, "merge_not_found"),
        ("/ticket-merges/999999/undo", {}, 404, "merge_not_found"),
        (f"/tickets/{first['ticket_id']}/merge-suggestions/{second['ticket_id']}/dismiss", {}, 404,
         "not_duplicate_candidate"),
    ]  # fmt: skip
    before = rows(db, [one, two])
    for path, body, status, code in cases:
        answer = client.post(f"/api/v1{path}", json=body, headers=anna.headers)
        assert (answer.status_code, answer.json()["code"]) == (status, code), path
        assert answer.headers["content-type"] == "application/problem+json"
    assert rows(db, [one, two]) == before
    # the public complaint's author becomes the same customer: public and private still never merge
    poster = get(client, anna, f"/tickets/{public['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/customers/{two}/merge", {"customer_id": poster}, status=201)
    answer = client.post(
        f"/api/v1/tickets/{public['ticket_id']}/merge", json={"ticket_id": second["ticket_id"]}, headers=anna.headers
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "merge_public_private")
    merged_again = client.post(f"/api/v1/customers/{one}/merge", json={"customer_id": poster}, headers=anna.headers)
    assert (merged_again.status_code, merged_again.json()["code"]) == (409, "customer_merged")


def test_a_likely_duplicate_is_offered_accepted_undone_and_dismissed(
    client: TestClient, cast: Cast, db: Session, frozen_clock: clock.FrozenClock
) -> None:
    anna = cast.agent_anna
    first = write(client, anna, "email", "olga@shop.test", "Возврат по заказу не пришёл")
    customer = db.get(Customer, get(client, anna, f"/tickets/{first['ticket_id']}")["customer"]["id"])
    assert customer is not None
    now = clock.now()
    older = db.get(Ticket, first["ticket_id"])
    assert older is not None
    do_add_reference(db, older, kind="order", value="4512", actor=TESTS, at=now)
    made = []
    for subject in ("Опять про заказ 4512", "Другая тема"):
        frozen_clock.advance(timedelta(hours=1))
        ticket = do_open_ticket(db, customer=customer, channel=Channel.TELEGRAM, subject=subject, actor=TESTS,
                                at=clock.now())  # fmt: skip
        do_record_customer_message(db, ticket, actor=TESTS, at=clock.now())
        made.append(ticket)
    do_add_reference(db, made[0], kind="order", value="4512", actor=TESTS, at=clock.now())
    db.commit()

    offers = get(client, anna, f"/tickets/{made[0].id}/merge-suggestions")["items"]
    assert [(o["ticket_id"], o["reasons"]) for o in offers] == [(first["ticket_id"], ["reference:order:4512"])]
    assert get(client, anna, f"/tickets/{made[1].id}/merge-suggestions")["items"] == []

    accepted = post(client, anna, f"/tickets/{first['ticket_id']}/merge", {"ticket_id": made[0].id}, status=201)
    assert (accepted["source_id"], accepted["target_id"]) == (made[0].id, first["ticket_id"])  # newer into older
    assert get(client, anna, f"/tickets/{made[0].id}")["status"] == "closed"
    post(client, anna, f"/ticket-merges/{accepted['id']}/undo")
    back = get(client, anna, f"/tickets/{made[0].id}")
    assert (back["status"], back["merged_into"]) == ("new", None)
    assert get(client, anna, f"/tickets/{first['ticket_id']}")["links"] == []

    answer = client.post(
        f"/api/v1/tickets/{made[0].id}/merge-suggestions/{first['ticket_id']}/dismiss", headers=anna.headers
    )
    assert answer.status_code == 204
    assert get(client, anna, f"/tickets/{made[0].id}/merge-suggestions")["items"] == []


def test_a_verified_phone_twin_merges_by_itself_an_unverified_one_is_only_offered(
    client: TestClient, cast: Cast
) -> None:
    anna = cast.agent_anna
    mail = write(client, anna, "email", "pavel@shop.test", "Не приходит выплата")
    pavel = get(client, anna, f"/tickets/{mail['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/customers/{pavel}/identities", {"kind": "phone", "value": "+7 (999) 765-43-21",
                                                          "verified": True}, status=201)  # fmt: skip
    whatsapp = write(client, anna, "whatsapp", "89997654321", "Это Павел, по выплате")
    assert whatsapp["ticket_id"] != mail["ticket_id"]  # an unverified address proves nothing yet
    twin = get(client, anna, f"/tickets/{whatsapp['ticket_id']}")["customer"]["id"]
    offers = get(client, anna, f"/customers/{pavel}/merge-suggestions")["items"]
    assert offers == [{"customer": {"id": twin, "name": "79997654321"}, "reasons": ["whatsapp:79997654321"]}]

    identity = get(client, anna, f"/customers/{twin}")["identities"][0]
    merged = post(client, anna, f"/customers/{twin}/identities/{identity['id']}/verify")
    assert merged["id"] == pavel  # the older customer carries on
    assert {(i["kind"], i["verified"]) for i in merged["identities"]} == {
        ("email", False), ("phone", True), ("whatsapp", True),
    }  # fmt: skip
    assert get(client, anna, f"/customers/{pavel}/merge-suggestions")["items"] == []
    assert get(client, anna, f"/tickets/{whatsapp['ticket_id']}")["merged_into"] == mail["ticket_id"]
