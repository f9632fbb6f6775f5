"""Helpers shared by the benchmarks: machine facts, percentiles, the server subprocess, tokens, CPU accounting.

Everything here is local: the server listens on 127.0.0.1 only, CPU figures come from /proc.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

import otklik.models  # noqa: F401  (every table registered, so relationships resolve)
from otklik.agents.actions import do_create_token
from otklik.agents.queries import get_agent_by_email
from otklik.core.actors import Actor
from otklik.core.db import make_session_factory, unit_of_work

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_ACTOR = Actor.system("bench")
AGENT_DOMAIN = "bench.otklik.test"
ADMIN_EMAIL = f"bench-admin@{AGENT_DOMAIN}"
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: per-sender rate limits stay on (every message is still counted) but far above what the
#: benchmark sends, so a loaded customer who writes often is not refused with 429
#: the ``otklik`` command of this virtualenv
OTKLIK = Path(sys.executable).parent / "otklik"
BENCH_ENV = {"OTKLIK_RATE_PER_MINUTE": "1000000", "OTKLIK_RATE_PER_DAY": "1000000"}


def agent_email(number: int) -> str:
    return f"agent{number:02d}@{AGENT_DOMAIN}"


def customer_email(customer_id: int) -> str:
    return f"c{customer_id}@customers.{AGENT_DOMAIN}"


def redact(url: str) -> str:
    """The URL as it may appear in results: no password."""
    return make_url(url).render_as_string(hide_password=True)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(sum(ms) / len(ms), 2),
    }


def machine_facts(engine: Engine | None = None) -> dict[str, Any]:
    """What the figures were taken on, including the load at the time (the machine is shared)."""
    facts: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "loadavg": list(os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "taken_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    try:
        facts["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
        facts["mem_total_mb"] = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except OSError:
        pass
    if engine is not None:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                facts["database"] = f"SQLite {sqlite3.sqlite_version}"
            else:
                facts["database"] = conn.execute(text("SELECT version()")).scalar_one().split(" on ")[0]
            conn.rollback()
    return facts


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    if not path:
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    print(f"results written to {target}")


def mint_token(engine: Engine, email: str) -> str:
    """A fresh API token for the agent ``email``, made by the real action (the loader created the agent)."""
    with unit_of_work(make_session_factory(engine)) as session:
        agent = get_agent_by_email(session, email)
        return do_create_token(session, agent, actor=BENCH_ACTOR, name="bench")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``otklik serve`` subprocess."""

    process: subprocess.Popen[bytes]
    base_url: str


@contextmanager
def running_server(url: str, *, workers: int, port: int | None = None, timeout: float = 60.0) -> Iterator[Server]:
    """Start ``otklik serve --workers W`` on 127.0.0.1 against ``url``, wait for /healthz, stop it afterwards."""
    port = port or free_port()
    env = {**os.environ, **BENCH_ENV, "OTKLIK_DATABASE_URL": url}
    cmd = [str(OTKLIK), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode} before it was healthy")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not healthy after {timeout:.0f}s")
            time.sleep(0.2)
        if workers > 1:
            time.sleep(1.5)  # let every worker finish importing before the clock starts
        yield Server(process, base)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM and wait (a server drains its requests, a worker its batch); SIGKILL if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(comm, ppid, utime+stime ticks) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, int(fields[1]), int(fields[11]) + int(fields[12])


def _all_stats() -> dict[int, tuple[str, int, int]]:
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                stats[int(entry.name)] = stat
    return stats


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class CpuMeter:
    """CPU seconds used between start() and stop() by a server's process tree, postgres, and the machine."""

    def __init__(self, server_pid: int | None, database: str | None = None) -> None:
        self.server_pid = server_pid
        #: count only the PostgreSQL backends serving this database: others' tests share the server
        self.database = database
        self._before: dict[int, tuple[str, int, int]] = {}
        self._machine: tuple[int, int] = (0, 0)
        self._t0 = 0.0

    def _groups(self, stats: dict[int, tuple[str, int, int]]) -> dict[str, dict[int, int]]:
        tree: set[int] = set()
        if self.server_pid is not None:
            tree.add(self.server_pid)
            grew = True
            while grew:
                grew = False
                for pid, (_, ppid, _) in stats.items():
                    if ppid in tree and pid not in tree:
                        tree.add(pid)
                        grew = True
        groups: dict[str, dict[int, int]] = {"server": {}, "postgres": {}}
        for pid, (comm, _, ticks) in stats.items():
            if pid in tree:
                groups["server"][pid] = ticks
            elif comm.startswith("postgres") and self.database and self._serves(pid):
                groups["postgres"][pid] = ticks
        return groups

    def _serves(self, pid: int) -> bool:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
        return f" {self.database} " in title

    def start(self) -> None:
        self._before = _all_stats()
        self._machine = _machine_ticks()
        self._t0 = time.monotonic()

    def stop(self) -> dict[str, float]:
        after = _all_stats()
        busy1, total1 = _machine_ticks()
        wall = time.monotonic() - self._t0
        before_groups = self._groups(self._before)
        result: dict[str, float] = {"wall_s": round(wall, 2)}
        for name, pids in self._groups(after).items():
            used = sum(ticks - before_groups[name].get(pid, 0) for pid, ticks in pids.items())
            result[f"{name}_cores"] = round(used / CLK_TCK / wall, 2)
        busy0, total0 = self._machine
        result["machine_busy_pct"] = round(100 * (busy1 - busy0) / max(1, total1 - total0), 1)
        return result


def wait_for_quiet(max_wait: float, busy_below: float = 25.0, window: float = 5.0) -> dict[str, Any]:
    """Wait (at most ``max_wait`` s) until the machine is under ``busy_below`` % busy over ``window`` s.

    Other work shares this machine; starting in a quiet moment keeps the figures about Otklik.
    Returns what was seen, so the results can say whether the wait succeeded.
    """
    deadline = time.monotonic() + max_wait
    while True:
        busy0, total0 = _machine_ticks()
        time.sleep(window)
        busy1, total1 = _machine_ticks()
        busy = 100 * (busy1 - busy0) / max(1, total1 - total0)
        if busy < busy_below or time.monotonic() >= deadline:
            return {"busy_pct_at_start": round(busy, 1), "quiet": busy < busy_below}
