"""AI values for generation: which fields get them, how each value is checked, the enhance step.

The enhance step of a job (:func:`enhance`) runs before any valid row is made. It asks the
profile's model for values — with the hybrid provider, pools of realistic values for the fields
the null provider can only fill generically (:func:`weak_fields`); with the pure AI provider,
whole rows — and checks every value the model returns against its field's constraints
(:class:`ValueCheck`: type, bounds, length, pattern, format, enum, uniqueness, and the schema
itself through the validation oracle). Invalid values are dropped. Whatever goes wrong — the
network, the key, the answer — the job goes on with the foundation values: the step reports
``FELL_BACK`` and ``JobResult.warnings`` names the fields and the reason.

Boundary and invalid case rows never change: both AI providers hand the case design the
foundation rows it would get from the null provider.
"""

from __future__ import annotations

import dataclasses
import decimal
import logging
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.enums import CaseKind, FieldType, ProviderKind, StepState
from tdgen_desktop.core.errors import CancelledError, TdgenError
from tdgen_desktop.core.model import MISSING, Field, Table
from tdgen_desktop.core.rows import RowBatch, changed_columns
from tdgen_desktop.core.validation import Oracle
from tdgen_desktop.generation.case_rows import CASE_CHUNK_BASE
from tdgen_desktop.generation.null import NullProvider, TablePlan, row_instance
from tdgen_desktop.generation.patterns import compile_pattern
from tdgen_desktop.generation.pools import derive_seed
from tdgen_desktop.generation.semantics import infer_kind
from tdgen_desktop.llm.client import AiCost
from tdgen_desktop.llm.errors import LlmError
from tdgen_desktop.llm.prompts import Prompt, answer_key, rows_prompt
from tdgen_desktop.llm.session import Answer

if TYPE_CHECKING:
    from tdgen_desktop.core.model import Dataset
    from tdgen_desktop.generation.pipeline import CancelToken, GenerationRequest, JobResult

__all__ = [
    "COUNTRY_KINDS",
    "GENERIC_KINDS",
    "ITEMS",
    "PLACE_KINDS",
    "ROWS_PER_REQUEST",
    "AiProvider",
    "AiSummary",
    "FieldFallback",
    "RowProbe",
    "ValueCheck",
    "WeakField",
    "answer_records",
    "enhance",
    "key_columns",
    "path_name",
    "preview_prompts",
    "put_value",
    "row_fields",
    "sample_rng",
    "show_value",
    "value_at",
    "weak_fields",
    "weak_groups",
    "weak_targets",
]

_log = logging.getLogger(__name__)

ROWS_PER_REQUEST = 25
"""Whole rows asked for in one request by the pure AI provider."""

GENERIC_KINDS = frozenset({"text", "title", "word"})
"""Semantic kinds the null provider fills with lorem-style text: the AI can do better."""

PLACE_KINDS = frozenset({"city", "state", "postal_code"})
"""Semantic kinds asked for as one tuple per record (a city with its region and postal code)."""

COUNTRY_KINDS = frozenset({"country", "country_code"})

_PROBE_CHUNK = 2_000_000_000
"""Chunk number of the probe rows (apart from valid rows and case base rows)."""
_PROBE_ROWS = 4
"""Probe rows a value is tried in (it passes when one of them takes it)."""
_PROBE_ELEMENTS = 4
"""Elements of an array in a probe row a value is tried in, one at a time."""
_SHOWN = 40
_SCALAR_TYPES = frozenset(
    {
        FieldType.STRING,
        FieldType.INTEGER,
        FieldType.NUMBER,
        FieldType.BOOLEAN,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.TIME,
    }
)
_IMPLIED_FORMATS = {
    FieldType.DATE: "date",
    FieldType.DATETIME: "date-time",
    FieldType.TIME: "time",
    FieldType.UUID: "uuid",
}

Report = Callable[[StepState, str], None]
"""How the enhance step reports: a state and a short message (e.g. ``AI answers 2/5``)."""


# ==================================================================== which fields


