"""Readable text out of mail: charsets (as mail clients read them: wider tables for narrow labels, the
mail's own declared charsets before a guess), RFC 2047 headers,
sanitised HTML turned into text, and quoted history and signatures cut off. All pure.
"""

from __future__ import annotations

import codecs
import re
from email.errors import HeaderParseError
from email.header import decode_header
from html.parser import HTMLParser

import charset_normalizer
import nh3

#: labels seen in the wild that Python's codec registry does not know
_CHARSET_ALIASES = {
    "win-1251": "cp1251",
    "x-cp1251": "cp1251",
    "windows-1251x": "cp1251",
    "cp-1251": "cp1251",
    "koi8r": "koi8_r",
    "x-koi8-r": "koi8_r",
    "koi8-ru": "koi8_u",
    "utf8": "utf-8",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "ansi_x3.4-1968": "ascii",
    "us-ascii": "ascii",
}
#: the commonest lower-case Russian letters: text decoded with the wrong Cyrillic table
#: comes out in capitals (koi8-r and windows-1251 swap the cases), so their count decides
_RUSSIAN_LOWER = frozenset("оеаинтсрвлкмдпуяыь")
#: the 8-bit characters other than letters that Russian text uses
_RUSSIAN_MARKS = frozenset("ёЁ«»—–№…“”‘’„•\xa0")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{1,40})""", re.IGNORECASE)


#: labels whose bytes in real mail are a wider table than the label says, read as mail clients and the
#: WHATWG Encoding Standard read them: «gb2312» mail is GBK (GB18030 covers both), Shift_JIS is
#: Windows-31J, EUC-KR and ks_c_5601-1987 are Windows-949, Big5 is Big5-HKSCS, ISO-2022-JP carries the
#: NEC and IBM rows of Windows-31J (``decode_iso2022_jp``)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
_ISO2022_JP = frozenset({"iso2022_jp", "iso2022_jp_1", "iso2022_jp_ext"})
#: the single-byte Cyrillic tables a guess may name; between them our own count of Russian lower-case
#: letters decides (on a short subject the general guesser mixes them up)
_CYRILLIC = frozenset({"cp1251", "koi8_r", "koi8_u", "mac_cyrillic", "iso8859_5", "cp866", "cp1125", "ptcp154"})
#: what an unlabelled 8-bit text may be, in the order a tie goes: our users' mail, then the CJK mail
#: marketplaces also get, then Western European
_GUESSES = ["cp1251", "koi8_r", "gb18030", "cp932", "euc_jp", "cp949", "big5hkscs", "cp1252"]


def codec_for(charset: str | None) -> str | None:
    """Python's codec for a mail charset label (its superset where mail uses one), or None when the
    label says nothing usable."""
    if not charset:
        return None
    label = charset.strip().strip('"').lower()
    label = _CHARSET_ALIASES.get(label, label)
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def decode_iso2022_jp(data: bytes, errors: str = "strict") -> str:
    """ISO-2022-JP as Windows reads it (CP50220): its JIS X 0208 pairs are turned into Shift_JIS and
    read as Windows-31J, so the NEC special characters (①, №, ㈱) and IBM extensions that Japanese mail
    carries come out instead of failing Python's strict codec. An escape this does not know (the
    ISO-2022-JP-2 sets) hands the whole text to Python's ``iso2022_jp_2``."""
    out = bytearray()
    mode, i = "ascii", 0
    while i < len(data):
        if data[i] == 0x1B:
            escape = data[i : i + 3]
            if escape in (b"\x1b(B", b"\x1b(J"):
                mode = "ascii"
            elif escape in (b"\x1b$@", b"\x1b$B"):
                mode = "jis"
            elif escape == b"\x1b(I":
                mode = "kana"
            else:
                return data.decode("iso2022_jp_2", errors)
            i += 3
            continue
        byte = data[i]
        if mode == "jis" and byte not in (0x0A, 0x0D) and i + 1 < len(data):
            out += _jis_to_sjis(byte, data[i + 1])
            i += 2
            continue
        out.append(byte | 0x80 if mode == "kana" and 0x21 <= byte <= 0x5F else byte)
        i += 1
    return bytes(out).decode("cp932", errors)


def _jis_to_sjis(first: int, second: int) -> bytes:
    """One JIS X 0208 pair (0x21–0x7E each) as its Shift_JIS pair."""
    lead = (first + 1) // 2 + (0x70 if first <= 0x5E else 0xB0)
    trail = second + (0x1F if first % 2 else 0x7E)
    if first % 2 and trail >= 0x7F:
        trail += 1
    return bytes((lead, trail))


