"""The studio's locks: a one-time start token traded for a session cookie, CSRF tokens, signed share
links, and file names that cannot leave their folder.

The start URL carries a token that works once: the first visit trades it for an ``HttpOnly``,
``SameSite=Strict`` session cookie and the token is spent. Every form and every API call that
changes something carries a CSRF token derived from the session. Share links (a listener page, a
show's feed and its published audio) are HMAC-signed with a secret kept in the data dir, so they
survive a restart and can be revoked by deleting that file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from podwright.core import ConfigError

__all__ = ["COOKIE", "Locks", "inside", "safe_name"]

COOKIE = "podwright_session"
"""The session cookie's name."""

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _secret(home: Path) -> bytes:
    """The signing secret in ``<home>/studio.secret`` (made once, readable by its owner only)."""
    path = home / "studio.secret"
    if not path.is_file():
        home.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(secrets.token_bytes(32))
    return path.read_bytes()


@dataclass
class Locks:
    """The secrets of one running studio."""

    secret: bytes
    start_token: str | None = field(default_factory=lambda: secrets.token_urlsafe(24))
    sessions: set[str] = field(default_factory=set)

    @classmethod
    def for_home(cls, home: Path) -> Locks:
        """Locks signing with the data dir's persistent secret, and a fresh start token."""
        return cls(secret=_secret(home))

    def trade(self, token: str) -> str | None:
        """A new session for the start token (once); ``None`` for a wrong or spent token."""
        if self.start_token is None or not hmac.compare_digest(token, self.start_token):
            return None
        self.start_token = None
        session = secrets.token_urlsafe(32)
        self.sessions.add(session)
        return session

    def valid(self, session: str | None) -> bool:
        """Whether ``session`` is a session this studio handed out."""
        return bool(session) and any(hmac.compare_digest(session or "", known) for known in self.sessions)

    def csrf(self, session: str) -> str:
        """The CSRF token of ``session``: forms carry it as ``csrf``, scripts as ``X-CSRF-Token``."""
        return self._sign("csrf", session)

    def check_csrf(self, session: str, token: str | None) -> bool:
        """Whether ``token`` is ``session``'s CSRF token."""
        return bool(token) and hmac.compare_digest(token or "", self.csrf(session))

    def share(self, what: str) -> str:
        """The signature of a share link for ``what`` (``episode:<key>`` or ``show:<slug>``)."""
        return self._sign("share", what)[:32]

    def check_share(self, what: str, signature: str) -> bool:
        """Whether ``signature`` signs ``what``."""
        return hmac.compare_digest(signature, self.share(what))

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def safe_name(name: str) -> str:
    """An uploaded file's name reduced to a plain name (no folders, no dots first), or a clear error."""
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).lstrip(".")
    if not base:
        raise ConfigError(f"upload name {name!r} is not a file name", hint="rename the file and upload again")
    return base[:120]


def inside(folder: Path, *parts: str) -> Path | None:
    """``folder/parts…`` when it resolves inside ``folder`` and is a file; ``None`` otherwise."""
    root = folder.resolve()
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target
