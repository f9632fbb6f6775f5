"""The routing API's contract: rights, and every bad input a 4xx that names its field (ru and en)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from otklik.core import clock
from tests.conftest import Cast, Persona
from tests.routing.conftest import call, write


def refused(client: TestClient, who: Persona, method: str, path: str, body: Any, lang: str = "ru") -> dict[str, Any]:
    answer = client.request(method, f"/api/v1{path}", json=body, headers={**who.headers, "Accept-Language": lang})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return {"status": answer.status_code, **answer.json()}


WEEK = {"mon": [["09:00", "18:00"]]}


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/me/presence", {"status": "sleeping"}, 422, "status"),
        ("/me/presence", {}, 422, "status"),
        ("/me/presence", {"status": "online", "mood": "good"}, 422, "mood"),
        ("/agents/{marina}/shift", {"timezone": "Mars/Olympus", "days": WEEK}, 422, "timezone"),
        ("/agents/{marina}/shift", {"days": {"monday": [["09:00", "18:00"]]}}, 422, "days.monday.[key]"),
        ("/agents/{marina}/shift", {"days": {"mon": [["9:00", "18:00"]]}}, 422, "days.mon.0.0"),
        ("/agents/{marina}/shift", {"days": {"mon": [["18:00", "09:00"]]}}, 422, "days.mon"),
        ("/agents/{marina}/shift", {"days": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}, 422, "days"),
        ("/agents/{marina}/shift", {"timezone": "Europe/Moscow"}, 422, "days"),
        ("/agents/{marina}/skills", {"skills": {"logistics": 2}}, 422, "skills.logistics.[key]"),
        ("/agents/{marina}/skills", {"skills": {"shipping": 4}}, 422, "skills.shipping"),
        ("/agents/{marina}/capacity", {"capacity": 0}, 422, "capacity"),
        ("/agents/{marina}/capacity", {"capacity": "many"}, 422, "capacity"),
        ("/agents/{marina}/languages", {"languages": ["rus"]}, 422, "languages.0"),
        ("/agents/{marina}/languages", {"languages": []}, 422, "languages"),
        ("/agents/{marina}/presence", {"status": "on_holiday"}, 422, "status"),
        ("/agents/999999/shift", {"days": WEEK}, 404, None),
    ],
)
def test_bad_input_names_the_field(
    client: TestClient, cast: Cast, path: str, body: dict[str, Any], status: int, field: str | None
) -> None:
    problem = refused(client, cast.lead_boris, "PUT", path.format(marina=cast.agent_marina.agent.id), body)
    assert problem["status"] == status
    if field is not None:
        assert problem["field"] == field
    assert problem["detail"]


def test_who_may_change_whom(client: TestClient, cast: Cast) -> None:
    marina, boris, anna, olga = cast.agent_marina, cast.lead_boris, cast.agent_anna, cast.admin_olga
    body = {"skills": {"shipping": 3}}
    assert refused(client, marina, "PUT", f"/agents/{marina.agent.id}/skills", body)["status"] == 403  # not a lead
    other_team = refused(client, boris, "PUT", f"/agents/{anna.agent.id}/skills", {"skills": {"finance": 3}}, "en")
    assert other_team["status"] == 403
    assert other_team["detail"] == (
        "Only a lead of Анна Финансова's team or an admin may change their shift, skills, languages or capacity."
    )
    assert call(client, boris, "PUT", f"/agents/{marina.agent.id}/skills", body)["skills"] == {"shipping": 3}
    assert call(client, olga, "PUT", f"/agents/{anna.agent.id}/languages", {"languages": ["ru", "en", "ru"]})[
        "languages"
    ] == ["en", "ru"]
    assert refused(client, marina, "PUT", f"/agents/{anna.agent.id}/presence", {"status": "on_leave"})["status"] == 403
    on_leave = call(client, boris, "PUT", f"/agents/{marina.agent.id}/presence", {"status": "on_leave"})
    assert (on_leave["state"], on_leave["state_label"]) == ("on_leave", {"ru": "в отпуске", "en": "on leave"})


def test_presence_shift_and_profile_read_back(client: TestClient, cast: Cast, frozen_clock: clock.FrozenClock) -> None:
    marina, olga = cast.agent_marina, cast.admin_olga
    unknown = call(client, marina, "GET", "/me/presence")
    assert (unknown["status"], unknown["state"], unknown["available"]) == (None, "unknown", False)
    night = {"days": {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]}, "timezone": "Asia/Yekaterinburg"}
    shifted = call(client, olga, "PUT", f"/agents/{marina.agent.id}/shift", night)
    assert shifted["shift"]["mon"] == [["22:00", "00:00"]]
    assert shifted["shift"]["wed"] == []
    assert (shifted["timezone"], shifted["in_shift"], shifted["state"]) == ("Asia/Yekaterinburg", False, "off_shift")
    online = call(client, marina, "PUT", "/me/presence", {"status": "online"})
    assert online["status_since"] == online["last_seen_at"]
    frozen_clock.set(frozen_clock.now().replace(hour=18))  # 23:00 in Yekaterinburg: on shift
    beat = call(client, marina, "PUT", "/me/presence", {"status": "online"})
    assert beat["status_since"] == online["status_since"]  # a heartbeat, not a change
    assert beat["last_seen_at"] != online["last_seen_at"]
    assert (beat["state"], beat["available"]) == ("online", True)
    cleared = call(client, olga, "PUT", f"/agents/{marina.agent.id}/shift", {"days": None})
    assert (cleared["shift"], cleared["in_shift"]) == (None, None)


def test_transfer_and_escalation_refusals(client: TestClient, cast: Cast) -> None:
    marina, pavel = cast.agent_marina, cast.agent_pavel
    ticket_id = write(client, marina, "Вопрос")
    path = f"/tickets/{ticket_id}"
    assert refused(client, marina, "POST", f"{path}/transfer-team", {"team_id": 999999, "reason": "туда"})["field"] == (
        "team_id"
    )
    assert refused(client, marina, "POST", f"{path}/transfer-team", {"team_id": 1, "reason": "x"})["field"] == "reason"
    assert refused(client, marina, "POST", f"{path}/transfer-team", {"reason": "туда"})["field"] == "team_id"
    assert refused(client, marina, "POST", f"{path}/escalate", {})["field"] == "reason"
    assert refused(client, marina, "POST", "/tickets/999999/escalate", {"reason": "срочно"})["status"] == 404
    assert refused(client, marina, "GET", "/tickets/999999/routing", None)["status"] == 404
    call(client, marina, "POST", f"{path}/replies", {"text": "Смотрю"}, 201)  # Marina owns it now
    team = call(client, marina, "GET", "/me")["teams"]
    assert team == ["FBO"]
    assert refused(client, pavel, "POST", f"{path}/escalate", {"reason": "не моё"})["status"] == 403  # FBO's ticket