def _decode(data: bytes, codec: str, errors: str = "strict") -> str:
    if codec in _ISO2022_JP:
        return decode_iso2022_jp(data, errors)
    return data.decode(codec, errors)


def guess_decode(data: bytes, hints: tuple[str, ...] = ()) -> str:
    """Bytes of unknown charset: UTF-8 if valid; else a charset the mail declares elsewhere (``hints``:
    a raw 8-bit subject is in the body's charset); else charset-normalizer's guess among the tables
    mail is written in, with Russian's two tables told apart by the Russian they read as."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for hint in hints:
        codec = codec_for(hint)
        if codec is None or codec in {"ascii", "utf-8"}:
            continue
        try:
            return _decode(data, codec)
        except UnicodeDecodeError:
            continue
    nearly = _nearly_utf8(data)
    if nearly is not None:
        return nearly
    russian = _russian(data)
    if _reads_as_russian(russian):
        return russian
    matches = [m for m in charset_normalizer.from_bytes(data, cp_isolation=_GUESSES) if m.encoding not in _CYRILLIC]
    if not matches:
        return russian
    calm = min(m.chaos for m in matches) + 0.05  # on a short text several tables read without a flaw
    readings = [(m.encoding, str(m)) for m in matches if m.chaos <= calm]
    _codec, text = min(readings, key=lambda r: (_odd_share(*r), _GUESSES.index(r[0]) if r[0] in _GUESSES else 99))
    return text


def _nearly_utf8(data: bytes) -> str | None:
    """UTF-8 with a flaw or two (a value cut in the middle of a letter, a stray byte) when the rest
    reads as UTF-8: one bad byte among many well-formed multi-byte letters is no other charset."""
    text = data.decode("utf-8", "replace")
    flaws = text.count("\ufffd")
    letters = sum(1 for ch in text if ord(ch) > 127) - flaws
    return text if letters >= 3 and flaws * 8 <= letters else None


def _odd_share(codec: str, text: str) -> float:
    """How little ``text`` looks like the language ``codec`` is written for: Korean is Hangul, Japanese
    has kana (and few half-width ones), Chinese has neither kana nor Hangul."""
    letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    if not letters:
        return 0.0
    kana = sum(1 for ch in letters if "\u3040" <= ch <= "\u30ff")
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3")
    half_width = sum(1 for ch in letters if "\uff61" <= ch <= "\uff9f")
    if codec == "cp949":
        odd = len(letters) - hangul
    elif codec in {"cp932", "euc_jp"}:
        odd = len(letters) if kana == 0 else half_width
    else:
        odd = kana + hangul + half_width
    return odd / len(letters)


def _russian(data: bytes) -> str:
    """``data`` in whichever of the two Russian tables reads as more Russian (cp1252 if neither does)."""
    best, best_score = data.decode("cp1252", errors="replace"), 0
    for candidate in ("cp1251", "koi8_r"):
        text = data.decode(candidate, errors="replace")
        score = sum(1 for ch in text if ch in _RUSSIAN_LOWER)
        if score > best_score:
            best, best_score = text, score
    return best


def _reads_as_russian(text: str) -> bool:
    """Whether a Cyrillic reading is plausible: its 8-bit characters are Russian letters and the
    punctuation Russian text uses. Chinese or Japanese bytes read as windows-1251 come out strewn with
    «Ђ», «ѓ», «є», «Ј» (a trail byte in 0x80–0xBF), which Russian text almost never holds."""
    high = [ch for ch in text if ord(ch) > 127]
    odd = sum(1 for ch in high if not "А" <= ch <= "я" and ch not in _RUSSIAN_MARKS)
    return odd * 10 <= len(high)


def decode_bytes(data: bytes, charset: str | None, hints: tuple[str, ...] = ()) -> str:
    """Decode with the declared charset when it fits the bytes, else with another the mail declares,
    else guess (8bit without charset)."""
    codec = codec_for(charset)
    if codec is not None:
        try:
            return _decode(data, codec)
        except UnicodeDecodeError:
            if codec not in {"ascii", "utf-8"}:  # mislabelled: UTF-8 that fits is UTF-8, else another declared one
                others = ("utf-8", *(h for h in hints if codec_for(h) not in {None, codec, "utf-8"}))
                return _fitting(data, others) or _decode(data, codec, "replace")
    return guess_decode(data, hints)


def _fitting(data: bytes, hints: tuple[str, ...]) -> str | None:
    """``data`` decoded by the first of ``hints`` it fits, strictly."""
    for hint in hints:
        codec = codec_for(hint)
        try:
            return _decode(data, codec) if codec else None
        except UnicodeDecodeError:
            continue
    return None


def html_charset(data: bytes) -> str | None:
    """The charset an HTML document names for itself (``<meta charset>`` or the http-equiv form): what
    a mail client reads an HTML part by when its MIME header names none."""
    found = _META_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else None


def clean(text: str) -> str:
    """Text safe to store anywhere: no NULs or control characters, no lone surrogates."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def unescape_raw(value: str, hints: tuple[str, ...] = ()) -> str:
    """A raw header as parsed from bytes keeps 8-bit bytes as surrogates: decode them for real (in a
    charset the mail declares, ``hints``, when they fit one)."""
    if not _SURROGATE.search(value):
        return value
    return guess_decode(value.encode("utf-8", errors="surrogateescape"), hints)


