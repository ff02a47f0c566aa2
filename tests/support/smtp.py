"""A real SMTP server for tests (aiosmtpd on a free port) that keeps what it receives,
and can refuse, drop the connection in the middle of a message, or never answer."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.ports import free_port


@dataclass
class Received:
    sender: str
    to: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.raw, policy=DEFAULT_POLICY)
        assert isinstance(msg, EmailMessage)
        return msg

    def body(self, subtype: str = "plain") -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        assert part is not None
        return str(part.get_content())


@dataclass
class Handler:
    """``mode``: ``ok``; ``refuse`` (every recipient: 550); ``busy`` (every message: 451);
    ``drop`` (the connection closed after the message's data was read, before the reply);
    ``slow`` (each message answered after ``delay`` seconds)."""

    mode: str = "ok"
    delay: float = 1.0
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.mode == "refuse":
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mode == "busy":
            return "451 4.3.0 try again later"
        if self.mode == "slow":
            import asyncio

            await asyncio.sleep(self.delay)
        if self.mode == "drop":
            server.transport.close()
            return "250 never said"
        with self.lock:
            self.got.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted"


@contextmanager
def smtp_server(mode: str = "ok") -> Iterator[tuple[str, Handler]]:
    """A running server: its ``smtp://`` URL and its handler (``handler.mode`` can be
    changed while it runs)."""
    handler = Handler(mode)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", handler
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never says a word: its ``smtp://`` URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"smtp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for c in held:
            c.close()
        listener.close()
