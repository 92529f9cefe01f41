"""Value sources: compiled, column-wise generators for one field each.

``compile_field`` turns a model :class:`Field` into a :class:`Source`. A source makes a whole
column at once (``column(ctx, n)``), drawing every random choice from the context's seeded
``random.Random``; derived sources (an e-mail from the row's name, an end date after the start
date, a city from the row's country) read the sibling columns already made.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import itertools
import math
import random
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.errors import TdgenError, UnsatisfiableError, UnsupportedFeatureError
from tdgen_desktop.core.model import MISSING, Constraints, Field
from tdgen_desktop.generation import patterns
from tdgen_desktop.generation.pools import (
    COUNTRY_LOCALES,
    AddressRecord,
    Pools,
    derive_seed,
    slug_chars,
)
from tdgen_desktop.generation.seen import SeenValues, value_key

__all__ = [
    "OPTIONAL_ABSENT_RATIO",
    "REFERENCE_DATE",
    "ColumnFix",
    "Env",
    "GenContext",
    "GenerationFailure",
    "Source",
    "UniqueSource",
    "compile_field",
    "compile_object",
    "defer_uniques",
]

OPTIONAL_ABSENT_RATIO = 0.3
"""Share of nested objects that leave out a given optional property (table columns stay)."""


class GenerationFailure(UnsupportedFeatureError):
    """No value satisfying a field's own schema rules was found; ``path`` names the field."""

    def __init__(self, problem: str, path: str) -> None:
        super().__init__(problem, field=path)
        self.path = path


REFERENCE_DATE = dt.date(2026, 1, 1)
"""Dates are placed relative to this fixed day, not today, so output never depends on the day."""

_CHECK_RETRIES = 60
RETRY_BUDGET = 200
"""Retries all checked values of one row may spend together (plus 20 per further row of a
chunk); nested retries multiply, and this bound keeps a deeply conditional schema from taking
minutes. When it is spent, an optional property is left out of the row."""
_UNIQUE_RETRIES = 20
_ITEM_RETRIES = 500


@dataclass(slots=True)
class GenContext:
    """What a source needs to make a column.

    Attributes:
        rng: the chunk's seeded random generator.
        start: the global number of the first row of the chunk.
        siblings: columns of the same object made so far, by field name.
    """

    rng: random.Random
    start: int = 0
    siblings: dict[str, list[Any]] = field(default_factory=dict)
    sparse: bool = False
    retries: list[int] = field(default_factory=lambda: [RETRY_BUDGET])

    def child(self) -> GenContext:
        """A context for a nested object: same rng, rows and retry budget; sparse."""
        return GenContext(self.rng, self.start, {}, sparse=True, retries=self.retries)

    def spend_retry(self) -> bool:
        """Take one retry from the shared budget; False when it is used up."""
        if self.retries[0] <= 0:
            return False
        self.retries[0] -= 1
        return True


@dataclass(slots=True)
class Env:
    """Compile-time settings: the job's pools, seed and locale, and the path of the field.

    ``uniques`` collects every unique source compiled for a table (shared by nested
    environments), so the provider can tell whether a plan's chunks are independent.
    """

    pools: Pools
    seed: int
    path: str = ""
    uniques: list[UniqueSource] = field(default_factory=list)


class Source(ABC):
    """Makes the values of one field, a column at a time."""

    @abstractmethod
    def column(self, ctx: GenContext, n: int) -> list[Any]:
        """Return ``n`` values."""

    def one(self, ctx: GenContext) -> Any:
        """Return one value."""
        return self.column(ctx, 1)[0]


# ==================================================================== simple sources


class _Const(Source):
    def __init__(self, value: Any) -> None:
        self.value = value

    def column(self, ctx: GenContext, n: int) -> list[Any]:  # noqa: ARG002 — a constant needs no rng
        return [self.value] * n


class _Choice(Source):
    def __init__(self, values: Sequence[Any], weights: Sequence[float] | None = None) -> None:
        self.values = list(values)
        self.cum_weights = list(itertools.accumulate(weights)) if weights is not None else None

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        return ctx.rng.choices(self.values, cum_weights=self.cum_weights, k=n)


class _Bool(Source):
    def column(self, ctx: GenContext, n: int) -> list[Any]:
        bits = ctx.rng.getrandbits(n) if n else 0
        return [bool((bits >> i) & 1) for i in range(n)]


class _Nullable(Source):
    def __init__(self, inner: Source, ratio: float) -> None:
        self.inner, self.ratio = inner, ratio

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        values = self.inner.column(ctx, n)
        rnd = ctx.rng.random
        ratio = self.ratio
        return [None if rnd() < ratio else v for v in values]


class _IntRange(Source):
    """Integers ``offset + step * k`` for k uniform in [0, count)."""

    def __init__(self, low: int | float, count: int, step: int | float = 1) -> None:
        self.low, self.count, self.step = low, count, step
        self.places = (
            _decimal_places(step) if isinstance(step, float) or isinstance(low, float) else None
        )
        # A decimal step of 10**-places (cents): ``(units + k) / scale`` is the float nearest
        # to the decimal value, as ``round(low + step * k, places)`` is, without the rounding.
        self.units: int | None = None
        if self.places is not None:
            scale = 10**self.places
            d_low, d_step = decimal.Decimal(repr(float(low))), decimal.Decimal(repr(float(step)))
            try:
                exact = d_step * scale == 1 and (d_low * scale) % 1 == 0
            except decimal.InvalidOperation:  # beyond decimal's 28 digits: the float path
                exact = False
            if exact:
                self.units, self.scale = int(d_low * scale), scale

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        low, count, step = self.low, self.count, self.step
        if count > _FLOAT_DRAW_LIMIT:  # beyond what random() resolves evenly
            randrange = ctx.rng.randrange
            if self.places is None:
                return [low + step * randrange(count) for _ in range(n)]
            return [round(low + step * randrange(count), self.places) for _ in range(n)]
        rnd = ctx.rng.random
        if self.units is not None:
            units, scale = self.units, self.scale
            return [(units + int(rnd() * count)) / scale for _ in range(n)]
        if self.places is None:
            if step == 1:
                return [low + int(rnd() * count) for _ in range(n)]
            return [low + step * int(rnd() * count) for _ in range(n)]
        places = self.places
        return [round(low + step * int(rnd() * count), places) for _ in range(n)]


_FLOAT_DRAW_LIMIT = 1 << 40
"""Ranges up to this size draw ``int(random() * count)`` (as ``random.choices`` does)."""


def _decimal_places(value: float) -> int:
    exponent = decimal.Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