def decode_header_value(raw: str | None, hints: tuple[str, ...] = ()) -> str:
    """An RFC 2047 header (``=?koi8-r?B?...?=``, raw 8-bit too) as one line of text."""
    if not raw:
        return ""
    value = unescape_raw(raw, hints)
    try:
        chunks = decode_header(value)
    except (HeaderParseError, ValueError, LookupError):
        chunks = [(value, None)]
    parts: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset is None:
            # decode_header hands plain words back as ``raw-unicode-escape`` bytes
            try:
                parts.append(chunk.decode("raw-unicode-escape"))
            except UnicodeDecodeError:
                parts.append(chunk.decode("latin-1"))
        else:
            parts.append(decode_bytes(chunk, charset, hints))
    return clean(" ".join("".join(parts).split()))


# --- HTML → text -----------------------------------------------------------------------------

_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "blockquote", "pre", "hr",
     "section", "article", "header", "footer", "address", "dl", "dt", "dd", "center"}
)  # fmt: skip
#: blocks set apart by a blank line; the others (div, li, tr) only start a new line
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr"})
_INLINE = frozenset(
    {"a", "b", "i", "strong", "em", "u", "span", "font", "td", "th", "tbody", "thead", "br", "sub", "sup"}
)
#: whose content is never text: code, styles, hidden titles, embedded objects
_DROPPED = frozenset({"script", "style", "title", "noscript", "template", "iframe", "object", "svg", "math"})
_SANITISER = nh3.Cleaner(
    tags=set(_BLOCKS | _INLINE),
    clean_content_tags=set(_DROPPED),
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
)


