"""Test stand-ins for mail: an SMTP sink (our relay), an SMTP client that reads the DATA reply,
and a minimal IMAP4rev1 server on 127.0.0.1 speaking just enough of RFC 3501 for imaplib.
"""

from __future__ import annotations

import re
import smtplib
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.message import Message as MailMessage
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """The outbound relay: keeps every mail it accepts, bytes and parsed."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    @property
    def mails(self) -> list[MailMessage]:
        return [message_from_bytes(data, policy=policy.default) for data in self.raw]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(bytes(envelope.original_content or envelope.content))
        return "250 OK"


def smtp_send(port: int, mail: EmailMessage | bytes, *, mail_from: str | None = None, to: str = "support@shop.example"
              ) -> tuple[int, str]:  # fmt: skip
    """Deliver one mail the way an MTA does and return the reply to DATA (code, text)."""
    data = mail.as_bytes() if isinstance(mail, EmailMessage) else mail
    data = re.sub(rb"\r?\n", b"\r\n", data)  # SMTP lines end in CRLF (smtplib leaves bytes alone)
    if mail_from is None:
        found = re.search(rb"^From:.*?<?([^<>\s]+@[^<>\s]+)>?\s*$", data, re.MULTILINE | re.IGNORECASE)
        mail_from = found.group(1).decode() if found else ""
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        client.ehlo("client.example")
        code, text = client.mail(mail_from)
        assert code == 250, text
        code, text = client.rcpt(to)
        assert code == 250, text
        code, text = client.data(data)
    return code, text.decode("ascii", "replace")


# --- IMAP ---------------------------------------------------------------------------------------


@dataclass
class StoredMail:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    """What the stand-in serves: one folder, one account; ``commands`` records what the client said."""

    user: str = "desk"
    password: str = "s3cret pass"
    mails: list[StoredMail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    fail_next_store: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, *flags: str) -> StoredMail:
        mail = StoredMail(uid=len(self.mails) + 101, raw=raw, flags=set(flags))
        self.mails.append(mail)
        return mail

    def by_uid(self, uid: str) -> tuple[int, StoredMail] | None:
        for number, mail in enumerate(self.mails, start=1):
            if str(mail.uid) == uid:
                return number, mail
        return None


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\(.*\))|(\S+)')


class _Session(socketserver.StreamRequestHandler):
    server: ImapStandIn

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # many small replies

    def reply(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.reply("* OK [CAPABILITY IMAP4rev1] Otklik test stand-in ready")
        authenticated = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            tokens = [a or b or c for a, b, c in _TOKEN.findall(rest)]
            if not tokens:
                self.reply(f"{tag} BAD empty command")
                continue
            command = tokens[0].upper()
            box = self.server.mailbox
            box.commands.append(" ".join([command, *tokens[1:]]) if command != "LOGIN" else "LOGIN ***")
            if command == "CAPABILITY":
                self.reply("* CAPABILITY IMAP4rev1")
                self.reply(f"{tag} OK CAPABILITY completed")
            elif command == "LOGIN":
                if tokens[1:3] == [box.user, box.password]:
                    authenticated = True
                    self.reply(f"{tag} OK LOGIN completed")
                else:
                    self.reply(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
            elif command == "LOGOUT":
                self.reply("* BYE logging out")
                self.reply(f"{tag} OK LOGOUT completed")
                return
            elif command == "NOOP":
                self.reply(f"{tag} OK NOOP completed")
            elif not authenticated:
                self.reply(f"{tag} NO log in first")
            elif command == "SELECT":
                if tokens[1].strip('"').upper() != "INBOX":
                    self.reply(f"{tag} NO [NONEXISTENT] no such mailbox")
                    continue
                self.reply(f"* {len(box.mails)} EXISTS")
                self.reply("* FLAGS (\\Seen \\Flagged)")
                self.reply(f"{tag} OK [READ-WRITE] SELECT completed")
            elif command == "UID":
                self.uid_command(tag, tokens[1].upper(), tokens[2:])
            else:
                self.reply(f"{tag} BAD {command} is not spoken here")

    def uid_command(self, tag: str, command: str, args: list[str]) -> None:
        box = self.server.mailbox
        with box.lock:
            if command == "SEARCH" and [a.upper() for a in args] == ["UNSEEN"]:
                uids = " ".join(str(m.uid) for m in box.mails if "\\Seen" not in m.flags)
                self.reply(f"* SEARCH {uids}".rstrip())
                self.reply(f"{tag} OK SEARCH completed")
                return
            found = box.by_uid(args[0]) if args else None
            if found is None:
                self.reply(f"{tag} BAD unknown UID or command")
                return
            number, mail = found
            if command == "FETCH":
                what = args[1].upper()
                if "PEEK" not in what:
                    mail.flags.add("\\Seen")  # like a real server: a plain fetch marks the mail read
                self.wfile.write(f"* {number} FETCH (UID {mail.uid} BODY[] {{{len(mail.raw)}}}\r\n".encode())
                self.wfile.write(mail.raw)
                self.reply(")")
                self.reply(f"{tag} OK FETCH completed")
            elif command == "STORE" and args[1].upper() == "+FLAGS":
                if box.fail_next_store:
                    box.fail_next_store = False
                    self.reply(f"{tag} NO [UNAVAILABLE] try again later")
                    return
                mail.flags.update(args[2].strip("()").split())
                self.reply(f"* {number} FETCH (UID {mail.uid} FLAGS ({' '.join(sorted(mail.flags))}))")
                self.reply(f"{tag} OK STORE completed")
            else:
                self.reply(f"{tag} BAD {command} is not spoken here")


class ImapStandIn(socketserver.ThreadingTCPServer):
    """``with ImapStandIn(mailbox) as server:`` serves on 127.0.0.1:``server.port`` in a thread."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.mailbox = mailbox
        self.port = int(self.server_address[1])
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> ImapStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)

    def url(self, password: str | None = None) -> str:
        secret = (password if password is not None else self.mailbox.password).replace(" ", "%20")
        return f"imap://{self.mailbox.user}:{secret}@127.0.0.1:{self.port}/INBOX"
