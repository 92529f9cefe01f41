"""Project files (``.tdgen.json``): a schema file, the user's edits to its model, and the
generation settings, saved so that a later run makes the same files byte for byte.

A project is a versioned JSON document::

    {"tdgen_project": 1,
     "source": {"path": "shop.sql", "format": "sql", "dialect": "postgres"},
     "overrides": {"customer": {"email": {"null_ratio": 0.2, "generator": "email"}}},
     "generation": {"rows": 500, "table_rows": {"rental": 5000}, "seed": 7, "locale": "de_DE",
                    "cases": ["valid", "invalid"], "format": "sql", "provider": "null", …}}

``source.path`` is relative to the project file when the schema lies on the same drive; an
OpenAPI source read for request or response bodies adds ``"view": "request"`` (or
``"response"``). The overrides are exactly what the field editor can change — generator, null
ratio, uniqueness, bounds and enum weights — and only where they differ from a fresh import of
the source. No secret (API key) and no AI profile is ever stored. Loading re-imports the
source, applies the overrides and returns the saved settings; every problem names the project
file and the entry.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tdgen_desktop.core.enums import (
    ApiView,
    CaseKind,
    Dialect,
    ExportFormat,
    ProviderKind,
    SourceFormat,
)
from tdgen_desktop.core.errors import ExportError, SchemaError, TdgenError
from tdgen_desktop.core.model import Dataset, Field, check_enum_weights

__all__ = [
    "PROJECT_SUFFIX",
    "PROJECT_VERSION",
    "Project",
    "ProjectSettings",
    "import_project",
    "load_project",
    "read_project_settings",
    "save_project",
]

PROJECT_VERSION = 1
"""The version of the project format this tdgen writes and reads."""

PROJECT_SUFFIX = ".tdgen.json"
"""The file name ending of project files."""

_NUMERIC_BOUNDS = ("minimum", "maximum")
_LENGTH_BOUNDS = ("min_length", "max_length")
_OVERRIDES = ("generator", "null_ratio", "unique", *_NUMERIC_BOUNDS, *_LENGTH_BOUNDS)
"""Field attributes a project stores, besides ``enum_weights``: what the field editor edits."""


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    """The generation settings of a project (the options of ``tdgen generate``).

    The output folder, the priority and the AI profile (with its key) are not part of a project.
    """

    rows: int = 100
    table_rows: Mapping[str, int] = field(default_factory=dict)
    seed: int = 0
    locale: str = "en_US"
    cases: frozenset[CaseKind] = frozenset({CaseKind.VALID})
    format: ExportFormat = ExportFormat.CSV
    provider: ProviderKind = ProviderKind.NULL
    pairwise: bool = False
    max_cases: int | None = None
    label_columns: bool = False
    dialect: Dialect | None = None
    with_ddl: bool = False
    one_file: bool = False
    formula_guard: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The ``generation`` object of the project file."""
        return {
            "rows": self.rows,
            "table_rows": dict(self.table_rows),
            "seed": self.seed,
            "locale": self.locale,
            "cases": [k.value for k in CaseKind if k in self.cases],
            "format": self.format.value,
            "provider": self.provider.value,
            "pairwise": self.pairwise,
            "max_cases": self.max_cases,
            "label_columns": self.label_columns,
            "dialect": self.dialect.value if self.dialect is not None else None,
            "with_ddl": self.with_ddl,
            "one_file": self.one_file,
            "formula_guard": self.formula_guard,
        }

    @classmethod
    def from_request(cls, request: Any) -> ProjectSettings:
        """The settings of a :class:`~tdgen_desktop.generation.pipeline.GenerationRequest`."""
        return cls(
            **{
                f.name: getattr(request, f.name)
                for f in dataclasses.fields(cls)
                if hasattr(request, f.name)
            }
        )


@dataclass(slots=True)
class Project:
    """A loaded project: the dataset with the overrides applied, and the saved settings."""

    path: Path
    dataset: Dataset
    settings: ProjectSettings


# ====================================================================== saving


