"""HTTP pieces the messenger adapters share: how long a call may take, and fetching a file link."""

from __future__ import annotations

import httpx

from otklik.channels.base import FileFetchError, read_capped


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
