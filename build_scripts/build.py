"""Build the double-click app with PyInstaller: ``dist/tdgen/`` or one file ``dist/onefile/tdgen``.

Usage (``make package`` / ``make package-onefile`` call it with the project's virtualenv)::

    python build_scripts/build.py [--onefile] [--with-parquet] [--clean]

The spec is ``build_scripts/tdgen.spec``; PyInstaller's work files go to ``build/pyinstaller``.
After the build the script checks, on Linux, that every shared library in the bundle finds the
libraries it links to (a plugin left without its Qt library fails only when loaded), then prints
the build time and the size on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_scripts" / "tdgen.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUILD_INFO = WORK / "build-info.json"
"""What the last one-folder build took (read by build_scripts/measure_bundle.py)."""
BUILD_INFO_ONEFILE = WORK / "build-info-onefile.json"
APP_NAME = "tdgen"
_BUNDLED_PREFIXES = ("libQt6", "libpyside6", "libshiboken6", "libpython")
_LIBRARY_NOT_FOUND = re.compile(
    r"WARNING: Library not found: could not resolve '(?P<name>[^']+)'"
    r"|WARNING: Library (?P<dll>\w+) required via ctypes not found"  # Windows DLLs, elsewhere
)


def disk_usage(path: Path) -> tuple[int, int]:
    """(bytes allocated on disk, apparent bytes) of a file or a folder tree."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    allocated = apparent = 0
    for file in files:
        stat = file.lstat()
        apparent += stat.st_size
        blocks = getattr(stat, "st_blocks", None)
        allocated += blocks * 512 if blocks is not None else stat.st_size
    return allocated, apparent


def unresolved_libraries(folder: Path) -> list[str]:
    """Libraries in ``folder`` that link to a Qt, PySide or Python library the bundle lacks.

    Such a link means the spec dropped a library that something kept still needs. Other missing
    libraries are system ones that PyInstaller never bundles (``libxcb-icccm``, ``libgtk-3``,
    ``libwayland-cursor`` …): a desktop has them, this build machine may not. Linux only
    (``ldd``); elsewhere an empty list.
    """
    ldd = shutil.which("ldd")
    if not sys.platform.startswith("linux") or ldd is None:
        return []
    lib_dirs = sorted({str(p.parent) for p in folder.rglob("*.so*") if p.is_file()})
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(lib_dirs)}
    problems = []
    for lib in sorted(p for p in folder.rglob("*.so*") if p.is_file()):
        done = subprocess.run([ldd, str(lib)], capture_output=True, text=True, env=env, check=False)
        missing = sorted(
            {
                line.split()[0]
                for line in done.stdout.splitlines()
                if "not found" in line and line.split()[0].startswith(_BUNDLED_PREFIXES)
            }
        )
        if missing:
            problems.append(f"{lib.relative_to(folder)}: {', '.join(missing)}")
    return problems


def _run_pyinstaller(command: list[str]) -> tuple[int, set[str]]:
    """Run PyInstaller, passing its output on except one line per unresolved system library.

    Returns the exit code and the names of those libraries (GTK, Wayland, xcb utilities …: Qt's
    plugins link them, PyInstaller bundles them only when the build machine has them).
    """
    missing: set[str] = set()
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout or ():
            found = _LIBRARY_NOT_FOUND.search(line)
            if found:
                missing.add(found["name"] or found["dll"])
            else:
                print(line, end="", flush=True)
    return process.returncode, missing


def main(argv: list[str] | None = None) -> int:
    """Run PyInstaller on the spec, check the result and report; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onefile", action="store_true", help="one executable, dist/onefile/tdgen")
    parser.add_argument(
        "--with-parquet", action="store_true", help="bundle pyarrow for Parquet export"
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    args = parser.parse_args(argv)

    options = (("--onefile", args.onefile), ("--with-parquet", args.with_parquet))
    spec_args = [flag for flag, on in options if on]
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={DIST / 'onefile' if args.onefile else DIST}",
        f"--workpath={WORK}",
    ]
    if args.clean:
        command.append("--clean")
    if spec_args:
        command += ["--", *spec_args]
    started = time.perf_counter()
    print("build:", " ".join(command[2:]), flush=True)
    code, system_libraries = _run_pyinstaller(command)
    elapsed = time.perf_counter() - started
    if system_libraries:
        print(
            f"build: not on this machine, so not bundled (the user's system provides them): "
            f"{', '.join(sorted(system_libraries))}"
        )
    if code != 0:
        print(f"build: PyInstaller failed with exit code {code}", file=sys.stderr)
        return code

    exe_name = APP_NAME + (".exe" if sys.platform == "win32" else "")
    target = DIST / "onefile" / exe_name if args.onefile else DIST / APP_NAME
    executable = target if args.onefile else target / exe_name
    if not executable.is_file():
        print(f"build: {executable} was not made", file=sys.stderr)
        return 1
    if not args.onefile:
        problems = unresolved_libraries(target)
        if problems:
            print("build: libraries with unresolved links:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
    allocated, apparent = disk_usage(target)
    (BUILD_INFO_ONEFILE if args.onefile else BUILD_INFO).write_text(
        json.dumps(
            {
                "onefile": args.onefile,
                "with_parquet": args.with_parquet,
                "seconds": round(elapsed, 1),
                "bytes_on_disk": allocated,
                "bytes": apparent,
            }
        ),
        encoding="utf-8",
    )
    print(
        f"build: {executable.relative_to(ROOT)} ready in {elapsed:.0f} s; "
        f"{allocated / 1e6:.0f} MB on disk ({apparent / 1e6:.0f} MB of file data)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
