"""Files shipped inside the package: report pages, mapping presets, example agreements.

They are package data (``importlib.resources``), so an installed wheel finds them wherever
it runs; the repository's ``notebooks/``, ``params/mappings/``, ``params/examples/`` and
``params/definitions.yaml``/``targets.yaml`` are links to the same files, so there is one
copy of each.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from attribution.errors import AttributionError

__all__ = ["shipped"]


def shipped(package: str, *parts: str) -> Path:
    """Return the path of a file or folder shipped in ``package`` (e.g. its ``pages``).

    Parameters
    ----------
    package
        The package holding it, e.g. ``"attribution.report"``.
    parts
        The path inside the package.

    Raises
    ------
    AttributionError
        The package is not installed as plain files (a zip import), so papermill and the
        YAML readers cannot open its files.

    Examples
    --------
    >>> shipped("attribution.report", "pages").is_dir()
    True
    """
    resource = files(package).joinpath(*parts)
    path = Path(str(resource))
    if not path.exists():
        raise AttributionError(
            f"the package's file {'/'.join(parts)} is not found in {package} ({path}); "
            "install attribution as files (pip install attribution), not as a zip"
        )
    return path
