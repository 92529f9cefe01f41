"""tdgen's throughput beside its peers, measured in the same run (``make bench``).

Each contender is timed as a whole process (start-up included), alternating between
contenders, and the median of the repeats is reported with its ratio to the naive Faker loop.
Results go to stdout and to ``bench/RESULTS.md`` (the table between the markers is replaced).

Usage: python bench/run_bench.py [--rows N] [--repeats K] [--peer-rows N] [--no-write]
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "customers.schema.json"
RESULTS = HERE / "RESULTS.md"
BEGIN, END = "<!-- bench:throughput:begin -->", "<!-- bench:throughput:end -->"


def _tdgen(fmt: str) -> list[str]:
    return [sys.executable, "-m", "tdgen_desktop", "generate", str(SCHEMA), "--format", fmt, "-q"]


def contenders(rows: int, peer_rows: int, out: Path) -> dict[str, tuple[list[str], int]]:
    """Name → (command, rows it makes)."""
    found = {
        "naive Faker loop (csv)": (
            [
                sys.executable,
                str(HERE / "peers" / "peer_faker.py"),
                str(peer_rows),
                str(out / "faker.csv"),
            ],
            peer_rows,
        ),
    }
    if importlib.util.find_spec("mimesis") is not None:
        found["Mimesis loop (csv)"] = (
            [
                sys.executable,
                str(HERE / "peers" / "peer_mimesis.py"),
                str(rows),
                str(out / "mimesis.csv"),
            ],
            rows,
        )
    for fmt in ("csv", "jsonl"):
        found[f"tdgen null provider ({fmt})"] = (
            [*_tdgen(fmt), "--rows", str(rows), "--out", str(out / f"tdgen-{fmt}")],
            rows,
        )
    return found


def measure(rows: int, peer_rows: int, repeats: int) -> dict[str, float]:
    """Median rows/s of each contender."""
    with tempfile.TemporaryDirectory(prefix="tdgen-bench-") as tmp:
        runs = contenders(rows, peer_rows, Path(tmp))
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(repeats):
            for name, (command, _count) in runs.items():
                started = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - started)
        return {name: runs[name][1] / statistics.median(times[name]) for name in runs}


def table(rates: dict[str, float], rows: int, peer_rows: int, repeats: int) -> str:
    """The results as a Markdown table with ratios to the naive Faker loop."""
    base = rates["naive Faker loop (csv)"]
    lines = [
        f"Customer schema (14 fields), whole process, median of {repeats}; tdgen and Mimesis "
        f"{rows:,} rows, naive Faker {peer_rows:,} rows. Python {platform.python_version()}, "
        f"{platform.machine()}, measured {time.strftime('%Y-%m-%d')}.",
        "",
        "| contender | rows/s | × naive Faker |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {rate:,.0f} | {rate / base:.1f}× |" for name, rate in rates.items()]
    return "\n".join(lines)


def write_results(text: str) -> None:
    """Replace the throughput table in RESULTS.md."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in current and END in current:
        head, _, rest = current.partition(BEGIN)
        _, _, tail = rest.partition(END)
        current = head + block + tail
    else:
        current = current.rstrip() + "\n\n## Throughput\n\n" + block + "\n"
    RESULTS.write_text(current, encoding="utf-8")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--peer-rows", type=int, default=20_000, help="rows for the slow naive Faker loop"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave RESULTS.md alone"
    )
    args = parser.parse_args()
    rates = measure(args.rows, args.peer_rows, args.repeats)
    text = table(rates, args.rows, args.peer_rows, args.repeats)
    print(text)
    if not args.no_write:
        write_results(text)


if __name__ == "__main__":
    main()
