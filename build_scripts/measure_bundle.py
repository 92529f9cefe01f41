"""Measure the built app and write the "Bundle" section of ``bench/RESULTS.md``.

Usage, after ``make package`` (and optionally ``make package-onefile``)::

    .venv/bin/python build_scripts/measure_bundle.py [--runs 5] [--no-write]

Figures: the bundle's size on disk, the time from starting the process to the window shown
(offscreen) — for the bundle, for ``python -m tdgen_desktop`` from source, and for the bundle
opening the example schema — the memory in use (RSS) at that moment, and the ``--self-test`` time.
The app reports the moment its window is shown when ``TDGEN_MEASURE_STARTUP`` is set (see
``tdgen_desktop/app.py``: it prints ``tdgen-startup: main_s=… rss_mb=…`` and quits); this script
times from ``Popen`` to that line. Only the section between the ``bench:bundle`` markers is
replaced.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build_scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from build import APP_NAME, BUILD_INFO, BUILD_INFO_ONEFILE, DIST, disk_usage  # noqa: E402
from startup import TIMEOUT_S, measurement_env, window_seconds  # noqa: E402 — bench/startup.py

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- bench:bundle:begin -->", "<!-- bench:bundle:end -->"
EXAMPLE = ROOT / "resources" / "examples" / "order.schema.json"
_TARGET_MB, _TARGET_S = 250, 2.0


def startup(command: list[str], runs: int) -> tuple[float, float]:
    """Median seconds from process start to the window shown, and median RSS in MB."""
    return window_seconds(runs, command)


def self_test_seconds(executable: Path) -> float:
    """Wall time of ``executable --self-test``."""
    with tempfile.TemporaryDirectory(prefix="tdgen-measure-") as home:
        started = time.perf_counter()
        subprocess.run(
            [str(executable), "--self-test"],
            env=measurement_env(Path(home)),
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S,
        )
        return time.perf_counter() - started


def _build_info(path: Path) -> dict[str, object]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def section(runs: int) -> str:
    """The Markdown between the markers."""
    folder = DIST / APP_NAME
    executable = folder / (APP_NAME + (".exe" if sys.platform == "win32" else ""))
    if not executable.is_file():
        raise SystemExit(f"measure: {executable} is missing; run `make package` first")
    on_disk, data = disk_usage(folder)
    python = [sys.executable, "-m", "tdgen_desktop"]
    rows = [
        ("bundle `dist/tdgen/tdgen`", [str(executable)]),
        ("bundle, opening `order.schema.json`", [str(executable), str(EXAMPLE)]),
        ("source `python -m tdgen_desktop`", python),
    ]
    onefile = DIST / "onefile" / executable.name
    if onefile.is_file():
        rows.append(("one file `dist/onefile/tdgen`", [str(onefile)]))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    measured = [(label, *startup(command, runs)) for label, command in rows]
    info = _build_info(BUILD_INFO)
    lines = [
        f"PyInstaller bundle, Qt offscreen, median of {runs} starts after one warm-up start. "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"measured {datetime.now(UTC):%Y-%m-%d}. "
        "Time: from starting the process to the main window shown (the app prints the moment "
        "and quits); memory: resident set size at that moment. The machine is shared: load "
        f"average {load:.1f} on {os.cpu_count()} cores when the runs began.",
        "",
        "| figure | value | target |",
        "|---|---:|---:|",
        f"| bundle size on disk (`du`) | {on_disk / 1e6:,.0f} MB | ≤ {_TARGET_MB} MB |",
        f"| bundle file data | {data / 1e6:,.0f} MB | |",
    ]
    if onefile.is_file():
        lines.append(f"| one-file executable | {disk_usage(onefile)[0] / 1e6:,.0f} MB | |")
    if info.get("seconds"):
        lines.append(f"| last `build.py` run (PyInstaller, warm cache) | {info['seconds']} s | |")
    lines.append(f"| `dist/tdgen/tdgen --self-test` | {self_test_seconds(executable):.2f} s | |")
    lines += ["", "| start → window shown | time | RSS |", "|---|---:|---:|"]
    for label, seconds, rss in measured:
        target = " ✓" if seconds <= _TARGET_S else f" (target ≤ {_TARGET_S:.0f} s)"
        lines.append(f"| {label} | {seconds:.2f} s{target} | {rss:,.0f} MB |")
    onefile_info = _build_info(BUILD_INFO_ONEFILE)
    if onefile.is_file():
        built = f" (built in {onefile_info['seconds']} s)" if onefile_info.get("seconds") else ""
        lines += [
            "",
            f"The one-file executable{built} unpacks itself into a temporary folder at every "
            "start, which costs the extra time; the one-folder bundle is the one to ship.",
        ]
    return "\n".join(lines)


def write(text: str) -> None:
    """Replace (or append) the bundle section of bench/RESULTS.md."""
    block = f"{BEGIN}\n{text}\n{END}"
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        updated = head + block + tail
    else:
        updated = current.rstrip("\n") + "\n\n## Bundle\n\n" + block + "\n"
    RESULTS.write_text(updated, encoding="utf-8")


def main() -> int:
    """Measure, print, and write the section unless ``--no-write``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts per row (median)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    text = section(args.runs)
    print(text)
    if not args.no_write:
        write(text)
        print(f"measure: wrote the Bundle section of {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
