"""Story 2, public to private, end to end: a public post comes in through the public-mentions
intake; the desk drafts a short public answer that names the owner, the case number, the
customer's private channel and a time; the checker passes it (and blocks the first, stock draft);
it is posted publicly; the customer carries on in Telegram on the same private ticket, where the
replies go privately; the parity figures show both first responses. Public tickets get no faster
SLA than private ones of the same urgency."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from otklik.core import clock
from otklik.tickets import clocks
from otklik.timers import sla
from tests.conftest import Cast
from tests.quality_policy.conftest import Sent
from tests.quality_policy.helpers import call, mention, reply, write


def by_channel(parity: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["channel"]: row for row in parity["channels"]}


def test_story_2_public_post_public_answer_then_the_same_ticket_continues_privately(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock, sent: Sent, run: Any
) -> None:
    anna, olga = cast.agent_anna, cast.admin_olga
    # Monday 12:05 in Moscow: Svetlana writes in Telegram; Anna takes the finance case
    private = write(client, anna, "telegram", "svetlana_seller", "Выплата «в обработке» уже 12 дней")
    call(client, anna, "POST", f"/tickets/{private}/triage", {"category": "finance", "urgency": "normal"})
    svetlana = call(client, anna, "GET", f"/tickets/{private}")["customer"]["id"]

    # Thursday: nobody has answered; she posts on a public site under a handle linked to her
    frozen_clock.advance(timedelta(days=3))
    call(client, anna, "POST", f"/customers/{svetlana}/identities",
         {"kind": "public_handle", "value": "svetlana_shop", "verified": True}, status=201)  # fmt: skip
    post = mention(client, anna, "Svetlana_Shop", "Маркетплейс уже две недели не платит продавцам!")
    public = int(post["ticket_id"])
    assert post["went_public"] == [{"private_ticket_id": private, "days": 3}]
    assert call(client, anna, "GET", f"/tickets/{private}")["urgency"] == "urgent"  # raised by going public

    # the checker blocks the first, stock draft
    stock = reply(client, anna, public, "Мы понимаем ваше негодование, постараемся разобраться", status=422)
    assert (stock["blocking"], stock["warnings"]) == (["cliche"], ["hedging"])

    # the desk drafts the answer: owner, the private case's number, her private channel, a time —
    # now plus the case's next-response target (urgent: 15 minutes, round the clock), Moscow time
    draft = call(client, anna, "GET", f"/tickets/{public}/public-draft")
    assert draft["text"] == f"Анна уже ведёт ваше обращение #{private} и напишет вам в Telegram до 12:20."
    assert (draft["ticket_id"], draft["case_ticket_id"], draft["channel"], draft["lang"]) == (
        public, private, "telegram", "ru",
    )  # fmt: skip
    assert draft["owner"] == {"id": anna.agent.id, "name": anna.agent.name}
    assert (draft["ok"], draft["allowed"], draft["flags"]) == (True, True, [])
    assert draft["due_at"] == (clock.now() + timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    english = call(client, anna, "GET", f"/tickets/{public}/public-draft?lang=en")
    assert english["text"] == (
        f"Анна is already handling your request #{private} and will write to you on Telegram by 12:20."
    )
    assert english["ok"] is True

    # posted publicly, as drafted
    frozen_clock.advance(timedelta(minutes=5))
    posted = reply(client, anna, public, draft["text"])
    assert (posted["channel"], posted["public"], posted["quality"]["ok"]) == ("public", True, True)

    # she continues in Telegram: the message joins the same private ticket, not the public one
    frozen_clock.advance(timedelta(minutes=2))
    assert write(client, anna, "telegram", "svetlana_seller", "Пишу в Telegram, как вы просили") == private
    frozen_clock.advance(timedelta(minutes=3))
    answer = (
        "Светлана, банк вернул выплату из-за ошибки в реквизитах. Анна отправит её повторно сегодня до 15:00 "
        "и пришлёт номер платёжного поручения."
    )
    private_reply = reply(client, anna, private, answer)
    assert private_reply["channel"] == "telegram"
    assert private_reply["ticket_id"] == private

    run()  # the worker delivers both replies
    assert sent.on("public") == [draft["text"]]
    told = "Вашим обращением занимается Анна Финансова. Ответ придёт сюда, в этот чат."  # when Anna took it
    assert sent.on("telegram") == [told, answer]
    assert {m.recipient for m in sent.messages if m.channel == "telegram"} == {"svetlana_seller"}
    public_timeline = call(client, anna, "GET", f"/tickets/{public}/messages")["items"]
    assert [m["channel"] for m in public_timeline] == ["public", "public"]  # nothing private leaked there

    # parity: the public complaint was answered in 5 minutes, the private case after 3 days 10 minutes
    parity = call(client, olga, "GET", "/analytics/channels?days=7")
    channels = by_channel(parity)
    assert channels["public"]["public"] is True
    assert (channels["public"]["answered"], channels["public"]["median_first_response_seconds"]) == (1, 300.0)
    three_days = timedelta(days=3, minutes=10).total_seconds()
    assert (channels["telegram"]["answered"], channels["telegram"]["median_first_response_seconds"]) == (
        1, three_days,
    )  # fmt: skip
    assert parity["public"]["median_first_response_seconds"] == 300.0
    assert parity["private"]["median_first_response_seconds"] == three_days
    assert parity["alerts"]["public_faster"] is False  # one ticket a side is no evidence yet
    weeks = parity["went_public"]
    assert (weeks[-1]["customers"], weeks[-1]["base"], weeks[-1]["complete"]) == (1, 1, False)


def test_the_draft_needs_a_public_ticket_and_an_owner(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    anna = cast.agent_anna
    private = write(client, anna, "webchat", "web-visitor-1", "Где заказ?")
    refused = call(client, anna, "GET", f"/tickets/{private}/public-draft", status=409)
    assert refused["code"] == "public_draft_not_public"
    stranger = int(mention(client, anna, "@nobody_knows", "Где мой заказ?")["ticket_id"])
    orphan = call(client, anna, "GET", f"/tickets/{stranger}/public-draft", status=409, lang="en")
    assert orphan["code"] == "public_draft_needs_owner"
    assert "assign" in orphan["detail"]
    assert call(client, anna, "GET", f"/tickets/{stranger}/public-draft?lang=de", status=422)["field"] == "lang"
    assert call(client, anna, "GET", "/tickets/99999999/public-draft", status=404)["code"] == "ticket_not_found"

    # a stranger's complaint with an owner: the public ticket itself is the case, no private channel known
    call(client, anna, "POST", f"/tickets/{stranger}/triage", {"category": "orders", "urgency": "normal"})
    draft = call(client, anna, "GET", f"/tickets/{stranger}/public-draft")
    assert draft["case_ticket_id"] == stranger
    assert draft["channel"] is None
    # normal: the 4-hour next-response target in Moscow office hours from Monday 12:05 → 16:05
    assert draft["text"] == f"Анна уже ведёт ваше обращение #{stranger} и напишет вам в личные сообщения до 16:05."
    assert draft["ok"] is True


def test_public_tickets_get_the_same_sla_policy_as_private_ones_of_the_same_urgency(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    assert "is_public" not in inspect.signature(sla.pick_policy).parameters
    assert list(inspect.signature(clocks.policy_for).parameters) == ["session", "ticket"]
    anna, olga = cast.agent_anna, cast.admin_olga
    call(client, olga, "POST", "/settings/sla-policies", {"name": "Аккаунт срочно", "urgency": "urgent",
         "category": "account", "first_response_minutes": 10, "next_response_minutes": 10,
         "resolution_minutes": 120}, status=201)  # fmt: skip
    for n, (category, urgency) in enumerate((("account", "urgent"), ("orders", "urgent"), ("orders", "normal"),
                                             ("other", "low"))):  # fmt: skip
        public = int(mention(client, anna, f"@public_{n}", "Жалоба на весь интернет")["ticket_id"])
        private = write(client, anna, "webchat", f"visitor-{n}", "Тихий вопрос в чате")
        targets = []
        for ticket_id in (public, private):
            call(client, anna, "POST", f"/tickets/{ticket_id}/triage", {"category": category, "urgency": urgency})
            targets.append(call(client, anna, "GET", f"/tickets/{ticket_id}")["sla"])
        assert targets[0]["first_response_due_at"] == targets[1]["first_response_due_at"], (category, urgency)
        assert targets[0]["resolution_due_at"] == targets[1]["resolution_due_at"], (category, urgency)