def key_columns(table: Table) -> set[str]:
    """Columns that keys, foreign keys and unique column sets own: never replaced."""
    keys = set(table.primary_key)
    for fk in table.foreign_keys:
        keys.update(fk.columns)
    for columns in table.unique_sets:
        keys.update(columns)
    return keys


def _replaceable(f: Field, keys: set[str]) -> bool:
    c = f.constraints
    return not (
        f.omit
        or f.name in keys
        or f.variants
        or c.has_const
        or (f.generator is not None and f.generator not in GENERIC_KINDS)
    )


def _weak_string(f: Field, keys: set[str]) -> bool:
    return (
        _replaceable(f, keys)
        and f.type is FieldType.STRING
        and f.constraints.enum is None
        and f.constraints.format is None
        and (f.kind is None or f.kind in GENERIC_KINDS)
    )


ITEMS = "[]"
"""The path step into every element of an array (``("items", ITEMS, "description")``)."""


def path_name(path: Sequence[str]) -> str:
    """How a path is named: dotted, an array's elements as ``[]`` (``items[].description``)."""
    return ".".join(path).replace("." + ITEMS, ITEMS)


def _nested(
    f: Field, path: tuple[str, ...], *, in_array: bool = False
) -> Iterator[tuple[tuple[str, ...], Field]]:
    """The properties of object field ``f`` (at ``path``), through nested objects — and
    through the object elements of one level of array (``items[].description``).

    Arrays with positional elements (``prefixItems``) are passed over: their elements follow
    different schemas.
    """
    if f.variants or f.omit:
        return
    if f.type is FieldType.ARRAY:
        item = f.items
        if (
            not in_array
            and item is not None
            and not f.prefix_items
            and item.type is FieldType.OBJECT
        ):
            yield from _nested(item, (*path, ITEMS), in_array=True)
        return
    if f.type is not FieldType.OBJECT:
        return
    for child in f.properties:
        inner = (*path, child.name)
        if child.type in (FieldType.OBJECT, FieldType.ARRAY):
            yield from _nested(child, inner, in_array=in_array)
        else:
            yield inner, child


def _places(table: Table, keys: set[str]) -> list[Field]:
    """The place fields asked for as one tuple (city, region, postal code), or none.

    Only where at least two of them can be replaced and the table has no country column (the
    foundation already picks places per row's country there, and names and phone numbers
    follow that country).
    """
    if any(f.kind in COUNTRY_KINDS for f in table.fields):
        return []
    places = [
        f
        for f in table.fields
        if _place_kind(f) in PLACE_KINDS
        and _replaceable(f, keys)
        and not f.unique
        and f.type is FieldType.STRING
        and f.constraints.format is None
    ]
    return places if len(places) >= 2 else []


def _place_kind(f: Field) -> str | None:
    """The field's place kind, also for a code with a ``pattern`` (``postal_code``)."""
    if f.kind is not None or f.constraints.pattern is None or f.type is not FieldType.STRING:
        return f.kind
    plain = dataclasses.replace(f, constraints=dataclasses.replace(f.constraints, pattern=None))
    return infer_kind(plain)


@dataclass(frozen=True, slots=True)
class WeakField:
    """A field the hybrid provider asks the model about.

    Attributes:
        path: where its value is: the column, then nested property names; :data:`ITEMS`
            steps into every element of an array (``("items", "[]", "description")``).
        field: the field, named with its path (``details.description``,
            ``items[].description``; see :func:`path_name`).
        linked: a place field (city, region, postal code): its values come as one tuple.
    """

    path: tuple[str, ...]
    field: Field
    linked: bool = False

    @property
    def name(self) -> str:
        """The path's name: how prompts, answers, warnings and the cases file name it."""
        return self.field.name


