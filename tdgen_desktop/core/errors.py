"""The error hierarchy: every error tdgen raises on purpose derives from :class:`TdgenError`.

Each error carries ``message`` (one line for people, naming file, field and problem) and optional
``details`` (for logs and the details pane). Subclasses also inherit the built-in exception that
fits, so callers that only know Python's own hierarchy still catch them sensibly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "CancelledError",
    "ExportError",
    "SchemaError",
    "TdgenError",
    "UnsatisfiableError",
    "UnsupportedFeatureError",
    "UsageError",
]


class TdgenError(Exception):
    """Root of tdgen's errors.

    Args:
        problem: what went wrong, in words.
        file: the file concerned, if any.
        field: the field concerned (a dotted path), if any.
        details: longer text for logs or a details pane.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        details: str = "",
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.field = field
        self.details = details
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line naming the file, the field and the problem."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.problem)
        return ": ".join(parts)

    def with_context(
        self, *, file: str | Path | None = None, field: str | None = None
    ) -> TdgenError:
        """Fill in the file or field where they are still unknown, and return self."""
        if file is not None and self.file is None:
            self.file = str(file)
        if field is not None and self.field is None:
            self.field = field
        self.args = (self.message,)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by state, so errors of any subclass cross process boundaries intact."""
        return (_restore, (type(self), dict(self.__dict__)))


def _restore(cls: type[TdgenError], state: dict[str, Any]) -> TdgenError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.message)
    return error


class SchemaError(TdgenError, ValueError):
    """The input file is not a readable schema (syntax, structure, unresolved reference)."""


class UnsupportedFeatureError(SchemaError):
    """The schema uses a feature tdgen cannot generate data for (listed in the README)."""


class UnsatisfiableError(TdgenError, ValueError):
    """The request cannot be met: constraints contradict each other or admit too few values."""


class UsageError(TdgenError, ValueError):
    """An option has an invalid value."""


class ExportError(TdgenError, OSError):
    """Writing an output file failed (permissions, disk full, …)."""


class CancelledError(TdgenError):
    """The job was cancelled by the user."""

    def __init__(self, problem: str = "cancelled") -> None:
        super().__init__(problem)