class _TextRenderer(HTMLParser):
    """Walks already-sanitised HTML: blocks become lines, blockquotes become ``> `` quotes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.depth = 0
        self.line_depth = 0
        self.pre = 0
        self.href: str | None = None
        self.link_text: list[str] = []

    def _flush(self, paragraph: bool = False) -> None:
        joined = "".join(self.current)
        line = joined.rstrip() if self.pre else joined.strip()
        self.current = []
        if line:
            self.lines.append("> " * self.line_depth + line)
        if paragraph and self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.line_depth = self.depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush()
        elif tag in _BLOCKS:
            self._flush(paragraph=tag in _PARAGRAPHS)
            if tag == "blockquote":
                self.depth += 1
                self.line_depth = self.depth
            elif tag == "li":
                self.current.append("- ")
            elif tag == "pre":
                self.pre += 1
        elif tag in {"td", "th"} and self.current:
            self.current.append("  ")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._flush(paragraph=tag in _PARAGRAPHS)
            if tag == "blockquote":
                self.depth = max(0, self.depth - 1)
                self.line_depth = self.depth
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.href:
            shown = "".join(self.link_text).strip()
            if self.href.startswith(("http://", "https://")) and shown and shown != self.href:
                self.current.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.pre:
            pieces = data.split("\n")
            for index, piece in enumerate(pieces):
                if index:
                    self._flush()
                self.current.append(piece)
        else:
            text = " ".join(data.split())
            if not text:
                if data and self.current:
                    self.current.append(" ")
                return
            if data[:1].isspace() and self.current:
                text = " " + text
            if data[-1:].isspace():
                text += " "
            self.current.append(text)
        if self.href is not None:
            self.link_text.append(data)

    def text(self) -> str:
        self._flush()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    """Sanitise with nh3 (scripts, styles, tracking images, event handlers gone), then render text."""
    safe = _SANITISER.clean(html)
    renderer = _TextRenderer()
    renderer.feed(safe)
    renderer.close()
    return normalise_text(renderer.text())


def normalise_text(text: str) -> str:
    """Unix newlines, no trailing spaces, at most one blank line in a row, no blank edges."""
    text = clean(text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " "))
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


# --- quoted history and signatures ------------------------------------------------------------

_I = re.IGNORECASE
_SIGNATURE = re.compile(r"^--\s*$")
_CLOSING = re.compile(
    r"^(с уважением|с наилучшими пожеланиями|всего доброго|всего хорошего|best regards|kind regards|"
    r"warm regards|regards|best wishes|cheers)\b",
    _I,
)
_MOBILE = re.compile(r"^(отправлено|sent)\s+(с|со|из|from|via)\s|^(get|получить|скачайте|загрузите)\s+outlook\b", _I)
_ATTRIBUTION = (
    re.compile(r"^(on|le|am)\s.{4,300}\b(wrote|schrieb|a écrit)\s*:$", _I),
    re.compile(r"^.{0,300}\b(пишет|написал|написала|написал\(а\)|писал|писала)\s*:$", _I),
    re.compile(r"^.{0,300}<[^<>\s@]+@[^<>\s]+>\s*:$"),  # Yandex, Mail.ru, Gmail (ru): «…, Иван <x@y.ru>:»
)
_ATTRIBUTION_START = re.compile(
    r"^(on|le|am|\d|пн|вт|ср|чт|пт|сб|вс|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|"
    r"mon|tue|wed|thu|fri|sat|sun)",
    _I,
)
_SEPARATOR = re.compile(r"^-{2,}\s*(original message|исходное сообщение|оригинальное сообщение)\s*-{2,}$", _I)
_UNDERSCORES = re.compile(r"^_{10,}$")
_HEADER_FROM = re.compile(r"^\*?(from|от|отправитель)\s*:\*?\s*\S", _I)
_HEADER_NEXT = re.compile(r"^\*?(sent|date|to|subject|отправлено|дата|кому|тема)\s*:", _I)
_FORWARD = re.compile(
    r"^(-{2,}\s*(forwarded message|пересылаемое сообщение|переадресованное сообщение|перенаправленное сообщение)"
    r"\s*-{2,}|(begin forwarded message|начало переадресованного сообщения)\s*:)$",
    _I,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|пересл\w*|переслано|перенаправлено)\s*:", _I)


def is_forward_subject(subject: str) -> bool:
    """«Fwd:», «FW:», «Пересл:»: the history below is what the customer wants us to read."""
    return bool(_FORWARD_SUBJECT.match(subject))


def _is_attribution(lines: list[str], index: int) -> bool:
    # clients wrap long attribution lines: try the line alone and, when it starts like one
    # (a date, a weekday, «On»), joined with the next one or two
    joined = lines[index].strip()
    for extra in range(3 if _ATTRIBUTION_START.match(joined) else 1):
        if extra:
            if index + extra >= len(lines) or not lines[index + extra].strip():
                return False
            joined = f"{joined} {lines[index + extra].strip()}"
        if any(pattern.match(joined) for pattern in _ATTRIBUTION):
            return True
    return False


def _is_header_block(lines: list[str], index: int) -> bool:
    """Outlook's «От: … / Отправлено: … / Кому: … / Тема: …» above the quoted mail."""
    if not _HEADER_FROM.match(lines[index].strip()):
        return False
    following = [line.strip() for line in lines[index + 1 : index + 6] if line.strip()]
    return sum(1 for line in following if _HEADER_NEXT.match(line)) >= 2


def _cut_at(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if not line or _FORWARD.match(line):
        return False
    if _SIGNATURE.match(lines[index]) or _SEPARATOR.match(line) or _is_header_block(lines, index):
        return True
    if len(line) <= 60 and _CLOSING.match(line):
        return True
    if len(line) <= 80 and _MOBILE.match(line):
        return True
    if _UNDERSCORES.match(line):
        after = [candidate.strip() for candidate in lines[index + 1 : index + 3] if candidate.strip()]
        return bool(after) and bool(_HEADER_FROM.match(after[0]))
    return _is_attribution(lines, index)


def strip_quotes(text: str, *, forwarded: bool = False) -> str:
    """The customer's own words: quoted history (``> ``, «… пишет:», «On … wrote:», Outlook
    headers) and signatures («-- », «С уважением», «Отправлено с iPhone») removed.

    Forwarded mail keeps what it forwards. When nothing would remain, the text is kept
    whole: a message is never emptied by stripping.
    """
    text = normalise_text(text)
    if forwarded:
        return text
    lines = text.split("\n")
    cut = next((i for i in range(len(lines)) if _cut_at(lines, i)), len(lines))
    forward = next((i for i in range(cut) if _FORWARD.match(lines[i].strip())), None)
    head, tail = (lines[:forward], lines[forward:]) if forward is not None else (lines[:cut], [])
    own = [line for line in head if not line.lstrip().startswith(">")]
    result = normalise_text("\n".join(own + tail))
    return result or text
