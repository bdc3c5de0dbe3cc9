"""Incremental attribution: credit by what each channel adds to winning, in a fitted model.

Rule models credit touches by position and path models (Markov, Shapley over channel sets)
by presence in won journeys; neither says what a channel adds. The ``incremental`` model
fits a regularised win model on won *and* lost deals (:mod:`.design`, :mod:`.fit`) and
splits each won deal's revenue by the exact Shapley value of its channels in that model
(:mod:`.split`); experiments that measured a channel's lift calibrate its credit, weighed
against the lift the model implies for their accounts by the precision of each
(:mod:`.calibrate`, :mod:`.implied`). :mod:`.model` fits it and holds :func:`incremental` and the
registry's ``credits``; :mod:`.result` the fitted model and its result, :mod:`.summary`
the channel table and :mod:`.touches` the credits per touch.
"""

from __future__ import annotations

from attribution.models.incremental.model import credits, fit_design, fit_incremental, incremental
from attribution.models.incremental.result import EVIDENCE, Incremental, IncrementalResult
from attribution.models.incremental.summary import summarise
from attribution.models.incremental.touches import credits_of

__all__ = [
    "EVIDENCE",
    "Incremental",
    "IncrementalResult",
    "credits",
    "credits_of",
    "fit_design",
    "fit_incremental",
    "incremental",
    "summarise",
]