def save_project(
    path: str | Path,
    dataset: Dataset,
    settings: ProjectSettings,
    *,
    source_dialect: Dialect | None = None,
) -> Path:
    """Write ``dataset``'s source, its edits and ``settings`` to a project file, atomically.

    The edits are found by importing the source again and comparing field by field.

    Args:
        path: the project file; ``.tdgen.json`` is appended when the name lacks it.
        dataset: the imported (and possibly edited) model.
        settings: the generation settings.
        source_dialect: the SQL dialect to read the source in (default: the tables' dialect).

    Returns:
        The path written.

    Raises:
        SchemaError: the source cannot be imported again, or is itself a project.
        ExportError: the file cannot be written.
    """
    from tdgen_desktop.exporters.atomic import AtomicFile  # noqa: PLC0415
    from tdgen_desktop.importers import load_schema  # noqa: PLC0415

    target = Path(path)
    if not target.name.lower().endswith(PROJECT_SUFFIX):
        target = target.with_name(target.name + PROJECT_SUFFIX)
    if dataset.format is SourceFormat.PROJECT:
        raise SchemaError("a project's source cannot be another project", file=dataset.source)
    dialect = source_dialect or next((t.dialect for t in dataset.tables if t.dialect), None)
    pristine = load_schema(dataset.source, dataset.format, dialect=dialect, view=dataset.view)
    document = {
        "tdgen_project": PROJECT_VERSION,
        "source": {
            "path": _relative(dataset.source, target.parent),
            "format": dataset.format.value,
            "dialect": dialect.value if dialect is not None else None,
            **({"view": dataset.view.value} if dataset.view is not None else {}),
        },
        "overrides": _overrides(dataset, pristine),
        "generation": settings.as_dict(),
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with AtomicFile(target) as out:
            out.write(text)
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"cannot write the project: {exc.strerror or exc}", file=target) from None
    return target


def _relative(source: Path, folder: Path) -> str:
    source, folder = source.resolve(), folder.resolve()
    try:
        if os.path.commonpath([source, folder]) != source.anchor:  # share more than the root
            return Path(os.path.relpath(source, folder)).as_posix()
    except ValueError:  # another drive (Windows)
        pass
    return str(source)


def _overrides(dataset: Dataset, pristine: Dataset) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for table in dataset.tables:
        try:
            before = dict(p for f in pristine.table(table.name).fields for p in f.walk())
        except KeyError:
            continue
        for top in table.fields:
            for path, now in top.walk():
                old = before.get(path)
                changed = _field_changes(now, old) if old is not None else {}
                if changed:
                    out.setdefault(table.name, {})[path] = changed
    return out


def _field_changes(now: Field, old: Field) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in _OVERRIDES:
        value = _get(now, name)
        if value != _get(old, name):
            changes[name] = value
    if now.enum_weights != old.enum_weights:
        changes["enum_weights"] = list(now.enum_weights) if now.enum_weights else None
    return changes


def _get(f: Field, name: str) -> Any:
    if name in _NUMERIC_BOUNDS or name in _LENGTH_BOUNDS:
        return getattr(f.constraints, name)
    return getattr(f, name)


# ====================================================================== loading


def import_project(path: Path, text: str, _dialect: Dialect | None = None) -> Dataset:
    """The importer of the registry: the project's dataset (its settings ride along in
    ``dataset.project_settings``)."""
    project = load_project(path, text)
    project.dataset.project_settings = project.settings
    return project.dataset


def read_project_settings(path: str | Path) -> ProjectSettings:
    """Only the generation settings of a project file (the source is not imported).

    Raises:
        SchemaError: not a readable project of a known version, or bad settings.
    """
    from tdgen_desktop.importers import read_text  # noqa: PLC0415

    source = Path(path)
    document = _document(source, read_text(source))
    return _settings(source, document.get("generation", {}))


