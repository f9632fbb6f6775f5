"""Chinese, Japanese and Korean mail read as mail clients read it (issue 14): wider tables for narrow
labels (the WHATWG Encoding Standard's: «gb2312» is GBK, «ks_c_5601-1987» is Windows-949, Shift_JIS is
Windows-31J, ISO-2022-JP carries the NEC rows), raw 8-bit headers and unlabelled parts read in a
charset the mail declares elsewhere, an HTML part by its own ``<meta charset>``, and unlabelled bytes
guessed among the tables mail is written in instead of always as Russian.

Each mail is built here byte for byte in the shape the defect was seen in; each failed before.
"""

from __future__ import annotations

import base64

import pytest

from otklik.channels.adapters.email_parse import ParsedMail, parse_mail
from otklik.channels.adapters.email_text import decode_iso2022_jp, guess_decode

SENDER = b"buyer@shop.example.cn"


def mail(headers: bytes, body: bytes, content_type: bytes = b"text/plain", charset: bytes | None = None) -> bytes:
    label = b"; charset=" + charset if charset else b""
    return (
        b"From: " + SENDER + b"\r\n"
        b"To: support@otklik.local\r\n"
        b"Message-ID: <cjk-1@shop.example.cn>\r\n"
        b"Date: Mon, 07 Dec 2026 10:00:00 +0800\r\n"
        + headers
        + b"MIME-Version: 1.0\r\nContent-Type: "
        + content_type
        + label
        + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )


def parsed(raw: bytes) -> ParsedMail:
    result = parse_mail(raw)
    assert result.inbound is not None, result.reason
    return result


def test_a_part_labelled_gb2312_whose_bytes_are_gbk_reads_whole() -> None:
    words = "我們的訂單還沒有到，請幫忙查詢。"  # traditional characters: in GBK, not in GB2312
    inbound = parsed(mail(b"Subject: order\r\n", words.encode("gbk"), charset=b"gb2312")).inbound
    assert inbound is not None
    assert inbound.text == words
    assert "\ufffd" not in inbound.text


def test_raw_8bit_chinese_headers_are_read_in_the_charset_the_body_declares() -> None:
    subject, name, words = "订单没有到", "王小明", "您好，我的订单三天了还没有到。"
    headers = b"Subject: " + subject.encode("gb2312") + b"\r\n"
    raw = mail(headers, words.encode("gb2312"), charset=b"gb2312")
    raw = raw.replace(b"From: " + SENDER, b"From: " + name.encode("gb2312") + b" <" + SENDER + b">")
    inbound = parsed(raw).inbound
    assert inbound is not None
    assert (inbound.subject, inbound.display_name, inbound.text) == (subject, name, words)


def test_raw_shift_jis_subject_is_read_in_the_bodys_shift_jis() -> None:
    subject, words = "注文の件について", "注文した商品がまだ届きません。確認をお願いします。"
    raw = mail(b"Subject: " + subject.encode("cp932") + b"\r\n", words.encode("cp932"), charset=b"shift_jis")
    inbound = parsed(raw).inbound
    assert inbound is not None
    assert (inbound.subject, inbound.text) == (subject, words)


def test_an_html_part_without_a_mime_charset_is_read_by_its_own_meta() -> None:
    words = "您好，请问我的退款什么时候到账？"
    html = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>'
    inbound = parsed(mail(b"Subject: refund\r\n", html + words.encode("gb2312") + b"</p></body></html>",
                          content_type=b"text/html")).inbound  # fmt: skip
    assert inbound is not None
    assert inbound.text == words


def test_an_attachment_named_in_raw_gb2312_keeps_its_name() -> None:
    name = "发票.pdf"
    boundary = b"b1"
    body = (
        b"--b1\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "发票在附件里。".encode("gb2312")
        + b'\r\n--b1\r\nContent-Type: application/pdf; name="'
        + name.encode("gb2312")
        + b'"\r\n'
        b'Content-Disposition: attachment; filename="' + name.encode("gb2312") + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"%PDF-1.4 invoice\n%%EOF\n") + b"\r\n--b1--"
    )
    raw = mail(b"Subject: invoice\r\n", body, content_type=b'multipart/mixed; boundary="' + boundary + b'"')
    inbound = parsed(raw).inbound
    assert inbound is not None
    assert [a.filename for a in inbound.attachments] == [name]


def test_iso_2022_jp_with_nec_special_characters_reads_whole() -> None:
    # ①② and ㈱ live in the NEC row 13 of JIS X 0208 as Windows writes it (CP50220): ESC $ B, then 0x2D21…
    nec = b'\x1b$B-!-"-j\x1b(B'
    words = "テスト"
    body = nec + b" " + words.encode("iso2022_jp")
    inbound = parsed(mail(b"Subject: =?ISO-2022-JP?B?" + base64.b64encode(nec) + b"?=\r\n", body,
                          charset=b"iso-2022-jp")).inbound  # fmt: skip
    assert inbound is not None
    assert inbound.subject == "①②㈱"
    assert inbound.text == "①②㈱ テスト"


def test_iso_2022_jp_half_width_katakana_and_plain_text_round_trip() -> None:
    assert decode_iso2022_jp(b"abc \x1b(I\x36\x45\x1b(B def") == "abc ｶﾅ def"
    assert decode_iso2022_jp("お問い合わせ".encode("iso2022_jp")) == "お問い合わせ"


def test_ks_c_5601_mail_with_a_windows_949_syllable_reads_whole() -> None:
    words = "똠양꿍 주문 취소해 주세요"  # «똠» is in Windows-949, not in KS X 1001 (EUC-KR)
    inbound = parsed(mail(b"Subject: cancel\r\n", words.encode("cp949"), charset=b"ks_c_5601-1987")).inbound
    assert inbound is not None
    assert inbound.text == words


@pytest.mark.parametrize(
    ("words", "table"),
    [
        ("你好，我的订单还没到，请帮忙查一下", "gbk"),
        ("注文した商品がまだ届きません", "cp932"),
        ("주문한 상품이 아직 도착하지 않았습니다", "cp949"),
        ("我的訂單還沒到", "big5"),
        ("Заказ", "cp1251"),  # a one-word Russian subject stays Russian
        ("Здравствуйте, где мой заказ?", "koi8_r"),
    ],
)
def test_unlabelled_8bit_text_is_guessed_among_the_tables_mail_is_written_in(words: str, table: str) -> None:
    assert guess_decode(words.encode(table)) == words


def test_unlabelled_chinese_mail_with_no_charset_anywhere_is_not_read_as_russian() -> None:
    words = "你好，我的订单还没到，请帮忙查一下。谢谢！"
    inbound = parsed(mail(b"Subject: " + "订单".encode("gbk") + b"\r\n", words.encode("gbk"))).inbound
    assert inbound is not None
    assert inbound.text == words
    assert inbound.subject == "订单"
