"""Reply checker latency: p50/p95 per reply on one core, over every reply of the labelled corpus.

Pins itself to one CPU, loads the analyser once (the cold start is reported apart), runs one
warm-up pass, then times ``check_reply`` on each reply ``--rounds`` times, with the customer's
message, the articles and the earlier replies each item carries, as the API would pass them.

    .venv/bin/python bench/quality_latency.py --rounds 5 --json-out bench/results/quality_latency.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path

from otklik.quality.checker import check_reply
from otklik.quality.corpus import Item, load_articles, load_items
from otklik.quality.overlap import Article


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def run(item: Item, articles: dict[str, Article]) -> None:
    check_reply(
        item.reply,
        customer_message=item.customer_message,
        lang=item.lang,
        public=item.public,
        articles=[articles[a] for a in item.articles],
        earlier_replies=item.earlier_replies,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=0, help="the core to pin to")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})

    started = time.perf_counter()
    check_reply("Мы понимаем ваше негодование, постараемся разобраться.")  # loads pymorphy3 and the lexicon
    cold_ms = (time.perf_counter() - started) * 1000

    items = load_items()
    articles = load_articles()
    for item in items:  # warm-up: every word form analysed once, as in a long-running server
        run(item, articles)
    timings: list[float] = []
    per_item: list[list[float]] = [[] for _ in items]
    for _ in range(args.rounds):
        for number, item in enumerate(items):
            begin = time.perf_counter()
            run(item, articles)
            elapsed = (time.perf_counter() - begin) * 1000
            timings.append(elapsed)
            per_item[number].append(elapsed)
    # each reply's median over the rounds: what the checker costs with the other load on the machine removed
    medians = [statistics.median(values) for values in per_item]

    figures = {
        "replies": len(items),
        "rounds": args.rounds,
        "calls": len(timings),
        "cold_start_ms": round(cold_ms, 1),
        "p50_ms": round(percentile(timings, 50), 3),
        "p95_ms": round(percentile(timings, 95), 3),
        "p99_ms": round(percentile(timings, 99), 3),
        "max_ms": round(max(timings), 3),
        "p50_of_medians_ms": round(percentile(medians, 50), 3),
        "p95_of_medians_ms": round(percentile(medians, 95), 3),
        "max_of_medians_ms": round(max(medians), 3),
        "mean_chars": round(sum(len(i.reply) for i in items) / len(items)),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu": args.cpu,
        "nproc": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "python": platform.python_version(),
    }
    print(f"Reply checker, one core (cpu {args.cpu}), {len(items)} replies × {args.rounds} rounds")
    print(f"cold start (analyser + lexicon): {figures['cold_start_ms']} ms")
    print(
        f"per reply: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
    )
    print(
        f"per reply, median of its rounds: p50 {figures['p50_of_medians_ms']} ms, "
        f"p95 {figures['p95_of_medians_ms']} ms, max {figures['max_of_medians_ms']} ms"
    )
    print(f"max RSS {figures['max_rss_mb']} MB; load average {figures['loadavg']}")
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
