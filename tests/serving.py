"""Real ``otklik serve`` and ``otklik worker`` processes for tests that need several of them on one
database (shared state, kill -9 under load). Every process is killed when the fleet closes; every wait
is bounded."""

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

OTKLIK = Path(sys.executable).parent / "otklik"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Fleet:
    """Named server and worker processes sharing one environment; logs in ``tmp``."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = {**os.environ, **env}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}

    def serve(self, name: str, port: int | None = None) -> str:
        """Start (or restart on its old port) a one-process server; returns its base URL once healthy."""
        self.ports[name] = port or self.ports.get(name) or free_port()
        self._start(name, ["serve", "--host", "127.0.0.1", "--port", str(self.ports[name])])
        base = self.base(name)
        self._wait_healthy(name, base)
        return base

    def worker(self, name: str) -> None:
        self._start(name, ["worker", "--poll", "0.1"])

    def base(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def kill_9(self, name: str) -> None:
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in sorted(self.tmp.glob("*.log")))

    def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    def _start(self, name: str, args: list[str]) -> None:
        with (self.tmp / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [str(OTKLIK), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def _wait_healthy(self, name: str, base: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.alive(name):
                pytest.fail(f"otklik serve ({name}) exited {self.processes[name].returncode}\n{self.logs()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"{name} at {base} did not answer /healthz within 60 s\n{self.logs()}")
