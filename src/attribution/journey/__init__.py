"""Journeys: each deal's touches in its window, milestones, path tables and per-deal facts."""
