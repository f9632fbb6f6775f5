"""The desk secret that signs visitor tokens, ticket links, portal links and browser sessions.

``OTKLIK_SECRET_KEY`` when set (required when several hosts serve the desk: they must agree);
otherwise a random key generated on first use and kept in ``OTKLIK_SECRET_KEY_FILE``
(``./var/secret_key``), so links survive restarts. Losing or changing it voids every visitor
token and ticket link already handed out.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from otklik.core.config import Settings

MIN_LENGTH = 16


def load_secret(settings: Settings) -> bytes:
    """The secret bytes; a configured key shorter than 16 characters is refused outright."""
    if settings.secret_key is not None:
        if len(settings.secret_key) < MIN_LENGTH:
            raise RuntimeError(f"OTKLIK_SECRET_KEY must be at least {MIN_LENGTH} characters long")
        return settings.secret_key.encode()
    return read_or_create(Path(settings.secret_key_file))


def read_or_create(path: Path) -> bytes:
    """The key in ``path``, written there first when missing.

    Processes starting together agree: each writes its own candidate to a private temporary
    file, and only the first hard link to ``path`` wins; everyone then reads ``path``, which is
    never seen half-written.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process won; its key is the one
        finally:
            candidate.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise RuntimeError(f"{path} holds no usable secret (at least {MIN_LENGTH} characters)")
    return key.encode()
