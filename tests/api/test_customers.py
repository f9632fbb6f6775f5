"""Customers over HTTP: one person, many channel identities, each identity owned by exactly one customer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.customers.models import Customer, Identity
from tests.conftest import Cast, Persona, unique

CUSTOMERS = "/api/v1/customers"


def create(client: TestClient, who: Persona, name: str, *identities: dict[str, Any]) -> dict[str, Any]:
    response = client.post(CUSTOMERS, json={"name": name, "identities": list(identities)}, headers=who.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def search(client: TestClient, who: Persona, q: str) -> list[int]:
    response = client.get(CUSTOMERS, params={"q": q}, headers=who.headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def rows(db: Session) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(Customer)) or 0,
        db.scalar(select(func.count()).select_from(Identity)) or 0,
    )


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


def test_create_with_identities_stores_them_normalised(client: TestClient, cast: Cast) -> None:
    customer = create(
        client,
        cast.agent_marina,
        "Иван Петров",
        {"kind": "email", "value": "  Ivan.Petrov@Example.RU "},
        {"kind": "phone", "value": "8 (916) 123-45-67", "verified": True},
        {"kind": "telegram", "value": "@Ivan_Seller"},
    )
    assert customer["name"] == "Иван Петров"
    assert customer["lang"] == "ru"
    found = {(i["kind"], i["value"], i["verified"]) for i in customer["identities"]}
    assert found == {
        ("email", "ivan.petrov@example.ru", False),
        ("phone", "79161234567", True),
        ("telegram", "ivan_seller", False),
    }
    again = client.get(f"{CUSTOMERS}/{customer['id']}", headers=cast.agent_anna.headers)
    assert again.status_code == 200
    assert again.json() == customer


def test_an_inbound_message_from_a_known_identity_lands_on_that_customer(client: TestClient, cast: Cast) -> None:
    customer = create(client, cast.agent_marina, "Иван Петров", {"kind": "phone", "value": "+7 916 765-43-21"})
    payload = {
        "channel": "whatsapp",
        "external_id": unique("wa"),
        "sender": {"kind": "phone", "value": "89167654321"},
        "text": "Добрый день, это Иван",
    }
    intake = client.post("/api/v1/messages/inbound", json=payload, headers=cast.agent_marina.headers).json()
    ticket = client.get(f"/api/v1/tickets/{intake['ticket_id']}", headers=cast.agent_marina.headers).json()
    assert ticket["customer"] == {"id": customer["id"], "name": "Иван Петров"}


def test_add_an_identity(client: TestClient, cast: Cast) -> None:
    customer = create(client, cast.agent_marina, "Ольга Селлер")
    path = f"{CUSTOMERS}/{customer['id']}/identities"
    added = client.post(path, json={"kind": "vk", "value": "id777"}, headers=cast.agent_marina.headers)
    assert added.status_code == 201, added.text
    assert {"kind": "vk", "value": "id777", "verified": False}.items() <= added.json().items()
    # the same address again is the same identity, not a second one
    repeat = client.post(path, json={"kind": "vk", "value": "@ID777"}, headers=cast.agent_marina.headers)
    assert repeat.json()["id"] == added.json()["id"]
    identities = client.get(f"{CUSTOMERS}/{customer['id']}", headers=cast.agent_marina.headers).json()["identities"]
    assert [i["value"] for i in identities] == ["id777"]


def test_an_identity_of_another_customer_is_a_409_and_writes_nothing(
    client: TestClient, cast: Cast, db: Session
) -> None:
    owner = create(client, cast.agent_marina, "Первый", {"kind": "email", "value": "shared@example.ru"})
    other = create(client, cast.agent_marina, "Второй")
    before = rows(db)

    response = client.post(
        f"{CUSTOMERS}/{other['id']}/identities",
        json={"kind": "email", "value": "SHARED@example.ru"},
        headers=cast.agent_marina.headers,
    )
    problem = problem_of(response, 409)
    assert problem["code"] == "identity_taken"
    assert str(owner["id"]) in problem["detail"]

    # creating a customer with a taken identity leaves no half-made customer behind
    response = client.post(
        CUSTOMERS,
        json={
            "name": "Третий",
            "identities": [{"kind": "phone", "value": "+79990001122"}, {"kind": "email", "value": "shared@example.ru"}],
        },
        headers=cast.agent_marina.headers,
    )
    assert problem_of(response, 409)["code"] == "identity_taken"
    assert rows(db) == before
    assert search(client, cast.agent_marina, "79990001122") == []


def test_search_by_name_and_by_identity(client: TestClient, cast: Cast) -> None:
    tag = unique("x")[-6:]
    ivan = create(client, cast.agent_marina, f"Иван Петров {tag}", {"kind": "email", "value": f"ivan.{tag}@example.ru"})
    maria = create(client, cast.agent_marina, f"Мария Иванова {tag}", {"kind": "phone", "value": "+7 903 111-22-33"})
    create(client, cast.agent_marina, "Пётр Сидоров", {"kind": "telegram", "value": "petr_s"})

    assert search(client, cast.agent_marina, "Петров") == [ivan["id"]]
    assert search(client, cast.agent_marina, tag) == [maria["id"], ivan["id"]]  # newest first
    assert search(client, cast.agent_marina, "Иван") == [maria["id"], ivan["id"]]
    assert search(client, cast.agent_marina, "иван") == [maria["id"], ivan["id"]]  # as agents type it
    assert search(client, cast.agent_marina, f"ivan.{tag}@") == [ivan["id"]]
    assert search(client, cast.agent_marina, f"IVAN.{tag.upper()}") == [ivan["id"]]
    assert search(client, cast.agent_marina, "79031112233") == [maria["id"]]
    assert search(client, cast.agent_marina, "nobody-like-this") == []


def test_like_wildcards_in_a_search_are_literal(client: TestClient, cast: Cast) -> None:
    """Issue 14: «%» and «_» matched every customer; now they are searched for as characters."""
    tag = unique("w")[-6:]
    plain = create(client, cast.agent_marina, f"Обычный {tag}", {"kind": "email", "value": f"plain.{tag}@example.ru"})
    odd = create(client, cast.agent_marina, f"Скидка 100% {tag}", {"kind": "telegram", "value": f"odd_{tag}"})
    assert search(client, cast.agent_marina, "%") == [odd["id"]]
    assert search(client, cast.agent_marina, f"odd_{tag}") == [odd["id"]]
    assert plain["id"] not in search(client, cast.agent_marina, "_")
    assert search(client, cast.agent_marina, f"plain_{tag}") == []  # «_» is not «any one character»


def test_the_customer_list_pages_by_cursor(client: TestClient, cast: Cast) -> None:
    made = [create(client, cast.agent_marina, f"Клиент {n}")["id"] for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(CUSTOMERS, params=params, headers=cast.agent_marina.headers).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True)


INVALID = {
    "phone too short": ({"kind": "phone", "value": "12-34"}, "value"),
    "phone made of letters": ({"kind": "phone", "value": "позвоните мне"}, "value"),
    "email without domain": ({"kind": "email", "value": "ivan@"}, "value"),
    "unknown kind": ({"kind": "pager", "value": "12345"}, "kind"),
    "empty value": ({"kind": "phone", "value": ""}, "value"),
    "extra field": ({"kind": "phone", "value": "+79161234567", "primary": True}, "primary"),
}


@pytest.mark.parametrize(("identity", "field"), INVALID.values(), ids=INVALID.keys())
def test_an_invalid_identity_is_a_422_naming_the_field(
    client: TestClient, cast: Cast, db: Session, identity: dict[str, Any], field: str
) -> None:
    customer = create(client, cast.agent_marina, "Иван")
    before = rows(db)

    added = client.post(f"{CUSTOMERS}/{customer['id']}/identities", json=identity, headers=cast.agent_marina.headers)
    assert problem_of(added, 422)["field"] == field

    created = client.post(
        CUSTOMERS,
        json={"name": "Новый", "identities": [{"kind": "telegram", "value": "fine_handle"}, identity]},
        headers=cast.agent_marina.headers,
    )
    assert problem_of(created, 422)["field"] == f"identities.1.{field}"
    assert rows(db) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "Иван", "lang": "de"}, "lang"),
        ({"name": "Иван", "vip": 1}, "vip"),
    ],
)
def test_an_invalid_customer_is_a_422_naming_the_field(
    client: TestClient, cast: Cast, db: Session, payload: dict[str, Any], field: str
) -> None:
    before = rows(db)
    response = client.post(CUSTOMERS, json=payload, headers=cast.agent_marina.headers)
    assert problem_of(response, 422)["field"] == field
    assert rows(db) == before


def test_an_unknown_customer_is_a_404(client: TestClient, cast: Cast) -> None:
    assert problem_of(client.get(f"{CUSTOMERS}/424242", headers=cast.agent_marina.headers), 404)["code"] == (
        "customer_not_found"
    )
    response = client.post(
        f"{CUSTOMERS}/424242/identities", json={"kind": "vk", "value": "id1"}, headers=cast.agent_marina.headers
    )
    assert problem_of(response, 404)["code"] == "customer_not_found"
