"""Does the window stay responsive while the scheduler generates? Heartbeat lateness under load.

An offscreen ``QApplication`` runs a 10 ms ``QTimer`` heartbeat while two large jobs of the
benchmark customer schema (1,000,000 rows each by default) run on a
:class:`~tdgen_desktop.scheduler.JobScheduler` (two worker threads by default). Lateness is how
much later than 10 ms each beat came; it is collected from the first job's start to the last
job's end. Target: p99 ≤ 16 ms and max ≤ 50 ms.

Optionally (``--cancel-probe``) it then measures how long a running job takes to stop after a
cancel, at the request's chunk size.

The last line printed is::

    responsiveness: p50_ms=… p99_ms=… max_ms=… jobs=2 rows=…

Before the load it measures the heartbeat with no job running for a few seconds (the machine's
own noise), and it times the garbage collector's pauses during the load.

Usage: python bench/responsiveness.py [--rows N] [--workers K] [--switch-interval S|default]
                                      [--chunk N] [--processes P] [--cancel-probe]
                                      [--baseline SECONDS]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication

from tdgen_desktop.core.enums import Priority
from tdgen_desktop.generation.pipeline import DEFAULT_CHUNK, GenerationRequest
from tdgen_desktop.scheduler import (
    RESPONSIVE_SWITCH_INTERVAL_S,
    JobScheduler,
    JobState,
)
from tdgen_desktop.services import AppPaths

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "customers.schema.json"
BEAT_MS = 10
TARGET_P99_MS, TARGET_MAX_MS = 16.0, 50.0


class Heartbeat(QObject):
    """A precise 10 ms timer that records how late each beat is while recording is on."""

    def __init__(self) -> None:
        super().__init__()
        self.lateness_ms: list[float] = []
        self.recording = False
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._timer.start(BEAT_MS)

    @Slot()
    def on_timer_timeout(self) -> None:
        """Record this beat's lateness."""
        now = time.perf_counter()
        if self.recording and self._last:
            self.lateness_ms.append(max((now - self._last) * 1000.0 - BEAT_MS, 0.0))
        self._last = now


class GcTimer:
    """Times the garbage collector's pauses (it holds the interpreter lock while it runs)."""

    def __init__(self) -> None:
        self.pauses_ms: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started: dict[int, float] = {}

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        """A ``gc.callbacks`` entry."""
        thread = threading.get_ident()
        if phase == "start":
            self._started[thread] = time.perf_counter()
        elif thread in self._started:
            pause = (time.perf_counter() - self._started.pop(thread)) * 1000.0
            self.pauses_ms[info["generation"]].append(pause)

    def summary(self) -> str:
        """``gen0 n=… max=…ms`` for each generation that ran."""
        parts = [
            f"gen{gen} n={len(p)} max={max(p):.1f}ms total={sum(p):.0f}ms"
            for gen, p in self.pauses_ms.items()
            if p
        ]
        return "gc: " + ("; ".join(parts) or "no collections")


def baseline(app: QApplication, seconds: float) -> list[float]:
    """Heartbeat lateness with no job running (the machine's own noise)."""
    heartbeat = Heartbeat()
    heartbeat.recording = True
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    heartbeat.recording = False
    return heartbeat.lateness_ms


