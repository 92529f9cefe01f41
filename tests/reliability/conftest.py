"""Evidence for docs/RELIABILITY.md.

Every reliability and fuzz test records what it tried and what happened through the ``record``
fixture. At the end of the session the rows, with each test's outcome, are written to
``build/reliability/<suite>.json`` (``suite`` is ``TDGEN_RELIABILITY_SUITE``, default ``test``);
``build_scripts/reliability_report.py`` turns the latest files into docs/RELIABILITY.md
(``make fuzz`` runs both).
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(__file__).resolve().parents[2]
_ROWS: list[dict[str, Any]] = []
_OUTCOMES: dict[str, str] = {}

Recorder = Callable[..., None]


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Recorder:
    """``record(area, what, result, figure="")`` adds a row to the reliability report.

    ``area`` is the report's section (e.g. "Fuzzing", "Hostile input", "Faults", "Load",
    "Security", "Crash handling"), ``what`` the thing tried, ``result`` what tdgen did (a
    sentence a user understands) and ``figure`` a measured number (inputs tried, seconds, MB).
    """
    node = request.node.nodeid

    def add(area: str, what: str, result: str, figure: str = "") -> None:
        _ROWS.append({"area": area, "what": what, "result": result, "figure": figure, "test": node})

    return add


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.failed):
        _OUTCOMES[item.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _ROWS:
        return
    suite = os.environ.get("TDGEN_RELIABILITY_SUITE", "test")
    folder = _ROOT / "build" / "reliability"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [dict(row, outcome=_OUTCOMES.get(row["test"], "unknown")) for row in _ROWS]
    payload = {
        "suite": suite,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "python": platform.python_version(),
        "rows": rows,
    }
    (folder / f"{suite}.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
