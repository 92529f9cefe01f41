"""Enum weights: valid rows draw enum values with the given relative frequencies.

Weights change only how often each value appears in valid rows; boundary rows still cover every
enum value and the model refuses weights that do not fit the enum.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from tdgen_desktop.core import CaseKind, SchemaError, Table
from tdgen_desktop.core.model import check_enum_weights
from tdgen_desktop.generation.cases import Coverage, design_cases

if TYPE_CHECKING:
    from conftest import GenerateFn

_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["active", "closed", "banned"]},
        "n": {"type": "integer", "minimum": 0, "maximum": 9},
    },
    "required": ["status", "n"],
}


def _weigh(weights: tuple[float, ...]) -> object:
    def edit(table: Table) -> None:
        field = table.field("status")
        field.enum_weights = check_enum_weights(field.constraints.enum, weights)

    return edit


def test_weights_9_to_1_give_about_90_percent_of_the_first_value(generate: GenerateFn) -> None:
    out = generate(_SCHEMA, rows=5000, edit=_weigh((9, 1, 0)))
    out.assert_all_valid()
    counts = Counter(out.column("status"))
    assert 0.88 <= counts["active"] / 5000 <= 0.92, counts
    assert 0.08 <= counts["closed"] / 5000 <= 0.12, counts


def test_a_zero_weight_never_appears_in_valid_rows(generate: GenerateFn) -> None:
    out = generate(_SCHEMA, rows=5000, edit=_weigh((0, 1, 3)))
    counts = Counter(out.column("status"))
    assert "active" not in counts
    assert set(counts) == {"closed", "banned"}
    assert counts["banned"] > 2.5 * counts["closed"], counts


def test_weighted_rows_are_deterministic(generate: GenerateFn) -> None:
    first = generate(_SCHEMA, rows=600, seed=7, edit=_weigh((5, 2, 1)), name="w.json")
    again = generate(_SCHEMA, rows=600, seed=7, edit=_weigh((5, 2, 1)), name="w.json")
    other = generate(_SCHEMA, rows=600, seed=7, edit=_weigh((1, 2, 5)), name="w.json")
    assert first.rows == again.rows
    assert first.column("status") != other.column("status")


def test_without_weights_every_value_is_about_equally_likely(generate: GenerateFn) -> None:
    counts = Counter(generate(_SCHEMA, rows=3000).column("status"))
    assert all(900 <= n <= 1100 for n in counts.values()), counts


def test_boundary_rows_still_cover_every_enum_value(generate: GenerateFn) -> None:
    out = generate(_SCHEMA, rows=10, edit=_weigh((1, 0, 0)))
    specs = design_cases(out.table, frozenset({CaseKind.BOUNDARY}), Coverage(), random.Random(0))
    assert {s.value for s in specs if s.path == ("status",)} == {"active", "closed", "banned"}


@pytest.mark.parametrize(
    ("enum", "weights", "problem"),
    [
        (("a", "b"), (1,), "1 enum weight(s) for 2 enum value(s)"),
        (("a", "b"), (1, -1), "enum weight -1 is not a finite number ≥ 0"),
        (("a", "b"), (0, 0), "all zero"),
        (("a", "b"), (1, float("nan")), "not a finite number"),
        (("a", "b"), (1, "x"), "not a finite number"),
        (None, (1,), "need an enum"),
    ],
)
def test_bad_weights_are_refused(enum: object, weights: object, problem: str) -> None:
    with pytest.raises(SchemaError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        check_enum_weights(enum, weights)  # type: ignore[arg-type]
