"""Data: the contract's tables in, a validated :class:`~attribution.data.dataset.Dataset` out.

Sources (folders of files, databases, one period of either), column mappings of CRM exports,
the contract and its validation, the demo data with known truth, and run snapshots.
"""