def weak_targets(table: Table) -> list[WeakField]:
    """The fields the hybrid provider asks the model about, in table order.

    Weak fields are the ones the null provider can only fill generically: strings without a
    semantic kind (names of products and categories, codes — also with a ``pattern``) or
    with a lorem-text kind (descriptions, titles, notes), without a ``format``, an enum or a
    constant — at the top level, nested in object columns (``details.description``) or in the
    object elements of an array (``items[].description``; one level of array). Money
    amounts of a table that has weak strings join them, so a product's price fits the product;
    city, region and postal code join as one tuple (see :func:`_places`). Keys, foreign keys,
    unique column sets and unique nested properties (also inside array elements) are never
    touched.
    """
    keys = key_columns(table)
    places = {id(f) for f in _places(table, keys)}
    found: list[WeakField] = []
    for f in table.fields:
        if id(f) in places:
            found.append(WeakField((f.name,), f, linked=True))
        elif _weak_string(f, keys):
            found.append(WeakField((f.name,), f))
        elif f.name not in keys and not f.omit and not table.bare:
            for path, child in _nested(f, (f.name,)):
                if _weak_string(child, set()) and not child.unique:
                    nested = dataclasses.replace(child, name=path_name(path))
                    found.append(WeakField(path, nested))
    if not any(w.field.type is FieldType.STRING and not w.linked for w in found):
        return [w for w in found if w.linked]
    chosen = {id(w.field) for w in found}
    amounts = [
        WeakField((f.name,), f)
        for f in table.fields
        if id(f) not in chosen
        and _replaceable(f, keys)
        and f.type in (FieldType.INTEGER, FieldType.NUMBER)
        and f.kind == "amount"
        and f.constraints.enum is None
        and not f.unique
    ]
    order = {name: i for i, name in enumerate(f.name for f in table.fields)}
    return sorted([*found, *amounts], key=lambda w: order[w.path[0]])


def weak_fields(table: Table) -> list[Field]:
    """The fields of :func:`weak_targets` (nested ones named with their dotted path)."""
    return [w.field for w in weak_targets(table)]


def weak_groups(table: Table, size: int) -> list[list[WeakField]]:
    """The weak fields of ``table`` in requests of up to ``size`` fields, in table order.

    Values that belong together are asked for in the same request: the place tuple, and the
    table's money amounts with its first weak ``…name`` string (else its first weak string;
    a string of the row before one of an array element), so a price fits its product.
    """
    targets = weak_targets(table)
    units: list[list[WeakField]] = []
    places = [w for w in targets if w.linked]
    amounts = [w for w in targets if w.field.type is not FieldType.STRING]
    strings = [w for w in targets if not w.linked and w not in amounts]
    own = [w for w in strings if ITEMS not in w.path] or strings  # not an array element's
    first = next((w for w in own if "name" in w.path[-1].lower()), None) or next(iter(own), None)
    for w in targets:
        if w.linked:
            if w is places[0]:
                units.append(places)
        elif w is first:
            units.append([w, *amounts])
        elif w not in amounts:
            units.append([w])
    position = {id(w): i for i, w in enumerate(targets)}
    groups: list[list[WeakField]] = []
    current: list[WeakField] = []
    for unit in units:
        for start in range(0, len(unit), size):
            part = unit[start : start + size]
            if current and len(current) + len(part) > size:
                groups.append(current)
                current = []
            current.extend(part)
    if current:
        groups.append(current)
    return [sorted(group, key=lambda w: position[id(w)]) for group in groups]


def row_fields(table: Table) -> list[Field]:
    """The fields the pure AI provider asks the model to write: every scalar, non-key column.

    Unique columns, keys, foreign keys, nested objects and arrays keep their foundation values.
    """
    keys = key_columns(table)
    return [
        f
        for f in table.fields
        if _replaceable(f, keys) and not f.unique and f.type in _SCALAR_TYPES
    ]


# ==================================================================== checking values


