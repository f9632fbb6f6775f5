"""A real desk for a real browser: ``otklik serve`` on a temporary SQLite database (the embedded
worker delivers web replies), and headless Chromium driven by Playwright.

The browser is Debian's ``chromium`` (``scripts/install-browser.sh``); Playwright never downloads
one. Without it the tests skip on a developer's machine and fail in CI, where they must run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("OTKLIK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
OTKLIK = Path(sys.executable).parent / "otklik"
ROOT = Path(__file__).resolve().parents[2]
#: the README's screenshots are retaken only on request (``make screenshots``); the tests still take
#: theirs, elsewhere, so a clean checkout stays clean after ``make test``
SHOTS = Path(os.environ.get("OTKLIK_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "otklik-screenshots")
PASSWORD = "e2e-password-0123"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
IN_CI = os.environ.get("CI") == "true" or os.environ.get("OTKLIK_REQUIRE_BROWSER") == "1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Desk:
    """The running desk: its address, an admin's API token and the hostile ticket."""

    base: str
    token: str
    ticket_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(OTKLIK), *args], env=env, capture_output=True, text=True, check=True, timeout=120)
    return done.stdout


@pytest.fixture(scope="session")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "OTKLIK_DATABASE_URL": f"sqlite:///{folder}/desk.db",
        "OTKLIK_SECRET_KEY": "e2e-secret-0123456789abcdef",
        "OTKLIK_EMBEDDED_WORKER": "on",
        "OTKLIK_WORKER_POLL_SECONDS": "0.2",
        "OTKLIK_WEBCHAT_POLL_SECONDS": "0.3",
        "OTKLIK_WEBCHAT_STREAM_SECONDS": "20",
    }
    _cli(env, "migrate")
    _cli(env, "agents", "create", "--email", "marina@e2e.test", "--name", "Марина Складова", "--role", "agent",
         "--team", "FBO", "--skills", "shipping", "--password", PASSWORD)  # fmt: skip
    _cli(env, "agents", "create", "--email", "olga@e2e.test", "--name", "Ольга Админова", "--role", "admin",
         "--password", PASSWORD)  # fmt: skip
    token = _cli(env, "tokens", "create", "--agent", "olga@e2e.test").strip().splitlines()[-1]
    with serving(env) as base:
        headers = {"Authorization": f"Bearer {token}"}
        body = {"channel": "webchat", "external_id": "e2e-1", "sender": {"kind": "web", "value": "wv_e2e_visitor"},
                "text": HOSTILE}  # fmt: skip
        ticket_id = httpx.post(f"{base}/api/v1/messages/inbound", json=body, headers=headers).json()["ticket_id"]
        marina = next(a for a in httpx.get(f"{base}/api/v1/agents", headers=headers).json()
                      if a["email"] == "marina@e2e.test")  # fmt: skip
        ticket = httpx.get(f"{base}/api/v1/tickets/{ticket_id}", headers=headers).json()
        if (ticket.get("assignee") or {}).get("id") != marina["id"]:
            answer = httpx.post(f"{base}/api/v1/tickets/{ticket_id}/assign", json={"agent_id": marina["id"]},
                                headers=headers)  # fmt: skip
            assert answer.status_code == 200, answer.text
        yield Desk(base, token, ticket_id)


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """``otklik serve`` on a free local port with ``env``: its address once ``/healthz`` answers; stopped after."""
    port = _free_port()
    server = subprocess.Popen(
        [str(OTKLIK), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("otklik serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        message = f"no Chromium at {CHROMIUM}: run scripts/install-browser.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def shot(page: object, name: str) -> None:
    """A screenshot for docs/ and the README (PNG, the visible viewport)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]
