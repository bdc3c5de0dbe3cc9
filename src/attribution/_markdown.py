r"""Markdown the package writes, with every data value escaped where it is formatted in.

Report texts are markdown (rendered to HTML by nbconvert and JupyterLab), and they are
built from data: channel, campaign and rep names, target labels, the agreement's name and
who agreed it. Markdown passes raw HTML through, so a value such as
``<img src=x onerror=alert(1)>`` would run in a reviewer's browser. The rule here is the
one of :mod:`markupsafe`, for markdown:

* :class:`Markdown` is text the package wrote as markup. Only it is rendered as markdown;
  :func:`attribution.report.notebook.markdown` shows any other text as plain text.
* A value formatted into a :class:`Markdown` template (``Markdown("**{}**").format(rep)``,
  ``+``, ``join``) is escaped unless it is itself :class:`Markdown`: HTML's ``<``, ``>``
  and ``&`` become entities; the punctuation that starts markdown (emphasis, code, links,
  autolinks, lists, headings, table cells, math) is backslash-escaped; line breaks become
  spaces. Numbers, dates and times are formatted as usual (they cannot carry markup).
* :func:`code` and :func:`code_block` show text verbatim, in a fence longer than any run
  of backticks inside it, so a value cannot close the fence.

Examples
--------
>>> Markdown("Rep **{}** answered {:,} MQLs").format("<b>Ann</b>", 1200)
'Rep **&lt;b&gt;Ann&lt;/b&gt;** answered 1,200 MQLs'
>>> print(Markdown(", ").join(["a_b", Markdown("*c*")]))
a\_b, *c*
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, SupportsIndex

__all__ = ["Markdown", "code", "code_block", "escape", "plain", "unescape"]

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PUNCTUATION = re.compile(r"([#$*+\-:=@\[\\\]_`{|}~])")
_HTML = re.compile(r"[&<>]")
_BREAKS = re.compile(r"[\r\n\t\v\f\u0085\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_NUMBERS = (int, float)


def escape(value: object) -> Markdown:
    r"""Return ``value`` as markdown that renders as exactly its text.

    :class:`Markdown` is returned unchanged; numbers, dates and datetimes are written
    with ``str``; anything else is escaped (see the module's notes).

    Examples
    --------
    >>> escape("</script><script>alert(1)</script>")
    '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> escape("paid_search"), escape(0.25)
    ('paid\\_search', '0.25')
    >>> escape("line\n# heading")
    'line \\# heading'
    """
    if isinstance(value, Markdown):
        return value
    if isinstance(value, bool) or not isinstance(value, (*_NUMBERS, date, datetime)):
        text = _CONTROL.sub("", _BREAKS.sub(" ", str(value)))
        text = _PUNCTUATION.sub(r"\\\1", text)
        return Markdown._trusted(_HTML.sub(lambda m: _ENTITIES[m.group(0)], text))
    return Markdown._trusted(str(value))


def plain(text: object) -> Markdown:
    r"""Return free text (a note, a warning) as markdown that shows it as written.

    Like :func:`escape`, but paragraphs (blank lines) are kept.

    Examples
    --------
    >>> print(plain("One *note*.\n\nTwo <notes>."))
    One \*note\*.
    <BLANKLINE>
    Two &lt;notes&gt;.
    """
    if isinstance(text, Markdown):
        return text
    paragraphs = re.split(r"\n\s*\n", str(text).strip())
    return Markdown("\n\n").join(escape(p) for p in paragraphs)


def unescape(text: str) -> str:
    r"""Return what a reader sees of escaped values: no backslash escapes, no entities.

    The markup itself (``**``, list marks) stays; meant for tests and logs.

    Examples
    --------
    >>> unescape(escape("<b>paid_search</b>: $5"))
    '<b>paid_search</b>: $5'
    """
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    for char, entity in _ENTITIES.items():
        text = text.replace(entity, char) if char != "&" else text
    return text.replace("&amp;", "&")


def _fence(text: str, mark: str, shortest: int) -> str:
    runs = [len(r) for r in re.findall(re.escape(mark) + "+", text)]
    return mark * max(shortest, max(runs, default=0) + 1)


def code(text: object) -> Markdown:
    """Return ``text`` as an inline code span, verbatim (a file name, a key).

    Examples
    --------
    >>> code("targets.yaml")
    '`targets.yaml`'
    >>> code("a`b")
    '`` a`b ``'
    """
    shown = _BREAKS.sub(" ", str(text))
    fence = _fence(shown, "`", 1)
    pad = " " if "`" in shown or shown.startswith(" ") or shown.endswith(" ") else ""
    return Markdown._trusted(f"{fence}{pad}{shown}{pad}{fence}")


def code_block(text: object, language: str = "") -> Markdown:
    r"""Return ``text`` as a fenced code block, verbatim (a file as it was written).

    The fence is longer than any run of backticks in ``text``, so no line of it can
    close the block early.

    Examples
    --------
    >>> print(code_block("a: 1", "yaml"))
    ```yaml
    a: 1
    ```
    >>> code_block("```\n<b>").startswith("````")
    True
    """
    body = _CONTROL.sub("", str(text).rstrip())
    fence = _fence(body, "`", 3)
    info = re.sub(r"[^A-Za-z0-9_+-]", "", language)
    return Markdown._trusted(f"{fence}{info}\n{body}\n{fence}")


class _Formatter(string.Formatter):
    """Formats fields as usual, then escapes each one that is not :class:`Markdown`."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Markdown):
            return str.__format__(value, format_spec)
        if isinstance(value, _NUMBERS) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                return "n/a"
            return format(value, format_spec)
        if isinstance(value, (date, datetime)):
            return format(value, format_spec)
        return escape(format(value, format_spec) if format_spec else str(value))

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is None:
            return value
        return escape(super().convert_field(value, conversion))


_FORMATTER = _Formatter()


class Markdown(str):
    """Markdown written by the package: the only text a report renders as markup.

    A plain ``str`` passed to ``Markdown(...)`` is taken as markup as it is: construct
    one only from the package's own text. Values go in through :meth:`format`, ``+`` or
    :meth:`join`, which escape them.
    """

    __slots__ = ()

    @classmethod
    def _trusted(cls, text: str) -> Markdown:
        return cls(text)

    def format(self, *args: object, **kwargs: object) -> Markdown:
        """Format like :meth:`str.format`, escaping every value that is not markdown."""
        return Markdown(_FORMATTER.vformat(str(self), args, kwargs))

    def format_map(self, mapping: Mapping[str, Any]) -> Markdown:  # type: ignore[override]
        """Format like :meth:`str.format_map`, escaping every value that is not markdown."""
        return Markdown(_FORMATTER.vformat(str(self), (), dict(mapping)))

    def join(self, parts: Iterable[object]) -> Markdown:
        """Join ``parts`` (escaped unless markdown) with this text between them."""
        return Markdown(str.join(self, (escape(p) for p in parts)))

    def __add__(self, other: object) -> Markdown:
        if not isinstance(other, str):
            return NotImplemented
        return Markdown(str.__add__(self, escape(other)))

    def __radd__(self, other: object) -> Markdown:
        if not isinstance(other, str):
            return NotImplemented
        return Markdown(str.__add__(escape(other), self))

    def __mul__(self, count: SupportsIndex) -> Markdown:
        return Markdown(str.__mul__(self, count))
