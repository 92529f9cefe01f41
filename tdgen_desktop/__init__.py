"""tdgen: test data from schemas — valid, boundary and invalid cases, in a desktop window or a CLI.

Importing the package is cheap: no Qt, no Faker. ``__version__`` is read from the installed
distribution on first access.
"""

from __future__ import annotations

__all__ = ["__version__"]

_DIST_NAME = "tdgen"
_DEV_VERSION = "0.0.0+dev"


def __getattr__(name: str) -> str:
    """Compute ``__version__`` lazily (PEP 562), so importing the package stays cheap."""
    if name == "__version__":
        import importlib.metadata  # noqa: PLC0415 - deferred on purpose

        try:
            version = importlib.metadata.version(_DIST_NAME)
        except importlib.metadata.PackageNotFoundError:
            version = _DEV_VERSION
        globals()["__version__"] = version
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