class _Sequence(Source):
    """1, 2, 3 … (from ``low``) by global row number: unique by construction."""

    def __init__(self, low: int, step: int | float = 1) -> None:
        self.low, self.step = low, step

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        base = ctx.start
        if self.step == 1:
            return list(range(self.low + base, self.low + base + n))
        return [round(self.low + self.step * (base + i), 12) for i in range(n)]


class _Permutation(Source):
    """A seeded permutation of a range, by global row number: unique and scattered."""

    def __init__(self, low: int | float, count: int, step: int | float, seed: int) -> None:
        self.low, self.count, self.step = low, count, step
        rng = random.Random(seed)
        multiplier = rng.randrange(1, count) if count > 1 else 1
        while math.gcd(multiplier, count) != 1:
            multiplier += 1
        self.multiplier, self.offset = multiplier, rng.randrange(count)

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        a, b, m, low, step = self.multiplier, self.offset, self.count, self.low, self.step
        return [_num(low + step * ((a * i + b) % m)) for i in range(ctx.start, ctx.start + n)]


def _num(value: int | float) -> int | float:
    """Integral values stay ints; float noise from ``low + step * k`` is rounded away."""
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 12)
    return value


class _Float(Source):
    def __init__(self, low: float, high: float, decimals: int | None, c: Constraints) -> None:
        self.low, self.high, self.decimals, self.c = low, high, decimals, c

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        uniform, low, high, decimals = ctx.rng.uniform, self.low, self.high, self.decimals
        out = []
        for _ in range(n):
            raw = uniform(low, high)
            value = round(raw, decimals) if decimals is not None else raw
            if not _in_bounds(value, self.c):
                value = raw if _in_bounds(raw, self.c) else (low + high) / 2
            out.append(value)
        return out


def _in_bounds(value: float, c: Constraints) -> bool:
    if c.minimum is not None and (
        value < c.minimum or (c.exclusive_minimum and value == c.minimum)
    ):
        return False
    return not (
        c.maximum is not None
        and (value > c.maximum or (c.exclusive_maximum and value == c.maximum))
    )


class _Uuid(Source):
    def column(self, ctx: GenContext, n: int) -> list[Any]:
        bits = ctx.rng.getrandbits
        return [str(uuid.UUID(int=bits(128), version=4)) for _ in range(n)]


class _Binary(Source):
    def __init__(self, min_len: int, max_len: int) -> None:
        self.min_len, self.max_len = min_len, max_len

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        out = []
        for _ in range(n):
            size = ctx.rng.randint(self.min_len, self.max_len)
            out.append(base64.b64encode(ctx.rng.randbytes(size)).decode("ascii"))
        return out


