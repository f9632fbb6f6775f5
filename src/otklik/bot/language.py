"""The customer's words as the bot's rules read them: forms, lemmas, grammemes and index terms.

Uses the knowledge base's analyser (``otklik.kb.text``), so a question is normalised exactly as the
articles it is matched against.
"""

from __future__ import annotations

from otklik.bot.rules import Utterance, Word
from otklik.core.i18n import language_of
from otklik.kb.text import clean, lemmas_instance, terms, words


def lang_of(text: str) -> str:
    """``ru`` when the text has Cyrillic letters, else ``en``."""
    return language_of(text, default="en")


def analyse(text: str) -> Utterance:
    """``text`` as an ``Utterance`` (lower case, ``ё`` → ``е``, greetings removed from the terms)."""
    analyser = lemmas_instance()
    forms = words(text)
    parsed = tuple(Word(form, analyser.lemma(form), analyser.grammemes(form)) for form in forms)
    return Utterance(text=" ".join(clean(text).split()), words=parsed, content=tuple(terms(text, analyser)))
