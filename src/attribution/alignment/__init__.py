"""Alignment: what the two teams agreed (definitions, SLA, targets) and the scorecard on it."""