def load_project(path: str | Path, text: str | None = None) -> Project:
    """Import a project: its source with the overrides applied, and its settings.

    Raises:
        SchemaError: not a project, a version this tdgen does not know, a missing source, an
            override for an unknown table or field, or a bad value (the message names the
            project file and the entry).
    """
    from tdgen_desktop.importers import load_schema, read_text  # noqa: PLC0415

    project_path = Path(path)
    document = _document(project_path, read_text(project_path) if text is None else text)
    settings = _settings(project_path, document.get("generation", {}))
    source, fmt, dialect, view = _source(project_path, document.get("source"))
    try:
        dataset = load_schema(source, fmt, dialect=dialect, view=view)
    except TdgenError as exc:
        raise exc.with_context(file=source) from None
    overrides = document.get("overrides", {})
    if not isinstance(overrides, dict):
        raise SchemaError("must be an object of tables", file=project_path, field="overrides")
    for table_name, fields in overrides.items():
        _apply_table(project_path, dataset, table_name, fields)
    return Project(project_path, dataset, settings)


def _document(path: Path, text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=path
        ) from None
    if not isinstance(document, dict) or "tdgen_project" not in document:
        raise SchemaError("is not a tdgen project (no 'tdgen_project' version)", file=path)
    version = document["tdgen_project"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SchemaError(f"{version!r} is not a project version", file=path, field="tdgen_project")
    if version > PROJECT_VERSION:
        raise SchemaError(
            f"project version {version} comes from a newer tdgen; this one reads version "
            f"{PROJECT_VERSION}",
            file=path,
            field="tdgen_project",
        )
    unknown = sorted(set(document) - {"tdgen_project", "source", "overrides", "generation"})
    if unknown:
        raise SchemaError(f"unknown entry '{unknown[0]}'", file=path, field=unknown[0])
    return document


def _source(
    path: Path, entry: Any
) -> tuple[Path, SourceFormat | None, Dialect | None, ApiView | None]:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"]:
        raise SchemaError("needs the schema file's path", file=path, field="source.path")
    source = Path(entry["path"])
    if not source.is_absolute():
        source = Path(os.path.normpath(path.parent / source))
    try:
        found = source.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte …
        found = False
    if not found:
        raise SchemaError(
            f"the source schema {entry['path']} does not exist", file=path, field="source.path"
        )
    fmt = _enum(path, "source.format", SourceFormat, entry.get("format"))
    if fmt is SourceFormat.PROJECT:
        raise SchemaError(
            "a project's source cannot be another project", file=path, field="source.format"
        )
    dialect = _enum(path, "source.dialect", Dialect, entry.get("dialect"))
    view = _enum(path, "source.view", ApiView, entry.get("view"))
    return source, fmt, dialect, view


def _enum[E: (SourceFormat, Dialect, ApiView)](
    path: Path, where: str, kind: type[E], value: Any
) -> E | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SchemaError(f"{value!r} is not text", file=path, field=where)
    try:
        return kind.parse(value)
    except TdgenError as exc:
        raise SchemaError(exc.problem, file=path, field=where) from None


def _settings(path: Path, entry: Any) -> ProjectSettings:
    if not isinstance(entry, dict):
        raise SchemaError("must be an object", file=path, field="generation")
    values: dict[str, Any] = {}
    for key, value in entry.items():
        where = f"generation.{key}"
        read = _SETTING_READERS.get(key)
        if read is None:
            raise SchemaError(f"unknown setting '{key}'", file=path, field=where)
        try:
            values[key] = read(value)
        except SchemaError as exc:
            raise SchemaError(exc.problem, file=path, field=exc.field or where) from None
    return ProjectSettings(**values)


def _typed(expected: type, words: str, *, minimum: int | None = None) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SchemaError(f"{value!r} is not {words}")
        number: Any = value
        if minimum is not None and number < minimum:
            raise SchemaError(f"{value!r} is less than {minimum}")
        return number

    return read


def _optional_count(value: Any) -> int | None:
    return None if value is None else _typed(int, "a whole number", minimum=0)(value)


def _choice[E: (Dialect, ExportFormat, ProviderKind, CaseKind)](
    kind: type[E],
) -> Callable[[Any], E | None]:
    def read(value: Any) -> E | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise SchemaError(f"{value!r} is not text")
        try:
            return kind.parse(value)
        except TdgenError as exc:
            raise SchemaError(exc.problem) from None

    return read


def _cases(value: Any) -> frozenset[CaseKind]:
    if not isinstance(value, list) or not value:
        raise SchemaError("must be a non-empty list of case kinds")
    return frozenset(_choice(CaseKind)(v) or CaseKind.VALID for v in value)


def _table_rows(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise SchemaError("must be an object of table → rows")
    for name, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SchemaError(
                f"{count!r} is not a number ≥ 0", field=f"generation.table_rows.{name}"
            )
    return dict(value)


_SETTING_READERS: dict[str, Callable[[Any], Any]] = {
    "rows": _typed(int, "a whole number", minimum=0),
    "table_rows": _table_rows,
    "seed": _typed(int, "a whole number"),
    "locale": _typed(str, "text"),
    "cases": _cases,
    "format": lambda v: _choice(ExportFormat)(v) or ExportFormat.CSV,
    "provider": lambda v: _choice(ProviderKind)(v) or ProviderKind.NULL,
    "pairwise": _typed(bool, "true or false"),
    "max_cases": _optional_count,
    "label_columns": _typed(bool, "true or false"),
    "dialect": _choice(Dialect),
    "with_ddl": _typed(bool, "true or false"),
    "one_file": _typed(bool, "true or false"),
    "formula_guard": _typed(bool, "true or false"),
}


def _apply_table(path: Path, dataset: Dataset, table_name: str, fields: Any) -> None:
    where = f"overrides.{table_name}"
    try:
        table = dataset.table(table_name)
    except KeyError:
        names = ", ".join(t.name for t in dataset.tables)
        raise SchemaError(
            f"the source has no table '{table_name}' (tables: {names})", file=path, field=where
        ) from None
    if not isinstance(fields, dict):
        raise SchemaError("must be an object of fields", file=path, field=where)
    by_path = dict(p for f in table.fields for p in f.walk())
    for field_path, changes in fields.items():
        target = by_path.get(field_path)
        if target is None:
            raise SchemaError(
                f"table '{table.name}' has no field '{field_path}'",
                file=path,
                field=f"{where}.{field_path}",
            )
        if not isinstance(changes, dict):
            raise SchemaError("must be an object", file=path, field=f"{where}.{field_path}")
        for name, value in changes.items():
            try:
                _apply(target, name, value)
            except SchemaError as exc:
                raise SchemaError(
                    exc.problem, file=path, field=f"{where}.{field_path}.{name}"
                ) from None
        c = target.constraints
        for low, high in (_NUMERIC_BOUNDS, _LENGTH_BOUNDS):
            lo, hi = getattr(c, low), getattr(c, high)
            if lo is not None and hi is not None and lo > hi:
                raise SchemaError(
                    f"the {low} {lo} is greater than the {high} {hi}",
                    file=path,
                    field=f"{where}.{field_path}",
                )


def _apply(f: Field, name: str, value: Any) -> None:
    from tdgen_desktop.generation.semantics import KINDS  # noqa: PLC0415

    if name == "generator":
        if value is not None and (not isinstance(value, str) or value not in KINDS):
            raise SchemaError(f"{value!r} is not a generator tdgen knows")
        f.generator = value
    elif name == "null_ratio":
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not 0 <= value <= 1
        ):
            raise SchemaError(f"{value!r} is not a ratio between 0 and 1")
        f.null_ratio = float(value)
    elif name == "unique":
        if not isinstance(value, bool):
            raise SchemaError(f"{value!r} is not true or false")
        f.unique = value
    elif name in _NUMERIC_BOUNDS:
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise SchemaError(f"{value!r} is not a number")
        setattr(f.constraints, name, value)
    elif name in _LENGTH_BOUNDS:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise SchemaError(f"{value!r} is not a length ≥ 0")
        setattr(f.constraints, name, value)
    elif name == "enum_weights":
        f.enum_weights = None if value is None else check_enum_weights(f.constraints.enum, value)
    else:
        raise SchemaError(
            f"'{name}' cannot be overridden (one of: {', '.join((*_OVERRIDES, 'enum_weights'))})"
        )
