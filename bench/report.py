"""Render the saved results (bench/results/*.json and the commands in *.txt) as Markdown tables.

.venv/bin/python bench/report.py > /tmp/tables.md   # then paste into docs/performance.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _command(name: str) -> str:
    path = RESULTS / f"{name}.txt"
    if not path.exists():
        return ""
    return next((line[2:] for line in path.read_text().splitlines() if line.startswith("+ ")), "")


def _load_line(machine: dict[str, Any]) -> str:
    one, five, _ = machine["loadavg"]
    return f"{one:.1f} / {five:.1f}"


def loads() -> None:
    print(
        "| run | database | tickets | rows (all tables) | load time | rows/s | tickets/s "
        "| load avg 1/5 min at the end |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for name in ("load_sqlite", "load_sqlite_earlier", "load_postgresql", "load_postgresql_earlier"):
        r = _load(name)
        if r is None:
            continue
        s = r["seconds"]
        print(
            f"| `{name}` | {r['machine'].get('database', r['dialect'])} | {r['rows']['tickets']:,} "
            f"| {r['rows_total']:,} "
            f"| {s['customers+identities'] + s['tickets+messages']:.0f} s (+{s['analyze']:.0f} s ANALYZE) "
            f"| {r['rows_per_s']:,} | {r['tickets_per_s']:,} | {_load_line(r['machine'])} |"
        )
    print()


def inbound(names: list[str]) -> None:
    print(
        "| run | workers | client | sent | 2xx/s | p50 ms | p95 ms | p99 ms | errors "
        "| server CPU ms/req | PG CPU ms/req | client CPU ms/req | machine busy | load avg 1 min |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        r = _load(name)
        if r is None:
            continue
        lat, cpu = r["latency"], r["cpu_ms_per_request"]
        client = f"{r.get('client', 'httpx')} ×{r['client_processes']}, c={r['concurrency']}"
        print(
            f"| `{name}` | {r['workers']} | {client} | {r['messages']:,} | **{r['msgs_per_s']:,}** "
            f"| {lat['p50_ms']} | {lat['p95_ms']} | {lat['p99_ms']} | {r['errors']} "
            f"| {cpu['server_ms']} | {cpu['postgres_ms']} | {cpu['client_ms']} "
            f"| {r['cpu_cores_used']['machine_busy_pct']} % | {r['machine']['loadavg'][0]:.1f} |"
        )
    print()


def queues() -> None:
    print("| database | tickets | scenario | via | p50 ms | p95 ms | p99 ms | max ms | load avg 1 min |")
    print("|---|---:|---|---|---:|---:|---:|---:|---:|")
    for name in ("queue_sqlite", "queue_postgresql"):
        r = _load(name)
        if r is None:
            continue
        db = r["machine"].get("database", name)
        for via in ("function", "http"):
            for scenario, s in r[via].items():
                print(
                    f"| {db} | {r['tickets']:,} | {scenario} | {via} | {s['p50_ms']} | **{s['p95_ms']}** "
                    f"| {s['p99_ms']} | {s['max_ms']} | {r['machine']['loadavg'][0]:.1f} |"
                )
    print()


def intake_ab() -> None:
    """The alternating A/B runs of intake_cpu.py saved as intake_cpu_ab_<database>.txt: mean per variant."""
    print("| database | variant | rounds | CPU ms/msg (each round) | mean CPU ms/msg | SQL statements/msg |")
    print("|---|---|---:|---|---:|---:|")
    for path in sorted(RESULTS.glob("intake_cpu_ab_*.txt")):
        runs: dict[str, list[tuple[float, float]]] = {}
        variant = ""
        for line in path.read_text().splitlines():
            if line.startswith("+ "):
                variant = line.rsplit("# ", 1)[-1].strip()
            elif "ms CPU and" in line:
                words = line.split()
                runs.setdefault(variant, []).append((float(words[0]), float(words[4])))
        for name, values in runs.items():
            cpus = [v[0] for v in values]
            statements = sum(v[1] for v in values) / len(values)
            print(
                f"| {path.stem.removeprefix('intake_cpu_ab_')} | {name} | {len(values)} | {', '.join(map(str, cpus))} "
                f"| **{sum(cpus) / len(cpus):.2f}** | {statements:.1f} |"
            )
    print()


def commands(names: list[str]) -> None:
    for name in names:
        if cmd := _command(name):
            print(f"- `{name}`: `{cmd}`")
    print()


def main() -> None:
    inbound_names = sorted(p.stem for p in RESULTS.glob("*.json") if p.stem.startswith(("inbound", "healthz", "ab_")))
    loads()
    inbound(inbound_names)
    queues()
    intake_ab()
    commands(["load_sqlite", "load_postgresql", *inbound_names, "queue_sqlite", "queue_postgresql"])


if __name__ == "__main__":
    main()
