"""Start-up times from source: ``tdgen --version`` and the main window shown.

The window figure is the time from starting ``python -m tdgen_desktop`` to the main window's
first show (the app prints the moment and quits when ``TDGEN_MEASURE_STARTUP`` is set), Qt
offscreen, in a fresh settings folder. Medians of ``--repeats`` starts after one warm-up start.

Usage: python bench/startup.py [--repeats K]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_LINE = re.compile(r"tdgen-startup: main_s=(?P<main>[\d.]+) rss_mb=(?P<rss>[\d.na]+)")
TIMEOUT_S = 60


def measurement_env(home: Path) -> dict[str, str]:
    """The environment of a measured start: offscreen, a fresh home, no keyring."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TDGEN_HOME": str(home),
        "TDGEN_MEASURE_STARTUP": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }


def version_seconds(repeats: int) -> float:
    """Median seconds of ``python -m tdgen_desktop --version``, start to exit."""
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tdgen_desktop", "--version"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def window_seconds(repeats: int, command: list[str] | None = None) -> tuple[float, float]:
    """Median seconds from process start to the main window shown, and median RSS in MB.

    ``command`` starts the app (default: ``python -m tdgen_desktop``; the bundle measurement
    passes the built executable).
    """
    command = command or [sys.executable, "-m", "tdgen_desktop"]
    seconds, rss = [], []
    for _ in range(repeats + 1):  # the first start only warms the file cache
        with tempfile.TemporaryDirectory(prefix="tdgen-startup-") as home:
            started = time.perf_counter()
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=measurement_env(Path(home)),
                cwd=home,
            )
            match = None
            for line in process.stdout or ():
                match = _LINE.search(line)
                if match:
                    seconds.append(time.perf_counter() - started)
                    rss.append(float(match["rss"]))
                    break
            if process.stdout is not None:
                process.stdout.close()
            code = process.wait(timeout=TIMEOUT_S)
            if match is None or code != 0:
                raise SystemExit(f"startup: {' '.join(command)} exited {code} without the line")
    return statistics.median(seconds[1:]), statistics.median(rss[1:])


def main() -> None:
    """Print both figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"tdgen --version: {version_seconds(args.repeats):.2f} s")
    window, rss = window_seconds(args.repeats)
    print(f"window shown: {window:.2f} s, RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
