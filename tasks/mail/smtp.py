"""Send the outbox through ``CHISO_SMTP_URL``, within bounds: each SMTP step times out
after 30 s and a run spends at most 2 minutes on mail; a server that is down, silent or
refusing never fails a run, and what was not sent waits for a later one."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine

from models.mail import Mail, MailState
from tasks.mail.outbox import mark, sendable, take

STEP_SECONDS = 30.0
RUN_SECONDS = 120.0


class SmtpUrlError(ValueError):
    """``CHISO_SMTP_URL`` is not a mail server's address."""


@dataclass(frozen=True)
class Server:
    tls: bool  # smtps: TLS from the start; smtp: STARTTLS when the server offers it
    host: str
    port: int
    user: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> Server:
        """``smtp://[user:password@]host[:port]`` or ``smtps://…`` (user and password
        percent-encoded)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpUrlError(
                "CHISO_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465"
            )
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise SmtpUrlError("CHISO_SMTP_URL has a port that is not a number") from None
        return cls(
            parts.scheme == "smtps",
            parts.hostname,
            port,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )


@dataclass
class Sending:
    """What a run did with the outbox."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)  # refused or cut off: waiting again
    dropped: list[int] = field(default_factory=list)
    stopped: str | None = None  # why sending stopped before the outbox was empty

    @property
    def tried(self) -> list[int]:
        """Every mail this run took, whatever became of it."""
        return self.sent + self.retry + self.dropped


def message(mail: Mail, sender: str) -> EmailMessage:
    """The mail as sent: UTF-8 text and HTML alternatives, the subject encoded (RFC 2047)."""
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = sender
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid("chiso", domain=sender.rpartition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    msg.set_content(mail.text, charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    return msg


def _connect(conn: smtplib.SMTP, server: Server) -> None:
    """Connect ``conn`` (made unconnected, so the run's watchdog can close its socket while
    it connects), greet, STARTTLS when offered, log in."""
    conn.connect(server.host, server.port)
    conn.ehlo()
    if not server.tls and conn.has_extn("starttls"):
        conn.starttls(context=ssl.create_default_context())
        conn.ehlo()
    if server.user:
        conn.login(server.user, server.password or "")


def _unconnected(server: Server, timeout: float) -> smtplib.SMTP:
    if server.tls:
        return smtplib.SMTP_SSL(timeout=timeout, context=ssl.create_default_context())
    return smtplib.SMTP(timeout=timeout)


def _said(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{c} {m.decode(errors='replace')}" for c, m in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        said = exc.smtp_error
        return (
            f"{exc.smtp_code} {said.decode(errors='replace') if isinstance(said, bytes) else said}"
        )
    return f"{type(exc).__name__}: {exc}"


def send_outbox(
    engine: Engine,
    smtp_url: str | None,
    sender: str,
    still_due: Callable[[Mail], bool] = lambda m: True,
    run_seconds: float | None = None,
    step_seconds: float | None = None,
) -> Sending:
    """Send what waits in the outbox, oldest first, over one connection; ``still_due``
    says whether a mail is still true (a reminder to a unit that reported meanwhile is
    dropped). Never raises for the mail server's sake."""
    done = Sending()
    if not smtp_url:
        done.stopped = "no mail server (CHISO_SMTP_URL is not set)"
        return done
    server = Server.parse(smtp_url)
    run_seconds = RUN_SECONDS if run_seconds is None else run_seconds
    step_seconds = STEP_SECONDS if step_seconds is None else step_seconds
    deadline = time.monotonic() + run_seconds
    conn = _unconnected(server, step_seconds)
    connected = False
    # the run's bound, whatever the server does: at the deadline the socket is closed
    # under a step that still waits (each step's own timeout is ``step_seconds``)
    cut = threading.Event()

    def cut_off() -> None:
        cut.set()
        if conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.close()

    watchdog = threading.Timer(run_seconds, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        last = 0  # each mail is tried once a run, in order
        while ids := sendable(engine, datetime.now(UTC), after=last):
            last = ids[-1]
            for mail_id in ids:
                if cut.is_set() or time.monotonic() >= deadline:
                    done.stopped = f"the run's {run_seconds:g} s for mail ran out"
                    return done
                mail = take(engine, mail_id, datetime.now(UTC))
                if mail is None:
                    continue  # another run took it
                if not still_due(mail):
                    mark(engine, mail_id, MailState.DROPPED)
                    done.dropped.append(mail_id)
                    continue
                try:
                    if not connected:
                        _connect(conn, server)
                        connected = True
                    conn.send_message(message(mail, sender), sender, [mail.recipient])
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError,
                ) as exc:  # this mail only: the next may pass
                    mark(engine, mail_id, MailState.WAITING, _said(exc))
                    done.retry.append(mail_id)
                    continue
                except Exception as exc:  # the server or the connection: stop for this run
                    mark(engine, mail_id, MailState.WAITING, _said(exc))
                    done.retry.append(mail_id)
                    done.stopped = "the mail server: " + _said(exc)
                    if cut.is_set():
                        done.stopped = f"the run's {run_seconds:g} s for mail ran out"
                    return done
                mark(engine, mail_id, MailState.SENT)
                done.sent.append(mail_id)
        return done
    finally:
        watchdog.cancel()
        if connected:
            try:
                conn.quit()
            except Exception:
                conn.close()
        else:
            conn.close()
