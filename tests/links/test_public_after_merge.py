"""A public post whose author is proven to be a private customer only later (issue 12, item 6):
the merge links the post to the private case it is about, exactly as if it had arrived after the
merge, and the public ticket goes to the case's owner — one named person, not two. Undoing the
merge takes the link back. A post that arrives when the two are one already follows the owner too."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from otklik.core import clock
from tests.conftest import Cast
from tests.links.helpers import get, post, write


def _mention(client: TestClient, cast: Cast, author: str, text: str) -> dict[str, object]:
    body = {"url": f"https://otzovik.test/posts/{author}", "author": author, "text": text}
    return dict(post(client, cast.agent_anna, "/channels/public/mentions", body, status=201))


def test_a_merge_after_the_post_links_it_and_hands_it_to_the_case_owner(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    anna, pavel = cast.agent_anna, cast.agent_pavel
    case = write(client, anna, "email", "svetlana@shop.test", "Выплата «в обработке» уже 12 дней")
    svetlana = get(client, anna, f"/tickets/{case['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/tickets/{case['ticket_id']}/assign", {"agent_id": anna.agent.id})
    post(client, anna, f"/tickets/{case['ticket_id']}/triage", {"category": "finance", "urgency": "normal"})
    frozen_clock.advance(timedelta(days=9))
    mention = _mention(client, cast, "svetlana_shop", "Маркетплейс девять дней не платит продавцам!")
    assert mention["went_public"] == []  # nobody knows yet that the author is Svetlana
    post(client, cast.admin_olga, f"/tickets/{mention['ticket_id']}/assign", {"agent_id": pavel.agent.id})
    stranger = get(client, anna, f"/tickets/{mention['ticket_id']}")["customer"]["id"]

    frozen_clock.advance(timedelta(hours=1))
    merge = post(client, anna, f"/customers/{svetlana}/merge", {"customer_id": stranger}, status=201)

    private = get(client, anna, f"/tickets/{case['ticket_id']}")
    went = [(lk["from_ticket_id"], lk["days"]) for lk in private["links"] if lk["kind"] == "went_public"]
    assert went == [(mention["ticket_id"], 9)]
    assert private["urgency"] == "urgent"
    public = get(client, anna, f"/tickets/{mention['ticket_id']}")
    assert public["assignee"]["id"] == anna.agent.id  # the owner of the case the post is about

    post(client, anna, f"/customer-merges/{merge['id']}/undo")
    private = get(client, anna, f"/tickets/{case['ticket_id']}")
    assert [lk for lk in private["links"] if lk["kind"] == "went_public"] == []
    assert private["urgency"] == "normal"


def test_a_post_after_the_case_goes_straight_to_its_owner(client: TestClient, cast: Cast) -> None:
    anna = cast.agent_anna
    case = write(client, anna, "email", "ivan@shop.test", "Где выплата за октябрь?")
    ivan = get(client, anna, f"/tickets/{case['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/tickets/{case['ticket_id']}/assign", {"agent_id": anna.agent.id})
    post(client, anna, f"/customers/{ivan}/identities", {"kind": "public_handle", "value": "ivan_shop",
                                                        "verified": True}, status=201)  # fmt: skip
    mention = _mention(client, cast, "ivan_shop", "Где мои деньги, маркетплейс?")
    assert [w["private_ticket_id"] for w in mention["went_public"]] == [case["ticket_id"]]
    public = get(client, anna, f"/tickets/{mention['ticket_id']}")
    assert public["assignee"]["id"] == anna.agent.id


def test_a_post_older_than_the_case_is_not_about_it(
    client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock
) -> None:
    anna = cast.agent_anna
    mention = _mention(client, cast, "early_bird", "Маркетплейс вообще кому-то платит?")
    stranger = get(client, anna, f"/tickets/{mention['ticket_id']}")["customer"]["id"]
    frozen_clock.advance(timedelta(days=2))
    case = write(client, anna, "email", "bird@shop.test", "Выплата не пришла")
    bird = get(client, anna, f"/tickets/{case['ticket_id']}")["customer"]["id"]
    post(client, anna, f"/customers/{bird}/merge", {"customer_id": stranger}, status=201)
    private = get(client, anna, f"/tickets/{case['ticket_id']}")
    assert [lk for lk in private["links"] if lk["kind"] == "went_public"] == []
