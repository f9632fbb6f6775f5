"""HTTP pieces the messenger adapters share: how long a call may take, fetching a file link, and
sending a reply in the pieces a channel takes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import httpx

from otklik.channels.base import DeliveryResult, FileFetchError, read_capped, send_failure


def timeout_for(seconds: float) -> httpx.Timeout:
    """The whole call may take ``seconds``; connecting, at most 5 of them."""
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


def fetch_link(url: str, timeout: httpx.Timeout) -> bytes:
    """A file the channel gave us as a plain web link, fetched as it is (capped in size)."""
    if not url.startswith(("https://", "http://")):
        raise FileFetchError("not a web link")
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", url) as download,
        ):
            if download.status_code != 200:
                raise FileFetchError(f"download {download.status_code}")
            return read_capped(download.iter_bytes())
    except httpx.HTTPError as exc:
        raise FileFetchError(f"{type(exc).__name__}: {exc}") from None


def send_pieces(
    channel: str,
    pieces: Iterable[str],
    send_one: Callable[[int, str], DeliveryResult],
    *,
    redact: Callable[[str], str] = lambda text: text,
) -> DeliveryResult:
    """A reply sent piece by piece (``send_one(number, piece)``), as a channel caps a message's
    length: it stops at the first piece the channel does not take; ``sent`` carries the first piece's
    id. A network failure is a temporary one, its text passed through ``redact`` (a token in a URL)."""
    first: str | None = None
    try:
        for number, piece in enumerate(pieces):
            result = send_one(number, piece)
            if not result.sent:
                return result
            first = first or result.external_id
    except httpx.HTTPError as exc:
        return send_failure(channel, redact(f"{type(exc).__name__}: {exc}"))
    return DeliveryResult(True, external_id=first)