class _Dates(Source):
    """Dates (or date-times, or times) uniformly between two instants, as ISO text."""

    def __init__(self, kind: FieldType, low: dt.datetime, high: dt.datetime) -> None:
        self.kind, self.low = kind, low
        self.span = max(int((high - low).total_seconds()), 1)
        self.first_day = low.toordinal()
        self.first_second = low.hour * 3600 + low.minute * 60 + low.second
        self._days: dict[int, str] = {}

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        # Text is assembled from memoised pieces (the day, "HH:MM", ":SSZ"): the same text
        # ``_format_instant`` gives, without a datetime per value.
        rnd, span, offset = ctx.rng.random, self.span, self.first_second
        seconds = [offset + int(rnd() * span) for _ in range(n)]
        if self.kind is FieldType.TIME:
            return [_CLOCK_MINUTES[s // 60 % 1440] + _CLOCK_SECONDS[s % 60] for s in seconds]
        days, day = self._days, self._day
        if self.kind is FieldType.DATE:
            return [days.get(d) or day(d) for d in (s // 86400 for s in seconds)]
        minutes, clock_seconds = _CLOCK_MINUTES, _CLOCK_SECONDS
        return [
            (days.get(s // 86400) or day(s // 86400))
            + "T"
            + minutes[s // 60 % 1440]
            + clock_seconds[s % 60]
            for s in seconds
        ]

    def _day(self, number: int) -> str:
        text = self._days.get(number)
        if text is None:
            text = dt.date.fromordinal(self.first_day + number).isoformat()
            if len(self._days) < _DAY_MEMO:
                self._days[number] = text
        return text


_DAY_MEMO = 50_000
_CLOCK_MINUTES = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
_CLOCK_SECONDS = [f":{s:02d}Z" for s in range(60)]


def _format_instant(kind: FieldType, t: dt.datetime) -> str:
    if kind is FieldType.DATE:
        return t.date().isoformat()
    if kind is FieldType.TIME:
        return t.strftime("%H:%M:%SZ")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_instant(text: str) -> dt.datetime | None:
    try:
        if len(text) < 10 or text[2] == ":":
            clock = dt.time.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
            return dt.datetime.combine(REFERENCE_DATE, clock)
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


class _Pattern(Source):
    def __init__(self, generator: patterns.PatternGenerator) -> None:
        self.generator = generator

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        return list(self.generator.generate_many(ctx.rng, n))


class _Words(Source):
    """Readable text: words from a lorem pool, fitted to the length limits."""

    def __init__(self, words: list[str], min_len: int, max_len: int) -> None:
        self.words, self.min_len, self.max_len = words, min_len, max_len
        self.target_high = min(max_len, max(min_len, 24))

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        rng = ctx.rng
        out = []
        for _ in range(n):
            target = rng.randint(self.min_len, self.target_high)
            out.append(_fit_length(self._text(rng, target), self.min_len, self.max_len, rng))
        return out

    def _text(self, rng: random.Random, target: int) -> str:
        parts: list[str] = []
        length = -1
        while length < target:
            word = rng.choice(self.words)
            parts.append(word)
            length += len(word) + 1
        text = " ".join(parts)
        return text[:1].upper() + text[1:]


def _fit_length(value: str, min_len: int, max_len: int | None, rng: random.Random) -> str:
    if max_len is not None and len(value) > max_len:
        value = value[:max_len].rstrip() or value[:max_len]
        if len(value) < min_len:
            value = value[:max_len]
    while len(value) < min_len:
        value += rng.choice("abcdefghijklmnopqrstuvwxyz")
    return value


class _Pooled(Source):
    """Values sampled from a Faker pool, fitted to the field's length limits."""

    def __init__(
        self,
        pool: list[str],
        min_len: int,
        max_len: int | None,
        accept: Callable[[str], bool],
        fallback: Source,
    ) -> None:
        fitted = [_fit_length(v, min_len, max_len, random.Random(0)) for v in pool]
        self.pool = [v for v in dict.fromkeys(fitted) if accept(v)]
        self.fallback = fallback

    @classmethod
    def of(cls, fitted: list[str], fallback: Source) -> _Pooled:
        """A source over an already fitted pool."""
        source = cls.__new__(cls)
        source.pool, source.fallback = fitted, fallback
        return source

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        if not self.pool:
            return self.fallback.column(ctx, n)
        return ctx.rng.choices(self.pool, k=n)


# ==================================================================== composite sources


class _Union(Source):
    def __init__(self, variants: list[Source]) -> None:
        self.variants = variants

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        picks = [ctx.rng.randrange(len(self.variants)) for _ in range(n)]
        out: list[Any] = [None] * n
        for index, variant in enumerate(self.variants):
            rows = [i for i, p in enumerate(picks) if p == index]
            if rows:
                for i, value in zip(rows, variant.column(ctx.child(), len(rows)), strict=True):
                    out[i] = value
        return out


class _Array(Source):
    def __init__(
        self,
        prefix: list[Source],
        item: Source | None,
        min_items: int,
        max_items: int,
        unique: bool,
        contains: Source | None,
    ) -> None:
        self.prefix, self.item, self.unique, self.contains = prefix, item, unique, contains
        self.path = ""
        self.min_items, self.max_items = min_items, max_items

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        return [self._one(ctx) for _ in range(n)]

    def _one(self, ctx: GenContext) -> list[Any]:
        rng = ctx.rng
        size = rng.randint(self.min_items, self.max_items)
        values = [src.one(ctx.child()) for src in self.prefix[:size]]
        extra = size - len(values)
        if extra > 0 and self.item is not None:
            try:
                values.extend(self.item.column(ctx.child(), extra))
            except GenerationFailure:
                if self.min_items > len(values):
                    raise
                # Elements that satisfy their schema are hard to find: fewer, not fatal.
                return values
        if self.contains is not None and size > len(self.prefix) and not self.prefix:
            values[rng.randrange(len(values))] = self.contains.one(ctx.child())
        if self.unique:
            values = _dedupe(values)
            tries = 0
            while len(values) < self.min_items and self.item is not None and tries < _ITEM_RETRIES:
                values = _dedupe([*values, self.item.one(ctx.child())])
                tries += 1
            if len(values) < self.min_items:
                raise UnsatisfiableError(
                    f"uniqueItems: only {len(values)} distinct items could be made, "
                    f"but minItems is {self.min_items}",
                    field=self.path,
                )
        return values


def _dedupe(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if not any(_json_equal(value, s) for s in seen):
            seen.append(value)
    return seen


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


class ObjectSource(Source):
    """Objects (nested fields) — or, for a table, the columns of each row.

    Attributes:
        names: the property names, in output order.
        order: indexes into ``names`` in generation order (sources before the fields derived
            from them).
    """

    def __init__(
        self,
        names: list[str],
        sources: list[Source],
        order: list[int],
        optional: list[bool] | None = None,
    ) -> None:
        self.names, self.sources, self.order = names, sources, order
        self.optional = optional or [False] * len(names)

    def columns(self, ctx: GenContext, n: int) -> list[list[Any]]:
        """One list of ``n`` values per property, in output order.

        In a sparse context (nested objects, row retries) optional properties are sometimes
        left out, as real documents do.
        """
        made: list[list[Any]] = [[] for _ in self.names]
        rnd = ctx.rng.random
        for index in self.order:
            values = self.sources[index].column(ctx, n)
            if ctx.sparse and self.optional[index]:
                values = [MISSING if rnd() < OPTIONAL_ABSENT_RATIO else v for v in values]
            made[index] = values
            ctx.siblings[self.names[index]] = values
        return made

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        columns = self.columns(ctx.child(), n)
        names = self.names
        return (
            [
                {k: v for k, v in zip(names, row, strict=True) if v is not MISSING}
                for row in zip(*columns, strict=True)
            ]
            if names
            else [{} for _ in range(n)]
        )


class _Checked(Source):
    """Retries values until the importer's check (e.g. ``oneOf`` exclusivity) holds."""

    def __init__(
        self, inner: Source, check: Callable[[Any], bool], path: str, *, optional: bool
    ) -> None:
        self.inner, self.check, self.path, self.optional = inner, check, path, optional

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        values = self.inner.column(ctx, n)
        for i, first in enumerate(values):
            if first is MISSING or self.check(first):
                continue
            found = MISSING
            for _ in range(_CHECK_RETRIES):
                if not ctx.spend_retry():
                    break
                value = self.inner.one(ctx.child())
                if self.check(value):
                    found = value
                    break
            if found is MISSING and not self.optional:
                raise GenerationFailure(
                    "no value satisfying every rule of its schema was found "
                    f"in {_CHECK_RETRIES} tries (conditional or exclusive rules tdgen cannot "
                    "generate directly)",
                    self.path,
                )
            # An optional property that could not be satisfied is left out of this one row.
            values[i] = found
        return values


class UniqueSource(Source):
    """Makes a field's values unique across the whole job (``seen`` spans chunks).

    Normally a column is made unique as it is made. A *deferred* source (a table column whose
    chunks may be made in other processes) passes the inner values through unchanged and the
    provider calls :meth:`fix` on each chunk, in chunk order, in one place — so the output is
    the same whatever the number of processes.

    ``seen`` remembers text by a 64-bit digest (:class:`SeenValues`): a digest collision only
    makes a new value count as a repeat and be replaced by another new one, so the column
    stays unique, valid and deterministic.
    """

    def __init__(self, inner: Source, path: str) -> None:
        self.inner, self.path = inner, path
        self.seen = SeenValues()
        self.deferred = False

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        values = self.inner.column(ctx, n)
        if not self.deferred:
            self.fix(values, ctx.start, lambda _row: ctx)
        return values

    def fix(
        self,
        values: list[Any],
        start: int,
        context: Callable[[int], GenContext],
        accept: Callable[[int, Any], bool] | None = None,
    ) -> list[int]:
        """Replace repeats in ``values`` (rows ``start …``) in place; return their indexes.

        ``context(row)`` gives the generator a replacement is drawn with (made only when a
        replacement needs a random choice); ``accept(index, value)`` may refuse a replacement
        (e.g. a whole-row rule), and another is drawn.
        """
        seen, key_of = self.seen, self._key
        changed: list[int] = []
        for i, made in enumerate(values):
            key = key_of(made)
            if seen.add(key) or key is None:  # None never counts as a repeat
                continue
            row, value = start + i, made
            ctx = _LazyContext(context, row)
            for _ in range(_UNIQUE_RETRIES):  # each try builds on the last one refused
                value = self._replacement(value, row, ctx)
                key = key_of(value)
                if accept is None or accept(i, value):
                    break
            values[i] = value
            changed.append(i)
            seen.add(key)
        return changed

    def _key(self, value: Any) -> Any:
        """The value as :attr:`seen` compares it; None for values that never count as repeats."""
        return value_key(value)

    @abstractmethod
    def _replacement(self, value: Any, row: int, ctx: _LazyContext) -> Any:
        """A value not seen yet (raises :class:`UnsatisfiableError` when none is found)."""


class _LazyContext:
    """The replacement context of one row, made on first use.

    Making it (a derived seed and a seeded ``random.Random``) costs more than most
    replacements: a name that only needs its row number as a suffix never makes it. The rng
    it holds is the same whenever it is made, so the output does not depend on whether it was.
    """

    __slots__ = ("_made", "_make", "_row")

    def __init__(self, make: Callable[[int], GenContext], row: int) -> None:
        self._make, self._row = make, row
        self._made: GenContext | None = None

    def get(self) -> GenContext:
        """The context (the same object on every call)."""
        if self._made is None:
            self._made = self._make(self._row)
        return self._made


class _Unique(UniqueSource):
    """Unique values of any type: a repeat is replaced by a fresh value of the inner source."""

    def _replacement(self, value: Any, row: int, ctx: _LazyContext) -> Any:  # noqa: ARG002
        for _ in range(_UNIQUE_RETRIES):
            fresh = self.inner.one(ctx.get().child())
            if value_key(fresh) not in self.seen:
                return fresh
        raise UnsatisfiableError(
            f"ran out of unique values at row {row}; the field's value space is too small",
            field=self.path,
        )


class _UniqueText(UniqueSource):
    """Unique strings across the whole job.

    A repeat is replaced, in order of preference, by the value with a numeric suffix
    (``anna.smith`` → ``anna.smith7``, ``https://example.com/`` → ``https://example.com/7``)
    where the value is plain text, an e-mail address or a URL and the suffixed value still fits,
    by a fresh value of the inner source, or — for plain
    text without pattern or format — by random letters of an allowed length, so small spaces
    (``minLength 3, maxLength 3``) fill up instead of running dry.
    """

    def __init__(
        self,
        inner: Source,
        length: tuple[int, int | None],
        fits: Callable[[str], bool],
        *,
        plain: bool,
        path: str,
    ) -> None:
        super().__init__(inner, path)
        self.fits, self.plain = fits, plain
        self.min_len, self.max_len = length

    def _key(self, value: Any) -> Any:
        return value if isinstance(value, str) else None

    def _replacement(self, value: str, row: int, ctx: _LazyContext) -> str:
        if self.plain or "@" in value or "://" in value:
            suffixed = self._suffixed(value, row, ctx)
            if suffixed is not None:
                return suffixed
        # Plain text can fall back to random letters, so it asks its source less often.
        for _ in range(_UNIQUE_RETRIES if self.plain else _UNIQUE_RETRIES * 10):
            fresh = self.inner.one(ctx.get().child())
            if isinstance(fresh, str) and fresh not in self.seen:
                return fresh
        if self.plain:
            for _ in range(_UNIQUE_RETRIES * 10):
                letters = self._letters(ctx.get().rng)
                if letters not in self.seen and self.fits(letters):
                    return letters
        raise UnsatisfiableError(
            f"ran out of unique values at row {row}; the field's value space is too small "
            "for the rows requested",
            field=self.path,
        )

    def _suffixed(self, value: str, row: int, ctx: _LazyContext) -> str | None:
        head, at, tail = value.partition("@")
        for attempt in range(_UNIQUE_RETRIES):
            suffix = str(row + 1) if attempt == 0 else str(ctx.get().rng.randrange(10**6))
            base = head if at else value
            if self.max_len is not None:
                room = self.max_len - len(suffix) - (len(at) + len(tail))
                if room < 1:
                    return None
                base = base[:room]
            candidate = f"{base}{suffix}{at}{tail}" if at else f"{base}{suffix}"
            if candidate not in self.seen and self.fits(candidate):
                return candidate
        return None

    def _letters(self, rng: random.Random) -> str:
        high = self.max_len if self.max_len is not None else max(self.min_len, 12)
        size = rng.randint(self.min_len, max(high, self.min_len))
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size))


@dataclass(slots=True)
class ColumnFix:
    """A table column made unique by the provider after its chunk is made (see ``fix``)."""

    position: int
    unique: UniqueSource
    check: Callable[[Any], bool] | None


def defer_uniques(source: ObjectSource, env: Env) -> tuple[list[ColumnFix], bool]:
    """Hand the uniqueness of a table's columns to the provider.

    Returns the columns to fix after each chunk, and whether the chunks are now independent of
    each other (no unique source keeps state while it makes values — a unique field nested in
    an object or array still does).
    """
    fixes: list[ColumnFix] = []
    for position, made in enumerate(source.sources):
        check, inner = (made.check, made.inner) if isinstance(made, _Checked) else (None, made)
        if isinstance(inner, UniqueSource):
            fixes.append(ColumnFix(position, inner, check))
    columns = {fix.unique.path for fix in fixes}
    for unique in env.uniques:
        if unique.path in columns:
            unique.deferred = True
    return fixes, all(unique.deferred for unique in env.uniques)


# ==================================================================== derived sources


def _fill_misses(values: list[Any], fallback: Source, ctx: GenContext) -> list[Any]:
    """Replace ``MISSING`` entries with values of ``fallback``, made only for those rows."""
    misses = [i for i, v in enumerate(values) if v is MISSING]
    if misses:
        for i, value in zip(misses, fallback.column(ctx, len(misses)), strict=True):
            values[i] = value
    return values


class _EmailFromName(Source):
    """``first.last@domain`` from the row's name columns; falls back to a pooled address."""

    def __init__(
        self,
        first: str | None,
        last: str | None,
        full: str | None,
        domains: list[str],
        fallback: Source,
        fits: Callable[[str], bool],
    ) -> None:
        self.first, self.last, self.full, self.domains = first, last, full, domains
        self.fallback, self.fits = fallback, fits

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        firsts = ctx.siblings.get(self.first or "", [None] * n)
        lasts = ctx.siblings.get(self.last or "", [None] * n)
        fulls = ctx.siblings.get(self.full or "", [None] * n)
        rnd, domains, fits, slug = ctx.rng.random, self.domains, self.fits, slug_chars
        size = len(domains)
        out: list[Any] = []
        for first, last, full in zip(firsts, lasts, fulls, strict=True):
            # ascii_slug of the dotted name, from the names' cached slugs (see slug_chars).
            if isinstance(first, str):
                local = slug(first) + "." + slug(last) if isinstance(last, str) else slug(first)
            elif isinstance(last, str):
                local = slug(last)
            else:
                local = slug(full) if isinstance(full, str) else ""
            local = local.strip(".")
            candidate = local + "@" + domains[int(rnd() * size)] if local else ""
            out.append(candidate if candidate and fits(candidate) else MISSING)
        return _fill_misses(out, self.fallback, ctx)


class _AfterSibling(Source):
    """A date or time later than the row's start column (end after start, updated after created)."""

    def __init__(
        self, inner: Source, start: str, kind: FieldType, fits: Callable[[str], bool]
    ) -> None:
        self.inner, self.start, self.kind, self.fits = inner, start, kind, fits

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        own = self.inner.column(ctx, n)
        starts = ctx.siblings.get(self.start, [None] * n)
        out = []
        for value, start in zip(own, starts, strict=True):
            begun = _parse_instant(start) if isinstance(start, str) else None
            if begun is None or value is None:
                out.append(value)
                continue
            later = _later(begun, self.kind, ctx.rng)
            if later is None:
                out.append(value)
                continue
            text = _format_instant(self.kind, later)
            out.append(text if self.fits(text) else value)
        return out


def _later(begun: dt.datetime, kind: FieldType, rng: random.Random) -> dt.datetime | None:
    """An instant after ``begun``: a later day for dates, the same day for times."""
    if kind is FieldType.DATE:
        return begun + dt.timedelta(days=rng.randint(1, 400))
    if kind is FieldType.TIME:
        left = 86_399 - (begun.hour * 3600 + begun.minute * 60 + begun.second)
        return begun + dt.timedelta(seconds=rng.randint(1, left)) if left > 0 else None
    return begun + dt.timedelta(seconds=rng.randrange(3600, 400 * 86400))


class _LocaleColumn(Source):
    """Part of a locale-consistent address record, chosen per row from the row's country."""

    def __init__(
        self,
        part: str,
        pools: Pools,
        country: str | None,
        accept: Callable[[str], bool],
        fallback: Source,
    ) -> None:
        self.part, self.pools, self.country = part, pools, country
        self.accept, self.fallback = accept, fallback
        self._by_code: dict[Any, list[str]] = {}

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        return _sample_by_country(ctx, n, self.country, self._by_code, self._values, self.fallback)

    def _values(self, locale: str | None) -> list[str]:
        """The part of every record of ``locale`` the field accepts (repeats kept)."""
        records: list[AddressRecord] = self.pools.records(locale)
        return [v for v in (getattr(r, self.part) for r in records) if self.accept(v)]


def _sample_by_country(
    ctx: GenContext,
    n: int,
    country: str | None,
    by_code: dict[Any, list[str]],
    values_of: Callable[[str | None], list[str]],
    fallback: Source,
) -> list[Any]:
    """One value per row from the accepted values of the row's country's locale.

    ``by_code`` memoises the accepted values per country code; a locale none of whose values
    is accepted leaves the row to ``fallback``.
    """
    rnd = ctx.rng.random
    countries = ctx.siblings.get(country or "")
    if countries is None:
        pool = by_code.get(None)
        if pool is None:
            pool = by_code[None] = values_of(None)
        if not pool:
            return fallback.column(ctx, n)
        size = len(pool)
        return [pool[int(rnd() * size)] for _ in range(n)]
    for code in set(countries).difference(by_code):  # codes (or null, absent) not seen yet
        key = code if isinstance(code, str) else None
        by_code[code] = values_of(COUNTRY_LOCALES.get(key.upper()) if key else None)
    pools = map(by_code.__getitem__, countries)
    out = [pool[int(rnd() * len(pool))] if pool else MISSING for pool in pools]
    return _fill_misses(out, fallback, ctx)


class _LocalePooled(Source):
    """A pooled kind (a name) drawn from the locale of the row's country."""

    def __init__(
        self, kind: str, pools: Pools, country: str, accept: Callable[[str], bool], fallback: Source
    ) -> None:
        self.kind, self.pools, self.country = kind, pools, country
        self.accept, self.fallback = accept, fallback
        self._by_code: dict[Any, list[str]] = {}

    def column(self, ctx: GenContext, n: int) -> list[Any]:
        return _sample_by_country(ctx, n, self.country, self._by_code, self._values, self.fallback)

    def _values(self, locale: str | None) -> list[str]:
        return [v for v in self.pools.pool(self.kind, locale) if self.accept(v)]


# ==================================================================== compilation

_GROUP_PARTS = {
    "street_address": "street_address",
    "city": "city",
    "state": "state",
    "postal_code": "postal_code",
    "phone": "phone",
    "country": "country",
    "country_code": "country_code",
}
_START_WORDS = {"start", "begin", "from", "created", "opened", "issued", "departure", "since"}
_END_WORDS = {
    "end",
    "finish",
    "to",
    "until",
    "updated",
    "modified",
    "closed",
    "expires",
    "expiry",
    "due",
    "arrival",
    "ended",
    "finished",
}

_NUMERIC_DEFAULTS: dict[str | None, tuple[float, float, int | None]] = {
    "amount": (1, 10_000, 2),
    "age": (18, 90, None),
    "year": (1950, 2030, None),
    "quantity": (1, 100, None),
    "percent": (0, 100, 1),
    "rating": (1, 5, 1),
    "latitude": (-90, 90, 6),
    "longitude": (-180, 180, 6),
    None: (0, 10_000, 2),
}


def compile_object(fields: list[Field], env: Env) -> ObjectSource:
    """Compile the fields of an object (or the columns of a table) into one source."""
    present = [f for f in fields if not f.omit]
    kinds = {f.name: f.kind for f in present}
    sources: list[Source] = []
    levels: list[int] = []
    for f in present:
        source, derived = _compile_member(f, present, kinds, env)
        sources.append(source)
        # Derived columns come after what they read: names and address parts after the
        # country, e-mails after the names, end dates after start dates.
        levels.append(0 if not derived else 2 if f.kind == "email" else 1)
    order = sorted(range(len(present)), key=lambda i: levels[i])
    names = [f.name for f in present]
    return ObjectSource(names, sources, order, [not f.required for f in present])


def _compile_member(
    f: Field, siblings: list[Field], kinds: dict[str, str | None], env: Env
) -> tuple[Source, bool]:
    """Compile one property, linking it to sibling columns where people would expect it."""
    sub_env = Env(env.pools, env.seed, f"{env.path}.{f.name}" if env.path else f.name, env.uniques)
    base = compile_field(f, sub_env)
    c = f.constraints
    if c.enum is not None or c.has_const or c.pattern or f.type not in _LINKABLE:
        return base, False
    kind = f.kind
    fits = _string_check(f)
    if kind == "email":
        first = _sibling_of_kind(kinds, "first_name", exclude=("middle",))
        last = _sibling_of_kind(kinds, "last_name")
        full = _sibling_of_kind(kinds, "full_name")
        if first or last or full:
            domains = env.pools.pool("email_domain")
            linked: Source = _EmailFromName(first, last, full, domains, base, fits)
            if f.unique:  # a repeated name gets a numeric suffix: anna.smith7@…
                linked = _UniqueText(
                    linked,
                    (c.min_length or 0, c.max_length),
                    fits,
                    plain=False,
                    path=sub_env.path,
                )
                env.uniques.append(linked)
            return _wrap_null(f, linked), True
    if f.unique:
        return base, False
    if kind in {"first_name", "last_name", "full_name"}:
        country = _country_column(siblings, exclude=f.name)
        if country is not None:
            return _wrap_null(
                f, _LocalePooled(kind, env.pools, country, fits, _strip_null(f, base))
            ), True
    if kind in _GROUP_PARTS and kind is not None:
        country = _country_column(siblings, exclude=f.name)
        if country is not None or kind in {"city", "state", "postal_code", "phone"}:
            inner = _LocaleColumn(
                _GROUP_PARTS[kind], env.pools, country, fits, _strip_null(f, base)
            )
            return _wrap_null(f, inner), country is not None
    if f.type in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME):
        start = _start_sibling(f, siblings)
        if start is not None:
            return _wrap_null(f, _AfterSibling(_strip_null(f, base), start, f.type, fits)), True
    return base, False


_LINKABLE = frozenset({FieldType.STRING, FieldType.DATE, FieldType.DATETIME, FieldType.TIME})


def _sibling_of_kind(
    kinds: dict[str, str | None], kind: str, exclude: tuple[str, ...] = ()
) -> str | None:
    for name, k in kinds.items():
        if k == kind and not any(word in name.lower() for word in exclude):
            return name
    return None


def _country_column(siblings: list[Field], exclude: str) -> str | None:
    for f in siblings:
        if f.name == exclude or not (
            f.kind in {"country", "country_code"} or "country" in f.name.lower()
        ):
            continue
        values = f.constraints.enum or ()
        if values and all(isinstance(v, str) and v.upper() in COUNTRY_LOCALES for v in values):
            return f.name
    return None


def _start_sibling(f: Field, siblings: list[Field]) -> str | None:
    from tdgen_desktop.generation.semantics import name_tokens  # noqa: PLC0415

    tokens = name_tokens(f.name)
    if not set(tokens) & _END_WORDS:
        return None
    rest = [t for t in tokens if t not in _END_WORDS]
    for other in siblings:
        if other is f or other.type is not f.type:
            continue
        other_tokens = name_tokens(other.name)
        if (
            set(other_tokens) & _START_WORDS
            and [t for t in other_tokens if t not in _START_WORDS] == rest
        ):
            return other.name
    return None


def _wrap_null(f: Field, source: Source) -> Source:
    return (
        _Nullable(source, f.null_ratio)
        if f.nullable and f.null_ratio > 0 and not f.unique
        else source
    )


def _strip_null(f: Field, source: Source) -> Source:
    return source.inner if isinstance(source, _Nullable) and f.nullable else source


def compile_field(f: Field, env: Env) -> Source:
    """Compile one field (and its nested fields) into a source of valid values.

    Raises:
        UnsatisfiableError: the field's constraints admit no value (the message names it).
    """
    try:
        source = _compile_value(f, env)
    except TdgenError as exc:
        raise exc.with_context(field=env.path or f.name) from None
    if f.unique:
        if f.type is FieldType.STRING or f.type is FieldType.UUID:
            if not isinstance(source, (_Sequence, _Permutation)):
                c = f.constraints
                source = _UniqueText(
                    source,
                    (c.min_length or 0, c.max_length),
                    _string_check(f),
                    plain=c.pattern is None and c.format is None and c.enum is None,
                    path=env.path or f.name,
                )
                env.uniques.append(source)
        elif not isinstance(source, (_Sequence, _Permutation)):
            source = _Unique(source, env.path or f.name)
            env.uniques.append(source)
    if f.check is not None:
        source = _Checked(source, f.check, env.path or f.name, optional=not f.required)
    return _wrap_null(f, source)


def _compile_value(f: Field, env: Env) -> Source:
    c = f.constraints
    if c.has_const:
        return _Const(c.const)
    if c.enum is not None:
        return _enum_choice(c.enum, c.not_values, f.enum_weights)
    if f.variants:
        return _Union([compile_field(v, env) for v in f.variants])
    return _compile_typed(f, env)


def _enum_choice(
    enum: tuple[Any, ...], not_values: tuple[Any, ...], weights: tuple[float, ...] | None
) -> _Choice:
    """A choice among the enum values not excluded, weighted when weights are given.

    A value of weight 0 is never chosen; weights that do not match the enum (or leave only
    zero-weighted values after the exclusions) are ignored.
    """
    if weights is None or len(weights) != len(enum):
        weights = (1.0,) * len(enum)
    pairs = [(v, w) for v, w in zip(enum, weights, strict=True) if v not in not_values]
    if not pairs:
        return _Choice(list(enum))
    if not any(w for _, w in pairs):
        return _Choice([v for v, _ in pairs])
    kept = [(v, w) for v, w in pairs if w > 0]
    if all(w == kept[0][1] for _, w in kept):
        return _Choice([v for v, _ in kept])
    return _Choice([v for v, _ in kept], [w for _, w in kept])


def _compile_typed(f: Field, env: Env) -> Source:
    c = f.constraints
    match f.type:
        case FieldType.INTEGER | FieldType.NUMBER:
            return _numeric(f, env)
        case FieldType.BOOLEAN:
            return _Bool()
        case FieldType.STRING:
            return _string(f, env)
        case FieldType.DATE | FieldType.DATETIME | FieldType.TIME:
            return _dates(f)
        case FieldType.UUID:
            return _Uuid()
        case FieldType.BINARY:
            _check_length(c.min_length or 0)
            return _Binary(max(c.min_length or 0, 1) // 2, max(((c.max_length or 64) * 3) // 4, 1))
        case FieldType.ARRAY:
            return _array(f, env)
        case FieldType.OBJECT:
            return compile_object(f.properties, env)
        case FieldType.NULL:
            return _Const(None)
    return _Choice(env.pools.pool("word"))


# -------------------------------------------------------------------- numbers


def _numeric(f: Field, env: Env) -> Source:
    c = f.constraints
    is_int = f.type is FieldType.INTEGER
    kind = f.kind if f.kind in _NUMERIC_DEFAULTS else None
    default_low, default_high, decimals = _NUMERIC_DEFAULTS[kind]
    low, high = _bounds(c, default_low, default_high)
    if f.unique and is_int and c.multiple_of is None and (f.kind == "id" or c.maximum is None):
        return _Sequence(_sequence_start(c, low))
    step: int | float = c.multiple_of if c.multiple_of else 1
    if is_int or c.multiple_of:
        if is_int and isinstance(step, float) and not step.is_integer():
            step = _integer_step(step)
        first = _ceil_multiple(low, step, exclusive=c.exclusive_minimum and low == c.minimum)
        last = _floor_multiple(high, step, exclusive=c.exclusive_maximum and high == c.maximum)
        count = _multiples(first, last, step)
        if count <= 0 and (c.minimum is None or c.maximum is None):
            # The semantic default range holds no multiple: widen the open side(s).
            if c.maximum is None:
                last = _floor_multiple(first + step * 100, step, exclusive=False)
            if c.minimum is None:
                first = _ceil_multiple(last - step * 100, step, exclusive=False)
            count = _multiples(first, last, step)
        if count <= 0:
            raise UnsatisfiableError(
                f"no {'integer' if is_int else 'number'} satisfies {c.describe()}"
            )
        first_value: int | float = (
            int(first)
            if is_int or (float(step).is_integer() and float(first).is_integer())
            else first
        )
        if is_int:
            step = int(step)
        if f.unique:
            return _Permutation(first_value, count, step, derive_seed(env.seed, "perm", env.path))
        return _IntRange(first_value, count, step)
    if high < low or (high == low and (c.exclusive_minimum or c.exclusive_maximum)):
        raise UnsatisfiableError(f"no number satisfies {c.describe()}")
    # Unique numbers keep full precision: rounding would shrink the value space.
    return _Float(low, high, None if f.unique else decimals, c)


def _multiples(first: float, last: float, step: float) -> int:
    """How many multiples of ``step`` lie from ``first`` to ``last`` (capped at 2**62: a span
    too wide for a float, such as -1e308..1e308, still has a usable first part)."""
    if last < first:
        return 0
    try:
        span = (last - first) / step
    except OverflowError:
        return _MAX_MULTIPLES
    return min(round(span) + 1, _MAX_MULTIPLES) if math.isfinite(span) else _MAX_MULTIPLES


_MAX_MULTIPLES = 2**62


def _sequence_start(c: Constraints, low: float) -> int:
    """Where a unique integer sequence starts: 1 when the range allows (an SQL INT's minimum
    is a storage limit, not a rule), else the minimum."""
    start = max(math.ceil(low), 1) if c.minimum is None else math.ceil(c.minimum)
    if c.minimum is not None and c.minimum < 1 and (c.maximum is None or c.maximum >= 10**6):
        start = 1
    if c.exclusive_minimum and start == c.minimum:
        start += 1
    return start


def _bounds(c: Constraints, default_low: float, default_high: float) -> tuple[float, float]:
    low = c.minimum if c.minimum is not None else None
    high = c.maximum if c.maximum is not None else None
    if low is not None and high is not None:
        if low > high:
            raise UnsatisfiableError(f"minimum {low} is greater than maximum {high}")
        # Prefer the semantic range when it lies within the bounds — also the generic one
        # when the bounds are a storage type's limits (an SQL INT's ±2^31) rather than a rule.
        semantic = (default_low, default_high) != (0, 10_000)
        if default_low >= low and default_high <= high and (semantic or high - low > 10**7):
            return default_low, default_high
        return low, high
    if low is not None:
        return low, max(default_high, low + (default_high - default_low))
    if high is not None:
        return min(default_low, high - (default_high - default_low)), high
    return default_low, default_high


def _integer_step(step: float) -> int:
    ratio = decimal.Decimal(repr(step)).as_integer_ratio()
    return ratio[0] // math.gcd(*ratio)


def _ceil_multiple(value: float, step: float, *, exclusive: bool) -> float:
    d_value, d_step = decimal.Decimal(repr(value)), decimal.Decimal(repr(step))
    k = (d_value / d_step).to_integral_value(rounding=decimal.ROUND_CEILING)
    if exclusive and k * d_step == d_value:
        k += 1
    return float(k * d_step)


def _floor_multiple(value: float, step: float, *, exclusive: bool) -> float:
    d_value, d_step = decimal.Decimal(repr(value)), decimal.Decimal(repr(step))
    k = (d_value / d_step).to_integral_value(rounding=decimal.ROUND_FLOOR)
    if exclusive and k * d_step == d_value:
        k -= 1
    return float(k * d_step)


# -------------------------------------------------------------------- strings


def _string_check(f: Field) -> Callable[[str], bool]:
    c = f.constraints
    low, high = c.min_length or 0, c.max_length
    excluded = {v for v in c.not_values if isinstance(v, str)}
    fmt = c.format
    check_format = _format_checker(fmt) if fmt else None

    def fits(value: str) -> bool:
        if len(value) < low or (high is not None and len(value) > high) or value in excluded:
            return False
        return check_format is None or check_format(value)

    return fits


def _format_checker(fmt: str) -> Callable[[str], bool] | None:
    from tdgen_desktop.generation.checks import format_predicate  # noqa: PLC0415

    return format_predicate(fmt)


_MAX_STRING_LENGTH = 1_000_000
"""The longest string tdgen makes in one value."""


def _check_length(min_length: int) -> None:
    if min_length > _MAX_STRING_LENGTH:
        raise UnsupportedFeatureError(
            f"minLength {min_length:,} is more than the {_MAX_STRING_LENGTH:,} characters "
            "tdgen puts in one value"
        )


def _string(f: Field, env: Env) -> Source:
    c = f.constraints
    low, high = c.min_length or 0, c.max_length
    if high is not None and low > high:
        raise UnsatisfiableError(f"minLength {low} is greater than maxLength {high}")
    _check_length(low)
    if c.pattern is not None:
        generator = patterns.PatternGenerator(c.pattern, low, high)
        generator.generate(random.Random(0))  # fail here, naming the field, if none can be made
        return _Pattern(generator)
    fits = _string_check(f)
    generic = _format_source(c.format, low, high, env) or _Words(
        env.pools.pool("word"), low, high if high is not None else max(low, 40)
    )
    kind = f.kind
    if kind is None or (
        not env.pools.has_kind(kind)
        and kind
        not in {
            "uuid",
            "semver",
            "street_address",
            "city",
            "state",
            "postal_code",
            "country",
            "country_code",
            "phone",
        }
    ):
        return generic
    if kind == "uuid":
        return _Uuid()
    if kind == "semver":
        return _Semver()
    if kind in _GROUP_PARTS:
        return _LocaleColumn(_GROUP_PARTS[kind], env.pools, None, fits, generic)
    key = ("pooled", kind, low, high, c.format, c.not_values)
    fitted = env.pools.memo.get(key)
    if fitted is None:
        fitted = env.pools.memo[key] = _Pooled(env.pools.pool(kind), low, high, fits, generic).pool
    return _Pooled.of(fitted, generic)


class _Semver(Source):
    def column(self, ctx: GenContext, n: int) -> list[Any]:
        r = ctx.rng.randint
        return [f"{r(0, 9)}.{r(0, 20)}.{r(0, 30)}" for _ in range(n)]


def _format_source(fmt: str | None, low: int, high: int | None, env: Env) -> Source | None:
    """A source for string formats that have no semantic kind of their own."""
    if fmt is None:
        return None
    simple: dict[str, str] = {
        "email": "email",
        "idn-email": "email",
        "uri": "url",
        "iri": "url",
        "url": "url",
        "hostname": "hostname",
        "idn-hostname": "hostname",
        "ipv4": "ipv4",
        "ipv6": "ipv6",
        "password": "password",
    }
    if fmt in simple:
        return _Pooled(
            env.pools.pool(simple[fmt]), low, high, _length_fits(low, high), _Choice(["x"])
        )
    samples: dict[str, list[str]] = {
        "uri-reference": [
            "/api/items/17",
            "../docs/index.html",
            "#section-2",
            "https://example.com/a?b=c",
        ],
        "iri-reference": ["/päth/ä", "#frag", "https://example.com/ü"],
        "uri-template": ["https://example.com/users/{id}", "/orders{?status,page}"],
        "json-pointer": ["", "/a", "/a/b/0", "/items/3/name"],
        "relative-json-pointer": ["0", "1/a", "2#", "0/items/1"],
        "regex": ["^[a-z]+$", "[0-9]{3}", "^(foo|bar)\\d*$"],
        "duration": ["P3D", "PT4H30M", "P1Y2M", "P2W", "PT45S"],
        "byte": ["aGVsbG8=", "dGRnZW4=", "AAEC"],
    }
    if fmt in samples:
        values = [v for v in samples[fmt] if low <= len(v) and (high is None or len(v) <= high)]
        return _Choice(values or samples[fmt])
    return None


def _length_fits(low: int, high: int | None) -> Callable[[str], bool]:
    return lambda v: low <= len(v) and (high is None or len(v) <= high)


# -------------------------------------------------------------------- dates and arrays


def _dates(f: Field) -> Source:
    anchor = dt.datetime.combine(REFERENCE_DATE, dt.time())
    c = f.constraints
    if c.date_minimum is not None or c.date_maximum is not None:
        return _bounded_dates(f, anchor)
    if f.kind == "date_of_birth":
        return _Dates(
            f.type, anchor - dt.timedelta(days=90 * 365), anchor - dt.timedelta(days=18 * 365)
        )
    if f.kind == "past_timestamp":
        return _Dates(f.type, anchor - dt.timedelta(days=5 * 365), anchor)
    return _Dates(f.type, anchor - dt.timedelta(days=3 * 365), anchor + dt.timedelta(days=2 * 365))


def _bounded_dates(f: Field, anchor: dt.datetime) -> Source:
    """Dates between the field's inclusive date bounds (one bound missing: years from the other)."""
    c = f.constraints
    low = _parse_instant(c.date_minimum) if c.date_minimum is not None else None
    high = _parse_instant(c.date_maximum) if c.date_maximum is not None else None
    span = dt.timedelta(days=5 * 365)
    if low is None and high is None:
        raise UnsatisfiableError(f"{c.date_minimum} .. {c.date_maximum} are not dates")
    if low is None:
        low = min(anchor - dt.timedelta(days=3 * 365), high - span) if high else anchor
    if high is None:
        high = max(anchor + dt.timedelta(days=2 * 365), low + span)
    end = high + dt.timedelta(seconds=1)  # _Dates draws from [low, end)
    if f.type is FieldType.DATE:
        first = low.date() if low.time() == dt.time() else low.date() + dt.timedelta(days=1)
        low = dt.datetime.combine(first, dt.time())
        end = dt.datetime.combine(high.date() + dt.timedelta(days=1), dt.time())
    if low >= end:
        raise UnsatisfiableError(
            f"the earliest date {c.date_minimum} is after the latest {c.date_maximum}"
        )
    return _Dates(f.type, low, end)


_MAX_ARRAY_ITEMS = 10_000
"""The longest array tdgen makes in one value."""


def _array(f: Field, env: Env) -> Source:
    c = f.constraints
    low = c.min_items or 0
    high = c.max_items if c.max_items is not None else max(low, 3)
    high = min(high, max(low, 5))
    if low > (c.max_items if c.max_items is not None else low):
        raise UnsatisfiableError(f"minItems {low} is greater than maxItems {c.max_items}")
    if low > _MAX_ARRAY_ITEMS:
        raise UnsupportedFeatureError(
            f"minItems {low:,} is more than the {_MAX_ARRAY_ITEMS:,} items tdgen puts in one array"
        )
    item_env = Env(env.pools, env.seed, env.path + "[]", env.uniques)
    prefix = [compile_field(p, item_env) for p in f.prefix_items]
    item = (
        compile_field(f.items, item_env)
        if f.items is not None
        else (None if prefix else _Choice(env.pools.pool("word")))
    )
    if item is None:
        high = min(high, len(prefix))
    if low > high:
        raise UnsatisfiableError(f"arrays need {low} items but at most {high} can be made")
    contains = compile_field(f.contains, item_env) if f.contains is not None else None
    if contains is not None and high == 0:
        high = 1
    if contains is not None:
        low = max(low, 1)
    array = _Array(prefix, item, low, high, c.unique_items, contains)
    array.path = env.path or f.name
    return array
