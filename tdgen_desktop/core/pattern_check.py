"""Checking strings against a JSON Schema ``pattern`` in bounded time.

Python's ``re`` — the engine ``jsonschema`` uses — backtracks without limit. A pattern whose
repetitions overlap (``^(a+)+$``, ``^(.*a){25}$``, ``^(([a-z])+.)+[A-Z]([a-z])+$``) can take
minutes, or years, on a string that nearly matches, and ``re`` holds the interpreter lock all
that time: a job would stall, the window would freeze and a cancel could not be heard.

So tdgen checks every pattern that could backtrack far with the ``regex`` package instead:

* its engine recognises most such repetitions and answers at once (the three above in under a
  millisecond on strings that took ``re`` longer than a minute);
* it releases the interpreter lock while it matches, so the window and the other jobs go on;
* every check has a time limit, :data:`CHECK_SECONDS`; a check that reaches it is an
  :class:`~tdgen_desktop.core.errors.UnsupportedFeatureError` naming the pattern — the job
  stops with that message instead of stalling. (``^(a|aa)+$`` on forty ``a`` and a ``!`` is
  one that ``regex`` too would need years for.)

A pattern without nesting — no repetition inside another, no alternatives inside a repetition,
no back-reference or look-around — can only backtrack polynomially: with *k* repetitions of
variable length, ``search`` tries about n^(k+1) ways on an n-character string. Such a
pattern is matched with ``re`` itself, the validator's own engine, at full speed (the bounded
check costs about 5 µs more per string), as long as n^(k+1) stays under
:data:`FAST_STEPS` — 3,162 characters with one repetition, 215 with two; longer strings get the
bounded check.

``regex`` (version 0, its default) is meant to read patterns as ``re`` does. The one difference
that matters here: ``regex`` reads ``[[:alpha:]]`` as a POSIX class where ``re`` reads a plain
set of ``[``, ``:``, ``a`` …; every ``[:`` is passed to ``regex`` as ``[\\:``, which both engines
read as the same characters. A pattern ``re`` rejects is rejected before ``regex`` sees it.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from typing import Any

from tdgen_desktop.core.errors import UnsupportedFeatureError

__all__ = ["CHECK_SECONDS", "FAST_STEPS", "CheckedPattern", "checked_pattern"]

CHECK_SECONDS = 1.0
"""The longest one string is checked against one pattern before the check is an error."""

FAST_STEPS = 10**7
"""The most ways (n^(k+1)) a pattern without nesting may try with ``re`` on one string."""

_PARSER = importlib.import_module("re._parser")
"""The parser ``re`` (and rstr) use: the parse tree tells nested repetitions apart."""
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
_SEARCH_CACHE = 512


class CheckedPattern:
    """A JSON Schema ``pattern`` compiled for checking strings in bounded time.

    Args:
        pattern: the regular expression, as written in the schema.

    Raises:
        re.error: ``pattern`` is not a regular expression Python's ``re`` accepts (as for
            ``re.compile``; also ``OverflowError``/``RecursionError`` for absurd ones).
    """

    __slots__ = ("_bounded", "_fast", "_fast_length", "nested", "pattern", "search")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        compiled = re.compile(pattern)
        variable = _variable_repeats(_PARSER.parse(pattern))
        self.nested = variable is None
        """Whether the pattern nests repetitions (or alternatives, references …) and so may
        backtrack exponentially: every string is then checked in bounded time."""
        self._fast: Callable[[str], Any] = compiled.search
        self._fast_length = 0 if variable is None else int(FAST_STEPS ** (1 / (variable + 1)))
        self._bounded: Callable[..., Any] | None = _regex_search(pattern) if self.nested else None
        self.search: Callable[[str], Any] = self._search if self.nested else self._short
        """The match of the pattern anywhere in a string, or None (as ``re.Pattern.search``).

        Raises:
            UnsupportedFeatureError: the check took longer than :data:`CHECK_SECONDS`.
        """

    def _short(self, value: str) -> Any:
        if len(value) <= self._fast_length:
            return self._fast(value)
        if self._bounded is None:
            self._bounded = _regex_search(self.pattern)
        return self._search(value)

    def _search(self, value: str) -> Any:
        bounded = self._bounded
        if bounded is None:  # a pattern ``re`` reads but ``regex`` does not: no bound
            return self._fast(value)
        try:
            return bounded(value, timeout=CHECK_SECONDS, concurrent=True)
        except TimeoutError as exc:
            raise UnsupportedFeatureError(
                f"pattern {self.pattern!r} took more than {CHECK_SECONDS:g} s to check a "
                f"{len(value):,}-character string: its repetitions overlap (as in (a|aa)+ or "
                "(a+)+), so a near miss can be matched in too many ways; simplify the pattern"
            ) from exc

    def matches(self, value: str) -> bool:
        """Whether ``pattern`` matches anywhere in ``value`` (JSON Schema's rule)."""
        return self.search(value) is not None

    def __repr__(self) -> str:
        return f"CheckedPattern({self.pattern!r})"


def _regex_search(pattern: str) -> Callable[..., Any] | None:
    """``regex``'s search for ``pattern`` read as ``re`` reads it; None if ``regex`` refuses it."""
    import regex  # noqa: PLC0415 — only patterns that need it load it

    try:
        return regex.compile(pattern.replace("[:", "[\\:")).search  # type: ignore[no-any-return]
    except (regex.error, OverflowError, RecursionError, ValueError):
        return None


@functools.lru_cache(maxsize=_SEARCH_CACHE)
def checked_pattern(pattern: str) -> CheckedPattern:
    """The :class:`CheckedPattern` for ``pattern`` (cached, like ``re``'s own cache)."""
    return CheckedPattern(pattern)


def _variable_repeats(parsed: Any) -> int | None:
    """How many repetitions of variable length a pattern without nesting has; None when the
    pattern nests (a group or an alternative inside a repetition, an alternative, a
    back-reference, a look-around), which may backtrack exponentially.

    Deliberately coarse: only sequences of single-character items, repeated or not, count as
    without nesting (``^[A-Z]{2}-[0-9]{4}$``, ``^[a-z]+@[a-z]+\\.com$``).
    """
    variable = 0
    for op, arg in _flatten(parsed):
        name = str(op)
        if name in _REPEATS:
            low, high, sub = arg
            if any(str(o) not in _SINGLE for o, _ in sub):
                return None
            if low != high:
                variable += 1
        elif name not in _SINGLE:
            return None
    return variable


_SINGLE = {"LITERAL", "NOT_LITERAL", "IN", "ANY", "CATEGORY", "AT"}


def _flatten(parsed: Any) -> list[tuple[Any, Any]]:
    """The items of ``parsed`` with plain groups (not repeated, no alternatives) opened."""
    out: list[tuple[Any, Any]] = []
    for op, arg in parsed:
        if str(op) == "SUBPATTERN":
            out.extend(_flatten(arg[-1]))
        else:
            out.append((op, arg))
    return out
