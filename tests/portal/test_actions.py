"""The customer's answers: «решено / не решено», the survey after closing, and the escalation to a
named lead who must acknowledge it in time (else the head of support hears of it)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.messages.portal import escalation_facts
from otklik.tickets.models import Ticket, TicketEscalation, TicketSurvey
from tests.conftest import Cast, Persona
from tests.portal.conftest import People, Write, reply, sign_in


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def api(client: TestClient, who: Persona, path: str, body: dict[str, Any] | None = None) -> Any:
    answer = (
        client.post(path, json=body or {}, headers=who.headers)
        if body is not None
        else client.get(path, headers=who.headers)
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_solved_closes_the_ticket_then_one_survey_is_kept(
    client: TestClient, db: Session, cast: Cast, people: People, write: Write
) -> None:
    ticket_id = write(people.anna, "Не пришёл возврат за заказ 4512")
    api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}/solve", {"text": "Возврат отправлен, придёт сегодня"})
    csrf = sign_in(client, db, people.anna)
    page = text_of(client.get(f"/portal/tickets/{ticket_id}").text)
    assert "Специалист считает, что вопрос решён. Это так?" in page
    assert "Не решено" in page
    assert "Ваша проблема решена?" not in page
    done = client.post(f"/portal/tickets/{ticket_id}/verdict", data={"csrf_token": csrf, "solved": "yes"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == f"/portal/tickets/{ticket_id}?done=solved"
    page = text_of(client.get(done.headers["location"]).text)
    assert "Спасибо! Обращение закрыто." in page
    # issue 12: she has just pressed «Решено», so the survey does not ask «решена?» again
    assert "Ваша проблема решена?" not in page
    assert "Как мы поработали? (необязательно)" in page
    assert "Не решено" not in page
    assert api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}")["status"] == "closed"
    form = {"csrf_token": csrf, "rating": "5", "comment": "Быстро <b>и</b> по делу"}
    saved = client.post(f"/portal/tickets/{ticket_id}/survey", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = text_of(client.get(saved.headers["location"]).text)
    assert "Спасибо! Ваш ответ сохранён." in page
    assert "Ваша проблема решена?" not in page
    (survey,) = api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}/surveys")["items"]
    assert (survey["solved"], survey["rating"], survey["comment"]) == (True, 5, "Быстро <b>и</b> по делу")
    again = client.post(f"/portal/tickets/{ticket_id}/survey", data=form)
    assert again.status_code == 409
    assert "уже ответили" in again.text
    assert len(db.scalars(select(TicketSurvey).where(TicketSurvey.ticket_id == ticket_id)).all()) == 1


def test_survey_answers_are_checked(client: TestClient, db: Session, cast: Cast, people: People, write: Write) -> None:
    """After a closing by the silence window (not by the customer) the survey asks «решена?»."""
    from otklik.tickets.actions import do_auto_close
    from otklik.tickets.models import Ticket

    ticket_id = write(people.anna)
    csrf = sign_in(client, db, people.anna)
    url = f"/portal/tickets/{ticket_id}/survey"
    assert client.post(url, data={"csrf_token": csrf, "solved": "yes"}).status_code == 409  # not closed yet
    api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}/solve", {"text": "Готово"})
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    do_auto_close(db, ticket)
    db.commit()
    assert "Ваша проблема решена?" in text_of(client.get(f"/portal/tickets/{ticket_id}").text)
    for bad in ({"solved": "maybe"}, {"solved": "yes", "rating": "7"}, {"solved": "no", "rating": "пять"}):
        assert client.post(url, data={"csrf_token": csrf, **bad}).status_code == 422, bad
    assert client.post(url, data={"solved": "no"}).status_code == 403  # no CSRF token
    assert client.post(url, data={"csrf_token": csrf, "solved": "no"}, follow_redirects=False).status_code == 303
    (survey,) = db.scalars(select(TicketSurvey).where(TicketSurvey.ticket_id == ticket_id))
    assert survey.solved is False
    assert survey.rating is None
    assert survey.comment is None


def test_not_solved_reopens_with_the_same_owner_and_we_owe_an_answer(
    client: TestClient, db: Session, cast: Cast, people: People, write: Write, frozen_clock: Any
) -> None:
    ticket_id = write(people.anna)
    api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}/solve", {"text": "Должно работать"})
    csrf = sign_in(client, db, people.anna)
    assert client.post(f"/portal/tickets/{ticket_id}/verdict", data={"solved": "no"}).status_code == 403
    answer = client.post(f"/portal/tickets/{ticket_id}/verdict", data={"csrf_token": csrf, "solved": "no"})
    page = text_of(answer.text)
    assert "Обращение снова в работе" in page
    assert "Вашим обращением занимается Марина Складова" in page
    assert "Ответим до" in page
    ticket = api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}")
    assert ticket["status"] == "open"
    assert ticket["assignee"]["name"] == "Марина Складова"
    refused = client.post(f"/portal/tickets/{ticket_id}/verdict", data={"csrf_token": csrf, "solved": "yes"})
    assert refused.status_code == 409  # only a proposed solution can be confirmed


def test_escalation_after_a_breach_names_the_lead_who_must_acknowledge(
    client: TestClient, db: Session, cast: Cast, people: People, write: Write, frozen_clock: Any
) -> None:
    ticket_id = write(people.anna, "Деньги списали дважды")
    api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}/triage", {"category": "shipping", "urgency": "normal"})
    csrf = sign_in(client, db, people.anna)
    url = f"/portal/tickets/{ticket_id}/escalate"
    assert "Передать руководителю" not in client.get(f"/portal/tickets/{ticket_id}").text
    assert client.post(url, data={"csrf_token": csrf}).status_code == 409  # not offered, not allowed
    frozen_clock.advance(timedelta(hours=3))  # the first answer was due at 14:05 Moscow time
    page = text_of(client.get(f"/portal/tickets/{ticket_id}").text)
    assert "Мы не уложились в обещанный срок." in page
    assert "Передать руководителю" in page
    assert "Руководитель Борис Лидов получит обращение; срок отклика — до 24 нояб., 10:05." in page
    assert client.post(url, data={}).status_code == 403  # CSRF first
    done = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    page = text_of(client.get(done.headers["location"]).text)
    assert "Готово: обращение у руководителя." in page
    assert "Руководитель Борис Лидов посмотрит обращение до 24 нояб., 10:05" in page
    assert "Передать руководителю" not in page
    assert client.post(url, data={"csrf_token": csrf}).status_code == 409
    (escalation,) = api(client, cast.lead_boris, f"/api/v1/tickets/{ticket_id}/escalations")["items"]
    assert escalation["reason"] == "sla_breached"
    assert escalation["lead"]["name"] == "Борис Лидов"
    notes = api(client, cast.lead_boris, "/api/v1/notifications")["items"]
    assert any(n["kind"] == "portal_escalation" and n["ticket_id"] == ticket_id for n in notes)
    ack = f"/api/v1/tickets/{ticket_id}/escalation/ack"
    assert client.post(ack, headers=cast.agent_marina.headers).status_code == 403  # the owner is not the lead
    acknowledged = api(client, cast.lead_boris, ack, {})
    assert acknowledged["acknowledged_by"]["name"] == "Борис Лидов"
    assert client.post(ack, headers=cast.lead_boris.headers).status_code == 404  # nothing left to acknowledge
    page = text_of(client.get(f"/portal/tickets/{ticket_id}").text)
    assert "Под контролем руководителя: Борис Лидов" in page
    assert "Передать руководителю" not in page


def test_an_unacknowledged_escalation_alerts_the_head_of_support_once(
    client: TestClient, db: Session, cast: Cast, people: People, write: Write, frozen_clock: Any, run: Callable[[], int]
) -> None:
    ticket_id = write(people.anna, "Никто не отвечает")
    api(client, cast.agent_marina, f"/api/v1/tickets/{ticket_id}/triage", {"category": "shipping", "urgency": "normal"})
    frozen_clock.advance(timedelta(hours=3))
    csrf = sign_in(client, db, people.anna)
    client.post(f"/portal/tickets/{ticket_id}/escalate", data={"csrf_token": csrf})
    escalation = db.scalars(select(TicketEscalation).where(TicketEscalation.ticket_id == ticket_id)).one()
    frozen_clock.set(escalation.ack_due_at - timedelta(minutes=1))
    run()
    assert not [
        n for n in api(client, cast.admin_olga, "/api/v1/notifications")["items"] if n["ticket_id"] == ticket_id
    ]
    frozen_clock.set(escalation.ack_due_at + timedelta(minutes=1))
    run()
    run()
    alerts = [n for n in api(client, cast.admin_olga, "/api/v1/notifications")["items"]
              if n["kind"] == "portal_escalation_overdue"]  # fmt: skip
    assert len(alerts) == 1
    assert "Борис Лидов" in alerts[0]["text"]
    db.expire_all()
    assert db.get(TicketEscalation, escalation.id).alerted_at is not None  # type: ignore[union-attr]


def test_a_holding_reply_is_not_an_answer_on_the_merits(
    client: TestClient, db: Session, cast: Cast, people: People, write: Write
) -> None:
    ticket_id = write(people.anna, "Где мой заказ?")
    first = db.get(Ticket, ticket_id)
    assert first is not None
    asked = first.first_customer_message_at
    reply(client, cast.agent_marina, ticket_id, "Проверяю, 5 минут", follow_up_minutes=5)
    db.expire_all()
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    assert escalation_facts(db, ticket).owed_since == asked
    reply(client, cast.agent_marina, ticket_id, "Заказ у курьера, будет завтра до 18:00")
    db.expire_all()
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    assert escalation_facts(db, ticket).owed_since is None
