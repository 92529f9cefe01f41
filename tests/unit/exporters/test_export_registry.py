"""The format registry: which writer and extension belong to which format."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tdgen_desktop import exporters
from tdgen_desktop.core import ExportFormat, UsageError
from tdgen_desktop.exporters import TableWriter, available_formats, extension_for, writer_for


def test_available_formats() -> None:
    assert available_formats() == (
        ExportFormat.CSV,
        ExportFormat.TSV,
        ExportFormat.JSON,
        ExportFormat.JSONL,
        ExportFormat.SQL,
        ExportFormat.XLSX,
        ExportFormat.PARQUET,
    )


@pytest.mark.parametrize("fmt", available_formats(), ids=lambda f: f.value)
def test_writer_for_matches_the_format(fmt: ExportFormat) -> None:
    cls = writer_for(fmt)

    assert issubclass(cls, TableWriter)
    assert cls.format is fmt
    assert cls.extension == extension_for(fmt)


@pytest.mark.parametrize("fmt", [ExportFormat.XLSX, ExportFormat.PARQUET], ids=lambda f: f.value)
def test_writer_for_a_format_not_available(
    fmt: ExportFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(exporters._WRITERS, fmt)  # every format has a writer now
    with pytest.raises(UsageError) as caught:
        writer_for(fmt)

    assert f"'{fmt.value}'" in caught.value.message
    assert "available: csv, tsv, json, jsonl, sql" in caught.value.message


def test_extensions() -> None:
    assert {fmt.value: extension_for(fmt) for fmt in ExportFormat} == {
        "csv": "csv",
        "tsv": "tsv",
        "json": "json",
        "jsonl": "jsonl",
        "sql": "sql",
        "xlsx": "xlsx",
        "parquet": "parquet",
    }


def test_public_names() -> None:
    assert sorted(exporters.__all__) == [
        "AtomicFile",
        "CasesWriter",
        "ExportOptions",
        "TableWriter",
        "available_formats",
        "extension_for",
        "remove_stale_parts",
        "writer_for",
    ]
    assert all(hasattr(exporters, name) for name in exporters.__all__)


def test_export_options_are_frozen() -> None:
    options = exporters.ExportOptions(label_columns=True, indent=2)

    with pytest.raises(AttributeError):
        options.indent = 4  # type: ignore[misc]
    assert exporters.ExportOptions() == exporters.ExportOptions(label_columns=False, indent=None)


def test_exporters_do_not_import_qt() -> None:
    code = (
        "import sys, tdgen_desktop.exporters\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'shiboken6', 'qasync'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "[]"
