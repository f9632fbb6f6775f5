"""Public sites: RSS 2.0 and Atom feeds of posts and comments, read into inbound mentions.

``parse_feed`` is pure; ``fetch_feed`` is the only I/O. The XML is read with the standard
library's expat, refusing any DOCTYPE: feeds need none, and refusing it rules out entity
expansion («billion laughs») and external entities at the root.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

import httpx

from otklik.channels.base import InboundMessage, PayloadError
from otklik.core.taxonomy import Channel, IdentityKind

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
#: a feed larger than this is refused rather than read
MAX_FEED_BYTES = 5 * 1024 * 1024
_BLOCKS = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?h[1-6]|/?blockquote)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


class FeedError(PayloadError):
    """The feed cannot be fetched or read; the message says why."""


@dataclass(frozen=True, slots=True)
class _Entry:
    external_id: str
    url: str | None
    author: str | None
    title: str
    body: str
    posted_at: datetime | None


def _name(raw: str) -> str:
    uri, sep, local = raw.rpartition("\x1f")
    return f"{{{uri}}}{local}" if sep else raw


def _refuse_dtd(*_args: object) -> None:
    raise FeedError("DOCTYPE/ENTITY declarations are not accepted in feeds")


def read_xml(body: bytes) -> Element:
    """The document's root element; ``FeedError`` for malformed XML or any DTD."""
    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="\x1f")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = lambda tag, attrs: builder.start(_name(tag), {_name(k): v for k, v in attrs.items()})
    parser.EndElementHandler = lambda tag: builder.end(_name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from None
    return builder.close()


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def plain(markup: str) -> str:
    """Text a person reads: tags dropped, entities decoded, blank runs folded."""
    text = html.unescape(_TAGS.sub("", _BLOCKS.sub("\n", markup)))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _rss_date(raw: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso_date(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rss_author(item: Element) -> str | None:
    creator = _text(item.find(f"{DC}creator"))
    if creator:
        return creator
    author = _text(item.find("author"))  # "mail@example.com (Name)" by the RSS 2.0 spec
    match = re.fullmatch(r"\S+@\S+\s*\((.+)\)", author)
    return (match.group(1) if match else author) or None


def _rss(channel: Element, base: str) -> list[_Entry]:
    entries = []
    for item in channel.findall("item"):
        raw_link = _text(item.find("link"))
        link = urljoin(base, raw_link) if raw_link else None
        guid = _text(item.find("guid")) or link
        body = _text(item.find(f"{CONTENT}encoded")) or _text(item.find("description"))
        title = _text(item.find("title"))
        if not guid:
            guid = "sha256:" + hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:32]
        entries.append(
            _Entry(guid, link, _rss_author(item), title, body,
                   _rss_date(_text(item.find("pubDate"))))
        )  # fmt: skip
    return entries


def _atom(feed: Element, base: str) -> list[_Entry]:
    feed_author = _text(feed.find(f"{ATOM}author/{ATOM}name")) or None
    entries = []
    for entry in feed.findall(f"{ATOM}entry"):
        links = entry.findall(f"{ATOM}link")
        alternate = next((lk for lk in links if lk.get("rel", "alternate") == "alternate"), None)
        href = alternate.get("href") if alternate is not None else None
        url = urljoin(base, href) if href else None
        body = _text(entry.find(f"{ATOM}content")) or _text(entry.find(f"{ATOM}summary"))
        title = _text(entry.find(f"{ATOM}title"))
        external = _text(entry.find(f"{ATOM}id")) or url
        if not external:
            external = "sha256:" + hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:32]
        author = _text(entry.find(f"{ATOM}author/{ATOM}name")) or feed_author
        posted = _iso_date(_text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated")))
        entries.append(_Entry(external, url, author, title, body, posted))
    return entries


def parse_feed(body: bytes, feed_url: str) -> tuple[InboundMessage, ...]:
    """Every entry of an RSS 2.0 or Atom feed as a public mention (``channel`` public, the author's
    handle as sender). Entries are identified by their guid/id (else link) so re-reading a feed
    stores nothing twice. An entry without an author gets a handle of its own, so strangers'
    posts never join one another's tickets."""
    if len(body) > MAX_FEED_BYTES:
        raise FeedError(f"feed over {MAX_FEED_BYTES} bytes")
    root = read_xml(body)
    if root.tag == "rss" and root.find("channel") is not None:
        entries = _rss(root.find("channel"), feed_url)  # type: ignore[arg-type]  # checked just above
    elif root.tag == f"{ATOM}feed":
        entries = _atom(root, feed_url)
    else:
        raise FeedError(f"neither RSS 2.0 nor Atom: the root element is {root.tag!r}")
    host = urlsplit(feed_url).hostname or "feed"
    mentions = []
    for entry in entries:
        text = "\n\n".join(part for part in (plain(entry.title), plain(entry.body)) if part)
        if not text:
            continue
        external = entry.external_id[:200]
        author = entry.author or f"anonymous@{host}/{hashlib.sha256(external.encode()).hexdigest()[:10]}"
        mentions.append(
            InboundMessage(
                channel=Channel.PUBLIC,
                external_id=external,
                sender_kind=IdentityKind.PUBLIC_HANDLE,
                sender_value=author[:200],
                display_name=author[:200],
                text=text,
                subject=plain(entry.title)[:300] or None,
                url=(entry.url or "")[:2000] or None,
                sent_at=entry.posted_at,
            )
        )
    return tuple(mentions)


def fetch_feed(url: str, *, timeout: float = 10.0) -> bytes:
    """The feed's bytes (redirects followed, at most ``MAX_FEED_BYTES``); ``FeedError`` otherwise."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise FeedError(f"only http(s) feeds are read, not {url!r}")
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client, client.stream("GET", url) as response:
            if response.status_code != 200:
                raise FeedError(f"HTTP {response.status_code} from {url}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise FeedError(f"feed over {MAX_FEED_BYTES} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FeedError(f"{type(exc).__name__}: {exc}") from None
    return b"".join(chunks)
