"""The one script tag: the widget and its stylesheet are served right, and CORS covers only the public API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from otklik.core.config import get_settings
from otklik.main import create_app
from tests.conftest import Cast
from tests.web.conftest import MESSAGES, VISITORS

SHOP = "https://shop.example"


def test_widget_script_is_served_as_javascript(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["x-content-type-options"] == "nosniff"
    assert script.headers["cache-control"] == "public, max-age=300"
    body = script.text
    assert "data-otklik" in body
    assert "X-Otklik-Visitor" in body
    assert "api/v1/public/" in body
    assert "chat/stream" in body
    # it builds the DOM by hand: no HTML parsing of anything, no code from strings
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert banned not in body, banned
    assert "document.cookie" not in body  # the token is a header, never a cookie
    style = client.get("/static/widget.css")
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    assert ":host" in style.text
    assert client.get("/static/site.css").headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/static/secrets.txt").status_code == 404
    assert client.get("/static/..%2Fdeps.py").status_code == 404


def test_widget_endpoints_answer_shops_but_the_agent_api_does_not(client: TestClient, cast: Cast) -> None:
    preflight = client.options(
        MESSAGES,
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-otklik-visitor",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "x-otklik-visitor" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers
    minted = client.post(VISITORS, headers={"Origin": SHOP})
    assert minted.headers["access-control-allow-origin"] == "*"
    refused = client.post(MESSAGES, json={"text": "x"}, headers={"Origin": SHOP})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"  # the widget can read why

    agent_api = client.get("/api/v1/tickets", headers={**cast.agent_marina.headers, "Origin": SHOP})
    assert agent_api.status_code == 200
    assert "access-control-allow-origin" not in agent_api.headers
    agent_preflight = client.options(
        "/api/v1/tickets", headers={"Origin": SHOP, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in agent_preflight.headers


@pytest.fixture
def shop_only_client(
    engine: Engine, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("OTKLIK_PUBLIC_ORIGINS", f"{SHOP}, https://second-shop.example/")
    get_settings.cache_clear()
    app = create_app(engine)
    app.state.session_factory = session_factory
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_configured_shop_origins_limit_who_may_call(shop_only_client: TestClient) -> None:
    client = shop_only_client
    allowed = client.post(VISITORS, headers={"Origin": SHOP})
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert client.post(VISITORS, headers={"Origin": "https://second-shop.example"}).status_code == 201
    stranger = client.post(VISITORS, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers  # the browser hides the answer
    evil_preflight = client.options(
        MESSAGES, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert evil_preflight.status_code == 400
    # the form may be framed by the configured shops only
    policy = client.get("/form").headers["content-security-policy"]
    assert f"frame-ancestors 'self' {SHOP} https://second-shop.example" in policy
