"""Strings that match a JSON Schema ``pattern``, made with ``rstr`` (no home-made regex engine).

JSON Schema patterns are ECMA-262 regular expressions matched anywhere in the string; the
validator (``jsonschema``) runs them through Python's ``re``. Generated strings are checked with
the same ``re.search`` and the field's length limits, and retried a bounded number of times.
"""

from __future__ import annotations

import random
import re
from typing import Any

from tdgen_desktop.core.errors import UnsatisfiableError, UnsupportedFeatureError

__all__ = ["MAX_REPEAT", "PatternGenerator", "compile_pattern"]

MAX_REPEAT = 64
"""Unbounded repetitions (``*``, ``+``, ``{n,}``) are capped at this many characters."""

_TRIES = 200


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a JSON Schema pattern with Python's ``re`` (as the validator does).

    Raises:
        UnsatisfiableError: the pattern is not a valid regular expression.
    """
    try:
        return re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnsatisfiableError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc


class PatternGenerator:
    """Makes strings matching ``pattern`` within ``min_len..max_len`` code points.

    Raises:
        UnsatisfiableError: the pattern is invalid.
    """

    def __init__(self, pattern: str, min_len: int = 0, max_len: int | None = None) -> None:
        self.pattern = pattern
        self.regex = compile_pattern(pattern)
        self.min_len, self.max_len = min_len, max_len
        self._xeger: Any = None

    def generate(self, rng: random.Random) -> str:
        """One matching string.

        Raises:
            UnsupportedFeatureError: no matching string of an allowed length was found.
        """
        import rstr  # noqa: PLC0415

        generator = rstr.Rstr(rng)
        generator.STAR_PLUS_LIMIT = MAX_REPEAT if self.max_len is None else min(MAX_REPEAT, self.max_len)
        for _ in range(_TRIES):
            try:
                value = str(generator.xeger(self.pattern))
            except (ValueError, IndexError, KeyError, TypeError, re.error) as exc:
                raise UnsupportedFeatureError(
                    f"pattern {self.pattern!r} uses a construct strings cannot be generated for ({exc})"
                ) from exc
            if self._fits(value):
                return value
            padded = self._pad(value, rng)
            if padded is not None:
                return padded
        raise UnsupportedFeatureError(
            f"no string matching pattern {self.pattern!r} with length "
            f"{self.min_len}..{self.max_len if self.max_len is not None else '∞'} was found"
        )

    def _fits(self, value: str) -> bool:
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            return False
        return self.regex.search(value) is not None

    def _pad(self, value: str, rng: random.Random) -> str | None:
        """For unanchored patterns a short match may be padded to reach ``min_len``."""
        if len(value) >= self.min_len or self.pattern.endswith("$") and self.pattern.startswith("^"):
            return None
        while len(value) < self.min_len:
            value = value + rng.choice("abcdefghijklmnopqrstuvwxyz") if not self.pattern.endswith("$") \
                else rng.choice("abcdefghijklmnopqrstuvwxyz") + value
        return value if self._fits(value) else None


