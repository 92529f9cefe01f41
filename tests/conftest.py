"""Test set-up shared by every test.

Runs before Qt is imported: Qt renders offscreen, the app's folders live in a per-session temporary
folder (``TDGEN_HOME``), keyring uses its null backend and the ``TDGEN_AI_*`` variables are cleared,
so no test touches the user's display, folders, keychain or AI settings.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="tdgen-tests-"))
os.environ["TDGEN_HOME"] = str(_SESSION_HOME)
for _name in [n for n in os.environ if n.startswith("TDGEN_AI_")]:
    del os.environ[_name]  # a developer's AI settings would change what the window offers

_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses ``qtbot`` as ``gui``."""
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


def pytest_sessionfinish() -> None:
    """Remove the session's ``TDGEN_HOME``."""
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus of real-world schemas (``../shared/corpus`` beside the repository)."""
    if not _CORPUS.is_dir():
        pytest.fail(f"the shared schema corpus is not at {_CORPUS}")
    return _CORPUS
