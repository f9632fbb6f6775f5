"""Intake's ticket choice: the same problem joins its open ticket whatever the channel; otherwise a
new ticket, offered as a likely duplicate when it quotes numbers of several. Replies follow the
channel the customer used last."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.taxonomy import Channel
from otklik.customers.models import Customer
from otklik.messages.models import Message
from otklik.tickets.actions import do_add_reference, do_open_ticket, do_record_customer_message
from otklik.tickets.models import Ticket
from tests.conftest import Cast
from tests.links.helpers import get, post, write

TESTS = Actor.system("tests")


def test_the_only_open_ticket_takes_a_message_from_another_verified_address(client: TestClient, cast: Cast) -> None:
    anna = cast.agent_anna
    first = write(client, anna, "email", "maria@shop.test", "Где возврат?")
    maria = get(client, anna, f"/tickets/{first['ticket_id']}")["customer"]["id"]
    email = get(client, anna, f"/customers/{maria}")["identities"][0]
    post(client, anna, f"/customers/{maria}/identities/{email['id']}/verify")
    post(client, anna, f"/customers/{maria}/identities", {"kind": "telegram", "value": "@Maria_Shop",
                                                          "verified": True}, status=201)  # fmt: skip
    chat = write(client, anna, "telegram", "maria_shop", "Пишу и сюда тоже")
    assert chat["ticket_id"] == first["ticket_id"]
    note = post(client, anna, f"/tickets/{first['ticket_id']}/replies", {"text": "Смотрю", "public": False}, 201)
    assert note["channel"] == "telegram"
    mail = write(client, anna, "email", "maria@shop.test", "И ещё письмом")
    assert mail["ticket_id"] == first["ticket_id"]
    reply = post(client, anna, f"/tickets/{first['ticket_id']}/replies", {"text": "Возврат ушёл сегодня"}, 201)
    assert reply["channel"] == "email"  # the last word came by e-mail: the answer goes there


def test_an_unverified_address_on_another_channel_opens_its_own_ticket(client: TestClient, cast: Cast) -> None:
    anna = cast.agent_anna
    first = write(client, anna, "email", "family@shop.test", "Не пришёл заказ")
    customer = get(client, anna, f"/tickets/{first['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/customers/{customer}/identities", {"kind": "vk", "value": "family_shared"}, status=201)
    shared = write(client, anna, "vk", "family_shared", "Возврат за кроссовки")
    assert shared["ticket_id"] != first["ticket_id"]  # a shared VK account: maybe another person, another problem
    again = write(client, anna, "vk", "family_shared", "Ответьте про возврат")
    assert again["ticket_id"] == shared["ticket_id"]  # on its own channel the conversation continues as always


def _two_open_tickets(client: TestClient, cast: Cast, db: Session) -> tuple[int, int, int]:
    """Kirill (verified e-mail) with two open e-mail tickets: order 4512 and supply WB-77."""
    first = write(client, cast.agent_anna, "email", "kirill@shop.test", "Заказ 4512 не пришёл")
    customer = db.get(Customer, get(client, cast.agent_anna, f"/tickets/{first['ticket_id']}")["customer"]["id"])
    assert customer is not None
    email = customer.identities[0]
    email.verified = True
    older = db.get(Ticket, first["ticket_id"])
    assert older is not None
    do_add_reference(db, older, kind="order", value="4512", actor=TESTS, at=clock.now())
    second = do_open_ticket(db, customer=customer, channel=Channel.EMAIL, subject="Поставка", actor=TESTS,
                            at=clock.now())  # fmt: skip
    db.add(Message(ticket_id=second.id, direction="inbound", channel="email", author_customer_id=customer.id,
                   sender_identity_id=email.id, text="Поставка WB-77 стоит", created_at=clock.now()))  # fmt: skip
    do_record_customer_message(db, second, actor=TESTS, at=clock.now())
    do_add_reference(db, second, kind="supply", value="WB-77", actor=TESTS, at=clock.now())
    db.commit()
    return customer.id, older.id, second.id


def test_a_quoted_outside_number_picks_its_ticket_among_several(client: TestClient, cast: Cast, db: Session) -> None:
    _, older, newer = _two_open_tickets(client, cast, db)
    telegram = write(client, cast.agent_anna, "email", "kirill@shop.test", "По заказу 4512: есть новости?")
    assert telegram["ticket_id"] == older
    supply = write(client, cast.agent_anna, "email", "kirill@shop.test", "поставка wb-77 стоит на складе")
    assert supply["ticket_id"] == newer


def test_quoting_several_tickets_opens_a_new_one_offered_as_their_duplicate(
    client: TestClient, cast: Cast, db: Session
) -> None:
    customer_id, older, newer = _two_open_tickets(client, cast, db)
    post(client, cast.agent_anna, f"/customers/{customer_id}/identities", {"kind": "vk", "value": "kirill",
                                                                           "verified": True}, 201)  # fmt: skip
    both = write(client, cast.agent_anna, "vk", "kirill", "Заказ 4512 и поставка WB-77 — обе проблемы")
    assert both["ticket_id"] not in (older, newer)
    ticket = get(client, cast.agent_anna, f"/tickets/{both['ticket_id']}")
    assert {(r["kind"], r["value"]) for r in ticket["references"]} == {("order", "4512"), ("supply", "WB-77")}
    offers = get(client, cast.agent_anna, f"/tickets/{both['ticket_id']}/merge-suggestions")["items"]
    assert [(o["ticket_id"], o["reasons"]) for o in offers] == [
        (older, ["reference:order:4512"]),
        (newer, ["reference:supply:WB-77"]),
    ]


def test_a_quoted_number_of_a_merged_ticket_lands_on_the_ticket_it_joined(
    client: TestClient, cast: Cast, db: Session
) -> None:
    _, older, newer = _two_open_tickets(client, cast, db)
    post(client, cast.agent_anna, f"/tickets/{newer}/merge", {"ticket_id": older}, status=201)
    again = write(client, cast.agent_anna, "email", "kirill@shop.test", f"По обращению #{newer}")
    assert again["ticket_id"] == older


def test_a_public_post_never_joins_a_private_ticket(client: TestClient, cast: Cast) -> None:
    anna = cast.agent_anna
    private = write(client, anna, "email", "gleb@shop.test", "Не работает кабинет")
    gleb = get(client, anna, f"/tickets/{private['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/customers/{gleb}/identities", {"kind": "public_handle", "value": "gleb"}, status=201)
    public = write(client, anna, "public", "gleb", "Кабинет лежит третий день!", kind="public_handle")
    assert public["ticket_id"] != private["ticket_id"]
    comment = write(client, anna, "public", "gleb", "До сих пор лежит", kind="public_handle")
    assert comment["ticket_id"] == public["ticket_id"]  # his next public comment continues the public ticket
    shown = get(client, anna, f"/tickets/{public['ticket_id']}")
    assert shown["is_public"] is True
    # whatever door it came in by, the public post marks the private case, once
    assert [(k["kind"], k["to_ticket_id"]) for k in shown["links"]] == [("went_public", private["ticket_id"])]


def test_a_web_visitors_opaque_id_is_no_name(db: Session) -> None:
    """Issue 12: visitor ids such as ``wv_sXGG…`` were shown to agents as the customer's name."""
    import secrets

    from otklik.channels.webvisitor import new_visitor_id
    from otklik.core.actors import Actor
    from otklik.core.clock import now
    from otklik.core.taxonomy import IdentityKind
    from otklik.customers.actions import do_resolve_sender

    visitor = new_visitor_id(secrets.token_bytes(16))
    unnamed = do_resolve_sender(db, kind=IdentityKind.WEB, value=visitor, display_name=None,
                                actor=Actor.system("tests"), at=now())  # fmt: skip
    assert unnamed.name == "—"
    assert visitor not in unnamed.name
    other = new_visitor_id(secrets.token_bytes(16))
    named = do_resolve_sender(db, kind=IdentityKind.WEB, value=other, display_name="Ольга",
                              actor=Actor.system("tests"), at=now())  # fmt: skip
    assert named.name == "Ольга"
    mailer = do_resolve_sender(db, kind=IdentityKind.EMAIL, value="ivan@mail.example", display_name=None,
                               actor=Actor.system("tests"), at=now())  # fmt: skip
    assert mailer.name == "ivan@mail.example"  # an address is a fair name when there is nothing else
