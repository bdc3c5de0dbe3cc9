"""The package's version, in a module of its own so any layer can name it.

Examples
--------
>>> from attribution._version import __version__
>>> __version__.count(".")
2
"""

__version__ = "0.1.0"
