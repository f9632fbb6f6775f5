"""Load time and memory of the language models one process holds: navec word vectors, the
multilingual sentence encoder, the triage model and the checker's learned detector.

Each model is loaded in a fresh process (``--rounds`` times), so the figures are what a server's
first request pays; the resident-set growth is read from ``ru_maxrss`` before and after. A last
process loads all of them together, as ``otklik serve`` with the bot on does.

    .venv/bin/python bench/language_models.py --rounds 3 --json-out bench/results/language_models.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

#: what each probe loads (code run in a fresh interpreter)
LOADERS = {
    "navec word vectors": "from otklik.core.embeddings import embeddings; embeddings().text('склад')",
    "sentence encoder": "from otklik.core.embeddings import sentences; sentences().one('где мой заказ')",
    "triage model": "from otklik.triage.model import get_model; get_model().predict('где деньги')",
    "checker model": "from otklik.quality.model import get_model; get_model()",
}
PROBE = """
import resource, time, json
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
{code}
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": elapsed, "rss_mb": after / 1024, "growth_mb": (after - before) / 1024}}))
"""


def probe(code: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)], capture_output=True, text=True, check=True, timeout=300
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    report: dict[str, object] = {"machine": {"platform": platform.platform(), "python": platform.python_version()}}
    for name, code in [*LOADERS.items(), ("all together", "\n".join(LOADERS.values()))]:
        runs = [probe(code) for _ in range(args.rounds)]
        report[name] = {
            "seconds_median": round(statistics.median(r["seconds"] for r in runs), 3),
            "seconds": [round(r["seconds"], 3) for r in runs],
            "rss_mb": round(max(r["rss_mb"] for r in runs), 1),
            "growth_mb": round(statistics.median(r["growth_mb"] for r in runs), 1),
        }
        print(f"{name:20} load {report[name]['seconds_median']:.2f} s, +{report[name]['growth_mb']:.0f} MB")  # type: ignore[index]
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
