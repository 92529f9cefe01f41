"""The column-at-a-time sources make what their one-value-at-a-time definitions describe."""

from __future__ import annotations

import datetime as dt
import decimal
import random
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.generation.patterns import PatternGenerator, _draw_chars
from tdgen_desktop.generation.pools import Pools, ascii_slug, slug_chars
from tdgen_desktop.generation.values import GenContext, _Dates, _format_instant, _IntRange


@settings(max_examples=300, deadline=None, derandomize=True)
@given(first=st.text(max_size=12), last=st.text(max_size=12))
def test_slugs_of_names_compose(first: str, last: str) -> None:
    assert ascii_slug(f"{first}.{last}") == (slug_chars(first) + "." + slug_chars(last)).strip(".")
    assert ascii_slug(first) == slug_chars(first).strip(".")


def test_drawn_characters_are_uniform_and_from_the_alphabet() -> None:
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    text = _draw_chars(random.Random(7), letters, 52_000)
    assert len(text) == 52_000
    counts = Counter(text)
    assert set(counts) == set(letters)
    assert all(1600 <= n <= 2400 for n in counts.values()), counts  # 2,000 expected each
    assert _draw_chars(random.Random(7), letters, 100) == text[:100]  # seeded
    assert set(_draw_chars(random.Random(1), ["é", "ß"], 50)) <= {"é", "ß"}  # not ASCII


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    pattern=st.sampled_from(
        ["^[A-Z]{3}-[0-9]{5}$", "^[a-f0-9]{2,6}$", "x[0-9]+y", "^[^a-z]{4}$", "^ab?c{0,3}$"]
    ),
    seed=st.integers(0, 10**6),
    n=st.integers(0, 300),
)
def test_pattern_columns_match_and_repeat_with_the_seed(pattern: str, seed: int, n: int) -> None:
    generator = PatternGenerator(pattern, 0, 12)
    values = generator.generate_many(random.Random(seed), n)
    assert len(values) == n
    assert all(re.search(pattern, v) and len(v) <= 12 for v in values), values
    assert generator.generate_many(random.Random(seed), n) == values


def test_date_columns_are_the_instants_formatted() -> None:
    low = dt.datetime(1999, 12, 30, 22, 15, 5)
    high = dt.datetime(2004, 3, 1)
    for kind in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME):
        values = _Dates(kind, low, high).column(GenContext(random.Random(3)), 5_000)
        for text in values:
            if kind is FieldType.TIME:
                instant = dt.datetime.combine(low.date(), dt.time.fromisoformat(text[:-1]))
                assert text == _format_instant(kind, instant)
                continue
            instant = dt.datetime.fromisoformat(text.rstrip("Z"))
            assert low.date() <= instant.date() <= high.date()
            assert text == _format_instant(kind, instant)
        assert len(set(values)) > 1_000 or kind is FieldType.DATE


def test_cent_ranges_are_exact_multiples_within_bounds() -> None:
    source = _IntRange(12.5, 10_001, 0.01)  # 12.50 … 112.50
    values = source.column(GenContext(random.Random(5)), 20_000)
    assert source.units == 1250
    for value in values:
        assert 12.5 <= value <= 112.5
        assert decimal.Decimal(repr(value)) % decimal.Decimal("0.01") == 0
        assert value == round(value, 2)
    assert len(set(values)) > 8_000
    integers = _IntRange(-3, 7).column(GenContext(random.Random(5)), 2_000)
    assert set(integers) == set(range(-3, 4))


@pytest.mark.parametrize(
    "locale",
    ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_CA", "en_AU", "ja_JP",
     "zh_CN", "ru_RU", "ar_SA", "he_IL", "pt_BR", "ko_KR", "th_TH", "en_IN", "de_CH", "hu_HU"],
)  # fmt: skip
def test_lean_faker_instances_give_the_same_pools(locale: str) -> None:
    lean, full = Pools(11, locale), Pools(11, locale)
    full.lean = False
    for kind in ("first_name", "last_name", "full_name"):
        assert lean.pool(kind) == full.pool(kind), kind
    assert lean.records() == full.records()
    assert any(r.street_address and r.phone and r.city for r in lean.records())
