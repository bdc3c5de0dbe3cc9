"""Estimates: statsmodels fits of what the teams add, with intervals and diagnostics."""
