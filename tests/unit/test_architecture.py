"""The layer rules of DESIGN.md, executed: import-linter contracts plus the Qt-module rule."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tdgen_desktop"


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe is not None, "import-linter is part of the dev extras"
    done = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_the_ui_imports_qt_widgets_and_gui() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "ui" or relative.name == "app.py":
            continue
        widgets = {
            m
            for m in _imported_modules(path)
            if m.startswith(("PySide6.QtWidgets", "PySide6.QtGui"))
        }
        if widgets:
            offenders.append(f"{relative}: {sorted(widgets)}")
    assert offenders == []


def test_the_engine_never_imports_qt() -> None:
    engine = ("core", "importers", "generation", "llm", "exporters", "services")
    offenders = [
        str(path.relative_to(PACKAGE))
        for part in engine
        for path in (PACKAGE / part).rglob("*.py")
        if any(m.startswith(("PySide6", "qasync")) for m in _imported_modules(path))
    ]
    assert offenders == []
