"""Strings that match a JSON Schema ``pattern``, made with ``rstr`` (no home-made regex engine).

JSON Schema patterns are ECMA-262 regular expressions matched anywhere in the string; the
validator (``jsonschema``) runs them through Python's ``re``. Generated strings are checked with
the same match — through :class:`~tdgen_desktop.core.pattern_check.CheckedPattern`, in bounded
time — and the field's length limits, and retried a bounded number of times.
"""

from __future__ import annotations

import functools
import random
import re
from typing import Any

from tdgen_desktop.core.errors import UnsatisfiableError, UnsupportedFeatureError
from tdgen_desktop.core.pattern_check import CheckedPattern, checked_pattern

__all__ = ["MAX_REPEAT", "PatternGenerator", "compile_pattern"]

MAX_REPEAT = 64
_VISIBLE = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~ "
)
"""Unbounded repetitions (``*``, ``+``, ``{n,}``) are capped at this many characters."""

_TRIES = 200


def compile_pattern(pattern: str) -> CheckedPattern:
    """Compile a JSON Schema pattern as the validator reads it (Python's ``re``), for checks in
    bounded time.

    Raises:
        UnsatisfiableError: the pattern is not a valid regular expression.
    """
    try:
        return checked_pattern(pattern)
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
    from itertools import chain  # noqa: PLC0415

    from rstr.xeger import Xeger  # noqa: PLC0415

    class _CachedXeger(Xeger):
        def __init__(self, limit: int) -> None:
            super().__init__(random.Random(0))
            self.limit = limit
            self._classes: dict[int, list[str]] = {}
            self._depth = 0

        def _handle_in(self, value: Any) -> Any:
            return self._random.choice(self._handle_in_chars(value))

        def _handle_in_chars(self, value: Any) -> list[str]:
            candidates = self._classes.get(id(value))
            if candidates is None:
                raw = list(chain(*(self._handle_state(i) for i in value)))
                if raw and raw[0] is False:
                    raw = sorted(set(_VISIBLE).difference(raw[1:]))
                candidates = self._classes[id(value)] = raw
            return candidates

        def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
            # Nested repeats multiply: ((a*)*b)* at 64 each would be 262,144 characters, so
            # the cap shrinks eightfold with each level of nesting (64, 8, 2 …).
            cap = max(self.limit >> (3 * self._depth), 2) if self._depth else self.limit
            end = max(min(end_range, cap), start_range)
            times = self._random.randint(start_range, end)
            self._depth += 1
            try:
                return "".join("".join(self._handle_state(i) for i in value) for _ in range(times))
            finally:
                self._depth -= 1

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
        shortest = self._parsed.getwidth()[0]  # nested repeats multiply: (x{1000}){1000}
        if shortest > MAX_REQUIRED_REPEAT:
            raise UnsupportedFeatureError(
                f"pattern {pattern!r} matches only strings of {shortest:,} characters or more; "
                f"at most {MAX_REQUIRED_REPEAT:,} are generated"
            )
        limit = MAX_REPEAT if max_len is None else max(min(MAX_REPEAT, max_len), 1)
        self._xeger = _xeger_class()(limit)
        self._segments = _segments(self._parsed, self._xeger, limit)

    def generate(self, rng: random.Random) -> str:
        """One matching string.

        Raises:
            UnsupportedFeatureError: no matching string of an allowed length was found.
        """
        for _ in range(_TRIES):
            if self._segments is not None:
                value = "".join(
                    "".join(rng.choices(chars, k=rng.randint(low, high)))
                    for chars, low, high in self._segments
                )
                if self._fits(value):
                    return value
                continue
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

    def generate_many(self, rng: random.Random, n: int) -> list[str]:
        """``n`` matching strings.

        A simple pattern (a sequence of literals and character classes) is made a segment at
        a time for the whole column — one ``choices`` call per segment instead of one per
        value; every string is still checked, and one that does not fit is made again singly.

        Raises:
            UnsupportedFeatureError: no matching string of an allowed length was found.
        """
        if self._segments is None or n <= 1:
            return [self.generate(rng) for _ in range(n)]
        parts = [_segment_column(rng, segment, n) for segment in self._segments]
        parts = [p for p in parts if p is not None]
        values = ["".join(row) for row in zip(*parts, strict=True)] if parts else [""] * n
        fits = self._fits
        return [value if fits(value) else self.generate(rng) for value in values]

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


_Segment = tuple[list[str], int, int]


def _draw_chars(rng: random.Random, chars: list[str], k: int) -> str:
    """``k`` characters drawn uniformly (with repeats) from ``chars``.

    Small ASCII alphabets are drawn from random bytes: each byte below the largest multiple of
    the alphabet's size picks ``chars[byte % size]`` and the other bytes are dropped (rejection,
    so every character stays equally likely) — one ``translate`` instead of a call per
    character.
    """
    tables = _byte_tables(tuple(chars))
    if tables is None:
        return "".join(rng.choices(chars, k=k))
    table, dropped, kept = tables
    out = b""
    while len(out) < k:
        need = k - len(out)
        out += rng.randbytes(need * 256 // kept + 16).translate(table, dropped)
    return out[:k].decode("ascii")


@functools.lru_cache(maxsize=256)
def _byte_tables(chars: tuple[str, ...]) -> tuple[bytes, bytes, int] | None:
    """``bytes.translate`` arguments mapping random bytes onto ``chars`` (None: not ASCII)."""
    size = len(chars)
    if not 1 < size <= 128 or any(len(c) != 1 or ord(c) > 127 for c in chars):
        return None
    kept = 256 - 256 % size
    table = bytes(ord(chars[b % size]) if b < kept else 0 for b in range(256))
    return table, bytes(range(kept, 256)), kept


def _segment_column(rng: random.Random, segment: _Segment, n: int) -> list[str] | None:
    """The text of one segment for ``n`` values (None when it is always empty)."""
    chars, low, high = segment
    if high == 0:
        return None
    if low == high:
        if len(chars) == 1:
            return [chars[0] * low] * n
        flat = _draw_chars(rng, chars, n * low)
        return [flat[i : i + low] for i in range(0, n * low, low)]
    lengths = rng.choices(range(low, high + 1), k=n)
    flat = _draw_chars(rng, chars, sum(lengths))
    out, position = [], 0
    for length in lengths:
        out.append(flat[position : position + length])
        position += length
    return out


def _segments(parsed: Any, xeger: Any, limit: int) -> list[_Segment] | None:
    """A fast plan for simple patterns — a sequence of literals, character classes and their
    repetitions, optionally anchored — as (characters, min, max) segments; None otherwise.

    The characters of a class are the ones rstr's ``Xeger`` would choose from, so a fast string
    is one rstr could also make; every string is still checked with ``re.search``.
    """
    out: list[_Segment] = []
    for op, arg in parsed:
        name = str(op)
        if name == "AT":
            continue
        if name in {"MAX_REPEAT", "MIN_REPEAT"}:
            low, high, sub = arg
            items = list(sub)
            if len(items) != 1:
                return None
            chars = _chars(items[0], xeger)
            if chars is None:
                return None
            out.append((chars, low, max(min(high, limit), low)))
            continue
        chars = _chars((op, arg), xeger)
        if chars is None:
            return None
        out.append((chars, 1, 1))
    return out


def _chars(item: Any, xeger: Any) -> list[str] | None:
    op, arg = item
    name = str(op)
    if name == "LITERAL":
        return [chr(arg)]
    if name == "IN":
        return list(xeger._handle_in_chars(arg))
    if name == "CATEGORY":
        return list(xeger._handle_state(item))
    return None


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