def show_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _type_problem(f: Field, value: Any) -> str | None:
    if f.type in (FieldType.INTEGER,):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "not an integer"
    if f.type is FieldType.NUMBER:
        ok = (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
        return None if ok else "not a number"
    if f.type is FieldType.BOOLEAN:
        return None if isinstance(value, bool) else "not a boolean"
    if f.type in (FieldType.ARRAY, FieldType.OBJECT, FieldType.ANY, FieldType.NULL):
        return "not a value tdgen asks the model for"
    return None if isinstance(value, str) else "not a string"


def _number_problem(f: Field, value: float) -> str | None:
    c = f.constraints
    if c.minimum is not None and (
        value < c.minimum or (c.exclusive_minimum and value == c.minimum)
    ):
        return f"below minimum {c.minimum}"
    if c.maximum is not None and (
        value > c.maximum or (c.exclusive_maximum and value == c.maximum)
    ):
        return f"above maximum {c.maximum}"
    if c.multiple_of:
        try:
            remainder = decimal.Decimal(repr(value)) % decimal.Decimal(repr(c.multiple_of))
        except (decimal.InvalidOperation, ValueError):
            remainder = decimal.Decimal(1)
        if remainder != 0:
            return f"not a multiple of {c.multiple_of}"
    return None


class ValueCheck:
    """Checks values the model proposes for one field.

    Args:
        field: the field.
        probe: checks a value inside a whole row through the validation oracle (None for
            tables without a source schema).
        path: where the value goes in a row (default: the column ``field.name``).
    """

    def __init__(
        self, field: Field, probe: RowProbe | None = None, path: tuple[str, ...] | None = None
    ) -> None:
        self.field = field
        self.path = path or (field.name,)
        c = field.constraints
        self._pattern = compile_pattern(c.pattern) if c.pattern is not None else None
        fmt = c.format or _IMPLIED_FORMATS.get(field.type)
        self._format = _format_checker(fmt)
        self._format_name = fmt
        self._probe = probe

    def problem(self, value: Any, *, allow_null: bool = False) -> str | None:
        """Why ``value`` cannot be used (a few words), or None when it fits."""
        f, c = self.field, self.field.constraints
        if value is None:
            return None if allow_null and f.nullable else "null"
        problem = _type_problem(f, value)
        if problem is None:
            problem = self._constraint_problem(value)
        if problem is None and f.check is not None and not f.check(value):
            problem = "breaks a rule of its schema"
        if problem is None and self._probe is not None:
            problem = self._probe.problem(self.path, value)
        if problem is None and c.enum is not None and not any(_same(value, e) for e in c.enum):
            problem = "not one of the allowed values"
        return problem

    def _constraint_problem(self, value: Any) -> str | None:
        c = self.field.constraints
        if any(_same(value, v) for v in c.not_values):
            return "an excluded value"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _number_problem(self.field, value)
        if not isinstance(value, str):
            return None
        length = len(value)
        if c.min_length is not None and length < c.min_length:
            return f"shorter than minLength {c.min_length}"
        if c.max_length is not None and length > c.max_length:
            return f"longer than maxLength {c.max_length}"
        if self._pattern is not None and not self._pattern.search(value):
            return f"does not match pattern {c.pattern}"
        if self._format is not None and not self._format(value):
            return f"not a valid {self._format_name}"
        return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _format_checker(fmt: str | None) -> Callable[[str], bool] | None:
    if fmt is None:
        return None
    import jsonschema  # noqa: PLC0415

    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    if fmt not in checker.checkers:
        return None
    return lambda value: bool(checker.conforms(value, fmt))


class RowProbe:
    """Checks a value inside real rows: foundation rows with the value put in, by the oracle.

    A value passes when it fits one of a few probe rows — so a whole-row rule (``if``/``then``)
    that one row happens to trigger does not throw away every value of a field; the rows the
    job makes are checked again when the value is put in.

    The probe rows come from a separate null provider, so the job's own sources (whose
    uniqueness bookkeeping spans the job) are not touched.
    """

    def __init__(self, table: Table, oracle: Oracle, bases: list[Any]) -> None:
        self.table, self.oracle, self.bases = table, oracle, bases

    @classmethod
    def build(cls, table: Table, foundation: NullProvider) -> RowProbe | None:
        if table.schema is None:
            return None
        try:
            oracle = Oracle(table.schema)
            prober = NullProvider(foundation.seed, foundation.locale, pools=foundation.pools)
            plan = prober.plan(table)
            batch = prober.batch(plan, _PROBE_CHUNK, 0, _PROBE_ROWS)
            bases = [row_instance(table, plan.columns, row) for row in batch.rows]
        except TdgenError:
            return None
        bases = [base for base in bases if oracle.is_valid(base)]
        return cls(table, oracle, bases) if bases else None

    def problem(self, path: tuple[str, ...], value: Any) -> str | None:
        """Why the schema refuses ``value`` at ``path`` in every probe row, or None.

        A nested value is tried in the probe rows that have its parent object (in every
        element of an array on its path); when none has it, only the field's own checks apply
        (and the parent object's rule when the row is made).
        """
        if self.table.bare:
            error = self.oracle.first_error(value)
            return None if error is None else f"rejected by the schema: {error.message[:80]}"
        first = None
        for base in self.bases:
            for instance in _probe_instances(base, path, value):
                error = self.oracle.first_error(instance)
                if error is None:
                    return None
                first = first or error
        if first is None:
            return None
        return f"rejected by the schema: {first.message[:80]}"


def _probe_instances(base: Any, path: tuple[str, ...], value: Any) -> Iterator[Any]:
    """Copies of probe row ``base`` with ``value`` at ``path`` — in one element of an array at
    a time (its first few), since elements follow rules of their own (``if``/``then``)."""
    if ITEMS not in path:
        instance = put_value(base, path, value, add=True)
        if instance is not None:
            yield instance
        return
    at = path.index(ITEMS)
    elements = value_at(base, path[:at])
    if not isinstance(elements, list):
        return
    for i, element in enumerate(elements[:_PROBE_ELEMENTS]):
        new = put_value(element, path[at + 1 :], value, add=True)
        if new is not None:
            instance = put_value(base, path[:at], [*elements[:i], new, *elements[i + 1 :]])
            if instance is not None:
                yield instance


def put_value(obj: Any, path: tuple[str, ...], value: Any, *, add: bool = False) -> Any:
    """A copy of ``obj`` with ``value`` at ``path`` (the objects on the way copied too).

    A :data:`ITEMS` step puts the value into every element of the array there that takes it.
    None when an object on the way is missing (or no element takes it), or — unless ``add`` —
    the property at the end is absent or null (an absent property or a null stays as the
    foundation made it).
    """
    if path[0] == ITEMS:
        if not isinstance(obj, list):
            return None
        elements = [put_value(e, path[1:], value, add=add) for e in obj]
        if all(e is None for e in elements):
            return None
        return [old if new is None else new for old, new in zip(obj, elements, strict=True)]
    if not isinstance(obj, dict):
        return None
    name = path[0]
    if len(path) == 1:
        if not add and obj.get(name) is None:
            return None
        return {**obj, name: value}
    inner = put_value(obj.get(name), path[1:], value, add=add)
    return None if inner is None else {**obj, name: inner}


def value_at(obj: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in ``obj`` (``MISSING`` when absent); after an :data:`ITEMS` step
    a tuple with the value in each element of the array."""
    for step, name in enumerate(path):
        if name == ITEMS:
            if not isinstance(obj, list):
                return MISSING
            return tuple(value_at(e, path[step + 1 :]) for e in obj)
        if not isinstance(obj, dict) or name not in obj:
            return MISSING
        obj = obj[name]
    return obj


# ==================================================================== outcome


@dataclass(frozen=True, slots=True)
class FieldFallback:
    """A field that kept its foundation values, and why."""

    table: str
    field: str
    reason: str


@dataclass(slots=True)
class AiSummary:
    """What the enhance step did — kept on ``JobResult.ai``.

    Attributes:
        provider: ``hybrid`` or ``ai``.
        model: the profile's model.
        cost: requests sent, tokens in/out where reported, cache hits.
        enhanced: per table, the fields whose valid-row values came from the model.
        values: per table and field, how many checked values the model gave.
        fallbacks: fields that kept their foundation values, with the reason.
        ai_rows: pure AI provider: per table, rows whose values came from the model.
        answers: the model's answers by prompt (:func:`prompt_key`), kept in memory so that the
            job can be replayed with the same values and no request (``Export again``).
        reused: the answers came from an earlier job's ``answers``, not from the model.
    """

    provider: str
    model: str = ""
    cost: AiCost = field(default_factory=AiCost)
    enhanced: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, int]] = field(default_factory=dict)
    fallbacks: list[FieldFallback] = field(default_factory=list)
    ai_rows: dict[str, int] = field(default_factory=dict)
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict, repr=False)
    reused: bool = False

    def fall_back(self, table: str, fields: Sequence[str], reason: str) -> None:
        """Record that ``fields`` of ``table`` keep their foundation values."""
        for name in fields:
            if not any(f.table == table and f.field == name for f in self.fallbacks):
                self.fallbacks.append(FieldFallback(table, name, reason))

    def warnings(self) -> list[str]:
        """One warning per table and reason, naming the fields."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for fb in self.fallbacks:
            grouped.setdefault((fb.table, fb.reason), []).append(fb.field)
        return [
            f"{table}: AI values fell back to foundation values for {', '.join(fields)}: {reason}"
            for (table, reason), fields in grouped.items()
        ]

    def message(self) -> str:
        """A short note for the enhance step."""
        count = sum(len(v) for v in self.enhanced.values())
        parts = [f"{count} field(s) with AI values"]
        if self.fallbacks:
            parts.append(f"{len(self.fallbacks)} fell back")
        if self.reused:
            parts.append("the values of the job exported again; no request")
        else:
            parts.append(self.cost.summary())
        return "; ".join(parts)


def prompt_key(prompt: Prompt) -> tuple[str, str]:
    """What identifies a prompt's answer: its system and user text."""
    return prompt.system, prompt.user


# ==================================================================== the enhance step


def enhance(
    request: GenerationRequest,
    tables: list[Table],
    foundation: NullProvider,
    cancel: CancelToken,
    result: JobResult,
    report: Report,
) -> Any:
    """The enhance step: ask the model, check its values, return the provider for the rows.

    Never fails the job: on any error the foundation provider is returned, the step reports
    ``FELL_BACK`` and ``result.warnings`` says which fields fell back and why. Only a cancel
    stops it (:class:`~tdgen_desktop.core.errors.CancelledError`, in-flight requests aborted).

    Args:
        request: the job's request (``request.ai`` is the AI session).
        tables: the tables of the job, parents first.
        foundation: the null provider the job would use otherwise.
        cancel: the job's cancel token.
        result: the job's result; gets ``ai`` (the :class:`AiSummary`) and warnings.
        report: reports the enhance step's state and a note.
    """
    from tdgen_desktop.generation.hybrid import HybridBuilder  # noqa: PLC0415

    session = request.ai
    summary = AiSummary(request.provider.value)
    result.ai = summary
    builder: HybridBuilder | _RowsBuilder = (
        HybridBuilder(request, tables, foundation)
        if request.provider is ProviderKind.HYBRID
        else _RowsBuilder(request, tables, foundation)
    )
    provider: Any = foundation
    kept = request.ai_answers or {}
    try:
        prompts = builder.prompts()
        if session is not None:
            summary.model = session.profile.model_name
        if not prompts:
            report(StepState.SKIPPED, "nothing to ask the model: no weak field in the valid rows")
            return foundation
        if all(prompt_key(p) in kept for p in prompts):  # a replay: the same values, no request
            summary.model, summary.reused = request.ai_model, True
            answers = [kept[prompt_key(p)] for p in prompts]
        else:
            if session is None:
                raise LlmError("no AI profile is configured")
            job = session.new_job()
            summary.cost = job.cost
            report(StepState.RUNNING, f"asking {summary.model}: 0/{len(prompts)} answers")
            answers = session.ask_all_blocking(
                prompts,
                seed=request.seed,
                job=job,
                cancelled=lambda: cancel.cancelled,
                on_answer=lambda done, total: report(
                    StepState.RUNNING, f"AI answers {done}/{total}"
                ),
            )
            cancel.raise_if_cancelled()
        summary.answers = {prompt_key(p): a for p, a in zip(prompts, answers, strict=True)}
        provider = builder.build(answers, summary)
    except CancelledError:
        raise
    except Exception as exc:  # any failure: the job goes on with foundation values
        reason = (
            exc.reason if isinstance(exc, LlmError) else f"internal error ({type(exc).__name__})"
        )
        if session is not None:
            reason = session.redact(reason)
        if not isinstance(exc, LlmError):
            _log.warning("AI enhancement failed; using foundation values", exc_info=True)
        for table in tables:
            summary.fall_back(table.name, [f.name for f in builder.fields(table)], reason)
        provider = foundation
    result.warnings.extend(summary.warnings())
    report(StepState.FELL_BACK if summary.fallbacks else StepState.DONE, summary.message())
    return provider


def preview_prompts(request: GenerationRequest, dataset: Dataset | None = None) -> list[Prompt]:
    """The exact prompts a job would send, without sending them (``--show-prompts``).

    Raises:
        TdgenError: the schema cannot be read, or the request cannot be met.
    """
    from tdgen_desktop.generation.hybrid import HybridBuilder  # noqa: PLC0415
    from tdgen_desktop.generation.pipeline import prepare_job  # noqa: PLC0415

    dataset = prepare_job(dataclasses.replace(request, provider=ProviderKind.NULL), dataset)
    wanted = {name.lower() for name in request.tables}
    tables = [t for t in dataset.tables if not wanted or t.name.lower() in wanted]
    foundation = NullProvider(request.seed, request.locale)
    builder: HybridBuilder | _RowsBuilder = (
        _RowsBuilder(request, tables, foundation)
        if request.provider is ProviderKind.AI
        else HybridBuilder(request, tables, foundation)
    )
    return builder.prompts()


def answer_records(answer: Answer, fields: Sequence[str]) -> list[Any]:
    """The records of an answer to a prompt about ``fields``, keyed by field name (the answer
    uses each field's :func:`~tdgen_desktop.llm.prompts.answer_key`).

    Raises:
        LlmError: the request behind the answer failed.
    """
    if isinstance(answer, LlmError):
        raise answer
    records = answer.data.get("records")
    if not isinstance(records, list):
        return []
    names = {answer_key(name): name for name in fields}
    return [
        {names.get(k, k): v for k, v in record.items()} if isinstance(record, dict) else record
        for record in records
    ]


# ==================================================================== the pure AI provider


class _RowsBuilder:
    """Plans the pure AI provider's requests (whole rows) and builds it from the answers."""

    def __init__(
        self, request: GenerationRequest, tables: list[Table], foundation: NullProvider
    ) -> None:
        self.request, self.tables, self.foundation = request, tables, foundation
        session = request.ai
        self.budget = session.profile.request_budget if session is not None else 1_000_000
        self._plan: list[tuple[Table, int, Prompt]] = []
        self._skipped: dict[str, int] = {}

    def fields(self, table: Table) -> list[Field]:
        return row_fields(table)

    def prompts(self) -> list[Prompt]:
        self._plan, self._skipped = [], {}
        valid = CaseKind.VALID in self.request.cases
        for table in self.tables:
            fields = row_fields(table)
            rows = self.request.rows_for(table.name) if valid and fields else 0
            for first in range(0, rows, ROWS_PER_REQUEST):
                count = min(ROWS_PER_REQUEST, rows - first)
                if len(self._plan) >= self.budget:
                    self._skipped[table.name] = self._skipped.get(table.name, 0) + count
                    continue
                prompt = rows_prompt(table, fields, count, first, self.request.seed)
                self._plan.append((table, first, prompt))
        return [prompt for _, _, prompt in self._plan]

    def build(self, answers: list[Answer], summary: AiSummary) -> AiProvider:
        rows: dict[str, dict[int, dict[str, Any]]] = {}
        failures: dict[str, str] = {}
        for (table, first, prompt), answer in zip(self._plan, answers, strict=True):
            checks = {f.name: ValueCheck(f) for f in row_fields(table)}
            try:
                records = answer_records(answer, prompt.fields)
            except LlmError as exc:
                failures.setdefault(table.name, exc.reason)
                continue
            got = rows.setdefault(table.name, {})
            for offset, record in enumerate(records[: prompt.count]):
                if not isinstance(record, dict):
                    continue
                cells = {
                    name: value
                    for name, value in record.items()
                    if name in checks and checks[name].problem(value, allow_null=True) is None
                }
                if cells:
                    got[first + offset] = cells
        for table in self.tables:
            made = len(rows.get(table.name, {}))
            summary.ai_rows[table.name] = made
            names = [f.name for f in row_fields(table)]
            if made:
                summary.enhanced[table.name] = names
            wanted = (
                self.request.rows_for(table.name) if CaseKind.VALID in self.request.cases else 0
            )
            if made < wanted and names:
                reason = failures.get(table.name) or (
                    f"the request budget of {self.budget} allows no more requests"
                    if table.name in self._skipped
                    else "the model's rows broke the fields' constraints"
                )
                note = f"{wanted - made} of {wanted} rows keep foundation values; {reason}"
                summary.fall_back(table.name, names, note)
        return AiProvider(self.foundation, rows)


class AiProvider:
    """The pure AI provider: valid rows written by the model, checked, else foundation rows.

    For comparison with the hybrid provider — slow, since requests grow with the rows. Keys,
    foreign keys, unique columns, arrays and objects keep their foundation values; a row the
    model got wrong (a value breaks its constraints, or the row breaks the schema) keeps its
    foundation values. Boundary and invalid case rows are the foundation's, unchanged. Each
    batch's ``ai_fields`` name, per row the model's values went into, the cells they changed.
    """

    def __init__(
        self, foundation: NullProvider, rows: dict[str, dict[int, dict[str, Any]]]
    ) -> None:
        self.foundation = foundation
        self.rows = rows
        self._oracles: dict[str, Oracle | None] = {}

    @property
    def seed(self) -> int:
        """The job seed."""
        return self.foundation.seed

    def plan(self, table: Table) -> TablePlan:
        """The foundation's plan."""
        return self.foundation.plan(table)

    def record(self, batch: RowBatch) -> None:
        """Remember keys of written rows (the foundation's bookkeeping)."""
        self.foundation.record(batch)

    def batch(self, plan: TablePlan, chunk: int, start: int, count: int) -> RowBatch:
        """Foundation rows with the model's rows put in where they are valid."""
        batch = self.foundation.batch(plan, chunk, start, count)
        table = plan.table
        model_rows = self.rows.get(table.name)
        if not model_rows or chunk >= CASE_CHUNK_BASE:
            return batch
        oracle = self._oracle(table)
        index = {name: i for i, name in enumerate(plan.columns)}
        marks: list[tuple[str, ...] | None] = [None] * len(batch.rows)
        for i, row in enumerate(batch.rows):
            cells = model_rows.get(start + i)
            if cells is None:
                continue
            candidate = list(row)
            for name, value in cells.items():
                position = index.get(name)
                if position is not None and candidate[position] is not MISSING:
                    candidate[position] = value
            instance = row_instance(table, plan.columns, tuple(candidate))
            if (table.check is None or table.check(instance)) and (
                oracle is None or oracle.is_valid(instance)
            ):
                batch.rows[i] = tuple(candidate)
                marks[i] = changed_columns(plan.columns, row, batch.rows[i])
        batch.ai_fields = marks if any(marks) else None
        return batch

    def _oracle(self, table: Table) -> Oracle | None:
        if table.name not in self._oracles:
            self._oracles[table.name] = Oracle(table.schema) if table.schema is not None else None
        return self._oracles[table.name]


def sample_rng(seed: int, table: str, chunk: int) -> random.Random:
    """The generator AI values of a chunk are drawn with (apart from the foundation's)."""
    return random.Random(derive_seed(seed, table, chunk, "ai"))
