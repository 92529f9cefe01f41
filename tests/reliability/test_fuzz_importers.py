"""Fuzzing every importer through the public entry point, ``load_schema``.

For each importer Hypothesis draws malformed and adversarial files from the shared corpus (see
``strategies.py``): each must import into a dataset or be refused with tdgen's typed error whose
message names the file; any other exception, or an input taking longer than
``_SLOWEST_INPUT_S``, fails the test. Every input that imports also goes through a small
generation (two valid rows plus a few boundary and invalid cases, null provider, JSON Lines
files), which must finish or raise a ``TdgenError``.

``TDGEN_FUZZ_EXAMPLES`` sets the inputs per importer: a few hundred in ``make test``, ten
thousand in ``make fuzz``. Runs are derandomized, so a failure in CI reproduces locally.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from strategies import PROJECT_SOURCE, TARGETS, Target

from tdgen_desktop.core.enums import CaseKind, ExportFormat
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.core.model import Dataset
from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline
from tdgen_desktop.importers import load_schema

Recorder = Callable[..., None]

EXAMPLES = int(os.environ.get("TDGEN_FUZZ_EXAMPLES", "300"))
_SLOWEST_INPUT_S = 20.0
"""An input taking longer than this to import and generate counts as a hang."""

_FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a hang found would be retried for each smaller input; the drawn one is shown.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)


class _HangError(Exception):
    """An input that took longer than ``_SLOWEST_INPUT_S``."""


@contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    """Interrupt the input after ``seconds`` (SIGALRM in the main thread) as a hang; the
    test's own timer (pytest-timeout uses SIGALRM too) is put back with the time it has left."""

    def expire(_signum: int, _frame: object) -> None:
        raise _HangError(f"an input took longer than {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def _generate(dataset: Dataset, source: Path, out: Path, tally: Counter[str]) -> None:
    """A small job on an imported dataset: rows written, or a typed error."""
    request = GenerationRequest(
        source=source,
        out_dir=out,
        rows=2,
        cases=frozenset(CaseKind),
        max_cases=4,
        format=ExportFormat.JSONL,
        seed=1,
    )
    message = ""
    try:
        result = run_pipeline(request, dataset=dataset)
    except TdgenError as exc:
        message = exc.message.strip() or "(empty)"
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if message:
        assert message != "(empty)", "a generation error without a message"
        tally["generation refused"] += 1
    else:
        assert result.tables, "a job that returned no table"
        tally["generated"] += 1


def _attempt(target: Target, data: bytes, folder: Path, tally: Counter[str]) -> None:
    path = folder / f"input{target.suffix}"
    path.write_bytes(data)
    tally["tried"] += 1
    started = time.perf_counter()
    message = ""
    try:
        with _watchdog(_SLOWEST_INPUT_S):
            try:
                dataset = load_schema(path)
            except TdgenError as exc:
                message = exc.message
            if not message:
                tally["imported"] += 1
                _generate(dataset, path, folder / "out", tally)
    except Exception:
        tally["uncaught"] += 1
        raise
    if message:
        assert path.name in message, f"the message does not name the file: {message!r}"
        tally["rejected"] += 1
    elapsed = time.perf_counter() - started
    tally["slowest_ms"] = max(tally["slowest_ms"], round(elapsed * 1000))
    assert elapsed < _SLOWEST_INPUT_S, f"an input took {elapsed:.1f} s"


@pytest.mark.timeout(max(300, EXAMPLES * 2))
@pytest.mark.parametrize("name", list(TARGETS))
def test_importer_survives_fuzzed_input(name: str, tmp_path: Path, record: Recorder) -> None:
    """Every generated input imports or is refused with a typed error naming the file."""
    target = TARGETS[name]
    tally: Counter[str] = Counter()
    source_name, source = PROJECT_SOURCE  # the schema a fuzzed project file names
    (tmp_path / source_name).write_text(json.dumps(source), encoding="utf-8")
    started = time.perf_counter()

    @_FUZZ_SETTINGS
    @given(data=target.inputs)
    def fuzz(data: bytes) -> None:
        _attempt(target, data, tmp_path, tally)

    try:
        fuzz()
    finally:
        minutes = (time.perf_counter() - started) / 60
        record(
            "Fuzzing",
            f"{name}: malformed and adversarial files mutated from {target.seeds}; "
            "truncated files, byte flips, random bytes and random text",
            f"{tally['imported']:,} imported ({tally['generated']:,} generated rows, "
            f"{tally['generation refused']:,} refused at generation with a message); "
            f"{tally['rejected']:,} refused with a message naming the file; "
            f"{tally['uncaught']} uncaught exceptions",
            f"{tally['tried']:,} inputs in {minutes:.1f} min; slowest "
            f"{tally['slowest_ms'] / 1000:.2f} s",
        )
    assert tally["tried"] >= EXAMPLES // 2, f"only {tally['tried']} inputs were tried"


# --------------------------------------------------------------------------- regressions
# Inputs the fuzzer found that raised an internal exception; each now has a clear answer.

_PETSTORE_HEAD = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n"


@pytest.mark.parametrize(
    ("label", "text", "message"),
    [
        (
            "a nested property of an unknown type (UnknownType at generation)",
            _PETSTORE_HEAD + "  schemas:\n    Error:\n      type: object\n      properties:\n"
            "        code: {type: nonsense}\n",
            "component 'Error': not a valid JSON Schema: at /properties/code/type",
        ),
        (
            "a component that is a string (AttributeError)",
            _PETSTORE_HEAD + "  schemas:\n    Pet: {type: object}\n    type: nonsense\n",
            "component 'type': not a JSON Schema: string is not a schema",
        ),
        (
            "a type that is a number (TypeError in the 3.0 conversion)",
            _PETSTORE_HEAD + "  schemas:\n    Pet: {type: 7, format: int32}\n",
            "component 'Pet': not a valid JSON Schema: at /type",
        ),
        (
            "a referenced component with 'required: 5' (TypeError in allOf merging)",
            _PETSTORE_HEAD + "  schemas:\n    A:\n      allOf: [{$ref: '#/components/schemas/B'}]\n"
            "    B: {type: object, required: 5}\n",
            "component 'B': not a valid JSON Schema: at /required",
        ),
        (
            "a parameter schema that is a number (TypeError in the meta-schema check)",
            _PETSTORE_HEAD + "  parameters:\n    limit: {name: limit, in: query, schema: 5}\n"
            "  schemas:\n    Pet: {type: object}\n",
            "a schema in components/parameters: not a JSON Schema",
        ),
    ],
    ids=["unknown-type", "string-component", "numeric-type", "required-number", "parameter"],
)
def test_fuzz_regression_openapi(label: str, text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TdgenError) as caught:
        load_schema(path)
    assert "api.yaml" in caught.value.message, label
    assert message in caught.value.message, caught.value.message


@pytest.mark.parametrize(
    ("label", "ddl"),
    [
        (
            "a column type sqlglot leaves as text (AttributeError)",
            "CREATE TABLE actor (\n  actor_id INTEGER NOT NULL,\n"
            "  DECIMAL(99999999999999999999,1) KEY (actor_id)\n);",
        ),
        (
            "VARCHAR(99999999999999999999) (OverflowError making its length cases)",
            "CREATE TABLE artist (artist_id INT PRIMARY KEY, name VARCHAR(99999999999999999999));",
        ),
    ],
    ids=["type-as-text", "huge-varchar"],
)
def test_fuzz_regression_sql(label: str, ddl: str, tmp_path: Path) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(ddl, encoding="utf-8")
    tally: Counter[str] = Counter()
    try:
        dataset = load_schema(path)
    except TdgenError as exc:
        tally[exc.message] += 1
    else:
        _generate(dataset, path, tmp_path / "out", tally)
    refusals = [m for m in tally if m not in {"generated", "generation refused"}]
    assert all("schema.sql" in m for m in refusals), label
    assert tally["generated"] + tally["generation refused"] == 1, label


def test_fuzz_regression_number_range_wider_than_a_float(tmp_path: Path) -> None:
    """-1e308..1e308 in steps of 0.5 overflowed counting the multiples (OverflowError)."""
    path = tmp_path / "wide.json"
    path.write_text(
        '{"type": "object", "required": ["x"], "properties": {"x": '
        '{"type": "number", "minimum": -1e308, "maximum": 1e308, "multipleOf": 0.5}}}',
        encoding="utf-8",
    )
    tally: Counter[str] = Counter()
    _generate(load_schema(path), path, tmp_path / "out", tally)
    assert tally["generated"] == 1


def test_fuzz_regression_sample_with_a_value_beyond_decimal_precision(tmp_path: Path) -> None:
    """-1e31 beside 39.1 in a sample broke the decimal checks (decimal.InvalidOperation)."""
    path = tmp_path / "sample.json"
    path.write_text(
        '[{"x": 39.1, "y": 1}, {"x": -10000000000000000000000000000000, "y": 2}, '
        '{"x": 18.7, "y": 3}]',
        encoding="utf-8",
    )
    tally: Counter[str] = Counter()
    _generate(load_schema(path), path, tmp_path / "out", tally)
    assert tally["generated"] == 1


@pytest.mark.parametrize(
    ("ref", "refused"),
    [("#/$defs/loop", True), ("https://example.invalid/remote.json", False)],
    ids=["dangling", "remote"],
)
def test_fuzz_regression_ref_in_an_anyof_branch(ref: str, refused: bool, tmp_path: Path) -> None:
    """A $ref in an anyOf branch that resolves to nothing let the import through, and the
    validate step then raised a referencing error. A dangling local $ref is now refused; a
    remote one is never fetched and rows are not checked against it."""
    path = tmp_path / "refs.json"
    path.write_text(
        '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", '
        '"required": ["a"], "properties": {"a": {"type": "array", "minItems": 1, '
        f'"items": {{"anyOf": [{{"$ref": "{ref}"}}, {{"type": "string"}}]}}}}}}}}',
        encoding="utf-8",
    )
    if refused:
        with pytest.raises(TdgenError, match="points to nothing in this file"):
            load_schema(path)
        return
    tally: Counter[str] = Counter()
    _generate(load_schema(path), path, tmp_path / "out", tally)
    assert tally["generated"] == 1


def test_fuzz_regression_a_string_of_a_trillion_characters(tmp_path: Path) -> None:
    """minLength 10^12 made the generator build the string (a hang); now a message."""
    path = tmp_path / "long.json"
    path.write_text(
        '{"type": "object", "required": ["tag"], "properties": '
        '{"tag": {"type": "string", "minLength": 1000000000000}}}',
        encoding="utf-8",
    )
    tally: Counter[str] = Counter()
    with _watchdog(30):
        _generate(load_schema(path), path, tmp_path / "out", tally)
    assert tally["generation refused"] == 1


@pytest.mark.parametrize(
    "column",
    [
        "rate DECIMAL(99999999999999999999,1)",
        "rate NUMERIC(99999999999999999999,99999999999999999999)",
    ],
    ids=["huge-precision", "huge-scale"],
)
def test_fuzz_regression_decimal_beyond_any_database(column: str, tmp_path: Path) -> None:
    """DECIMAL(10^20, 1) computed 10 ** 10^20 (a hang) and a huge scale raised
    decimal.InvalidOperation; both are now refused naming the column."""
    path = tmp_path / "rates.sql"
    path.write_text(f"CREATE TABLE rates (id INTEGER PRIMARY KEY, {column});", encoding="utf-8")
    with _watchdog(30), pytest.raises(TdgenError, match="has more than 1,000 digits") as caught:
        load_schema(path)
    assert "rates.sql" in caught.value.message
    assert "rate" in caught.value.message


@pytest.mark.parametrize("name", ["x" * 300, "a\u0000b"], ids=["too-long", "nul"])
def test_fuzz_regression_project_source_name(name: str, tmp_path: Path) -> None:
    """A 300-character source name raised OSError (File name too long) from is_file()."""
    path = tmp_path / "p.tdgen.json"
    path.write_text(json.dumps({"tdgen_project": 1, "source": {"path": name}}), encoding="utf-8")
    with pytest.raises(TdgenError, match="does not exist") as caught:
        load_schema(path)
    assert "p.tdgen.json" in caught.value.message
