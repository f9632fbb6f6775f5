"""A broken header block made readable before the email package parses it.

The email package stops reading headers at the first line that is neither a header nor a
continuation, and takes everything from there on as the body. Real mail breaks that rule: a
stray first line, or base64 lines of a body that leaked into the headers, hide the From and
Subject that follow them, and the mail reaches the desk from nobody about nothing. Mail
clients skip such lines. So do we: a line that is no header is dropped when a well-known header
still follows it; after the last well-known header it starts the body. The original bytes stay
the message's source, untouched.
"""

from __future__ import annotations

import re

#: ``name:``: printable ASCII but the colon (RFC 5322 §2.2), optional blanks before the colon (obsolete syntax)
_HEADER = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")
#: headers a real mail has and a stray line hardly starts with
_WELL_KNOWN = frozenset(
    {
        b"from",
        b"sender",
        b"reply-to",
        b"to",
        b"cc",
        b"subject",
        b"date",
        b"message-id",
        b"in-reply-to",
        b"references",
        b"mime-version",
        b"content-type",
        b"content-transfer-encoding",
        b"return-path",
        b"received",
    }
)


def _name(line: bytes) -> bytes | None:
    found = _HEADER.match(line)
    return found.group(0).rstrip(b": \t").lower() if found else None


def repair_header_block(raw: bytes) -> bytes:
    """``raw`` with the lines that break its header block dropped (``raw`` itself when none does)."""
    lines = raw.split(b"\n")
    end = next((i for i, line in enumerate(lines) if not line.rstrip(b"\r")), len(lines))
    block = lines[:end]
    start = 1 if block and block[0].startswith(b"From ") else 0  # an mbox separator, which the parser knows
    names = [_name(line) for line in block]
    broken = {i for i in range(start, end) if names[i] is None and block[i][:1] not in b" \t"}
    if not broken:
        return raw
    last_known = max((i for i, name in enumerate(names) if name in _WELL_KNOWN), default=-1)
    kept: list[bytes] = block[:start]
    for i in range(start, end):
        if i in broken and i > last_known:  # the body begins here, with no blank line before it
            newline = b"\r" if block[i].endswith(b"\r") else b""
            return b"\n".join([*kept, newline, *lines[i:]])
        if i not in broken:
            kept.append(block[i])
    return b"\n".join([*kept, *lines[end:]])
