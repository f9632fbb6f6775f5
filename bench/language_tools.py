"""What reading Russian costs a process: the time and memory to warm triage, the knowledge base (the
bot's reader) and the reply checker, which share one pymorphy3 analyser (``otklik.core.text``).

    .venv/bin/python bench/language_tools.py

Run it in a fresh process each time (it measures the process's peak RSS); ``PYTHONPATH`` at another
version's ``src`` compares the two.
"""

from __future__ import annotations

import resource
import time


def main() -> None:
    from otklik.kb.text import lemmas_instance
    from otklik.quality.text import ru_analyse
    from otklik.triage.text import Lemmatizer

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    lemmas_instance().lemma("поставками")
    ru_analyse("отгрузкой")
    Lemmatizer().lemma("складами")
    warm = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"warming triage + kb/bot + checker: {warm:.3f} s, +{(peak - base) / 1024:.1f} MB "
          f"(peak RSS {peak / 1024:.1f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
