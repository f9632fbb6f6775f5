"""The whole corpus through the listener's intake path into the database (SQLite and PostgreSQL):
no crash and no loss — each mail stored with its original bytes and kept files, or skipped or
refused for its stated reason; a second delivery of the lot changes nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.cli.mail import take_mail
from otklik.core import clock
from otklik.messages.models import Attachment, Message, MessageSource
from tests.channels.email.test_corpus import CASES, CORPUS, EXPECTED, POLICY


def test_every_mail_of_the_corpus_is_stored_skipped_or_refused_as_expected(
    session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    stored: dict[str, int] = {}
    for name in CASES:
        raw = (CORPUS / f"{name}.eml").read_bytes()
        want = EXPECTED["cases"][name]
        outcome = take_mail(session_factory, raw, POLICY)
        assert outcome.final, (name, outcome)
        if "rejected" in want:
            assert outcome.refused, (name, outcome)
            assert outcome.reply.startswith(str(want["rejected"])), (name, outcome)
        elif "skipped" in want:
            assert outcome.skipped == want["skipped"], (name, outcome)
        else:
            assert outcome.message_id is not None, (name, outcome)
            assert not outcome.duplicate, (name, outcome)
            stored[name] = outcome.message_id
    assert len(stored) >= 50
    with session_factory() as session:
        for name, message_id in stored.items():
            raw = (CORPUS / f"{name}.eml").read_bytes()
            source = session.get(MessageSource, message_id)
            assert source is not None, name
            assert source.content == raw, name
            message = session.get(Message, message_id)
            assert message is not None, name
            assert message.text.strip(), name
            kept = session.scalars(select(Attachment.filename).where(Attachment.message_id == message_id)).all()
            if "attachments" in EXPECTED["cases"][name]:
                assert sorted(kept) == sorted(EXPECTED["cases"][name]["attachments"]), name
        total = session.scalar(select(func.count()).select_from(Message))

    again = [take_mail(session_factory, (CORPUS / f"{name}.eml").read_bytes(), POLICY) for name in stored]
    assert all(o.duplicate and o.message_id == stored[name] for name, o in zip(stored, again, strict=True))
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == total
