"""Exact redaction of an index URL's secrets: the password, or a token used as the user name.

A plain user name is not a secret and is left alone; no ordinary word is ever altered. Each
secret is removed in every spelling a message can carry: as written in the URL, percent-decoded,
and percent-encoded.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASK = "***"


def _userinfo(url: str) -> tuple[str, str | None] | None:
    """(user, password) exactly as written in ``url`` (still percent-encoded), or None."""
    m = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)@", url)
    if not m:
        return None
    info = m.group(1)
    user, sep, password = info.partition(":")
    return user, (password if sep else None)


def secrets_of(url: str) -> tuple[str, ...]:
    """Every spelling of ``url``'s secret(s), longest first: empty when it carries none.

    With user:password the password is the secret; with a user name alone (no ':') that name
    is a token, as some indexes use, and is the secret.
    """
    info = _userinfo(url)
    if info is None:
        return ()
    user, password = info
    secret = password if password is not None else user
    if not secret:
        return ()
    spellings = {secret, unquote(secret), quote(unquote(secret), safe="")}
    return tuple(sorted((s for s in spellings if s), key=len, reverse=True))


def redact(url: str) -> str:
    """``url`` with its whole user-info (name and password) shown as ``***``."""
    if _userinfo(url) is None:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        # up to the last '@' of the authority, as above: a password may hold a literal '@'
        return re.sub(r"//[^/?#]*@", f"//{MASK}@", url, count=1)
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{MASK}@{host}", parts.path, parts.query, parts.fragment))


def scrub(text: str, url: str) -> str:
    """``text`` with ``url``'s secrets removed wherever they occur, in any spelling."""
    if _userinfo(url) is None:
        return text
    text = text.replace(url, redact(url))
    for secret in secrets_of(url):
        text = text.replace(secret, MASK)
    return text
