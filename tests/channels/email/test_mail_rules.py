"""The pure pieces, table by table: charset guessing, RFC 2047 headers, HTML to text, quote and
signature stripping, the attachment policy, and the threading headers of our outbound mail.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from otklik.channels.adapters.email import EmailAdapter, is_our_message_id
from otklik.channels.adapters.email_parse import MailPolicy, MailRejected, parse_mail
from otklik.channels.adapters.email_text import decode_header_value, guess_decode, html_to_text, strip_quotes
from otklik.channels.base import OutboundMessage
from otklik.channels.files import check_file, safe_filename

RUSSIAN = "Добрый день, посылка пришла повреждённой, прошу оформить возврат."


@pytest.mark.parametrize("charset", ["utf-8", "cp1251", "koi8_r"])
def test_unlabelled_russian_is_read_in_its_own_charset(charset: str) -> None:
    assert guess_decode(RUSSIAN.encode(charset)) == RUSSIAN


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("=?koi8-r?B?8MXU0iDp18HOz9c=?=", "Петр Иванов"),
        ("=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?= world", "Привет world"),
        ("=?UTF-8?B?0JfQsNC60LDQtw==?= =?UTF-8?B?IDQ1MTI=?=", "Заказ 4512"),
        ("Заказ".encode("cp1251").decode("utf-8", "surrogateescape"), "Заказ"),  # raw 8-bit header
        ("=?utf-8?B?@@@?= tail", "tail"),  # an undecodable word drops out; the kept source has it
        ("=?x-nonsense?Q?abc?=", "abc"),
        ("Plain\r\n folded  header", "Plain folded header"),
        ("", ""),
    ],
)
def test_headers_decode(raw: str, text: str) -> None:
    assert decode_header_value(raw) == text


def test_html_becomes_text_without_anything_active() -> None:
    html = (
        "<style>p{}</style><p>Один <b>два</b></p><script>evil()</script><ul><li>а</li><li>б</li></ul>"
        '<a href="https://x.example/a">ссылка</a> <a href="javascript:x()">js</a><img src="https://t.example/p.gif">'
        "<blockquote>цитата<blockquote>глубже</blockquote></blockquote><pre>  код\n  ещё</pre>"
    )
    assert html_to_text(html) == (
        "Один два\n\n- а\n- б\n\nссылка (https://x.example/a) js\n\n> цитата\n\n> > глубже\n\n  код\n  ещё"
    )


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Ответ.\n\n> цитата", "Ответ."),
        ("Ответ.\n-- \nПодпись", "Ответ."),
        ("Ответ.\n--\nПодпись", "Ответ."),
        ("Ответ.\nС уважением, Иван", "Ответ."),
        ("Ответ.\nBest regards,\nJohn", "Ответ."),
        ("Ответ.\nОтправлено с iPhone", "Ответ."),
        ("Ответ.\nSent from my iPhone", "Ответ."),
        ("Ответ.\nGet Outlook for Android", "Ответ."),
        ("Ответ.\nOn Mon, 1 Jan 2025, Ann <a@b.c> wrote:\n> x", "Ответ."),
        ("Ответ.\nOn Mon, 1 Jan 2025, Ann <\na@b.c> wrote:\nx", "Ответ."),
        ('Ответ.\n01.01.2025, 10:00, "Анна" <a@b.ru>:\nx', "Ответ."),
        ("Ответ.\n1 января 2025 г., в 10:00, Анна <a@b.ru>\nнаписал(а):\nx", "Ответ."),
        ("Ответ.\nАнна пишет:\nx", "Ответ."),
        ("Ответ.\nОт: Анна\nОтправлено: вчера\nКому: мне\nТема: x\n\nx", "Ответ."),
        ("Ответ.\n*From:* Ann\n*Sent:* Monday\n*To:* me\nx", "Ответ."),
        ("Ответ.\n-----Исходное сообщение-----\nx", "Ответ."),
        # not history: a sentence that starts like a signature or a header stays
        ("С уважением отношусь к вашей работе, но доставка опоздала на неделю.", None),
        ("From: my side everything is paid.\nPlease check.", None),
        ("Список:\n--\nэто не подпись? нет, подпись", "Список:"),
        # only quoted text: kept whole rather than emptied
        ("> только цитата", None),
    ],
)
def test_quoted_history_and_signatures_are_cut(text: str, kept: str | None) -> None:
    assert strip_quotes(text) == (kept if kept is not None else text)


def test_forwarded_mail_keeps_what_it_forwards() -> None:
    body = "Смотрите.\n\nОт: Клиент\nОтправлено: вчера\nКому: нам\nТема: жалоба\n\nТекст жалобы."
    assert strip_quotes(body, forwarded=True) == body
    marked = (
        "Смотрите.\n> старое\n---------- Forwarded message ---------\nFrom: A\nDate: B\nSubject: C\nTo: D\n\nТекст."
    )
    assert (
        strip_quotes(marked)
        == "Смотрите.\n---------- Forwarded message ---------\nFrom: A\nDate: B\nSubject: C\nTo: D\n\nТекст."
    )


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, b"x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "declared", "data", "stored_as", "why"),
    [
        ("a.pdf", "application/pdf", b"%PDF-1.7", "application/pdf", None),
        ("a.pdf", "application/octet-stream", b"%PDF-1.7", "application/pdf", None),  # type from the name
        ("photo.JPG", "image/jpg", b"\xff\xd8\xff\xe0", "image/jpeg", None),
        ("a.webp", "image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", None),
        ("a.webp", "image/webp", b"RIFF\x00\x00\x00\x00AVI ", None, "content is not image/webp"),
        ("a.png", "image/png", b"GIF89a", None, "content is not image/png"),
        ("x.exe", "application/pdf", b"%PDF", None, "executable"),
        ("x.pdf", "application/x-msdownload", b"%PDF", None, "executable"),
        ("x.pdf", "application/pdf", b"MZ\x90\x00", None, "executable"),
        ("x.txt", "text/plain", b"\x7fELF\x02", None, "executable"),
        ("macro.docm", "application/octet-stream", b"PK", None, "executable"),
        ("page.html", "text/html", b"<html>", None, "executable"),
        ("data.xyz", "application/octet-stream", b"\x00\x01", None, "type application/octet-stream is not accepted"),
        ("big.txt", "text/plain", b"x" * 2049, None, "larger than"),
        ("ok.zip", "application/zip", _zip("a.jpg", "b.pdf"), "application/zip", None),
        ("bad.zip", "application/zip", _zip("docs/setup.EXE"), None, "the archive holds an executable"),
        ("broken.zip", "application/zip", b"PK\x03\x04 nope", None, "the archive is damaged"),
    ],
)
def test_attachment_policy(name: str, declared: str, data: bytes, stored_as: str | None, why: str | None) -> None:
    verdict = check_file(name, declared, data, max_bytes=2048)
    if stored_as is None:
        assert verdict.attachment is None
        assert verdict.refusal is not None
        assert verdict.refusal.startswith(f"вложение не принято / attachment not accepted: {name} — ")
        assert why is not None
        assert why in verdict.refusal
    else:
        assert verdict.attachment is not None
        assert verdict.attachment.content_type == stored_as


@pytest.mark.parametrize(
    ("name", "safe"),
    [("../../etc/passwd", "passwd"), ("C:\\temp\\a.pdf", "a.pdf"), ("evil.exe. ", "evil.exe"), ("   ", "file-1.bin"),
     ("a\x00b<c>.txt", "a_b_c_.txt"), ("x" * 300 + ".pdf", "x" * 196 + ".pdf")],
)  # fmt: skip
def test_file_names_are_made_safe(name: str, safe: str) -> None:
    assert safe_filename(name, "file-1.bin") == safe


def test_limits_and_nothing_at_all() -> None:
    with pytest.raises(MailRejected) as too_big:
        parse_mail(b"From: a@b.c\r\n\r\n" + b"x" * 100, MailPolicy(max_bytes=50))
    assert too_big.value.smtp_reply().startswith("552 5.3.4 message too big")
    assert "письмо слишком большое" in str(too_big.value)
    with pytest.raises(MailRejected) as empty:
        parse_mail(b" \r\n")
    assert empty.value.code == 554
    # SMTP's envelope sender stands in when the headers have no address
    parsed = parse_mail(b"Subject: hi\r\n\r\nbody\r\n", envelope_from="ivan@mail.example")
    assert parsed.inbound is not None
    assert parsed.inbound.sender_value == "ivan@mail.example"


def test_a_second_from_header_names_the_sender_before_reply_to() -> None:
    """Issue 14: with two From headers, the first without an address, the sender was taken from
    Reply-To instead of the second From."""
    raw = (
        b"From: undisclosed-sender\r\nFrom: =?utf-8?b?0JjQstCw0L0=?= <ivan@mail.example>\r\n"
        b"Reply-To: list@lists.example\r\nSubject: two From\r\nMessage-ID: <two-from@mail.example>\r\n\r\nbody\r\n"
    )
    parsed = parse_mail(raw)
    assert parsed.inbound is not None
    assert (parsed.inbound.sender_value, parsed.inbound.display_name) == ("ivan@mail.example", "Иван")


def _outbound(*refs: str) -> OutboundMessage:
    return OutboundMessage(message_id=9, ticket_id=5, channel="email", recipient="ivan@mail.example", text="Ответ",
                           subject="Заказ", agent_name="Анна", reply_to_external_ids=refs)  # fmt: skip


def test_outbound_threading_headers_use_only_real_message_ids() -> None:
    adapter = EmailAdapter("smtp://127.0.0.1:2525", "support@shop.example")
    mail = adapter.compose(_outbound("<c1@mail.example>", "<nomsgid.ab@otklik.invalid>", "vk:123", "<c2@mail.example>"))
    assert mail["Message-ID"] == "<otklik.5.9@shop.example>"
    assert mail["In-Reply-To"] == "<c2@mail.example>"
    assert mail["References"] == "<c1@mail.example> <nomsgid.ab@otklik.invalid> <c2@mail.example>"
    assert mail["Subject"] == "Re: Заказ [#5]"
    # issue 12: a portal sign-in link is about no ticket: no «Re:», no «[#0]»
    link = OutboundMessage(message_id=7, ticket_id=0, channel="email", recipient="ivan@mail.example",
                           text="Ссылка для входа", subject="Вход в личный кабинет / Sign in")  # fmt: skip
    assert adapter.compose(link)["Subject"] == "Вход в личный кабинет / Sign in"
    bare = adapter.compose(_outbound("not-a-message-id"))
    assert bare["In-Reply-To"] is None
    assert bare["References"] is None
    assert is_our_message_id("<otklik.5.9@Shop.Example>", "shop.example")
    assert not is_our_message_id("<otklik.5.9@shop.example.evil>", "shop.example")
    assert not is_our_message_id("<5.9@shop.example>", "shop.example")
