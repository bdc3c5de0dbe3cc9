"""Alignment: what the two teams agreed (definitions, SLA, targets) and the scorecard on it.

The agreements: ``definitions`` (MQL, SQL, service level; schema in
``definitions_schema``, plain English in ``definitions_text``) and ``targets`` (with the
``kpi_catalogue``, calendar ``periods`` and the ``target_status`` rule), both read by
``agreements``. Applying the definitions: ``qualification`` (``apply_definitions``) with
its steps ``data_checks``, ``moments`` and ``drift``. The scorecard: ``scorecard`` (its
result and views in ``scorecard_result``), built from ``kpi_sources`` and ``kpis`` (with
``kpi_intervals``), ``service_level`` (the SLA by month, rankings) and ``scorecard_text``.
"""
