"""Admin pages: only admins; channel windows, agents, teams, SLA policies and calendars change through them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.agents.queries import get_agent_by_email, list_teams
from otklik.channels.queries import inactivity_seconds
from otklik.timers.queries import list_calendars, list_policies
from tests.web_agent.conftest import Desk


@pytest.mark.parametrize("path", ["/admin/channels", "/admin/agents", "/admin/teams", "/admin/sla", "/admin/kb"])
def test_admin_pages_are_for_admins(client: TestClient, as_marina: str, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 403
    assert "только администратору" in answer.text


@pytest.mark.parametrize("path", ["/admin/channels", "/admin/agents", "/admin/teams", "/admin/sla", "/admin/kb"])
def test_admin_pages_render(client: TestClient, as_olga: str, path: str) -> None:
    assert client.get(path).status_code == 200


def test_the_webchat_window_changes_and_the_api_reads_it(client: TestClient, as_olga: str, db: Session) -> None:
    page = client.get("/admin/channels").text
    assert 'data-window="webchat">30 минут<' in page
    data = {"csrf_token": as_olga, "amount": "45", "unit": "minutes"}
    answer = client.post("/admin/channels/webchat", data=data, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/channels?saved=1"
    assert inactivity_seconds(db, "webchat") == 45 * 60
    assert 'data-window="webchat">45 минут<' in client.get("/admin/channels?saved=1").text
    bad = client.post("/admin/channels/webchat", data={**data, "amount": "40", "unit": "days"})
    assert bad.status_code == 422
    assert "от 1 до 2592000" in bad.text
    assert client.post("/admin/channels/nowhere", data=data).status_code == 422


def test_credentials_are_named_never_shown(client: TestClient, as_olga: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from otklik.core.config import get_settings

    monkeypatch.setenv("OTKLIK_TELEGRAM_BOT_TOKEN", "123456:very-secret-token")
    get_settings.cache_clear()
    page = client.get("/admin/channels").text
    assert "OTKLIK_TELEGRAM_BOT_TOKEN" in page
    assert "very-secret-token" not in page


def test_agents_are_created_and_changed(client: TestClient, as_olga: str, desk: Desk, db: Session) -> None:
    new = {"csrf_token": as_olga, "email": "ivan@desk.test", "name": "Иван", "role": "agent", "password": "pw-123456",
           "capacity": "5", "skills": "shipping:2, returns", "teams": "FBO"}  # fmt: skip
    assert client.post("/admin/agents", data=new, follow_redirects=False).status_code == 303
    ivan = get_agent_by_email(db, "ivan@desk.test")
    assert ivan.capacity == 5
    assert {s.category: s.level for s in ivan.skills} == {"shipping": 2, "returns": 1}
    change = {"csrf_token": as_olga, "role": "lead", "capacity": "3", "skills": "finance:3", "teams": "Финансы, FBO",
              "active": "1"}  # fmt: skip
    assert client.post(f"/admin/agents/{ivan.id}", data=change, follow_redirects=False).status_code == 303
    db.expire_all()
    ivan = get_agent_by_email(db, "ivan@desk.test")
    assert (ivan.role, ivan.capacity, ivan.active) == ("lead", 3, True)
    assert {s.category: s.level for s in ivan.skills} == {"finance": 3}
    assert sorted(t.name for t in ivan.teams) == ["FBO", "Финансы"]
    bad = client.post(f"/admin/agents/{ivan.id}", data={**change, "skills": "cooking:2"})
    assert bad.status_code == 422
    assert "cooking" in bad.text
    # a level written with a digit that int() does not read («²», a superscript): refused, not a 500
    odd = client.post(f"/admin/agents/{ivan.id}", data={**change, "skills": "finance:²"})
    assert odd.status_code == 422
    taken = client.post("/admin/agents", data=new)
    assert taken.status_code == 409


def test_teams_policies_and_calendars(client: TestClient, as_olga: str, db: Session) -> None:
    assert (
        client.post(
            "/admin/teams", data={"csrf_token": as_olga, "name": "Возвраты"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "Возвраты" in [t.name for t in list_teams(db)]
    calendar = {"csrf_token": as_olga, "name": "Офис", "timezone": "Europe/Moscow", "hours": "09:00-18:00",
                "days": ["0", "1", "2", "3", "4"], "holidays": "2026-12-31"}  # fmt: skip
    assert client.post("/admin/sla/calendars", data=calendar, follow_redirects=False).status_code == 303
    office = next(c for c in list_calendars(db) if c.name == "Офис")
    assert office.hours[0] == [["09:00", "18:00"]]
    assert office.hours[5] == []
    assert office.holidays == ["2026-12-31"]
    policy = {"csrf_token": as_olga, "name": "VIP срочно", "urgency": "urgent", "category": "", "org_tier": "vip",
              "first_response_minutes": "15", "next_response_minutes": "30", "resolution_minutes": "240",
              "calendar_id": str(office.id)}  # fmt: skip
    assert client.post("/admin/sla/policies", data=policy, follow_redirects=False).status_code == 303
    created = next(p for p in list_policies(db) if p.name == "VIP срочно")
    assert (created.urgency, created.category, created.org_tier, created.first_response_minutes) == (
        "urgent",
        None,
        "vip",
        15,
    )
    page = client.get("/admin/sla").text
    assert "VIP срочно" in page
    assert "15 минут" in page
    assert "Офис" in page
    broken = client.post("/admin/sla/calendars", data={**calendar, "name": "Сломанный", "timezone": "Mars/Olympus"})
    assert broken.status_code == 422


def test_kb_articles_are_written_and_edited(client: TestClient, as_olga: str) -> None:
    new = {"csrf_token": as_olga, "title": "Как забронировать слот", "body": "Откройте раздел «Поставки»…",
           "category": "shipping", "lang": "ru", "published": "1"}  # fmt: skip
    answer = client.post("/admin/kb", data=new, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get("/admin/kb").text
    assert "Как забронировать слот" in page
    import re

    article = re.search(r'href="/admin/kb/(\d+)"', page)
    assert article
    edit = {**new, "body": "Откройте «Поставки» → «Слоты»."}
    assert client.post(f"/admin/kb/{article.group(1)}", data=edit, follow_redirects=False).status_code == 303
    assert "версия 2" in client.get(f"/admin/kb/{article.group(1)}").text
    assert client.post("/admin/kb", data={**new, "title": ""}).status_code == 422


def test_a_generated_desk_secret_counts_as_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: the admin said OTKLIK_SECRET_KEY was not set although the desk had generated its
    key into ./var/secret_key and was signing links with it."""
    from otklik.core.config import get_settings
    from otklik.core.secret import load_secret
    from otklik.web.agent.admin import credentials

    monkeypatch.delenv("OTKLIK_SECRET_KEY", raising=False)
    monkeypatch.setenv("OTKLIK_SECRET_KEY_FILE", str(tmp_path / "secret_key"))
    get_settings.cache_clear()
    try:
        assert credentials(get_settings())["webchat"] == [("OTKLIK_SECRET_KEY", False)]  # nothing yet: honest
        load_secret(get_settings())  # the desk generates its key on first use
        assert credentials(get_settings())["webchat"] == [("OTKLIK_SECRET_KEY", True)]
        assert credentials(get_settings())["webform"] == [("OTKLIK_SECRET_KEY", True)]
    finally:
        get_settings.cache_clear()
