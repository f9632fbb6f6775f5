"""`otklik serve` on SQLite is the whole desk: a real server process delivers replies by itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import migrated_url

OTKLIK = Path(sys.executable).parent / "otklik"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_runs_the_worker_inside_on_sqlite(tmp_path: Path) -> None:
    url = migrated_url("sqlite", str(tmp_path), "serve")
    env = {**os.environ, "OTKLIK_DATABASE_URL": url, "OTKLIK_WORKER_POLL_SECONDS": "0.2"}
    env.pop("OTKLIK_EMBEDDED_WORKER", None)
    made = subprocess.run(
        [str(OTKLIK), "agents", "create", "--email", "m@shop.example", "--name", "Марина", "--role", "admin"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Марина" in made.stdout
    token = (
        subprocess.run(
            [str(OTKLIK), "tokens", "create", "--agent", "m@shop.example"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [str(OTKLIK), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        body = {
            "channel": "webchat",
            "external_id": "w-1",
            "sender": {"kind": "web", "value": "v-1"},
            "text": "Где заказ?",
        }
        ticket_id = httpx.post(f"{base}/api/v1/messages/inbound", json=body, headers=headers).json()["ticket_id"]
        reply = httpx.post(
            f"{base}/api/v1/tickets/{ticket_id}/replies", json={"text": "Едет, будет завтра"}, headers=headers
        )
        assert reply.json()["delivery"]["state"] == "queued"
        state = "queued"
        while time.monotonic() < deadline and state == "queued":
            time.sleep(0.2)
            items = httpx.get(f"{base}/api/v1/tickets/{ticket_id}/messages", headers=headers).json()["items"]
            state = items[-1]["delivery"]["state"]
        assert state == "sent"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
