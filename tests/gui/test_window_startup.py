"""``make run`` and ``python -m tdgen_desktop`` (no arguments) open the main window."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_STARTED = re.compile(r"^tdgen-startup: main_s=[\d.]+ rss_mb=", re.MULTILINE)


def _open(command: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` offscreen in a temporary home; the window reports once shown and quits."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TDGEN_HOME": str(home),
        "TDGEN_MEASURE_STARTUP": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    return subprocess.run(
        command, cwd=home, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_make_run_opens_the_window(tmp_path: Path) -> None:
    make = shutil.which("make")
    assert make is not None, "make is part of the set-up"
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    dry = subprocess.run(  # as from a shell, also when the tests run under `make test`
        [make, "--no-print-directory", "-n", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    command = dry.stdout.strip().splitlines()[-1].split()
    assert command == [".venv/bin/tdgen", "gui"], dry.stdout

    done = _open([str(ROOT / command[0]), *command[1:]], tmp_path)

    assert done.returncode == 0, done.stderr
    assert _STARTED.search(done.stdout), done.stdout


@pytest.mark.parametrize("args", [[], ["gui"]], ids=["no-arguments", "gui"])
def test_python_m_opens_the_window(tmp_path: Path, args: list[str]) -> None:
    done = _open([sys.executable, "-m", "tdgen_desktop", *args], tmp_path)

    assert done.returncode == 0, done.stderr
    assert _STARTED.search(done.stdout), done.stdout
