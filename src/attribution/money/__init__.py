"""Money, pipeline and time: spend and return, pipeline credit, periods compared, one deal.

:mod:`~attribution.money.spend` (the spend table and how it is matched to a window),
:mod:`~attribution.money.bootstrap` (account bootstrap of grouped sums),
:mod:`~attribution.money.returns` (ROAS, ROI, cost per opportunity and won deal, CAC,
payback), :mod:`~attribution.money.pipeline` (created and open pipeline credited by any
model), :mod:`~attribution.money.periods` (two periods or segments side by side, with the
interval of the change) and :mod:`~attribution.money.deal` (one deal's journey with the
credit of each touch).
"""
