"""Tables that reviewers open in a spreadsheet: no cell can start a formula.

A run saves the table behind every chart as CSV, and reviewers open those files in Excel,
LibreOffice or Google Sheets. A spreadsheet reads a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) as a formula, so a campaign named
``=HYPERLINK("http://...","click")`` would become a live link, or worse. Following
OWASP's advice on CSV injection, :func:`formula_safe` puts an apostrophe in front of
every such text cell (and column name): the spreadsheet shows the text as written, with
the apostrophe hidden or visible depending on the program. Numbers stay numbers (a
negative amount is not text), and the Parquet copy of each table keeps the exact values.

Examples
--------
>>> import polars as pl
>>> frame = pl.DataFrame({"campaign": ["=1+2", "spring", "-x", "@SUM(A1)"], "n": [-1, 2, 3, 4]})
>>> formula_safe(frame).rows()
[("'=1+2", -1), ('spring', 2), ("'-x", 3), ("'@SUM(A1)", 4)]
"""

from __future__ import annotations

import polars as pl

__all__ = ["FORMULA_START", "flat_cells", "formula_safe"]

FORMULA_START = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
"""Characters that make a spreadsheet read a cell as a formula when they come first (the
ASCII ones OWASP lists, and their full-width forms, which some spreadsheets accept)."""

_PATTERN = "^[" + "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_START) + "]"


def _safe_name(name: str) -> str:
    return "'" + name if name[:1] in FORMULA_START and name[:1] else name


def formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    r"""Return ``frame`` with an apostrophe before every text cell that could start a formula.

    Column names too; other cells are unchanged.

    Only text columns change (a column of lists or structs should be made text first).

    Examples
    --------
    >>> import polars as pl
    >>> formula_safe(pl.DataFrame({"=x": ["\tcmd", None]})).to_dicts()
    [{"'=x": "'\tcmd"}, {"'=x": None}]
    """
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ]
    safe = frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(_PATTERN))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text
    )
    renamed = {name: _safe_name(name) for name in safe.columns if _safe_name(name) != name}
    return safe.rename(renamed) if renamed else safe


def flat_cells(frame: pl.DataFrame, *, naive_times: bool = False) -> pl.DataFrame:
    """Return ``frame`` with cells a spreadsheet can hold: lists joined by ' > ', structs as JSON.

    With ``naive_times``, zoned timestamps drop their zone and keep their clock time (Excel
    has no time zones; every timestamp of the package is UTC). Other columns are unchanged.

    Examples
    --------
    >>> import polars as pl
    >>> flat_cells(pl.DataFrame({"path": [["email", "demo"]], "n": [1]})).rows()
    [('email > demo', 1)]
    """
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List | pl.Array):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join(" > "))
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode())
        elif naive_times and isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            exprs.append(pl.col(name).dt.replace_time_zone(None))
    return frame.with_columns(exprs) if exprs else frame
