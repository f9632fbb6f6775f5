"""The language tools are loaded once per process and are safe to share between threads (issue 18).

Triage, the knowledge base (and the bot over it), the reply checker and search each loaded their own
pymorphy3 analyser (≈19 MB and ≈0.15 s each) and shared one Snowball stemmer between all threads,
which keeps the word it works on in itself: concurrent requests got each other's stems, or an
IndexError.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest
import snowballstemmer  # type: ignore[import-untyped]

from otklik.core.text import search_stems, stemmer
from otklik.kb.text import lemmas_instance
from otklik.triage.text import Lemmatizer

WORDS = ["поставками", "отгрузкой", "маркетплейсами", "возвращение", "складирования", "перевозчиками",
         "payouts", "shipments", "warehouses", "returning"]  # fmt: skip


def test_every_domain_uses_the_one_analyser_of_the_process() -> None:
    """Counted in a fresh process: however many domains read Russian, pymorphy3 is loaded once."""
    script = textwrap.dedent("""
        import pymorphy3
        made = []
        original = pymorphy3.MorphAnalyzer.__init__
        def counting(self, *args, **kwargs):
            made.append(1)
            original(self, *args, **kwargs)
        pymorphy3.MorphAnalyzer.__init__ = counting
        from otklik.kb.text import lemmas_instance
        from otklik.quality.text import ru_analyse
        from otklik.triage.text import Lemmatizer
        from otklik.core.text import morph
        assert lemmas_instance().lemma("поставками") == "поставка"
        assert ru_analyse("отгрузкой")[0][0] == "отгрузка"
        Lemmatizer().warm()
        assert Lemmatizer().lemma("складами") == "склад"
        morph()
        print(len(made))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Threads take turns every microsecond, so a shared stemmer's state is caught mid-word."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_stemming_from_many_threads_gives_each_its_own_stems(busy_switching: None) -> None:
    def expected(word: str) -> str:
        language = "english" if word.isascii() else "russian"
        return str(snowballstemmer.stemmer(language).stemWord(word))

    wanted = {word: expected(word) for word in WORDS}
    lemmas, lemmatizer = lemmas_instance(), Lemmatizer()
    wrong: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(150):
                for word in WORDS:
                    language = "english" if word.isascii() else "russian"
                    if stemmer(language).stemWord(word) != wanted[word]:
                        wrong.append(word)
                    if word.isascii() and lemmatizer.lemma(word + "s") != expected(word + "s"):
                        wrong.append(word + "s")
                    if not word.isascii() and lemmas.stem(word) != wanted[word]:
                        wrong.append(word)
                search_stems(" ".join(WORDS))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert wrong == []
