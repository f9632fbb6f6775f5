"""Fill the English catalogue from its msgids (English is the source language) and, given a Python
file with ``RU``/``PLURAL`` dictionaries, the Russian one; report what is still untranslated.

    .venv/bin/python scripts/i18n_fill.py [translations.py]
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "src" / "otklik" / "web" / "locale"


def fill(lang: str, singular: dict[str, str], plural: dict[str, tuple[str, ...]]) -> list[str]:
    path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if lang == "en":
                message.string = message.id
            elif message.id[0] in plural:
                message.string = plural[message.id[0]]
            if not all(message.string):
                missing.append(message.id[0])
        else:
            if lang == "en":
                message.string = message.id
            elif message.id in singular:
                message.string = singular[message.id]
            if not message.string:
                missing.append(message.id)
        message.flags.discard("fuzzy")
    with path.open("wb") as out:
        write_po(out, catalog, width=120, omit_header=False)
    return missing


def main() -> None:
    fill("en", {}, {})
    words = runpy.run_path(sys.argv[1]) if len(sys.argv) > 1 else {}
    missing = fill("ru", words.get("RU", {}), words.get("PLURAL", {}))
    for message in missing:
        print(f"ru: untranslated: {message!r}")


if __name__ == "__main__":
    main()