def describe(values: list[float]) -> str:
    """``p50_ms=… p99_ms=… max_ms=…``."""
    return (
        f"p50_ms={statistics.median(values):.2f} p99_ms={percentile(values, 0.99):.2f} "
        f"max_ms={max(values):.2f}"
    )


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0…1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run_load(
    app: QApplication, paths: AppPaths, out: Path, args: argparse.Namespace
) -> tuple[Heartbeat, float, int]:
    """Run the two jobs under the heartbeat; return it, the elapsed seconds and rows made."""
    switch = None if args.switch_interval == "default" else float(args.switch_interval)
    scheduler = JobScheduler(paths, workers=args.workers, switch_interval_s=switch)
    heartbeat = Heartbeat()
    gc.freeze()  # as the app does once its window is up
    ids = [
        scheduler.submit(
            GenerationRequest(
                source=SCHEMA,
                out_dir=out / f"job{i}",
                rows=args.rows,
                seed=i,
                chunk_size=args.chunk,
                processes=args.processes,
            ),
            Priority.NORMAL,
        )
        for i in range(2)
    ]
    heartbeat.recording = True
    started = time.perf_counter()
    scheduler.wait_for_done()
    elapsed = time.perf_counter() - started
    heartbeat.recording = False
    rows = 0
    for job_id in ids:
        job = scheduler.job(job_id)
        if job.state is not JobState.DONE:
            message = job.error.message if job.error else job.state.value
            sys.exit(f"responsiveness: job {job_id} did not finish: {message}")
        rows += job.rows_done
        assert job.result is not None
        print(
            f"{job_id}: {job.rows_done:,} rows in {job.elapsed_s:.1f} s "
            f"({job.result.rows / job.result.elapsed_s:,.0f} rows/s)"
        )
    status = scheduler.status()
    print(
        f"scheduler: completed={status.completed} rows={status.rows_generated:,} "
        f"avg={status.throughput_avg:,.0f} rows/s"
    )
    scheduler.shutdown()
    app.processEvents()
    return heartbeat, elapsed, rows


def cancel_probe(paths: AppPaths, out: Path, chunk: int, after_rows: int) -> float:
    """Cancel a big job once it made ``after_rows`` rows; return the seconds it took to stop."""
    scheduler = JobScheduler(paths, workers=1)
    job_id = scheduler.submit(
        GenerationRequest(
            source=SCHEMA, out_dir=out / f"cancel{chunk}", rows=10_000_000, chunk_size=chunk
        ),
        Priority.HIGH,
    )
    job = scheduler.job(job_id)
    while job.rows_done < after_rows and not job.is_final:
        scheduler.wait_for_done(20)
    scheduler.cancel(job_id)
    scheduler.wait_for_done()
    latency = job.cancel_latency_s if job.cancel_latency_s is not None else float("nan")
    leftovers = (
        list((out / f"cancel{chunk}").glob("*")) if (out / f"cancel{chunk}").exists() else []
    )
    print(
        f"cancel: chunk={chunk} state={job.state.value} latency_ms={latency * 1000:.0f} "
        f"leftover_files={len(leftovers)}"
    )
    scheduler.shutdown()
    return latency


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows per job (default 1,000,000)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="rows per chunk")
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="worker processes per job (default: as the app chooses; 0: generate in threads)",
    )
    parser.add_argument(
        "--switch-interval",
        default=str(RESPONSIVE_SWITCH_INTERVAL_S),
        help="interpreter switch interval while jobs run, in seconds, or 'default' to leave it",
    )
    parser.add_argument("--cancel-probe", action="store_true", help="also measure cancel latency")
    parser.add_argument(
        "--baseline", type=float, default=5.0, help="seconds of heartbeat with no job (default 5)"
    )
    args = parser.parse_args()

    app = QApplication([sys.argv[0], "-platform", os.environ["QT_QPA_PLATFORM"]])
    with tempfile.TemporaryDirectory(prefix="tdgen-resp-") as tmp:
        paths = AppPaths.under(Path(tmp) / "home")
        out = Path(tmp) / "out"
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores, workers={args.workers}, "
            f"chunk={args.chunk}, switch interval={args.switch_interval}"
        )
        if args.cancel_probe:
            for chunk in sorted({args.chunk, 250}):
                cancel_probe(paths, out, chunk, after_rows=2 * chunk)
        print(f"baseline (no job, {args.baseline:g} s): {describe(baseline(app, args.baseline))}")
        gc_timer = GcTimer()
        gc.callbacks.append(gc_timer)
        heartbeat, elapsed, rows = run_load(app, paths, out, args)
        gc.callbacks.remove(gc_timer)
    late = heartbeat.lateness_ms
    p99, worst = percentile(late, 0.99), max(late)
    verdict = "met" if p99 <= TARGET_P99_MS and worst <= TARGET_MAX_MS else "missed"
    print(gc_timer.summary())
    print(f"throughput: rows_per_s={rows / elapsed:,.0f} elapsed_s={elapsed:.1f} beats={len(late)}")
    print(f"target (p99 <= {TARGET_P99_MS:g} ms, max <= {TARGET_MAX_MS:g} ms): {verdict}")
    print(f"responsiveness: {describe(late)} jobs=2 rows={rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
