"""Story 2, end to end: four channels, one problem. Svetlana writes through the seller cabinet
form, two days later in Telegram, proves it is her with a one-time code, writes in VK, then posts
on a public site. Otklik ends with one customer, one open ticket holding every private message,
and the public post linked as «вышла в публичное поле через 14 дней», urgency raised."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from otklik.core import clock
from tests.conftest import Cast
from tests.links.conftest import Outbox
from tests.links.helpers import get, post, texts, write


def test_four_channels_one_customer_one_ticket_then_it_went_public(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, mailbox: Outbox, run: Any
) -> None:
    anna = cast.agent_anna
    # day 0: the seller cabinet form, with her e-mail and phone (the cabinet knows both: verified)
    first = write(client, anna, "webform", "svetlana@shop.test", "Выплата «в обработке» уже 12 дней")
    svetlana = get(client, anna, f"/tickets/{first['ticket_id']}")["customer"]["id"]
    email = get(client, anna, f"/customers/{svetlana}")["identities"][0]
    post(client, anna, f"/customers/{svetlana}/identities/{email['id']}/verify")
    post(client, anna, f"/customers/{svetlana}/identities", {"kind": "phone", "value": "8 999 123-45-67",
                                                             "verified": True}, status=201)  # fmt: skip
    post(client, anna, f"/tickets/{first['ticket_id']}/triage", {"category": "finance", "urgency": "normal"})

    # day 2: Telegram, from an address nobody knows yet: a stranger and a ticket of their own
    frozen_clock.advance(timedelta(days=2))
    telegram = write(client, anna, "telegram", "svetlana_seller", "Напишите, что с выплатой!")
    stranger = get(client, anna, f"/tickets/{telegram['ticket_id']}")["customer"]["id"]
    assert stranger != svetlana
    assert telegram["ticket_id"] != first["ticket_id"]

    # the agent sends her a one-time code by e-mail; she sends it back from Telegram
    code = post(client, anna, f"/customers/{svetlana}/link-codes", {"channel": "email"}, status=201)
    assert code["delivery_state"] == "queued"
    assert mailbox.sent == []  # no I/O in the request: the worker sends it
    run()
    assert [m.recipient for m in mailbox.sent] == ["svetlana@shop.test"]
    assert code["code"] in mailbox.sent[0].text
    redeemed = write(client, anna, "telegram", "svetlana_seller", code["code"].lower().replace("-", " "))
    assert redeemed["ticket_id"] == first["ticket_id"]

    customer = get(client, anna, f"/customers/{svetlana}")
    assert {(i["kind"], i["verified"]) for i in customer["identities"]} == {
        ("email", True), ("phone", True), ("telegram", True),
    }  # fmt: skip
    merged_ticket = get(client, anna, f"/tickets/{telegram['ticket_id']}")
    assert merged_ticket["status"] == "closed"
    assert merged_ticket["merged_into"] == first["ticket_id"]

    # day 4: VK — the agent confirmed her VK page in Telegram; the message joins the one ticket
    frozen_clock.advance(timedelta(days=2))
    post(client, anna, f"/customers/{svetlana}/identities", {"kind": "vk", "value": "svetlana.shop",
                                                             "verified": True}, status=201)  # fmt: skip
    vk = write(client, anna, "vk", "svetlana.shop", "Третий канал пишу, ответьте")
    assert vk["ticket_id"] == first["ticket_id"]
    reply = post(client, anna, f"/tickets/{first['ticket_id']}/replies", {"text": "Светлана, проверяю выплату."},
                 status=201)  # fmt: skip
    assert reply["channel"] == "vk"  # the answer goes where she wrote last

    # day 14: she posts publicly, under a handle the agent linked to her
    frozen_clock.advance(timedelta(days=10))
    post(client, anna, f"/customers/{svetlana}/identities", {"kind": "public_handle", "value": "Svetlana_Shop",
                                                             "verified": True}, status=201)  # fmt: skip
    mention = post(
        client, anna, "/channels/public/mentions",
        {"url": "https://otzovik.test/posts/77", "author": "svetlana_shop",
         "text": "Маркетплейс две недели не платит продавцам!"},
        status=201,
    )  # fmt: skip
    assert mention["went_public"] == [{"private_ticket_id": first["ticket_id"], "days": 14}]

    open_tickets = get(client, anna, f"/tickets?customer={svetlana}&status=new,open,pending_customer,on_hold")
    private = [t for t in open_tickets["items"] if not t["is_public"]]
    assert [t["id"] for t in private] == [first["ticket_id"]]
    ticket = get(client, anna, f"/tickets/{first['ticket_id']}")
    assert ticket["urgency"] == "urgent"
    assert texts(client, anna, first["ticket_id"]) == [
        "Выплата «в обработке» уже 12 дней",
        "Напишите, что с выплатой!",
        "Вашим обращением занимается Ольга Админова. Ответ придёт сюда, в этот чат.",  # told in Telegram
        code["code"].lower().replace("-", " "),
        "Третий канал пишу, ответьте",
        "Светлана, проверяю выплату.",
    ]
    went = [link for link in ticket["links"] if link["kind"] == "went_public"]
    assert went == [
        {
            "kind": "went_public",
            "from_ticket_id": mention["ticket_id"],
            "to_ticket_id": first["ticket_id"],
            "days": 14,
            "label": {"ru": "вышла в публичное поле через 14 дней", "en": "went public after 14 days"},
            "created_at": went[0]["created_at"],
        }
    ]
    public = get(client, anna, f"/tickets/{mention['ticket_id']}")
    assert public["is_public"] is True
    assert public["customer"]["id"] == svetlana
    assert [link["to_ticket_id"] for link in public["links"]] == [first["ticket_id"]]
    audit = get(client, cast.admin_olga, f"/tickets/{first['ticket_id']}/audit")["items"]
    actions = [e["action"] for e in audit]
    for expected in ("ticket.merged", "ticket.went_public", "ticket.urgency_raised"):
        assert expected in actions
    moved = [e["action"] for e in get(client, cast.admin_olga, f"/tickets/{telegram['ticket_id']}/audit")["items"]]
    assert moved[-3:] == ["ticket.customer_changed", "ticket.status_changed", "ticket.merged"]
