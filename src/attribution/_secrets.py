"""The one credential policy: a password never reaches an output, a log or a message.

A database URL can carry a password in two places libpq reads: the user information
(``postgresql://ann:PW@host/db``) and a query parameter (``?password=PW``, also
``sslpassword=``), each as written or percent-encoded. Everything the package shows or
writes about a source goes through here:

* :func:`mask_url` replaces every password of a URL by ``***``. It never fails: a
  password holding raw ``@``, ``:``, ``/``, ``?`` or ``#`` (which URL parsers split in the
  wrong place) is masked up to the last ``@``, so more is hidden rather than less;
* :func:`mask_text` masks every URL and every ``password=...`` pair inside free text (an
  error message, a log line, a value in a manifest), and :func:`redact` does it for every
  text inside nested values;
* :func:`scrub` also removes the secrets of a known URL from text that does not quote the
  URL (a driver's error message);
* :func:`ambiguous` says when a URL cannot be read one way only (a raw ``@`` or ``#`` in
  its password): the source refuses it with a clear message instead of letting a driver
  echo a piece of the password.

Every :class:`~attribution.errors.AttributionError` message is masked too.

Examples
--------
>>> mask_url("postgresql://ann:s3cret@db.example.com:5432/crm")
'postgresql://ann:***@db.example.com:5432/crm'
>>> mask_url("postgresql://ann@db/crm?sslmode=require&password=s3cret")
'postgresql://ann@db/crm?sslmode=require&password=***'
>>> mask_url("postgresql://ann:p@ss:w/rd#1@db/crm")
'postgresql://ann:***@db/crm'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

__all__ = ["MASK", "ambiguous", "mask_text", "mask_url", "redact", "scrub", "url_secrets"]

MASK = "***"
"""What a password is replaced by."""

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)(.*)$", re.S)
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
# a password parameter runs up to the next "&key=" (or the end): a raw "&" stays hidden
_PARAM = re.compile(r"(?i)(\b[a-z_]*password=)(.*?)(?=&[A-Za-z_]+=|$)", re.S)
_PAIR = re.compile(r"(?i)(\b[a-z_]*password\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+?(?=&[a-z_]+=|\s|$))")
# in free text a URL's end is unknown: its user information runs to the token's last "@"
_USERINFO_IN_TEXT = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:)\S*@")


def _split(url: str) -> tuple[str, str, str | None, str] | None:
    """Return (scheme, user, password, rest after the host's "@") by the last "@"."""
    found = _SCHEME.match(url)
    if found is None:
        return None
    scheme, rest = found.groups()
    at = rest.rfind("@")
    if at < 0:
        return scheme, "", None, rest
    userinfo, host = rest[:at], rest[at + 1 :]
    if ":" not in userinfo:
        return scheme, userinfo, None, host
    user, password = userinfo.split(":", 1)
    return scheme, user, password, host


def mask_url(url: str) -> str:
    """Return ``url`` with every password replaced by ``***`` (safe for messages and logs).

    Examples
    --------
    >>> mask_url("postgresql://ann:p%40ss@db/crm")
    'postgresql://ann:***@db/crm'
    >>> mask_url("sqlite:///data/crm.db")
    'sqlite:///data/crm.db'
    >>> mask_url("host=db password=s3cret")
    'host=db password=***'
    """
    parts = _split(url)
    if parts is None:
        return _mask_pairs(url)
    scheme, user, password, rest = parts
    rest = _PARAM.sub(lambda m: m.group(1) + MASK, rest)
    if password is None:
        return f"{scheme}{user}@{rest}" if user else f"{scheme}{rest}"
    return f"{scheme}{user}:{MASK}@{rest}"


def url_secrets(url: str | None) -> list[str]:
    """Return the passwords of ``url`` as written and percent-decoded, longest first.

    Examples
    --------
    >>> url_secrets("postgresql://ann:p%40ss@db/crm?password=x%23y")
    ['p%40ss', 'x%23y', 'p@ss', 'x#y']
    """
    if not url:
        return []
    parts = _split(url)
    found: list[str] = []
    if parts is not None and parts[2]:
        found.append(parts[2])
    rest = parts[3] if parts is not None else url
    found += [m.group(2) for m in _PARAM.finditer(rest) if m.group(2)]
    found += [m.group(2).strip("'\"") for m in _PAIR.finditer(url if parts is None else "")]
    secrets = dict.fromkeys(found + [unquote(s) for s in found])
    return sorted((s for s in secrets if s), key=len, reverse=True)


def _mask_pairs(text: str) -> str:
    return _PAIR.sub(lambda m: m.group(1) + MASK, text)


def mask_text(text: str) -> str:
    """Mask every URL's password and every ``password=`` pair inside ``text``.

    Examples
    --------
    >>> mask_text("cannot connect to postgresql://ann:s3cret@db/crm: timeout")
    'cannot connect to postgresql://ann:***@db/crm: timeout'
    >>> mask_text("dsn: host=db user=ann password='s3 cret'")
    'dsn: host=db user=ann password=***'
    """
    if "://" not in text and "assword" not in text.lower():
        return text
    masked = _USERINFO_IN_TEXT.sub(lambda m: m.group(1) + MASK + "@", text)
    masked = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), masked)
    return _mask_pairs(masked)


def scrub(text: str, *urls: str | None) -> str:
    """Remove the passwords of ``urls`` from ``text`` (even where the URL is not quoted).

    Database drivers do not echo passwords, but messages built from their errors pass
    through here anyway, so a secret can never reach a message or a log.

    Examples
    --------
    >>> scrub("login as ann:s3cret failed", "postgresql://ann:s3cret@db/crm")
    'login as ann:*** failed'
    """
    for url in urls:
        for secret in url_secrets(url):
            text = text.replace(secret, MASK)
    return mask_text(text)


def redact(value: Any) -> Any:
    """Return ``value`` with every text inside it masked (dicts, lists and tuples walked).

    Examples
    --------
    >>> redact({"source": {"path": "postgresql://ann:pw@db/crm"}, "n": [1, "password=pw"]})
    {'source': {'path': 'postgresql://ann:***@db/crm'}, 'n': [1, 'password=***']}
    """
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    return value


def ambiguous(url: str) -> str | None:
    """Say why a URL's password cannot be read one way only, or return ``None``.

    A raw ``@`` or ``#`` in the user information, or a raw ``&`` inside a ``password=``
    parameter, is read differently by libpq and by URL parsers: a driver would then try
    a host or an option made of part of the password and quote it in its error.

    Examples
    --------
    >>> ambiguous("postgresql://ann:p%40ss@db/crm") is None
    True
    >>> ambiguous("postgresql://ann:p@ss@db/crm")
    "its user or password holds a raw '@'"
    """
    parts = _split(url)
    if parts is None:
        return None
    _, user, password, rest = parts
    userinfo = user + (":" + password if password is not None else "")
    for char in "@#/?":
        if char in userinfo and (password is not None or char in "@#"):
            return f"its user or password holds a raw {char!r}"
    for m in _PARAM.finditer(rest):
        if "&" in m.group(2):
            return f"its {m.group(1)[:-1]} parameter holds a raw '&'"
    return None
