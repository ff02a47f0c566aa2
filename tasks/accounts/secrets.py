"""Credentials: passwords hashed with Argon2id, random tokens stored as their sha256.

A password is chosen by a person, so it is hashed slowly (Argon2id, a PHC string); an
invitation link, an API token or a session id is 32 random bytes, which a fast hash
keeps as safe (there is nothing to guess), and lets a request be looked up by it.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 10
# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 30 ms of
# CPU a sign-in here, against 145 ms for argon2-cffi's default (64 MiB, 3 passes, 4
# lanes), which made 96 units signing in at once wait over 5 s on 2 cores
# (bench/portal.py). The parameters travel in each PHC string: older hashes still verify.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """The Argon2id PHC string (``$argon2id$…``) of a password."""
    return _HASHER.hash(password)


def password_ok(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash (``False`` when none is set)."""
    if not stored:
        _HASHER.hash(password)  # the same time whether or not the account has a password
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """How a token is stored and looked up: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two tokens."""
    return secrets.compare_digest(
        a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape")
    )
