"""Real-world mail that nobody on the team wrote (issue 14): the test mails of two other projects
(``tests/channels/fixtures/email_real``, sources and licences in its README) through ``parse_mail``.

Every mail is taken, skipped for a named reason, or refused with an SMTP code — never a crash; and
the mails that showed a defect are read as a mail client reads them. Then the broken header blocks
the issue names, built here in the shape they were seen in: a first line that is no header, base64
lines among the headers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from otklik.channels.adapters.email_parse import MailRejected, ParsedMail, Skip, parse_mail
from otklik.channels.adapters.email_repair import repair_header_block
from otklik.channels.base import InboundMessage

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "email_real"
MAILS = sorted(REAL.rglob("*.eml"))

#: mails with no sender address at all: refused at SMTP with a code, never stored from nobody
NO_SENDER = {
    "flanker/attached-pdf.eml",  # a test message sent with curl: no From header
    "flanker/bounce--delayed-broken.eml",  # the inner part of a bounce, headers of the report only
    "mail-parser/mail_outlook_1.eml",  # an Outlook .msg (OLE) file, not MIME at all
}
#: bounces, read receipts and list mail: no customer's words, skipped with the reason
SKIPPED = {
    "flanker/apache-message-news-mime.eml": Skip.AUTO_REPLY,  # Precedence: bulk
    "flanker/from-encoding.eml": Skip.AUTO_REPLY,
    "flanker/message-external-body.eml": Skip.AUTO_REPLY,
    "flanker/disposition-notification.eml": Skip.AUTO_REPLY,  # a read receipt
    "flanker/bounce--delayed.eml": Skip.BOUNCE,
    "flanker/bounce--gmail-invalid-address.eml": Skip.BOUNCE,
    "flanker/bounce--gmail-no-dns.eml": Skip.BOUNCE,
    "flanker/bounce--mailbox-full.eml": Skip.BOUNCE,
    "flanker/bounce--no-mx.eml": Skip.BOUNCE,
    "flanker/bounce--office365.eml": Skip.BOUNCE,
    "flanker/bounce--zed.eml": Skip.BOUNCE,
    "mail-parser/mail_malformed_2.eml": Skip.BOUNCE,
    "mail-parser/mail_test_16.eml": Skip.AUTO_REPLY,  # Precedence: junk
    "mail-parser/mail_test_5.eml": Skip.AUTO_REPLY,
}


def name_of(path: Path) -> str:
    return path.relative_to(REAL).as_posix()


def test_the_corpus_is_there() -> None:
    assert len(MAILS) >= 60
    assert {name_of(p) for p in MAILS} >= NO_SENDER | SKIPPED.keys()


@pytest.mark.parametrize("path", MAILS, ids=name_of)
def test_every_real_mail_is_taken_skipped_or_refused_never_a_crash(path: Path) -> None:
    name = name_of(path)
    raw = path.read_bytes()
    if name in NO_SENDER:
        with pytest.raises(MailRejected) as refused:
            parse_mail(raw)
        assert (refused.value.code, refused.value.status) == (550, "5.1.7")
        return
    result = parse_mail(raw)
    if name in SKIPPED:
        assert result.inbound is None
        assert result.skipped == SKIPPED[name]
        return
    assert result.inbound is not None, f"{name}: {result.skipped} {result.reason}"
    assert "@" in result.inbound.sender_value
    assert result.inbound.text.strip()
    assert result.inbound.source == raw  # the original bytes travel whole, repaired or not


def taken(name: str) -> ParsedMail:
    result = parse_mail((REAL / name).read_bytes())
    assert result.inbound is not None, result.reason
    return result


def test_an_attachment_name_of_replacement_marks_no_longer_recurses_without_end() -> None:
    mail = taken("flanker/outlook-express.eml").inbound
    assert mail is not None
    assert (mail.sender_value, mail.display_name, mail.subject) == ("bob@example.com", "Bobby", "Sup?")
    assert [a.filename for a in mail.attachments] == ["�½� �ı��ĵ�.txt"]  # what the mail itself says


def test_a_utf8_body_with_one_stray_byte_stays_utf8_not_chinese() -> None:
    mail = taken("mail-parser/mail_test_6.eml").inbound
    assert mail is not None
    assert "Профиль" in mail.text
    assert "Не пересылайте данное письмо" in mail.text
    assert "袩褉芯" not in mail.text  # «Профиль» read as GB18030
    assert mail.text.count("\ufffd") == 1  # the one byte that is no UTF-8 shows as one mark


def test_a_body_labelled_gb2312_whose_bytes_are_utf8_is_read_as_utf8() -> None:
    mail = taken("mail-parser/mail_test_12.eml").inbound
    assert mail is not None
    assert (mail.display_name, mail.subject) == ("张先生", "代开各地增值税发票")
    assert mail.text.startswith("你好！我公司可代开各类增值税发票")
    assert "\ufffd" not in mail.text


def test_raw_utf8_names_cut_inside_a_letter_are_not_read_as_koi8() -> None:
    sender = taken("flanker/mailformed-headers.eml").inbound
    assert sender is not None
    assert sender.display_name is not None
    assert sender.display_name.startswith("Юникод запрещен")
    attachment = taken("flanker/russian-attachment-yahoo.eml").inbound
    assert attachment is not None
    assert attachment.attachments[0].filename.startswith("Картинка с очень, очень длинным предлинным именем")


@pytest.mark.parametrize(
    ("name", "sender", "display_name", "subject"),
    [
        ("mail-parser/mail_test_1.eml", "suvorov.s@nalg.ru", "служба ФНС Даниил Суворов", "письмо уведом-е"),
        ("mail-parser/mail_test_9.eml", "zyb@sgis.com.cn", "xwfcpggy", None),
        ("mail-parser/mail_test_18.eml", "comma.name@example.com", "LastßlName, FirstName", None),
        ("flanker/bilingual-simple.eml", "hello@example.com", "Hello", "Simple text. How are you? Как ты поживаешь?"),
        ("flanker/encoded-header.eml", "foo.bar@example.com", "Foo, Bar", "hello"),
        ("flanker/spam--broken-headers.eml", "admin@advertise-bz.cn", "Link Directory SUbmitter", None),
        ("mail-parser/mail_malformed_3.eml", "smgsiso@yahoo.com.mx", "El Punto de los Frutos & Verdes", None),
    ],
)
def test_senders_and_subjects_of_real_mail(name: str, sender: str, display_name: str, subject: str | None) -> None:
    mail = taken(name).inbound
    assert mail is not None
    assert (mail.sender_value, mail.display_name) == (sender, display_name)
    if subject is not None:
        assert mail.subject == subject
    assert "\ufffd" not in (mail.subject or "")


# --- broken header blocks -------------------------------------------------------------------------

TAIL = (
    b"Subject: =?utf-8?B?0JfQsNC60LDQtyDQvdC1INC/0YDQuNGI0ZHQuw==?=\r\nTo: support@otklik.local\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "Где мой заказ?\r\n".encode()
)


def test_a_first_line_that_is_no_header_no_longer_hides_from_and_subject() -> None:
    raw = b"Hello from a broken gateway\r\nFrom: Ivan <ivan@example.ru>\r\n" + TAIL
    mail = taken_raw(raw)
    assert (mail.sender_value, mail.subject) == ("ivan@example.ru", "Заказ не пришёл")
    assert mail.text.strip() == "Где мой заказ?"


def test_base64_lines_among_the_headers_are_dropped_and_the_headers_after_them_kept() -> None:
    raw = (
        b"From: Ivan <ivan@example.ru>\r\nMIME-Version: 1.0\r\n"
        b"PGh0bWw+PGhlYWQ+PC9oZWFkPjxib2R5Pjxicj4NCjx0YWJsZSANCnN0eWxlPSJGT05ULVNJ\r\n"
        b"WkU6IDEycHg7IEZPTlQtRkFNSUxZOiBBcmlhbCwgSGVsdmV0aWNhLCBzYW5zLXNlcmlmOyBD\r\n" + TAIL
    )
    mail = taken_raw(raw)
    assert (mail.sender_value, mail.subject) == ("ivan@example.ru", "Заказ не пришёл")
    assert "PGh0bWw" not in mail.text


def test_a_mail_without_a_blank_line_after_its_headers_keeps_its_body() -> None:
    raw = "From: ivan@example.ru\nSubject: ok\nГде мой заказ?\nSecond line: still the body\n".encode()
    mail = taken_raw(raw)
    assert mail.subject == "ok"
    assert mail.text.split() == ["Где", "мой", "заказ?", "Second", "line:", "still", "the", "body"]


@pytest.mark.parametrize(
    "raw",
    [
        b"From: ivan@example.ru\r\nSubject: ok\r\n\r\nbody\r\nnot: a header\r\n",
        b"From ivan@example.ru Mon Jan  1 00:00:00 2024\nFrom: ivan@example.ru\nSubject: ok\n\nbody\n",
        b"Received: by a\r\n\tfolded; Mon\r\nFrom: ivan@example.ru\r\n\r\nbody",
        b"",
    ],
)
def test_a_sound_header_block_is_left_as_it_came(raw: bytes) -> None:
    assert repair_header_block(raw) is raw


def taken_raw(raw: bytes) -> InboundMessage:
    result = parse_mail(raw)
    assert result.inbound is not None, result.reason
    assert result.inbound.source == raw
    return result.inbound
