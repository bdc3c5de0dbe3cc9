"""Demo data: a seeded simulation of a B2B revenue funnel whose true effects are known.

The simulation follows how a B2B company actually meets its buyers:

1. **Accounts** arrive over time in three segments (SMB, Mid-Market, Enterprise) and browse
   anonymously (paid search, paid social, organic search, review sites, direct visits).
2. A visitor fills a form and becomes a **contact** (lead) through a content download,
   webinar, event, search or social ad; more contacts of the account follow.
3. **Nurture** touches (email, webinars, content, events, ads, visits) continue; each adds
   points to the contact's **lead score**; crossing the threshold makes the contact an
   **MQL**. (The score's points are the CRM's current rule, not the true drivers.)
4. An MQL is **followed up** by a sales rep after a delay that depends on the rep (some
   answer within the hour, some take days); some MQLs are never followed up; some SMB
   accounts buy through a self-serve trial with no sales contact. Sales also prospects
   accounts that never became MQLs (**outbound**).
5. Whether a followed-up lead becomes an **opportunity** depends on which marketing touches
   came before (webinars and events convert better than ad clicks) and on how fast sales
   answered: these are :attr:`DemoParams.opportunity_weights`, the truth that learned
   lead-score weights should find.
6. During the deal, reps **call, email, meet and demo**; deals move through stages and close
   won or lost after a segment-dependent cycle; deals not closed by the end are open.
7. The chance to **win** a closed deal is a known logistic model of marketing exposure and
   sales effort in the journey window (log counts), their **interaction**, the
   **speed-to-lead** and the segment; **amounts** are Gamma distributed with a segment mean
   and a small effect of sales effort.

Because the win and amount models are known, :class:`DemoTruth` holds the true split of
expected revenue into baseline, marketing, sales and joint, computed by counterfactual
expectation (each closed deal's win probability and expected amount with the other team's
touches removed), not by fitting anything.

Generation is vectorised numpy per chunk of accounts, so the default size takes well under
a second and :func:`write_large` can write 10M+ touches to Parquet in chunks.

The package: :mod:`~attribution.data.demo.params` (the knobs),
:mod:`~attribution.data.demo.catalog` (names and channel mixes),
:mod:`~attribution.data.demo.marketing` (steps 1-4), :mod:`~attribution.data.demo.sales`
(steps 5, 6, 8), :mod:`~attribution.data.demo.truth` (step 7 and the true split),
:mod:`~attribution.data.demo.tables` (arrays to polars), :mod:`~attribution.data.demo.simulate`
(one chunk, step by step), :mod:`~attribution.data.demo.chunks` and
:mod:`~attribution.data.demo.files` (the public entry points).
"""

from __future__ import annotations

from attribution.data.demo.catalog import (
    ALL_CHANNELS,
    INDUSTRIES,
    MARKETING_CHANNELS,
    REPS,
    SALES_CHANNELS,
    SEGMENTS,
    STAGES,
)
from attribution.data.demo.chunks import generate, iter_chunks
from attribution.data.demo.files import write, write_large
from attribution.data.demo.params import DemoParams
from attribution.data.demo.truth import DemoTruth

__all__ = [
    "ALL_CHANNELS",
    "INDUSTRIES",
    "MARKETING_CHANNELS",
    "REPS",
    "SALES_CHANNELS",
    "SEGMENTS",
    "STAGES",
    "DemoParams",
    "DemoTruth",
    "generate",
    "iter_chunks",
    "write",
    "write_large",
]
