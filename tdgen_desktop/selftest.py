"""``tdgen --self-test``: prove that this installation (or PyInstaller bundle) works end to end.

The self-test generates the bundled example ``resources/examples/order.schema.json`` with every
case kind, through the same path as ``tdgen generate`` (import, pre-flight, foundation, validate,
export on the job scheduler) into a temporary folder, and checks the files with the validation
oracle: every ``accept`` row must validate against the schema, every ``reject`` row must fail.
It also loads what a frozen build finds only at run time — Faker locales, sqlglot dialects,
keyring backends (through their entry points), the JSON Schema metaschemas and Qt's offscreen
platform plugin — so a bundle that left one out fails here, not in a user's hands.

It prints one line — ``self-test: ok — N rows, M files, T s`` — and returns 0, or prints
``self-test: failed — <reason>`` on stderr and returns 1. It never touches the user's folders and
never imports QtWidgets or QtGui (Qt Core only: it runs without a display).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["EXAMPLE", "SelfTestError", "SelfTestResult", "main", "run"]

EXAMPLE = ("examples", "order.schema.json")
"""The bundled example the self-test generates (parts of a path under ``resources/``)."""

_ROWS = 20
_SEED = 0
_SQL_DIALECTS = ("sqlite", "postgres", "mysql")
_FAKER_LOCALES = ("en_US", "de_DE", "ja_JP")
_METASCHEMA_VALIDATORS = (
    "Draft4Validator",
    "Draft6Validator",
    "Draft7Validator",
    "Draft201909Validator",
    "Draft202012Validator",
)


class SelfTestError(Exception):
    """A check of the self-test failed; the message says which and why."""


@dataclass(frozen=True, slots=True)
class SelfTestResult:
    """What the self-test made and checked.

    Attributes:
        rows: rows written (valid, boundary and invalid) and checked with the oracle.
        files: files written to the output folder.
        elapsed_s: wall time of the whole self-test.
    """

    rows: int
    files: int
    elapsed_s: float

    def summary(self) -> str:
        """The one line printed on success."""
        return f"self-test: ok — {self.rows} rows, {self.files} files, {self.elapsed_s:.2f} s"


def run(example: Path | None = None) -> SelfTestResult:
    """Run every check; return what was made, or raise :class:`SelfTestError` with the reason.

    Args:
        example: the JSON Schema to generate (the bundled order example when omitted).
    """
    started = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tdgen_desktop.services.resources import resource_path  # noqa: PLC0415

    source = example if example is not None else resource_path(*EXAMPLE)
    if not source.is_file():
        raise SelfTestError(f"the example schema is missing: {source}")
    schema = _read_json(source)
    _check_metaschemas(schema)
    _check_faker_locales()
    _check_sql_dialects()
    _check_keyring_backends()
    with tempfile.TemporaryDirectory(prefix="tdgen-selftest-") as temp:
        out_dir = Path(temp) / "out"
        rows = _generate(source, out_dir, Path(temp) / "home")
        checked = _check_output(schema, out_dir)
        if checked != rows:
            raise SelfTestError(f"the job reported {rows} rows but the files hold {checked}")
        files = sum(1 for path in out_dir.rglob("*") if path.is_file())
    _check_qt_platform_plugin()
    return SelfTestResult(rows=rows, files=files, elapsed_s=time.perf_counter() - started)


def main() -> int:
    """Run the self-test, print its one line and return the exit code (0 ok, 1 failed)."""
    try:
        result = run()
    except SelfTestError as exc:
        print(f"self-test: failed — {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # anything unexpected is a failure with its reason, not a traceback
        print(f"self-test: failed — {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


# ------------------------------------------------------------------ the generation


def _generate(source: Path, out_dir: Path, home: Path) -> int:
    """Generate ``source`` with every case kind as one job on the scheduler; return the rows."""
    from tdgen_desktop.core.enums import CaseKind, ExportFormat, Priority  # noqa: PLC0415
    from tdgen_desktop.generation.pipeline import GenerationRequest  # noqa: PLC0415
    from tdgen_desktop.scheduler.headless import run_jobs  # noqa: PLC0415
    from tdgen_desktop.services.paths import AppPaths  # noqa: PLC0415

    request = GenerationRequest(
        source=source,
        out_dir=out_dir,
        rows=_ROWS,
        cases=frozenset(CaseKind),
        format=ExportFormat.JSONL,
        seed=_SEED,
    )
    (job,) = run_jobs([(request, Priority.NORMAL)], paths=AppPaths.under(home))
    if job.error is not None:
        raise SelfTestError(f"generation failed: {job.error.message}")
    if job.result is None:
        raise SelfTestError("generation was cancelled")
    if job.result.validation_failures:
        raise SelfTestError("; ".join(job.result.warnings) or "valid rows failed validation")
    if not job.result.tables:
        raise SelfTestError(f"generation wrote no table for {source.name}")
    return job.result.rows


def _check_output(schema: Any, out_dir: Path) -> int:
    """Check every written row against its label with the oracle; return the rows checked."""
    from tdgen_desktop.core.validation import Oracle  # noqa: PLC0415

    oracle = Oracle(schema)
    checked = 0
    for cases_path in sorted(out_dir.glob("*.cases.jsonl")):
        data_path = cases_path.with_name(cases_path.name.replace(".cases.jsonl", ".jsonl"))
        rows = _read_lines(data_path)
        labels = _read_lines(cases_path)
        if len(rows) != len(labels):
            raise SelfTestError(
                f"{data_path.name} has {len(rows)} rows but {cases_path.name} "
                f"has {len(labels)} labels"
            )
        seen: dict[str, list[Any]] = {}
        for number, (row, label) in enumerate(zip(rows, labels, strict=True)):
            if label.get("rule") == "unique":  # across rows: JSON Schema cannot say it
                _check_repeat(data_path.name, number, row, label, seen)
                checked += 1
                continue
            valid = oracle.is_valid(row)
            if valid != (label.get("expect") == "accept"):
                outcome = "validates" if valid else "fails validation"
                raise SelfTestError(
                    f"{data_path.name} row {number} {outcome} but is labelled "
                    f"{label.get('case')}/{label.get('rule')} ({label.get('expect')})"
                )
            if isinstance(row, dict):
                for key, value in row.items():
                    seen.setdefault(key, []).append(value)
            checked += 1
    if checked == 0:
        raise SelfTestError(f"no rows were written to {out_dir}")
    return checked


def _check_repeat(
    name: str, number: int, row: Any, label: dict[str, Any], seen: dict[str, list[Any]]
) -> None:
    """A ``unique`` reject row must repeat the value of an earlier row in its field."""
    field = label.get("field")
    value = row.get(field) if isinstance(row, dict) and isinstance(field, str) else None
    if field is None or value not in seen.get(field, []):
        raise SelfTestError(
            f"{name} row {number} is labelled a repeat of {field} but its value {value!r} "
            "does not occur in an earlier row"
        )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SelfTestError(f"cannot read {path}: {exc}") from exc


def _read_lines(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SelfTestError(f"cannot read the output {path.name}: {exc}") from exc
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# ------------------------------------------------------------------ what a bundle loads late


def _check_metaschemas(schema: Any) -> None:
    """The example and an empty schema of each draft pass their metaschema (bundled data)."""
    import jsonschema  # noqa: PLC0415
    import jsonschema.validators  # noqa: PLC0415

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
        for name in _METASCHEMA_VALIDATORS:
            getattr(jsonschema, name).check_schema({"type": "object"})
    except Exception as exc:
        raise SelfTestError(f"JSON Schema metaschemas: {type(exc).__name__}: {exc}") from exc


def _check_faker_locales() -> None:
    """Faker finds its locales (loaded by name at run time) and makes a value in each."""
    from faker import Faker  # noqa: PLC0415
    from faker.config import AVAILABLE_LOCALES  # noqa: PLC0415

    missing = [locale for locale in _FAKER_LOCALES if locale not in AVAILABLE_LOCALES]
    if missing:
        raise SelfTestError(f"Faker locales missing: {', '.join(missing)}")
    fake = Faker(list(_FAKER_LOCALES))
    fake.seed_instance(_SEED)
    for locale in _FAKER_LOCALES:
        if not fake[locale].name():
            raise SelfTestError(f"Faker made an empty name for {locale}")


def _check_sql_dialects() -> None:
    """sqlglot loads each SQL dialect (imported by name at run time) and parses DDL in it."""
    import sqlglot  # noqa: PLC0415

    for dialect in _SQL_DIALECTS:
        try:
            parsed = sqlglot.parse_one("CREATE TABLE t (id INTEGER PRIMARY KEY)", read=dialect)
        except Exception as exc:
            raise SelfTestError(f"sqlglot dialect {dialect}: {type(exc).__name__}: {exc}") from exc
        if parsed is None:
            raise SelfTestError(f"sqlglot dialect {dialect} parsed nothing")


def _check_keyring_backends() -> None:
    """keyring's backends are registered (entry points in the copied metadata) and import.

    No backend is asked for a password and none is chosen: that could prompt the user.
    """
    from importlib.metadata import entry_points  # noqa: PLC0415

    names = sorted(ep.value for ep in entry_points(group="keyring.backends"))
    if not names:
        raise SelfTestError("keyring backends: no 'keyring.backends' entry points (metadata)")
    for module in names:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise SelfTestError(f"keyring backend {module}: {exc}") from exc


def _check_qt_platform_plugin() -> None:
    """Qt's offscreen platform plugin is where Qt looks for plugins, and it loads."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QPluginLoader  # noqa: PLC0415

    folders = [Path(p) for p in QCoreApplication.libraryPaths()]
    folders.append(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)))
    plugins = [
        path
        for folder in dict.fromkeys(folders)
        for path in sorted((folder / "platforms").glob("*offscreen*"))
        if path.is_file()
    ]
    if not plugins:
        shown = ", ".join(str(f) for f in dict.fromkeys(folders))
        raise SelfTestError(f"Qt's offscreen platform plugin is not in {shown or 'any folder'}")
    loader = QPluginLoader(str(plugins[0]))
    if not loader.load():
        raise SelfTestError(f"Qt cannot load {plugins[0].name}: {loader.errorString()}")
