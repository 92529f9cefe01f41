"""tdgen's throughput beside its peers, memory, uniqueness at scale and start-up (``make bench``).

Each contender is timed as a whole process (start-up included), alternating between
contenders, and the median of the repeats is reported with its ratio to the naive Faker loop.
Results go to stdout and to ``bench/RESULTS.md`` (each section's table between its markers is
replaced).

Sections (``--only`` picks some):
  throughput  peers and tdgen in every format, one process
  scaling     2 worker processes against 1, in alternating pairs, with the machine's other load
  memory      peak resident memory of a long job, and at 100,000 rows (flat beyond a chunk)
  unique      1,000,000 rows with a unique e-mail and a unique full name
  startup     ``tdgen --version`` and the window shown, from source

Usage: python bench/run_bench.py [--rows N] [--repeats K] [--peer-rows N] [--long] [--only S,S]
       [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SCHEMA = HERE / "customers.schema.json"
UNIQUE_SCHEMA = HERE / "unique.schema.json"
RESULTS = HERE / "RESULTS.md"
FAKER = "naive Faker loop (csv)"
MIMESIS = "Mimesis loop (csv)"
ONE_PROCESS = "tdgen null provider, one process (csv)"
SECTIONS = ("throughput", "scaling", "memory", "unique", "startup")


def _tdgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "tdgen_desktop", "generate", *args, "-q"]


def _has_processes() -> bool:
    from tdgen_desktop.generation.pipeline import GenerationRequest  # noqa: PLC0415

    return "processes" in {f.name for f in dataclasses.fields(GenerationRequest)}


def _formats() -> list[str]:
    formats = ["csv", "jsonl", "sql", "xlsx"]
    if importlib.util.find_spec("pyarrow") is not None:
        formats.append("parquet")
    return formats


def contenders(
    rows: int, peer_rows: int, out: Path, format_rows: int = 50_000
) -> dict[str, tuple[list[str], int]]:
    """Name → (command, rows it makes)."""
    peers = HERE / "peers"
    found = {
        FAKER: ([sys.executable, str(peers / "peer_faker.py"), str(peer_rows), str(out / "f.csv")],
                peer_rows),
    }  # fmt: skip
    if importlib.util.find_spec("mimesis") is not None:
        found[MIMESIS] = (
            [sys.executable, str(peers / "peer_mimesis.py"), str(rows), str(out / "m.csv")],
            rows,
        )
    one = ["--processes", "0"] if _has_processes() else []
    for fmt in _formats():
        name = f"tdgen null provider, one process ({fmt})"
        count = rows if fmt in {"csv", "jsonl", "sql"} else format_rows  # XLSX is slow
        if count != rows:
            name = f"tdgen null provider, one process ({fmt}, {count:,} rows)"
        command = [*_tdgen(str(SCHEMA), "--rows", str(count)), "--format", fmt, *one]
        found[name] = ([*command, "--out", str(out / fmt)], count)
    small = 100_000
    if rows != small:
        name = f"tdgen null provider, one process (csv, {small:,} rows)"
        command = _tdgen(str(SCHEMA), "--rows", str(small), *one, "--out", str(out / "small"))
        found[name] = (command, small)
    return found


def measure(rows: int, peer_rows: int, repeats: int, format_rows: int) -> dict[str, float]:
    """Median rows/s of each contender."""
    with tempfile.TemporaryDirectory(prefix="tdgen-bench-") as tmp:
        runs = contenders(rows, peer_rows, Path(tmp), format_rows)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(repeats):
            for name, (command, _count) in runs.items():
                started = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - started)
        return {name: runs[name][1] / statistics.median(times[name]) for name in runs}


def _stamp() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load:.1f} when the section began, measured {time.strftime('%Y-%m-%d')}."
    )


def throughput_table(rates: dict[str, float], rows: int, peer_rows: int, repeats: int) -> str:
    """The results as a Markdown table with ratios to the naive Faker loop and Mimesis."""
    base = rates[FAKER]
    mimesis = rates.get(MIMESIS)
    lines = [
        f"Customer schema (14 fields), whole process (start-up included), median of {repeats} "
        f"in one run, contenders alternating; tdgen and Mimesis {rows:,} rows unless the row "
        f"says otherwise, naive Faker {peer_rows:,} rows (its rate does not depend on the "
        f"count). Targets compare the one-process CSV job. " + _stamp(),
        "",
        "| contender | rows/s | × naive Faker | × Mimesis |",
        "|---|---:|---:|---:|",
    ]
    for name, rate in rates.items():
        versus = f"{rate / mimesis:.2f}×" if mimesis else "–"
        lines.append(f"| {name} | {rate:,.0f} | {rate / base:.1f}× | {versus} |")
    csv_rate = rates.get(ONE_PROCESS)
    if csv_rate:
        lines += ["", "| target | measured | met |", "|---|---:|:---:|"]
        lines.append(_target("one process ≥ 30× naive Faker", csv_rate / base, 30))
        if mimesis:
            lines.append(_target("one process ≥ 2× Mimesis", csv_rate / mimesis, 2))
        for fmt in ("jsonl", "sql"):
            rate = rates.get(f"tdgen null provider, one process ({fmt})")
            if rate:
                slower = csv_rate / rate
                lines.append(
                    f"| {fmt.upper()} within 1.5× of CSV (CSV rows/s ÷ {fmt.upper()} rows/s) | "
                    f"{slower:.2f} | {'✓' if slower <= 1.5 else '✗'} |"
                )
    return "\n".join(lines)


def _target(name: str, ratio: float, goal: float) -> str:
    return f"| {name} | {ratio:.2f}× | {'✓' if ratio >= goal else '✗'} |"


# ---------------------------------------------------------------------------------- scaling


def _machine_cpu_s() -> tuple[float, float]:
    """CPU seconds the whole machine has spent busy, and stolen by the host (``/proc/stat``)."""
    fields = [int(v) for v in Path("/proc/stat").read_text(encoding="ascii").split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def timed_run(command: list[str]) -> tuple[float, float]:
    """Run ``command``; return its wall time and the machine's *other* load meanwhile: the CPU
    seconds other processes used (busy CPU minus the run's own) plus those the host stole,
    per second of the run (1.0 = one core's worth of competition)."""
    import resource  # noqa: PLC0415 — POSIX only, like the rest of this section

    def own() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    busy0, steal0 = _machine_cpu_s()
    own0, started = own(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    busy1, steal1 = _machine_cpu_s()
    other = max(0.0, (busy1 - busy0) - (own() - own0)) + (steal1 - steal0)
    return wall, other / wall


QUIET = 0.1
"""Other load (cores' worth) below which a run counts as quiet."""

_CALIBRATION = """
rows = []
for i in range(1_200_000):
    rows.append((i, f"name{i % 977}.{i}@example.com", str(i * 7), i / 3))
    if len(rows) == 500:
        text = "".join(f"{a},{b},{c},{d}\\r\\n" for a, b, c, d in rows)
        rows = []
"""
"""Python work shaped like generation (tuples, strings, a chunk's text), with no I/O."""


def machine_capacity() -> float:
    """What two cores give right now: how much sooner two copies of the same CPU-bound Python
    work finish together than one after the other (2.0: two full cores; a shared host's
    other guests, or two virtual cores on one physical core, give less). It is the ceiling
    of "2 workers against 1" at that moment."""
    command = [sys.executable, "-c", _CALIBRATION]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    one = time.perf_counter() - started
    started = time.perf_counter()
    running = [subprocess.Popen(command) for _ in range(2)]
    if any(process.wait() for process in running):
        raise SystemExit("bench: the calibration failed")
    return 2 * one / (time.perf_counter() - started)


def scaling_table(rows: int, pairs: int) -> str:
    """``--processes 1`` against ``--processes 2``, run in alternating pairs.

    A shared machine's load changes by the minute, so each pair is compared on its own (the
    two runs follow each other), the median of the pairs' ratios is the figure, and each run's
    competition from other processes is shown beside it.
    """
    results: list[tuple[float, float, float, float]] = []
    capacities: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tdgen-bench-") as tmp:
        for pair in range(pairs):
            times = {}
            for n in (1, 2) if pair % 2 == 0 else (2, 1):  # ABBA: a drift in speed cancels
                command = _tdgen(str(SCHEMA), "--rows", str(rows), "--processes", str(n))
                times[n] = timed_run([*command, "--out", str(Path(tmp) / f"p{n}")])
            (one, load_one), (two, load_two) = times[1], times[2]
            results.append((one, two, load_one, load_two))
            capacities.append(machine_capacity())
    lines = [
        f"Customer schema, {rows:,} rows to CSV, whole process (start-up included): "
        f"`--processes 1` and `--processes 2` in {pairs} pairs in a row, the order alternating "
        "(1 then 2, 2 then 1, …). Ratio = time with 1 "
        "worker ÷ time with 2. *Other load*: CPU that other processes used (and the host "
        f"stole) during the run, in cores (2 = the whole machine); a run under {QUIET} is "
        "quiet. *Two cores give*: right after each pair, two copies of a CPU-bound Python loop "
        "shaped like generation, run together, against one alone (2.00× = two full cores; the "
        "ceiling of the ratio at that moment). " + _stamp(),
        "",
        "| pair | 1 worker | 2 workers | ratio | other load (1 / 2) | two cores give |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for number, ((one, two, load_one, load_two), capacity) in enumerate(
        zip(results, capacities, strict=True), 1
    ):
        lines.append(
            f"| {number} | {one:.2f} s ({rows / one:,.0f}/s) | {two:.2f} s ({rows / two:,.0f}/s)"
            f" | {one / two:.2f}× | {load_one:.2f} / {load_two:.2f} | {capacity:.2f}× |"
        )
    ratios = [one / two for one, two, _, _ in results]
    quiet = [one / two for one, two, a, b in results if a < QUIET and b < QUIET]
    median_ratio = statistics.median(ratios)
    of_medians = statistics.median(r[0] for r in results) / statistics.median(r[1] for r in results)
    lines += [
        "",
        "| target | measured | met |",
        "|---|---:|:---:|",
        _target("2 worker processes vs 1 ≥ 1.7× (median of the pairs)", median_ratio, 1.7),
        "",
        f"Median of the pairs {median_ratio:.2f}×; ratio of the median times "
        f"{of_medians:.2f}×; "
        + (
            f"quiet pairs only ({len(quiet)}): median {statistics.median(quiet):.2f}×. "
            if quiet
            else "no pair was quiet. "
        )
        + f"Two cores gave {statistics.median(capacities):.2f}× (median; "
        f"{min(capacities):.2f}–{max(capacities):.2f}×): tdgen's ratio is "
        f"{median_ratio / statistics.median(capacities):.0%} of that.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- memory


def _rss_kb(pid: int, key: str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(p) for p in task.read_text(encoding="ascii").split())
            except OSError:
                continue
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size: a page shared by forked processes is split between them."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return _rss_kb(pid, "VmRSS:")
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def peak_memory(command: list[str]) -> tuple[float, float, float]:
    """Run ``command``; return seconds, the main process's peak RSS (VmHWM) and the peak sum
    of PSS over the process and its worker processes, both in MB (sampled every 0.1 s)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    main_peak = tree_peak = 0
    while process.poll() is None:
        main_peak = max(main_peak, _rss_kb(process.pid, "VmHWM:"))
        tree_peak = max(tree_peak, sum(_pss_kb(p) for p in _descendants(process.pid)))
        time.sleep(0.1)
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} exited {process.returncode}")
    return time.perf_counter() - started, main_peak / 1024, tree_peak / 1024


def memory_table(sizes: list[int]) -> str:
    """Peak memory of the customer job at each row count, one process and the default."""
    lines = [
        "Customer schema to CSV. Peak resident memory (VmHWM) of the tdgen process, and the "
        "peak sum of proportional memory (PSS: pages the forked workers share with the job "
        "are counted once) over it and its worker processes, sampled every 0.1 s. " + _stamp(),
        "",
        "| rows | processes | time | rows/s | peak RSS, main | peak PSS, all processes |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    modes = [("one (`--processes 0`)", ["--processes", "0"]), ("default", [])]
    if not _has_processes():
        modes = [("one", [])]
    with tempfile.TemporaryDirectory(prefix="tdgen-bench-") as tmp:
        for rows in sizes:
            for label, extra in modes:
                command = _tdgen(str(SCHEMA), "--rows", str(rows), *extra, "--out", tmp)
                seconds, main, tree = peak_memory(command)
                lines.append(
                    f"| {rows:,} | {label} | {seconds:.1f} s | {rows / seconds:,.0f} | "
                    f"{main:.0f} MB | {tree:.0f} MB |"
                )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- unique


def unique_table(rows: int) -> str:
    """A job with a unique e-mail and a unique full name: rows/s, and how many values needed
    a suffix to stay unique (every value is checked to be distinct)."""
    with tempfile.TemporaryDirectory(prefix="tdgen-bench-") as tmp:
        command = _tdgen(str(UNIQUE_SCHEMA), "--rows", str(rows), "--out", tmp)
        seconds, main, _tree = peak_memory(command)
        with (Path(tmp) / "account.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            emails: set[str] = set()
            names: set[str] = set()
            suffixed_emails = suffixed_names = count = 0
            for row in reader:
                count += 1
                emails.add(row["email"])
                names.add(row["full_name"])
                suffixed_emails += row["email"].partition("@")[0][-1:].isdigit()
                suffixed_names += row["full_name"][-1:].isdigit()
    distinct = "✓" if len(emails) == len(names) == count == rows else "✗"
    return "\n".join(
        [
            f"bench/unique.schema.json, {rows:,} rows to CSV, default processes. " + _stamp(),
            "",
            "| rows | time | rows/s | peak RSS, main | distinct e-mails | distinct full names "
            "| e-mails with a suffix | names with a suffix | all distinct |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
            f"| {rows:,} | {seconds:.1f} s | {rows / seconds:,.0f} | {main:.0f} MB | "
            f"{len(emails):,} | {len(names):,} | {suffixed_emails:,} | {suffixed_names:,} | "
            f"{distinct} |",
        ]
    )


# ---------------------------------------------------------------------------------- startup


def startup_table(repeats: int) -> str:
    """``tdgen --version`` and the window shown, from source."""
    from startup import version_seconds, window_seconds  # noqa: PLC0415 — bench/startup.py

    version = version_seconds(repeats)
    window, rss = window_seconds(repeats)
    return "\n".join(
        [
            f"From source (`python -m tdgen_desktop`), Qt offscreen, median of {repeats} starts "
            "after one warm-up start (bench/startup.py). " + _stamp(),
            "",
            "| figure | time | target |",
            "|---|---:|---:|",
            f"| `tdgen --version` | {version:.2f} s {'✓' if version <= 0.3 else '✗'} | ≤ 0.3 s |",
            f"| start → window shown (RSS {rss:.0f} MB) | {window:.2f} s "
            f"{'✓' if window <= 1.0 else '✗'} | ≤ 1.0 s |",
        ]
    )


# ---------------------------------------------------------------------------------- results


def write_results(section: str, title: str, text: str) -> None:
    """Replace one section's table in RESULTS.md (appending the section when it is new)."""
    begin, end = f"<!-- bench:{section}:begin -->", f"<!-- bench:{section}:end -->"
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in current and end in current:
        head, _, rest = current.partition(begin)
        _, _, tail = rest.partition(end)
        current = head + block + tail
    else:
        current = current.rstrip() + f"\n\n## {title}\n\n" + block + "\n"
    RESULTS.write_text(current, encoding="utf-8")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument(
        "--format-rows", type=int, default=50_000, help="rows for the XLSX and Parquet jobs"
    )
    parser.add_argument(
        "--peer-rows", type=int, default=20_000, help="rows for the slow naive Faker loop"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--long", action="store_true", help="memory at 10,000,000 rows (default 1,000,000)"
    )
    parser.add_argument("--unique-rows", type=int, default=1_000_000)
    parser.add_argument("--scaling-rows", type=int, default=1_000_000)
    parser.add_argument("--scaling-pairs", type=int, default=7)
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma list of sections")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave RESULTS.md alone"
    )
    args = parser.parse_args()
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        parser.error(f"--only: unknown section(s) {', '.join(unknown)}; choose {SECTIONS}")
    runs: dict[str, tuple[str, Callable[[], str]]] = {
        "throughput": (
            "Throughput",
            lambda: throughput_table(
                measure(args.rows, args.peer_rows, args.repeats, args.format_rows),
                args.rows,
                args.peer_rows,
                args.repeats,
            ),
        ),
        "scaling": (
            "Worker processes: 2 against 1",
            lambda: scaling_table(args.scaling_rows, args.scaling_pairs),
        ),
        "memory": (
            "Memory",
            lambda: memory_table([100_000, 10_000_000 if args.long else 1_000_000]),
        ),
        "unique": ("Uniqueness at scale", lambda: unique_table(args.unique_rows)),
        "startup": ("Start-up", lambda: startup_table(max(args.repeats, 5))),
    }
    for section in SECTIONS:
        if section not in wanted:
            continue
        title, run = runs[section]
        text = run()
        print(f"## {title}\n\n{text}\n", flush=True)
        if not args.no_write:
            write_results(section, title, text)


if __name__ == "__main__":
    main()
