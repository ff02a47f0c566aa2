"""Who is asking: an API token, or a page session with its CSRF token."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from models.account import Role
from portal.context import Portal
from portal.errors import PortalError
from tasks.accounts.secrets import same
from tasks.accounts.signin import session
from tasks.accounts.store import Who, by_token

SESSION_COOKIE = "chiso_session"
FORM_COOKIE = "chiso_form"  # the CSRF token of forms shown before a session exists
SAFE = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Caller:
    """An authenticated request: the account, and the session's CSRF token (None for a
    request with an API token, which needs none)."""

    who: Who
    csrf: str | None


def portal(request: Request) -> Portal:
    found: Portal = request.app.state.portal
    return found


def caller(request: Request) -> Caller | None:
    """The account of the request's API token, else of its session cookie, else None."""
    p = portal(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        who = by_token(p.engine, token.strip())
        return Caller(who, None) if who else None
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    found = session(p.engine, sid)
    return Caller(found[0], found[1]) if found else None


def api_caller(request: Request) -> Caller:
    """The API's dependency: 401 without a valid credential; a session's request that
    changes something must send its CSRF token as ``X-CSRF-Token``."""
    found = caller(request)
    if found is None:
        raise PortalError("unauthenticated")
    if found.csrf is not None and request.method not in SAFE:
        sent = request.headers.get("x-csrf-token", "")
        if not same(sent, found.csrf):
            raise PortalError("csrf")
    return found


def unit_of(who: Who, asked: str | None, p: Portal) -> str:
    """The unit a request is about: a unit account's own (whatever it asks for: another
    unit answers 404), or the one an officer names (``?unit=``)."""
    if who.role == Role.UNIT:
        if asked is not None and (found := p.units.find(asked)) and found.code != who.unit_code:
            raise PortalError("not_found")
        assert who.unit_code is not None
        return who.unit_code
    found = p.units.find(asked) if asked else None
    if found is None or found.level == "province":
        raise PortalError("not_found") if asked else PortalError("bad_request", "unit=CODE")
    return found.code


def form_ok(request: Request, sent: str | None, csrf: str | None) -> bool:
    """A form's CSRF token: the session's, or before a session the form cookie's."""
    expected = csrf or request.cookies.get(FORM_COOKIE)
    return bool(sent and expected and same(sent, expected))
