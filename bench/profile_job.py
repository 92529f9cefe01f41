"""Profile one job in this process (pyinstrument): where the time of a tdgen job goes.

One job, customer schema to CSV, null provider, validation on, ``--processes 0`` (the job's
own thread), 100,000 rows by default. Prints the call tree's top entries and each step's share
of the job (validation must stay at or below a quarter), and writes them to ``bench/RESULTS.md``.

Usage: python bench/profile_job.py [--rows N] [--format csv] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

STEPS = {
    "generate": ("NullProvider.batch", "_batches"),
    "validate": ("_validate",),
    "write rows": ("CsvWriter.write", "TsvWriter.write", "JsonlWriter.write", "SqlWriter.write"),
    "write labels": ("CasesWriter.write",),
    "import, pre-flight, value pools": ("prepare_job",),
}


def _shares(root: Any) -> dict[str, float]:
    """Seconds spent under each step's functions (the outermost call counts)."""
    found = dict.fromkeys(STEPS, 0.0)

    def walk(frame: Any) -> None:
        name = frame.function
        qualified = f"{frame.class_name}.{name}" if getattr(frame, "class_name", None) else name
        for step, functions in STEPS.items():
            if name in functions or qualified in functions:
                found[step] += frame.time
                return
        for child in frame.children:
            walk(child)

    walk(root)
    return found


def main() -> None:
    """Profile and report."""
    from pyinstrument import Profiler  # noqa: PLC0415 — the bench extra
    from run_bench import SCHEMA, write_results  # noqa: PLC0415

    from tdgen_desktop.core.enums import ExportFormat  # noqa: PLC0415
    from tdgen_desktop.generation.pipeline import GenerationRequest, run_pipeline  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", default="csv")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tdgen-profile-") as tmp:
        request = GenerationRequest(
            SCHEMA, Path(tmp), rows=args.rows, format=ExportFormat(args.format), processes=0
        )
        profiler = Profiler(interval=0.001)
        started = time.perf_counter()
        profiler.start()
        run_pipeline(request)
        profiler.stop()
        elapsed = time.perf_counter() - started
    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    top = [line for line in tree.splitlines() if line.strip()][:45]
    shares = _shares(root)
    lines = [
        f"One job in one process: customer schema, {args.rows:,} rows to "
        f"{args.format.upper()}, validation on; {elapsed:.1f} s under the profiler "
        f"(pyinstrument, 1 ms samples; the profiler slows Python-heavy code more than the "
        f"rest). Measured {time.strftime('%Y-%m-%d')}.",
        "",
        "| step | time | share |",
        "|---|---:|---:|",
    ]
    total = root.time or elapsed
    lines += [f"| {step} | {t:.2f} s | {t / total:.0%} |" for step, t in shares.items()]
    lines += ["", "```", *top, "```"]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_results("profile", "Profile of one job", text)


if __name__ == "__main__":
    main()
