"""The pieces every messenger shares: the download step between parse and storing, long texts, words."""

from __future__ import annotations

import pytest

from otklik.channels.base import (
    MAX_ATTACHMENT_BYTES,
    FileFetchError,
    FileRef,
    FileTooLarge,
    InboundMessage,
    WebhookOutcome,
    describe,
    fetch_files,
    read_capped,
    send_failure,
    split_text,
)
from otklik.channels.files import screen
from otklik.core.taxonomy import Channel, IdentityKind


class Shelf:
    """A fetcher whose files are whatever the test put on the shelf; missing ones cannot be had."""

    def __init__(self, **files: bytes) -> None:
        self.files = files
        self.asked: list[str] = []

    def fetch_file(self, ref: FileRef) -> bytes:
        self.asked.append(ref.ref)
        if ref.ref not in self.files:
            raise FileFetchError("404 from the channel")
        return self.files[ref.ref]


def message(*files: FileRef, text: str = "Смотрите вложения") -> InboundMessage:
    return InboundMessage(Channel.TELEGRAM, "1:1", IdentityKind.TELEGRAM, "1", text, files=files)


def test_fetched_files_become_attachments_and_failures_become_notes() -> None:
    shelf = Shelf(a=b"\xff\xd8\xffjpeg", big=b"x" * (MAX_ATTACHMENT_BYTES + 1))
    outcome = WebhookOutcome(
        (
            message(
                FileRef("a", "a.jpg", "image/jpeg"),
                FileRef("gone", "gone.pdf", "application/pdf"),
                FileRef("huge", "huge.zip", "application/zip", size=MAX_ATTACHMENT_BYTES + 1),
                FileRef("big", "big.bin", "application/octet-stream"),
            ),
            message(text="Без файлов"),
        ),
        reply_text="ok",
    )
    done = fetch_files(shelf, outcome, screen)
    first, second = done.messages
    assert [(a.filename, a.data) for a in first.attachments] == [("a.jpg", b"\xff\xd8\xffjpeg")]
    assert first.files == ()
    assert first.text.splitlines() == [
        "Смотрите вложения",
        "[файл «gone.pdf» не удалось загрузить / file “gone.pdf” could not be downloaded: 404 from the channel]",
        "[файл «huge.zip» больше 10 МБ, не сохранён / file “huge.zip” is over 10 MB, not stored]",
        "[файл «big.bin» больше 10 МБ, не сохранён / file “big.bin” is over 10 MB, not stored]",
    ]
    assert shelf.asked == ["a", "gone", "big"]  # an announced oversize is never downloaded
    assert second == outcome.messages[1]
    assert done.reply_text == "ok"


def test_a_download_stops_as_soon_as_it_is_too_large() -> None:
    chunks = iter([b"x" * MAX_ATTACHMENT_BYTES, b"y", b"never read"])
    with pytest.raises(FileTooLarge):
        read_capped(chunks)
    assert next(chunks) == b"never read"
    assert read_capped([b"ab", b"c"]) == b"abc"


@pytest.mark.parametrize(
    ("text", "limit", "pieces"),
    [
        ("коротко", 10, ["коротко"]),
        ("", 10, [""]),
        ("первая строка\nвторая строка", 16, ["первая строка", "вторая строка"]),
        ("слово слово слово", 12, ["слово слово", "слово"]),
        ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
    ],
)
def test_long_texts_are_cut_where_a_reader_expects(text: str, limit: int, pieces: list[str]) -> None:
    assert split_text(text, limit) == pieces
    assert all(len(p) <= limit for p in split_text(text, limit))


def test_placeholders_and_failures_speak_both_languages() -> None:
    assert describe("sticker", "😀") == "[Стикер 😀 / Sticker 😀]"
    assert describe("hologram") == "[Сообщение типа «hologram» / A message of type “hologram”]"
    refused = send_failure("VK", "5: invalid access_token", credentials=True)
    assert (refused.permanent, refused.credentials_rejected) == (True, True)
    assert refused.error == "VK не принимает наши ключи / VK refused our credentials — 5: invalid access_token"
    retry = send_failure("VK", "10: Internal server error")
    assert (retry.sent, retry.permanent) == (False, False)


def test_messenger_files_pass_the_same_policy_as_mail() -> None:
    shelf = Shelf(tool=b"MZ\x90\x00 a windows program", fake=b"<html>not a picture</html>")
    outcome = WebhookOutcome(
        (
            message(
                FileRef("tool", "накладная.exe", "application/octet-stream"),
                FileRef("fake", "photo.jpg", "image/jpeg"),
            ),
        )
    )
    (only,) = fetch_files(shelf, outcome, screen).messages
    assert only.attachments == ()
    notes = only.text.splitlines()[1:]
    assert notes[0].startswith("[вложение не принято / attachment not accepted: накладная.exe")
    assert "content is not image/jpeg" in notes[1]
