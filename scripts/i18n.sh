#!/usr/bin/env bash
# The Babel catalogues, without make. The pages' domain: extract the marked strings, merge them into
# ru and en, compile; the message catalogue of core (domain otklik): compile. The .mo files are
# committed, so installing needs no step. Run after changing any page text:
#   scripts/i18n.sh            extract + update + compile
#   scripts/i18n.sh compile    compile only (after editing a .po by hand)
# tests/web_agent/test_i18n.py fails while a string is untranslated or a .mo is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LOCALE=src/otklik/web/locale
if [ "${1:-}" != "compile" ]; then
    "$BIN/pybabel" -q extract -F src/otklik/web/babel.cfg -k N_ -k t -k nt:1,2 -k tr:2 -k ntr:2,3 \
        --no-location --sort-output --project=otklik --copyright-holder="Otklik contributors" \
        -o "$LOCALE/messages.pot" .
    for lang in ru en; do
        if [ -f "$LOCALE/$lang/LC_MESSAGES/messages.po" ]; then
            "$BIN/pybabel" -q update --no-fuzzy-matching -i "$LOCALE/messages.pot" -d "$LOCALE" -l "$lang"
        else
            "$BIN/pybabel" -q init -i "$LOCALE/messages.pot" -d "$LOCALE" -l "$lang"
        fi
    done
    "$BIN/python" scripts/i18n_fill.py  # English = the msgids; lists Russian strings still untranslated
fi
"$BIN/pybabel" compile --statistics -d "$LOCALE" 2>&1 | grep -v '^$' || true
# the message catalogue outside the pages (API errors, notifications, mail, notes): keyed by code,
# edited by hand in both languages, so only compiled (docs/subsystems/core.md, «Languages»)
"$BIN/pybabel" compile --statistics -D otklik -d src/otklik/core/locale 2>&1 | grep -v '^$' || true
