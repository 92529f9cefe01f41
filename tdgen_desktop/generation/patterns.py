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
        raise UnsatisfiableError(
            f"pattern {pattern!r} is not a valid regular expression: {exc}"
        ) from exc


def _xeger_class() -> type:
    """rstr's ``Xeger`` with its per-call work cached.

    rstr re-parses the pattern and rebuilds every character class on each call, and builds
    negated classes from a ``set`` (whose order changes between processes). This subclass
    parses once, caches each class as a sorted list (deterministic) and honours a per-instance
    repetition cap instead of rstr's module-wide ``STAR_PLUS_LIMIT``.
    """
    import string  # noqa: PLC0415
    from itertools import chain  # noqa: PLC0415

    from rstr.xeger import Xeger  # noqa: PLC0415

    class _CachedXeger(Xeger):
        def __init__(self, limit: int) -> None:
            super().__init__(random.Random(0))
            self.limit = limit
            self._classes: dict[int, list[str]] = {}

        def _handle_in(self, value: Any) -> Any:
            candidates = self._classes.get(id(value))
            if candidates is None:
                raw = list(chain(*(self._handle_state(i) for i in value)))
                if raw and raw[0] is False:
                    raw = sorted(set(string.printable).difference(raw[1:]))
                candidates = self._classes[id(value)] = raw
            return self._random.choice(candidates)

        def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
            end = max(min(end_range, self.limit), start_range)
            times = self._random.randint(start_range, end)
            return "".join("".join(self._handle_state(i) for i in value) for _ in range(times))

        def build(self, parsed: Any, rng: random.Random) -> str:
            self._random = rng
            result: str = self._build_string(parsed)
            self._cache.clear()
            return result

    return _CachedXeger


class PatternGenerator:
    """Makes strings matching ``pattern`` within ``min_len..max_len`` code points.

    Raises:
        UnsatisfiableError: the pattern is invalid.
        UnsupportedFeatureError: the pattern demands more than ``MAX_REQUIRED_REPEAT``
            repetitions of something.
    """

    def __init__(self, pattern: str, min_len: int = 0, max_len: int | None = None) -> None:
        from re import _parser  # noqa: PLC0415

        self.pattern = pattern
        self.regex = compile_pattern(pattern)
        self.min_len, self.max_len = min_len, max_len
        self._parsed = _parser.parse(pattern)
        _check_repeats(pattern, self._parsed)
        limit = MAX_REPEAT if max_len is None else max(min(MAX_REPEAT, max_len), 1)
        self._xeger = _xeger_class()(limit)

    def generate(self, rng: random.Random) -> str:
        """One matching string.

        Raises:
            UnsupportedFeatureError: no matching string of an allowed length was found.
        """
        for _ in range(_TRIES):
            try:
                value = str(self._xeger.build(self._parsed, rng))
            except (ValueError, IndexError, KeyError, TypeError, AttributeError, re.error) as exc:
                raise UnsupportedFeatureError(
                    f"pattern {self.pattern!r} uses a construct no string can be generated for "
                    f"({exc})"
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
        if len(value) >= self.min_len or (
            self.pattern.startswith("^") and self.pattern.endswith("$")
        ):
            return None
        filler = "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(self.min_len - len(value))
        )
        value = filler + value if self.pattern.endswith("$") else value + filler
        return value if self._fits(value) else None


MAX_REQUIRED_REPEAT = 10_000
"""A pattern that needs more repetitions than this (``a{1000000}``) is refused, not generated."""


def _check_repeats(pattern: str, parsed: Any) -> None:
    for op, arg in parsed:
        name = str(op)
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            if arg[0] > MAX_REQUIRED_REPEAT:
                raise UnsupportedFeatureError(
                    f"pattern {pattern!r} requires {arg[0]:,} repetitions; "
                    f"at most {MAX_REQUIRED_REPEAT:,} are generated"
                )
            _check_repeats(pattern, arg[2])
        elif name == "SUBPATTERN":
            _check_repeats(pattern, arg[-1])
        elif name == "BRANCH":
            for branch in arg[1]:
                _check_repeats(pattern, branch)
