"""Pattern checks in bounded time: the same answers as ``re``, never a stall.

``tdgen_desktop.core.pattern_check`` replaces ``re.search`` wherever tdgen checks a string
against a schema's ``pattern`` (generation, case design, the compiled column checks and the
validation oracle). These tests hold it to ``re``'s answers on every pattern of a small corpus
and on random strings, to its time limit on a pattern no backtracking engine can answer, and to
leaving the interpreter lock free while it works.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tdgen_desktop.core.errors import UnsupportedFeatureError
from tdgen_desktop.core.pattern_check import CHECK_SECONDS, CheckedPattern, checked_pattern
from tdgen_desktop.core.validation import Oracle

Recorder = Callable[..., None]

# Patterns of the test corpus, the README and the fuzz seeds, with and without nesting.
_CORPUS = [
    r"^[A-Z]{2}-[0-9]{4}$",
    r"^\w+$",
    r"^[a-z]+@[a-z]+\.com$",
    r"[0-9]",
    r"^\d{3}-\d{2}-\d{4}$",
    r"^(\+\d{1,3} )?\(\d{3}\) \d{3}-\d{4}$",
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    r"^(\w+\s?)*$",
    r"^(a+)+$",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"^(.*a){3}$",
    r"(ab|a)c",
    r"^(?:(a|b)\1)+$",
    r"^[[:alpha:]]+$",
    r"^([[:alpha:]]x)+$",
    r"^[^\s@]+@[^\s@]+$",
    r"^v\d+(\.\d+){0,2}$",
    r"colou?r",
    r"^$",
    r"(?i)^abc$",
]
_ALPHABET = "abcAB:[]x@.- 0123\n"


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=st.sampled_from(_CORPUS), value=st.text(_ALPHABET, max_size=12))
def test_the_same_answer_as_re(pattern: str, value: str) -> None:
    expected = re.search(pattern, value)
    found = checked_pattern(pattern).search(value)
    assert (found is None) == (expected is None), (pattern, value)
    if expected is not None:
        assert found.span() == expected.span()


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
def test_posix_like_sets_mean_what_re_reads() -> None:
    """``re`` reads ``[[:alpha:]]`` as the set ``[:alph`` and a ``]``; ``regex`` would read a
    POSIX class. A nested pattern (checked by ``regex``) keeps ``re``'s meaning."""
    nested = CheckedPattern(r"^([[:alpha:]]x)+$")
    assert nested.nested
    assert nested.matches("[]x:]x")
    assert not nested.matches("bx")


def test_long_strings_of_a_plain_pattern_are_bounded_too() -> None:
    """One variable repetition is quadratic for ``search``: a long string takes the bounded
    check, which answers as ``re`` does."""
    plain = CheckedPattern(r"[a-z]*X")
    assert not plain.nested
    value = "a" * 20_000
    assert plain.search(value) is None
    assert plain.matches(value + "X")


@pytest.mark.timeout(30)
def test_a_near_miss_no_engine_can_answer_is_an_error_in_bounded_time(record: Recorder) -> None:
    pattern = CheckedPattern(r"^(a|aa)+$")
    started = time.perf_counter()
    with pytest.raises(UnsupportedFeatureError, match=r"'\^\(a\|aa\)\+\$' took more than 1 s"):
        pattern.search("a" * 40 + "!")
    seconds = time.perf_counter() - started
    assert CHECK_SECONDS <= seconds < CHECK_SECONDS + 5
    record(
        "Hostile input",
        "a pattern check no backtracking engine can finish: '^(a|aa)+$' on 40 a and a '!' "
        "(Python's re: years)",
        "refused: the pattern took more than 1 s to check …; simplify the pattern",
        f"{seconds:.2f} s",
    )


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("pattern", "value", "match"),
    [
        (r"^(([a-z])+.)+[A-Z]([a-z])+$", "abcdefghijklmnopqrstuvwxyz0123\n", "abc!deFgh"),
        (r"^(.*a){25}$", "xa" * 24 + "b", "xa" * 25),
        (r"^(\w+\s?)*$", "a b c d e f g h i j k l m n o p q r s t u v w x y z!", "a b c"),
    ],
)
def test_the_oracle_answers_near_misses_at_once(
    pattern: str, value: str, match: str, record: Recorder
) -> None:
    """The validation oracle (``pattern`` keyword) gives the near miss its error quickly; the
    stock ``jsonschema`` check (``re.search``) would run for minutes or longer."""
    oracle = Oracle({"type": "string", "pattern": pattern})
    started = time.perf_counter()
    error = oracle.first_error(value)
    seconds = time.perf_counter() - started
    assert error is not None
    assert error.validator == "pattern"
    assert oracle.is_valid(match)
    record(
        "Hostile input",
        f"validation oracle: a {len(value)}-character near miss of {pattern!r}",
        "rejected for its pattern",
        f"{seconds * 1000:.1f} ms",
    )
    assert seconds < 0.5


@pytest.mark.timeout(30)
def test_the_interpreter_lock_is_free_while_a_check_runs() -> None:
    """The window's thread keeps running while a job's thread is in a long pattern check
    (``re`` would hold the lock for the whole match)."""
    pattern = CheckedPattern(r"^(a|aa)+$")
    errors: list[BaseException] = []

    def check() -> None:
        try:
            pattern.search("a" * 40 + "!")
        except UnsupportedFeatureError as exc:
            errors.append(exc)

    worker = threading.Thread(target=check)
    worker.start()
    longest, last = 0.0, time.perf_counter()
    while worker.is_alive():
        time.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    worker.join()
    assert errors, "the check should have reached its time limit"
    assert longest < 0.25, f"the main thread waited {longest:.3f} s for the lock"
