"""Receiving a sent file: the multipart body streamed to a temporary file beside its
destination, never held whole in memory, refused as soon as it passes the size limit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from portal.context import Portal
from portal.errors import PortalError
from tasks.intake.upload import temp_file

FIELD_MAX = 200  # bytes of a plain form field (period, csrf)
SLACK = 64 * 1024  # the form's own bytes around the file


@dataclass
class Received:
    """A sent form: its small fields, and its file (written to ``path``)."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    path: Path | None = None
    size: int = 0
    sha256: str = ""

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


class _Parts:
    """The parser's callbacks: headers per part, a field's bytes, the file's bytes."""

    def __init__(self, p: Portal, unit: str, out: Received) -> None:
        self.p, self.unit, self.out = p, unit, out
        self.headers: dict[bytes, bytes] = {}
        self.name: bytes = b""
        self.value = bytearray()
        self.is_file = False
        self.file: Any = None
        self.hash = hashlib.sha256()
        self._field, self._value = bytearray(), bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.begin,
            "on_header_field": lambda d, s, e: self._field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_done,
            "on_part_data": self.data,
            "on_part_end": self.end,
        }

    def begin(self) -> None:
        self.headers, self.value, self.is_file = {}, bytearray(), False

    def header_end(self) -> None:
        self.headers[bytes(self._field).lower()] = bytes(self._value)
        self._field, self._value = bytearray(), bytearray()

    def headers_done(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = params.get(b"name", b"")
        if self.name == b"file" and b"filename" in params:
            if self.out.path is not None:
                raise PortalError("bad_request", "one file per request")
            self.is_file = True
            self.out.filename = params[b"filename"].decode("utf-8", "replace")
            self.out.path = temp_file(self.p.source, self.unit)
            self.file = self.out.path.open("wb")

    def data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.is_file:
            self.out.size += len(chunk)
            if self.out.size > self.p.max_file_bytes:
                raise PortalError("too_large", f"at most {self.p.max_file_bytes} bytes")
            self.hash.update(chunk)
            self.file.write(chunk)
        else:
            self.value += chunk
            if len(self.value) > FIELD_MAX:
                raise PortalError("bad_request", "a form field is too long")

    def end(self) -> None:
        if self.is_file:
            self.file.close()
            self.file = None
            self.out.sha256 = self.hash.hexdigest()
        elif self.name:
            self.out.fields[self.name.decode("utf-8", "replace")] = self.value.decode(
                "utf-8", "replace"
            )

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


async def receive(request: Request, p: Portal, unit: str) -> Received:
    """Stream the request's multipart form: fields kept, the file written to a temporary
    file. 413 before more than a megabyte past the limit is read (at once when the
    declared length says so); 400 for what is not a multipart form."""
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise PortalError("bad_request", "a multipart/form-data form with period and file")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > p.max_file_bytes + SLACK:
        raise PortalError("too_large", f"at most {p.max_file_bytes} bytes")
    out = Received()
    parts = _Parts(p, unit, out)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > p.max_file_bytes + SLACK:
                raise PortalError("too_large", f"at most {p.max_file_bytes} bytes")
            parser.write(chunk)
        parser.finalize()
    except PortalError:
        parts.close()
        out.discard()
        raise
    except Exception as exc:  # a broken form is the sender's error, never a traceback
        parts.close()
        out.discard()
        raise PortalError("bad_request", "the form could not be read") from exc
    return out
