"""The glossary of a run: every term a page uses, defined once, linked from its first use.

:data:`TERMS` is the declarative list (a term, its anchor's aliases, its definition).
:func:`glossary_markdown` writes the glossary page; :func:`link_terms` links the first use of
each term in a rendered page's prose (never inside code, links, headings, tables or charts)
to its entry, so a reviewer meets each piece of jargon with its meaning one click away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from attribution._markdown import Markdown

__all__ = ["GLOSSARY_PAGE", "TERMS", "Term", "glossary_markdown", "link_terms"]

GLOSSARY_PAGE = "glossary.html"
"""File name of the glossary page in a run folder."""


@dataclass(frozen=True)
class Term:
    """A term, the other words that name it in prose, and what it means."""

    name: str
    definition: str
    aliases: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The term's anchor on the glossary page."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


TERMS: tuple[Term, ...] = (
    Term(
        "attribution model",
        "A rule that shares each won deal's revenue among the touches before it. Rule "
        "models (first touch, last touch, linear, time decay, U-, W-shaped...) apply a fixed "
        "convention; data-driven models (Markov, Shapley) learn from won and lost journeys. "
        "They say who was present before a win, not what caused it.",
        ("attribution models",),
    ),
    Term(
        "journey window",
        "The touches of a deal's account from a number of days (the lookback) before the "
        "deal was created until it closed (or until the data ends, for open deals).",
        ("lookback",),
    ),
    Term(
        "U-shaped",
        "A rule model: 40% of a deal's credit to its first touch, 40% to the touch that "
        "created the lead, 20% shared by the others. W-shaped: 30% each to the first touch, "
        "lead creation and opportunity creation, 10% to the others.",
        ("W-shaped", "U- and W-shaped"),
    ),
    Term(
        "half-life",
        "In the time-decay model, the number of days in which a touch's weight halves: a "
        "touch one half-life before the close counts half as much as one at the close.",
        ("time decay",),
    ),
    Term(
        "Markov",
        "A data-driven model: journeys as a chain moving from channel to channel until a win "
        "or a loss, fitted on won and lost journeys. Its order is how many previous channels "
        "a step remembers.",
        ("Markov order",),
    ),
    Term(
        "removal effect",
        "In the Markov model, the share of won deals that would be lost if a channel's "
        "touches were taken out of every journey. Channels are credited in proportion to it; "
        "it measures presence along the paths, not effect.",
        ("removal effects",),
    ),
    Term(
        "Shapley",
        "A sharing rule from game theory: each player (a channel, or a team) gets its average "
        "contribution over every order in which the players could join. The Shapley model "
        "shares credit among channels this way; the team split gives each team its own part "
        "plus half of what the two add only together.",
        ("Shapley value", "Shapley values", "Shapley share", "Shapley shares"),
    ),
    Term(
        "baseline",
        "In the team split, the revenue the model expects from the closed deals with no touch "
        "of either team. It extrapolates to deals with no touch at all, which are rare: read "
        "it with its interval.",
    ),
    Term(
        "own part",
        "What one team's touches add to expected revenue on their own (with the other team's "
        "touches held at none). The scorecard's contribution targets are set on it.",
    ),
    Term(
        "joint work",
        "What the two teams add only together: the expected revenue with both teams' touches "
        "minus what each adds alone and the baseline.",
        ("joint",),
    ),
    Term(
        "interval",
        "The range the estimate would likely fall in with another sample: a 90% interval "
        "covers the true value in about nine of ten samples, if the model is right. Made by a "
        "bootstrap (resampling accounts) or by draws of the model's coefficients.",
        ("intervals", "bootstrap"),
    ),
    Term(
        "association",
        "A difference seen in the data (deals with more touches win more), which is a cause "
        "only if nothing unmeasured drives both; an experiment with a holdout group shows "
        "cause.",
        ("associations",),
    ),
    Term(
        "log-odds",
        "The logarithm of p / (1 - p), the scale of a logistic regression's coefficients: "
        "+0.7 roughly doubles the odds of winning.",
    ),
    Term(
        "pseudo-R²",
        "McFadden's pseudo-R²: how much better the win model predicts than a model with no "
        "inputs; 0.1 to 0.3 is usual for such models, and a low value does not mean a wrong "
        "estimate.",
    ),
    Term(
        "AUC",
        "Area under the ROC curve: the chance that a random won deal gets a higher predicted "
        "probability than a random lost one (0.5 is chance, 1 is perfect).",
    ),
    Term(
        "events per parameter",
        "The rarer outcome's count (won or lost deals) per coefficient of a model; below "
        "about 10 estimates are unstable.",
    ),
    Term(
        "calibration",
        "Whether predicted probabilities match what happened: among deals given 30%, about "
        "30% should have won. Of the incremental model by an experiment: its credit of the "
        "tested channel weighed toward the measured lift, as far as the experiment's "
        "precision against the model's allows.",
    ),
    Term(
        "MQL",
        "Marketing-qualified lead: a lead that meets the agreed definition (score, behaviour) "
        "and is handed to sales. SQL: sales-qualified lead, accepted by sales.",
        ("MQLs", "SQL", "SQLs"),
    ),
    Term(
        "SLA",
        "The service-level agreement between the teams: how fast sales answers an MQL (the "
        "agreed hours), and what marketing delivers.",
    ),
    Term(
        "speed-to-lead",
        "The hours from an account's first MQL to the first sales touch after it.",
        ("speed to lead", "response time"),
    ),
    Term(
        "sourced",
        "A channel sourced a deal when it made the first touch of its journey; it influenced "
        "a deal when any touch of the journey came from it.",
        ("influenced",),
    ),
    Term(
        "win rate",
        "Won deals as a share of closed (won or lost) deals.",
    ),
    Term(
        "pipeline",
        "The amount of opportunities created (created pipeline) or still open (open pipeline).",
    ),
    Term(
        "disqualified",
        "A lead sales worked and turned away (its status says so, or it has a "
        "disqualification reason or date). A recycled lead was set aside to return to later.",
        ("disqualifies", "recycled"),
    ),
    Term(
        "ideal customer profile",
        "The accounts (segment, industry, region, size band) whose closed deals are won "
        "clearly more often than the rest: who has bought, not who would buy if reached.",
        ("profile",),
    ),
    Term(
        "buying group",
        "The people of an account engaged (touched by either team) in a deal's journey "
        "window, each with a role: decision maker, champion, finance or user, from the CRM's "
        "contact role or the job title.",
        ("decision maker",),
    ),
)
"""Every term the pages use, in the order the glossary lists them (declarative)."""

_SKIP = {
    "a",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "table",
    "script",
    "style",
    "svg",
    "nav",
    "footer",
    "head",
    "title",
}


def glossary_markdown() -> Markdown:
    """Return the glossary as markdown: one entry per term, each with its anchor.

    Examples
    --------
    >>> glossary_markdown().startswith('<a id="attribution-model"></a>**attribution model.**')
    True
    """
    return Markdown("\n\n").join(
        Markdown(f'<a id="{t.anchor}"></a>**{{}}.** {{}}').format(t.name, t.definition)
        for t in TERMS
    )


def link_terms(page: str, *, href: str = GLOSSARY_PAGE) -> str:
    """Link the first use of each glossary term in a page's prose to its entry.

    Only text in paragraphs and lists is linked, never inside code, links, headings,
    tables, scripts or charts; the words themselves are left as they are.

    Examples
    --------
    >>> out = link_terms("<p>The baseline and the baseline.</p>")
    >>> out.count("glossary.html#baseline")
    1
    """
    soup = BeautifulSoup(page, "html.parser")
    seen: set[str] = set()
    for node in list(soup.find_all(string=True)):
        if not isinstance(node, NavigableString) or _skipped(node):
            continue
        _link_in(node, soup, seen, href)
    return str(soup)


def _skipped(node: NavigableString) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, Tag) and (
            parent.name in _SKIP or "vega-embed" in (parent.get("class") or [])
        ):
            return True
        parent = parent.parent
    return False


def _link_in(node: NavigableString, soup: BeautifulSoup, seen: set[str], href: str) -> None:
    text = str(node)
    for term in TERMS:
        if term.anchor in seen:
            continue
        names = sorted((term.name, *term.aliases), key=len, reverse=True)
        found = re.search(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])", text)
        if found is None:
            continue
        seen.add(term.anchor)
        link = soup.new_tag("a", href=f"{href}#{term.anchor}", attrs={"class": "term"})
        link.string = found.group(1)
        after = NavigableString(text[found.end() :])
        node.replace_with(NavigableString(text[: found.start()]), link, after)
        _link_in(after, soup, seen, href)
        return
