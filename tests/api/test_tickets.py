"""Tickets over HTTP: the contract's shapes, every agent action, the queue's filters and pagination."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from otklik.core.clock import FrozenClock
from tests.conftest import Cast, Persona, unique

TICKET_KEYS = {"id", "status", "category", "urgency", "channel", "assignee", "customer", "created_at", "updated_at"}
MESSAGE_KEYS = {"id", "direction", "public", "text", "author", "created_at", "delivery"}


def open_ticket(
    client: TestClient,
    who: Persona,
    *,
    text: str = "Поставку не принимают на складе Коледино, пишут «нет слота»",
    channel: str = "telegram",
    sender: dict[str, str] | None = None,
) -> int:
    payload = {
        "channel": channel,
        "external_id": unique("in"),
        "sender": sender or {"kind": "telegram", "value": unique("seller").replace("-", "_"), "display_name": "Илья"},
        "text": text,
    }
    response = client.post("/api/v1/messages/inbound", json=payload, headers=who.headers)
    assert response.status_code == 201, response.text
    ticket_id: int = response.json()["ticket_id"]
    return ticket_id


def get(client: TestClient, who: Persona, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1{path}", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def act(client: TestClient, who: Persona, ticket_id: int, action: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/tickets/{ticket_id}/{action}", json=payload or {}, headers=who.headers)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def refused(response: Any, status: int, code: str | None = None, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert not re.search(r"\{[a-z_]+\}", problem["detail"]), problem  # every placeholder was filled
    if code is not None:
        assert problem["code"] == code
    if field is not None:
        assert problem["field"] == field
    return problem


def is_utc_iso(value: str) -> bool:
    moment = datetime.fromisoformat(value)
    return moment.utcoffset() == timedelta(0)


# ---------------------------------------------------------------- shapes


def test_one_ticket_has_the_contract_shape(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    ticket = get(client, marina, f"/tickets/{ticket_id}")
    assert set(ticket) >= TICKET_KEYS
    assert ticket["id"] == ticket_id
    assert ticket["status"] == "new"
    assert ticket["category"] is None
    assert ticket["urgency"] is None
    assert ticket["channel"] == "telegram"
    assert ticket["assignee"] is None
    assert set(ticket["customer"]) == {"id", "name"}
    assert ticket["customer"]["name"] == "Илья"
    assert isinstance(ticket["customer"]["id"], int)
    assert is_utc_iso(ticket["created_at"])
    assert is_utc_iso(ticket["updated_at"])

    ok(act(client, marina, ticket_id, "replies", {"text": "Смотрю, вернусь через 10 минут"}), 201)
    owned = get(client, marina, f"/tickets/{ticket_id}")
    assert owned["assignee"] == {"id": marina.agent.id, "name": "Марина Складова"}
    assert owned["updated_at"] >= ticket["updated_at"]


def test_unknown_ticket_is_a_404_problem(client: TestClient, cast: Cast) -> None:
    response = client.get("/api/v1/tickets/999999", headers=cast.admin_olga.headers)
    refused(response, 404, "ticket_not_found")


def test_the_timeline_items_have_the_contract_shape(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina, text="Где деньги за октябрь?")
    ok(act(client, marina, ticket_id, "notes", {"text": "Проверить акт сверки"}), 201)
    ok(act(client, marina, ticket_id, "replies", {"text": "Выплата пришла 3 ноября", "public": True}), 201)
    items = get(client, marina, f"/tickets/{ticket_id}/messages")["items"]
    for item in items:
        assert set(item) >= MESSAGE_KEYS
        assert is_utc_iso(item["created_at"])
        assert {"kind", "id", "name"} <= set(item["author"])
    inbound, note, reply = items
    assert (inbound["direction"], inbound["public"], inbound["text"]) == ("inbound", True, "Где деньги за октябрь?")
    assert inbound["author"]["kind"] == "customer"
    assert inbound["delivery"] is None
    assert (note["direction"], note["public"], note["delivery"]) == ("outbound", False, None)
    assert reply["direction"] == "outbound"
    assert reply["public"] is True
    assert reply["author"] == {"kind": "agent", "id": marina.agent.id, "name": "Марина Складова"}
    assert reply["delivery"]["state"] == "queued"
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)


# ---------------------------------------------------------------- replies, notes, solve, hold


def test_a_public_reply_is_queued_and_the_ticket_waits_for_the_customer(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    message = ok(
        act(client, marina, ticket_id, "replies", {"text": "Слот открыли, привозите к 14:00", "public": True}), 201
    )
    assert set(message) >= MESSAGE_KEYS
    assert message["public"] is True
    assert message["direction"] == "outbound"
    assert message["delivery"] == {"state": "queued", "error": None}
    ticket = get(client, marina, f"/tickets/{ticket_id}")
    assert ticket["status"] == "pending_customer"
    assert ticket["assignee"]["id"] == marina.agent.id


@pytest.mark.parametrize("route", ["replies", "notes"])
def test_an_internal_note_keeps_the_status_and_is_not_public(client: TestClient, cast: Cast, route: str) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    note = ok(act(client, marina, ticket_id, route, {"text": "Клиент уже писал об этом в почту", "public": False}), 201)
    assert note["public"] is False
    assert note["delivery"] is None
    ticket = get(client, marina, f"/tickets/{ticket_id}")
    assert ticket["status"] == "new"
    assert ticket["assignee"] is None


def test_an_empty_reply_is_refused(client: TestClient, cast: Cast) -> None:
    ticket_id = open_ticket(client, cast.agent_marina)
    refused(act(client, cast.agent_marina, ticket_id, "replies", {"text": " \n "}), 422, "text_empty", "text")
    refused(act(client, cast.agent_marina, ticket_id, "replies", {"text": "ok", "cc": "x"}), 422, field="cc")
    assert get(client, cast.agent_marina, f"/tickets/{ticket_id}")["status"] == "new"


def test_solve_is_refused_while_the_customer_spoke_last(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    sender = {"kind": "telegram", "value": unique("ivan").replace("-", "_")}
    ticket_id = open_ticket(client, marina, sender=sender)
    problem = refused(act(client, marina, ticket_id, "solve"), 409, "solve_needs_agent_reply")
    assert "text" in problem["detail"]
    # a note is not an answer to the customer
    ok(act(client, marina, ticket_id, "notes", {"text": "решено на складе"}), 201)
    refused(act(client, marina, ticket_id, "solve"), 409, "solve_needs_agent_reply")
    # nor is a reply the customer has since answered
    ok(act(client, marina, ticket_id, "replies", {"text": "Уточните номер поставки"}), 201)
    assert open_ticket(client, marina, sender=sender, text="Номер 7654321") == ticket_id
    refused(act(client, marina, ticket_id, "solve"), 409, "solve_needs_agent_reply")
    assert get(client, marina, f"/tickets/{ticket_id}")["status"] == "open"


def test_solve_with_text_replies_first_then_solves(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    solved = ok(act(client, marina, ticket_id, "solve", {"text": "Слот на завтра 10:00 забронирован"}))
    assert solved["status"] == "solved"
    assert solved["assignee"]["id"] == marina.agent.id
    last = get(client, marina, f"/tickets/{ticket_id}/messages")["items"][-1]
    assert (last["direction"], last["public"], last["text"]) == ("outbound", True, "Слот на завтра 10:00 забронирован")
    assert last["delivery"]["state"] == "queued"


def test_solve_with_an_empty_text_is_refused_and_changes_nothing(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    refused(act(client, marina, ticket_id, "solve", {"text": "   "}), 422, field="text")
    assert get(client, marina, f"/tickets/{ticket_id}")["status"] == "new"
    assert len(get(client, marina, f"/tickets/{ticket_id}/messages")["items"]) == 1


def test_hold_with_a_future_time_shows_the_promise(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    ok(act(client, marina, ticket_id, "replies", {"text": "Передала запрос на склад"}), 201)
    until = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    held = ok(act(client, marina, ticket_id, "hold", {"until": until.isoformat(), "promise": "Ответ склада до завтра"}))
    assert held["status"] == "on_hold"
    assert held["hold"]["promise"] == "Ответ склада до завтра"
    assert datetime.fromisoformat(held["hold"]["until"]) == until
    assert get(client, marina, f"/tickets/{ticket_id}")["hold"] == held["hold"]


def test_hold_accepts_any_zone_and_keeps_the_instant(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    ok(act(client, marina, ticket_id, "replies", {"text": "Передала запрос на склад"}), 201)
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=5)
    in_moscow = until.astimezone(timezone(timedelta(hours=3))).isoformat()
    held = ok(act(client, marina, ticket_id, "hold", {"until": in_moscow, "promise": "Позвоним"}))
    assert is_utc_iso(held["hold"]["until"])
    assert datetime.fromisoformat(held["hold"]["until"]) == until


@pytest.mark.parametrize(
    "until",
    [
        (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "2020-01-01T00:00:00+03:00",
        "2026-12-01T10:00:00",  # no zone: ambiguous, refused
        "завтра",
    ],
    ids=["minutes ago", "years ago", "naive", "not a time"],
)
def test_hold_with_a_bad_time_is_refused_naming_until(client: TestClient, cast: Cast, until: str) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    ok(act(client, marina, ticket_id, "replies", {"text": "Передала запрос на склад"}), 201)
    refused(act(client, marina, ticket_id, "hold", {"until": until, "promise": "Ответ склада"}), 422, field="until")
    ticket = get(client, marina, f"/tickets/{ticket_id}")
    assert ticket["status"] == "pending_customer"
    assert ticket["hold"] is None


def test_hold_needs_a_promise_and_sends_it_to_the_customer(client: TestClient, cast: Cast) -> None:
    """Issue 12, item 2: the hold form said «Обещание, которое увидит клиент», but the agent's words
    reached the customer nowhere. Now the promise is a public reply in those words."""
    marina = cast.agent_marina
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    ticket_id = open_ticket(client, marina)
    refused(act(client, marina, ticket_id, "hold", {"until": until, "promise": "  "}), 422, field="promise")
    refused(act(client, marina, ticket_id, "hold", {"until": until}), 422, field="promise")
    assert get(client, marina, f"/tickets/{ticket_id}")["status"] == "new"
    words = "Пришлю новый код сертификата до 15:00, проверяю с бухгалтерией."
    held = ok(act(client, marina, ticket_id, "hold", {"until": until, "promise": words}))
    assert held["status"] == "on_hold"
    assert held["assignee"]["id"] == marina.agent.id  # the one who promised owns the promise
    said = get(client, marina, f"/tickets/{ticket_id}/messages")["items"][-1]
    assert (said["direction"], said["public"], said["text"]) == ("outbound", True, words)
    assert said["delivery"]["state"] in {"queued", "sent"}


def test_a_promise_is_checked_like_any_reply(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    mention = {"url": "https://otzyvy.example/post/9", "author": "angry_buyer", "text": "Вторую неделю тишина"}
    created = client.post("/api/v1/channels/public/mentions", json=mention, headers=marina.headers)
    ticket_id = created.json()["ticket_id"]
    cliche = {"until": until, "promise": "Мы понимаем ваше негодование, ответим позже."}
    blocked = act(client, marina, ticket_id, "hold", cliche)
    assert blocked.status_code == 422, blocked.text
    assert blocked.json()["code"] == "reply_blocked"
    assert get(client, marina, f"/tickets/{ticket_id}")["status"] == "new"  # nothing sent, nothing held
    assert [
        m for m in get(client, marina, f"/tickets/{ticket_id}/messages")["items"] if m["direction"] == "outbound"
    ] == []
    held = ok(act(client, marina, ticket_id, "hold", {**cliche, "override_reason": "Согласовано с руководителем"}))
    assert held["status"] == "on_hold"


# ---------------------------------------------------------------- ownership


def test_assign_then_transfer_with_a_reason_is_audited(client: TestClient, cast: Cast) -> None:
    boris, marina, anna, olga = cast.lead_boris, cast.agent_marina, cast.agent_anna, cast.admin_olga
    ticket_id = open_ticket(client, marina)
    assigned = ok(act(client, boris, ticket_id, "assign", {"agent_id": marina.agent.id}))
    assert assigned["assignee"] == {"id": marina.agent.id, "name": "Марина Складова"}
    assert assigned["status"] == "open"
    assert assigned["team"]["name"] == "FBO"

    reason = "Вопрос о выплате, это к финансам"
    transferred = ok(act(client, marina, ticket_id, "transfer", {"agent_id": anna.agent.id, "reason": reason}))
    assert transferred["assignee"] == {"id": anna.agent.id, "name": "Анна Финансова"}
    assert transferred["team"]["name"] == "Финансы"
    assert transferred["status"] == "open"

    events = get(client, olga, f"/tickets/{ticket_id}/audit")["items"]
    for event in events:
        assert {"id", "action", "actor", "data", "created_at"} <= set(event)
    actions = [e["action"] for e in events]
    assert actions.index("ticket.created") < actions.index("ticket.assigned") < actions.index("ticket.transferred")
    transfer = next(e for e in events if e["action"] == "ticket.transferred")
    assert transfer["data"]["reason"] == reason
    assert transfer["data"]["from"] == {"id": marina.agent.id, "name": "Марина Складова"}
    assert transfer["data"]["to"] == {"id": anna.agent.id, "name": "Анна Финансова"}
    assert transfer["actor"] == {"kind": "agent", "id": marina.agent.id, "name": "Марина Складова"}


def test_transfer_needs_a_reason_and_a_different_owner(client: TestClient, cast: Cast) -> None:
    marina, anna = cast.agent_marina, cast.agent_anna
    ticket_id = open_ticket(client, marina)
    ok(act(client, marina, ticket_id, "replies", {"text": "Смотрю"}), 201)
    refused(act(client, marina, ticket_id, "transfer", {"agent_id": anna.agent.id}), 422, field="reason")
    refused(act(client, marina, ticket_id, "transfer", {"agent_id": anna.agent.id, "reason": ""}), 422, field="reason")
    refused(act(client, marina, ticket_id, "transfer", {"agent_id": marina.agent.id, "reason": "сам"}), 409)
    refused(act(client, marina, ticket_id, "transfer", {"agent_id": 987654, "reason": "нет такого"}), 404)
    assert get(client, marina, f"/tickets/{ticket_id}")["assignee"]["id"] == marina.agent.id


def test_triage_sets_category_urgency_and_an_owner(client: TestClient, cast: Cast) -> None:
    marina, boris = cast.agent_marina, cast.lead_boris
    mine = open_ticket(client, marina)
    triaged = ok(act(client, marina, mine, "triage", {"category": "shipping", "urgency": "urgent"}))
    assert (triaged["category"], triaged["urgency"]) == ("shipping", "urgent")
    assert triaged["assignee"]["id"] == marina.agent.id
    assert triaged["status"] == "open"

    # a lead triages and names the owner; re-triage keeps the owner
    other = open_ticket(client, marina)
    routed = ok(
        act(client, boris, other, "triage", {"category": "finance", "urgency": "low", "assignee_id": marina.agent.id})
    )
    assert routed["assignee"]["id"] == marina.agent.id
    again = ok(act(client, boris, other, "triage", {"category": "orders", "urgency": "normal"}))
    assert (again["category"], again["urgency"], again["assignee"]["id"]) == ("orders", "normal", marina.agent.id)
    events = [e["action"] for e in get(client, boris, f"/tickets/{other}/audit")["items"]]
    assert events.count("ticket.triaged") == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "cooking", "urgency": "urgent"}, "category"),
        ({"category": "shipping", "urgency": "asap"}, "urgency"),
        ({"urgency": "urgent"}, "category"),
    ],
)
def test_triage_refuses_codes_outside_the_taxonomy(
    client: TestClient, cast: Cast, payload: dict[str, str], field: str
) -> None:
    ticket_id = open_ticket(client, cast.agent_marina)
    refused(act(client, cast.agent_marina, ticket_id, "triage", payload), 422, field=field)
    ticket = get(client, cast.agent_marina, f"/tickets/{ticket_id}")
    assert (ticket["category"], ticket["assignee"]) == (None, None)


def test_customer_verdict_solved_closes(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    refused(act(client, marina, ticket_id, "customer-verdict", {"solved": True}), 409, "transition_not_allowed")
    ok(act(client, marina, ticket_id, "solve", {"text": "Готово"}))
    closed = ok(act(client, marina, ticket_id, "customer-verdict", {"solved": True}))
    assert closed["status"] == "closed"
    events = get(client, cast.admin_olga, f"/tickets/{ticket_id}/audit")["items"]
    closing = [e for e in events if e["action"] == "ticket.status_changed" and e["data"]["to"] == "closed"]
    assert closing
    assert closing[0]["actor"]["kind"] == "customer"
    refused(act(client, marina, ticket_id, "replies", {"text": "Ещё вопрос?"}), 409)


def test_customer_verdict_not_solved_reopens_with_the_same_owner(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    ok(act(client, marina, ticket_id, "solve", {"text": "Готово"}))
    reopened = ok(act(client, marina, ticket_id, "customer-verdict", {"solved": False}))
    assert reopened["status"] == "open"
    assert reopened["assignee"] == {"id": marina.agent.id, "name": "Марина Складова"}
    refused(act(client, marina, ticket_id, "customer-verdict", {"solved": "maybe"}), 422, field="solved")


def test_reopen_takes_back_a_solution(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    ticket_id = open_ticket(client, marina)
    refused(act(client, marina, ticket_id, "reopen"), 409)
    ok(act(client, marina, ticket_id, "solve", {"text": "Готово"}))
    assert ok(act(client, marina, ticket_id, "reopen"))["status"] == "open"


# ---------------------------------------------------------------- references and search


def test_references_are_searchable(client: TestClient, cast: Cast) -> None:
    marina = cast.agent_marina
    target = open_ticket(client, marina)
    decoy = open_ticket(client, marina)
    supply = unique("S")  # «S-…»: never all digits, so it cannot collide with a ticket number
    order = "WB-" + unique("o")[-10:]
    ok(act(client, marina, target, "references", {"kind": "supply", "value": supply}))
    with_order = ok(act(client, marina, target, "references", {"kind": "order", "value": f"  {order} "}))
    assert {"kind": "supply", "value": supply} in with_order["references"]
    assert {"kind": "order", "value": order} in with_order["references"]
    # the same reference twice is kept once
    again = ok(act(client, marina, target, "references", {"kind": "order", "value": order}))
    assert again["references"] == with_order["references"]

    for value in (supply, order):
        found = get(client, marina, "/tickets", q=value)["items"]
        assert [t["id"] for t in found] == [target], value
    assert [t["id"] for t in get(client, marina, "/tickets", q=f"#{decoy}")["items"]] == [decoy]
    assert get(client, marina, "/tickets", q="no-such-ref-42")["items"] == []


def test_like_wildcards_in_a_ticket_search_are_literal(client: TestClient, cast: Cast) -> None:
    """Issue 14: ``q=%`` and ``q=_`` listed every ticket."""
    marina = cast.agent_marina
    open_ticket(client, marina)
    assert get(client, marina, "/tickets", q="%")["items"] == []
    assert get(client, marina, "/tickets", q="_")["items"] == []
    assert get(client, marina, "/tickets", q="%%")["items"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "passport", "value": "1234"}, "kind"),
        ({"kind": "order", "value": ""}, "value"),
        ({"kind": "order"}, "value"),
    ],
)
def test_a_bad_reference_is_refused(client: TestClient, cast: Cast, payload: dict[str, str], field: str) -> None:
    ticket_id = open_ticket(client, cast.agent_marina)
    refused(act(client, cast.agent_marina, ticket_id, "references", payload), 422, field=field)
    assert get(client, cast.agent_marina, f"/tickets/{ticket_id}")["references"] == []


# ---------------------------------------------------------------- the queue


def ids(page: dict[str, Any]) -> set[int]:
    return {t["id"] for t in page["items"]}


def test_list_filters_by_status_assignee_and_channel(client: TestClient, cast: Cast) -> None:
    marina, boris = cast.agent_marina, cast.lead_boris
    fresh = open_ticket(client, marina)
    waiting = open_ticket(client, marina)
    ok(act(client, marina, waiting, "replies", {"text": "Ответила"}), 201)
    solved = open_ticket(client, marina, channel="email", sender={"kind": "email", "value": f"{unique('s')}@mail.ru"})
    ok(act(client, marina, solved, "solve", {"text": "Готово"}))
    borises = open_ticket(client, marina, channel="vk", sender={"kind": "vk", "value": unique("id").replace("-", "")})
    ok(act(client, boris, borises, "assign", {"agent_id": boris.agent.id}))

    page = get(client, marina, "/tickets")
    assert ids(page) == {fresh, waiting, solved, borises}
    assert page["next_cursor"] is None
    for item in page["items"]:
        assert set(item) >= TICKET_KEYS

    assert ids(get(client, marina, "/tickets", status="new")) == {fresh}
    assert ids(get(client, marina, "/tickets", status="pending_customer,solved")) == {waiting, solved}
    assert ids(get(client, marina, "/tickets", status=" open , new ")) == {fresh, borises}
    assert ids(get(client, marina, "/tickets", assignee="me")) == {waiting, solved}
    assert ids(get(client, marina, "/tickets", assignee="none")) == {fresh}
    assert ids(get(client, marina, "/tickets", assignee=str(boris.agent.id))) == {borises}
    assert ids(get(client, boris, "/tickets", assignee="me")) == {borises}
    assert ids(get(client, marina, "/tickets", channel="email")) == {solved}
    assert ids(get(client, marina, "/tickets", channel="telegram", assignee="me")) == {waiting}
    assert ids(get(client, marina, "/tickets", channel="whatsapp")) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "open,archived"}, "status"),
        ({"assignee": "boris"}, "assignee"),
        ({"assignee": "-3"}, "assignee"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_list_refuses_bad_filters_naming_them(
    client: TestClient, cast: Cast, params: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/tickets", params=params, headers=cast.agent_marina.headers)
    refused(response, 422, field=field)


@pytest.mark.parametrize("spacing", [timedelta(0), timedelta(seconds=1)], ids=["same instant", "a second apart"])
def test_keyset_pagination_has_no_gaps_and_no_duplicates(
    client: TestClient, cast: Cast, frozen_clock: FrozenClock, spacing: timedelta
) -> None:
    marina = cast.agent_marina
    created = []
    for _ in range(25):
        created.append(open_ticket(client, marina))
        frozen_clock.advance(spacing)
    seen: list[int] = []
    cursor = None
    sizes = []
    for _ in range(10):
        params: dict[str, Any] = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        page = get(client, marina, "/tickets", **params)
        sizes.append(len(page["items"]))
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sizes == [10, 10, 5]
    assert len(seen) == len(set(seen))
    assert set(seen) == set(created)
    assert seen == sorted(created, reverse=True)  # newest activity first; the id breaks ties


def test_pagination_is_stable_when_the_queue_changes_between_pages(
    client: TestClient, cast: Cast, frozen_clock: FrozenClock
) -> None:
    marina = cast.agent_marina
    created = []
    for _ in range(6):
        created.append(open_ticket(client, marina))
        frozen_clock.advance(timedelta(seconds=1))
    first = get(client, marina, "/tickets", limit=3)
    open_ticket(client, marina)  # new activity lands on top, not inside the pages still to come
    second = get(client, marina, "/tickets", limit=3, cursor=first["next_cursor"])
    assert [t["id"] for t in first["items"] + second["items"]] == sorted(created, reverse=True)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "@@@", "курсор", "eyJ4IjogMX0", "WzEsMiwzXQ", "WyJ5ZXN0ZXJkYXkiLCAxXQ", "0J_RgNC40LLQtdGC"],
    ids=["word", "symbols", "non-ascii", "object", "three items", "bad time", "not json"],
)
def test_a_damaged_cursor_is_refused_naming_cursor(client: TestClient, cast: Cast, cursor: str) -> None:
    open_ticket(client, cast.agent_marina)
    response = client.get("/api/v1/tickets", params={"cursor": cursor}, headers=cast.agent_marina.headers)
    problem = refused(response, 422, "invalid_cursor", "cursor")
    assert problem["detail"]


def test_limit_above_the_maximum_is_capped(client: TestClient, cast: Cast) -> None:
    for _ in range(3):
        open_ticket(client, cast.agent_marina)
    page = get(client, cast.agent_marina, "/tickets", limit=10_000)
    assert len(page["items"]) == 3
    assert page["next_cursor"] is None
