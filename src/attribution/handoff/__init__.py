"""The hand-off between marketing and sales, described: funnel, sourcing, speed-to-lead."""
