"""Triage latency: p50/p95 per message on one core over the held-out split, and the model's load time.

Pins itself to one CPU with one BLAS thread. The load time is measured in fresh processes (the
imports and the model file, as a server's first request pays them). The first pass over the
held-out messages is reported apart (word forms the model file does not know are analysed by
pymorphy3 once); then ``--rounds`` warm passes, as in a long-running server.

    .venv/bin/python bench/triage_latency.py --rounds 5 --json-out bench/results/triage_latency.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from otklik.triage import corpus
from otklik.triage.model import SHIPPED_MODEL, load

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

LOAD_SCRIPT = """
import time
started = time.perf_counter()
from otklik.triage.model import SHIPPED_MODEL, load
imported = time.perf_counter()
model = load(SHIPPED_MODEL)
loaded = time.perf_counter()
model.predict("где деньги??")
print(imported - started, loaded - imported, time.perf_counter() - loaded)
"""


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def cold_loads(times: int, cpu: int) -> list[tuple[float, float, float]]:
    """(import, load, first prediction) seconds in ``times`` fresh interpreters pinned to ``cpu``."""
    out = []
    for _ in range(times):
        command = ["taskset", "-c", str(cpu), sys.executable, "-c", LOAD_SCRIPT]
        result = subprocess.run(command, capture_output=True, text=True, check=True, env={**os.environ, **ONE_THREAD})
        imported, loaded, first = (float(x) for x in result.stdout.split())
        out.append((imported, loaded, first))
    return out


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values_ms, 50), 3),
        "p95": round(percentile(values_ms, 95), 3),
        "p99": round(percentile(values_ms, 99), 3),
        "max": round(max(values_ms), 3),
        "mean": round(statistics.fmean(values_ms), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--loads", type=int, default=5, help="fresh processes for the load time")
    parser.add_argument("--cpu", type=int, default=0, help="the core to pin to")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    threadpool_limits(limits=1)

    loads = cold_loads(args.loads, args.cpu)
    model = load(SHIPPED_MODEL)
    held_out = corpus.load_split("test")
    unseen = corpus.load_split("unseen")

    first: list[float] = []
    for example in held_out:
        started = time.perf_counter()
        model.predict(example.text)
        first.append((time.perf_counter() - started) * 1000)
    warm: list[float] = []
    per_message: list[list[float]] = [[] for _ in held_out]
    for _ in range(args.rounds):
        for index, example in enumerate(held_out + unseen):
            started = time.perf_counter()
            model.predict(example.text)
            elapsed = (time.perf_counter() - started) * 1000
            warm.append(elapsed)
            if index < len(held_out):
                per_message[index].append(elapsed)
    medians = [statistics.median(times) for times in per_message]

    figures = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "messages": {"held_out": len(held_out), "unseen": len(unseen), "rounds": args.rounds},
        "load_seconds": {
            "import": [round(x[0], 3) for x in loads],
            "model_file": [round(x[1], 3) for x in loads],
            "first_prediction": [round(x[2], 4) for x in loads],
            "import_plus_load_median": round(statistics.median(x[0] + x[1] for x in loads), 3),
        },
        "first_pass_ms": summary(first),
        "warm_ms": summary(warm),
        "warm_per_message_median_ms": summary(medians),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "model_file_kb": round(SHIPPED_MODEL.stat().st_size / 1024, 1),
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
