"""The ``tdgen`` command line: ``gui``, ``inspect`` and ``generate`` over the same engine.

Exit codes: 0 done, 2 bad input or an unsatisfiable request (one line on stderr naming file,
field and problem), 1 internal error, 130 cancelled with Ctrl+C. Heavy modules are imported
only by the subcommand that needs them, so ``tdgen --version`` starts fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.enums import (
    ApiView,
    CaseKind,
    Dialect,
    ExportFormat,
    Priority,
    ProviderKind,
    SourceFormat,
)
from tdgen_desktop.core.errors import CancelledError, TdgenError, UsageError

if TYPE_CHECKING:
    from tdgen_desktop.core.model import Dataset, Field
    from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult
    from tdgen_desktop.llm import AiProfile, AiSession, Secret

__all__ = ["EXIT_BAD_INPUT", "EXIT_CANCELLED", "EXIT_INTERNAL", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("tdgen")
    except PackageNotFoundError:
        return "0.0.0+dev"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tdgen",
        description="Make test data — valid, boundary and invalid rows — from a schema file.",
        epilog="Run 'tdgen' without arguments to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"tdgen {_version()}")
    parser.add_argument(
        "--self-test",
        action=_SelfTestAction,
        help="generate a bundled example offscreen, check it, print one line and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the window, optionally with schemas loaded")
    gui.add_argument("schemas", nargs="*", type=Path, metavar="SCHEMA")

    inspect = sub.add_parser("inspect", help="print the imported model of a schema")
    inspect.add_argument("schema", type=Path, metavar="SCHEMA")
    inspect.add_argument("--json", action="store_true", help="print the model as JSON")
    _source_options(inspect)
    inspect.add_argument(
        "--compare",
        action="store_true",
        help="for a sample: generate as many rows in memory and show sample vs generated "
        "per column (type, nulls, distinct values, min/max, top values); writes nothing",
    )
    inspect.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of --compare's rows (default 0)"
    )

    gen = sub.add_parser("generate", help="generate test data files")
    gen.add_argument("schemas", nargs="+", type=Path, metavar="SCHEMA")
    gen.add_argument(
        "--rows",
        default="100",
        metavar="N|TABLE=N,…",
        help="valid rows per table (default 100), or per table: customer=500,order=20; with "
        "foreign keys N is for tables without parents and a child table not named gets 3 times "
        "its largest parent (at most 10 times the largest count given)",
    )
    gen.add_argument(
        "--cases",
        default="valid",
        metavar="KINDS",
        help="comma list of valid, boundary, invalid, or 'all' (default valid)",
    )
    gen.add_argument(
        "--format",
        default="csv",
        metavar="FORMAT",
        help="csv, tsv, json, jsonl, sql, xlsx or parquet (default csv)",
    )
    gen.add_argument(
        "--dialect",
        default=None,
        metavar="DIALECT",
        help="sqlite, postgres or mysql: the SQL of --format sql (default: the source DDL's "
        "dialect, else sqlite); a DDL source is read in --source-dialect, else as detected",
    )
    _source_options(gen)
    gen.add_argument(
        "--with-ddl", action="store_true", help="SQL output starts with each CREATE TABLE"
    )
    gen.add_argument(
        "--one-file",
        action="store_true",
        help="SQL and XLSX output: every table in one file named after the schema (shop.sql; "
        "a workbook with a sheet per table), in insert order (default: one file per table)",
    )
    gen.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("tdgen-out"),
        metavar="DIR",
        help="output folder (default ./tdgen-out)",
    )
    gen.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="random seed; the same seed, schema and options give identical files (default 0)",
    )
    gen.add_argument(
        "--locale", default="en_US", metavar="LOCALE", help="Faker locale (default en_US)"
    )
    gen.add_argument(
        "--table", action="append", default=[], metavar="NAME", help="only this table (repeatable)"
    )
    gen.add_argument(
        "--provider",
        default=None,
        metavar="PROVIDER",
        help="null, ai or hybrid (default: hybrid when TDGEN_AI_PROVIDER is set, else null)",
    )
    gen.add_argument(
        "--show-prompts", action="store_true", help="print the AI prompts; send nothing"
    )
    gen.add_argument("--no-ai-cache", action="store_true", help="do not use cached AI answers")
    gen.add_argument(
        "--clear-ai-cache", action="store_true", help="remove every cached AI answer first"
    )
    gen.add_argument("--priority", default="normal", metavar="PRIORITY", help="high, normal or low")
    gen.add_argument(
        "--label-columns",
        action="store_true",
        help="add _case and _rule columns to CSV, TSV, JSON and JSONL files",
    )
    gen.add_argument(
        "--no-formula-guard",
        dest="formula_guard",
        action="store_false",
        help="write text starting with = + - @ as it is in CSV, TSV and XLSX (by default such "
        "cells of valid rows get a leading ' so spreadsheets do not run them as formulas)",
    )
    gen.add_argument(
        "--max-cases",
        type=int,
        default=None,
        metavar="N",
        help="at most N boundary + invalid rows per table (the coverage report lists the rest)",
    )
    gen.add_argument(
        "--combinatorial",
        default=None,
        metavar="pairwise",
        help="'pairwise': valid rows cover every pair of values of small-domain fields",
    )
    gen.add_argument(
        "--processes",
        type=int,
        default=None,
        metavar="N",
        help="worker processes per table (default: one per core, up to 4, for tables of 5,000 "
        "rows or more; 0: none). The output is the same for any number",
    )
    gen.add_argument("--chunk-size", type=int, default=500, metavar="N", help=argparse.SUPPRESS)
    gen.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    return parser


def _source_options(parser: argparse.ArgumentParser) -> None:
    """``--source-format``, ``--source-dialect`` and ``--openapi-view``: how to read a schema."""
    parser.add_argument(
        "--source-format",
        default=None,
        metavar="KIND",
        help="jsonschema, openapi, sql or sample: read SCHEMA as this kind (default: told by "
        "its extension and content)",
    )
    parser.add_argument(
        "--source-dialect",
        default=None,
        metavar="DIALECT",
        help="sqlite, postgres or mysql: the dialect of an SQL DDL source (default: detected)",
    )
    parser.add_argument(
        "--openapi-view",
        default=None,
        metavar="VIEW",
        help="request or response: OpenAPI rows for request bodies (without readOnly "
        "properties) or responses (without writeOnly ones); default: whole objects",
    )


def _source_kind(
    args: argparse.Namespace,
) -> tuple[SourceFormat | None, Dialect | None, ApiView | None]:
    """The ``--source-format``, ``--source-dialect`` and ``--openapi-view`` given (``None``
    where not given)."""
    fmt, dialect, view = args.source_format, args.source_dialect, args.openapi_view
    return (
        SourceFormat.parse(fmt, option="--source-format") if fmt else None,
        Dialect.parse(dialect, option="--source-dialect") if dialect else None,
        ApiView.parse(view, option="--openapi-view") if view else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        return _gui([])
    parser = _parser()
    if _only_files(parser, args_list):  # a file association or "Open with": `tdgen gui FILE…`
        args_list = ["gui", *args_list]
    args = parser.parse_args(args_list)
    args.argv = args_list  # a project's saved options yield to the options given here
    try:
        if args.command == "gui":
            return _gui(args.schemas)
        if args.command == "inspect":
            return _inspect(
                args.schema,
                as_json=args.json,
                compare=args.compare,
                seed=args.seed,
                source=_source_kind(args),
            )
        if args.command == "generate":
            return _generate(args)
        parser.print_help()
        return EXIT_OK
    except CancelledError:
        _error("cancelled; no output files were written")
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        _error("cancelled; no output files were written")
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `tdgen inspect … | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except TdgenError as exc:
        _error(exc.message)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if os.environ.get("TDGEN_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set TDGEN_DEBUG=1 for details)")
        return EXIT_INTERNAL


def _only_files(parser: argparse.ArgumentParser, args: list[str]) -> bool:
    """Whether every argument is an existing file and the first is not a command's name."""
    commands = {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }
    if args[0] in commands or any(arg.startswith("-") for arg in args):
        return False
    return all(Path(arg).is_file() for arg in args)


class _SelfTestAction(argparse.Action):
    """``--self-test``: run :mod:`tdgen_desktop.selftest` at once and exit with its code."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        _namespace: argparse.Namespace,
        _values: Any,
        _option_string: str | None = None,
    ) -> None:
        from tdgen_desktop import selftest  # noqa: PLC0415

        parser.exit(selftest.main())


def _error(message: str) -> None:
    print(f"tdgen: error: {message}", file=sys.stderr)


def _gui(schemas: list[Path]) -> int:
    from tdgen_desktop import app  # noqa: PLC0415

    return app.main([str(p) for p in schemas])


# ------------------------------------------------------------------ inspect


def _inspect(
    schema: Path,
    *,
    as_json: bool,
    compare: bool = False,
    seed: int = 0,
    source: tuple[SourceFormat | None, Dialect | None, ApiView | None] = (None, None, None),
) -> int:
    from tdgen_desktop.importers import load_schema  # noqa: PLC0415

    if compare:  # sample vs generated
        return _compare(schema, as_json=as_json, seed=seed)
    dataset = load_schema(schema, source[0], dialect=source[1], view=source[2])
    if as_json:
        print(json.dumps(_dataset_json(dataset), indent=2, ensure_ascii=False, default=str))
    else:
        print(_dataset_text(dataset))
    return EXIT_OK


def _compare(sample: Path, *, as_json: bool, seed: int) -> int:
    from tdgen_desktop.importers.sample_compare import compare_sample  # noqa: PLC0415

    report = compare_sample(sample, seed=seed)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print(report.text())
    return EXIT_OK


def _dataset_json(dataset: Dataset) -> dict[str, Any]:
    return {
        "source": str(dataset.source),
        "format": dataset.format.value,
        "tables": [
            {
                "name": t.name,
                "bare": t.bare,
                "primary_key": list(t.primary_key),
                "fields": [_field_json(f) for f in t.fields],
            }
            for t in dataset.tables
        ],
        "notices": dataset.notices,
    }


def _field_json(f: Field) -> dict[str, Any]:
    from tdgen_desktop.core.model import constraint_dict  # noqa: PLC0415

    out: dict[str, Any] = {
        "name": f.name,
        "type": f.type.value,
        "kind": f.kind,
        "nullable": f.nullable,
        "required": f.required,
        "unique": f.unique,
        "constraints": constraint_dict(f.constraints),
    }
    if f.enum_weights is not None:
        out["enum_weights"] = list(f.enum_weights)
    if f.omit:
        out["omitted"] = f.omit_reason
    if f.properties:
        out["properties"] = [_field_json(p) for p in f.properties]
    if f.items is not None:
        out["items"] = _field_json(f.items)
    if f.variants:
        out["variants"] = [_field_json(v) for v in f.variants]
    return out


def _dataset_text(dataset: Dataset) -> str:
    lines = [f"{dataset.source.name} — {dataset.format.value}, {len(dataset.tables)} table(s)"]
    for table in dataset.tables:
        shape = "bare values" if table.bare else f"{len(table.fields)} fields"
        lines.append(f"\ntable {table.name} ({shape})")
        lines.append(f"  {'field':<28} {'type':<9} {'kind':<16} {'flags':<18} constraints")
        for f in table.fields:
            lines.extend(_field_lines(f, "  "))
    for notice in dataset.notices:
        lines.append(f"note: {notice}")
    return "\n".join(lines)


def _field_lines(f: Field, indent: str) -> list[str]:
    flags = [
        flag
        for flag, on in (("required", f.required), ("nullable", f.nullable), ("unique", f.unique))
        if on
    ]
    kind = f.kind or "-"
    detail = f"left out: {f.omit_reason}" if f.omit else f.constraints.describe()
    if f.enum_weights is not None and not f.omit:
        detail += ", weights [" + ", ".join(f"{w:g}" for w in f.enum_weights) + "]"
    ftype = f.type.value if not f.variants else "|".join(v.type.value for v in f.variants)
    lines = [f"{indent}{f.name:<28} {ftype:<9} {kind:<16} {','.join(flags):<18} {detail}".rstrip()]
    for child in f.properties:
        lines.extend(_field_lines(child, indent + "  "))
    if f.items is not None and (f.items.properties or f.items.items):
        lines.extend(_field_lines(f.items, indent + "  "))
    return lines


# ------------------------------------------------------------------ generate


def _parse_rows(text: str) -> tuple[int, dict[str, int]]:
    default, per_table = 100, {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, eq, count = part.partition("=")
        try:
            value = int(count if eq else name)
        except ValueError:
            raise UsageError(f"--rows: '{part}' is not a number or TABLE=N") from None
        if value < 0:
            raise UsageError(f"--rows: '{part}' is negative")
        if eq:
            per_table[name.strip()] = value
        else:
            default = value
    return default, per_table


def _parse_cases(text: str) -> frozenset[CaseKind]:
    if text.strip().lower() == "all":
        return frozenset(CaseKind)
    return frozenset(CaseKind.parse(p, option="--cases") for p in text.split(",") if p.strip())


def _requests(all_args: argparse.Namespace) -> list[GenerationRequest]:
    from tdgen_desktop.generation.pipeline import GenerationRequest  # noqa: PLC0415

    several = len(all_args.schemas) > 1
    requests = []
    for schema in all_args.schemas:
        args = _with_project_options(all_args, schema)
        rows, per_table = _parse_rows(args.rows)
        fmt = ExportFormat.parse(args.format, option="--format")
        dialect = Dialect.parse(args.dialect, option="--dialect") if args.dialect else None
        source_format, source_dialect, source_view = _source_kind(args)
        provider = _provider(args.provider)
        cases = _parse_cases(args.cases)
        if args.combinatorial not in (None, "pairwise"):
            raise UsageError(f"--combinatorial: '{args.combinatorial}' is not one of pairwise")
        out = args.out / schema.name.split(".")[0] if several else args.out
        requests.append(
            GenerationRequest(
                source=schema,
                out_dir=out,
                rows=rows,
                table_rows=per_table,
                cases=cases,
                format=fmt,
                seed=args.seed,
                locale=args.locale,
                tables=tuple(args.table),
                provider=provider,
                label_columns=args.label_columns,
                chunk_size=args.chunk_size,
                max_cases=args.max_cases,
                pairwise=args.combinatorial == "pairwise",
                dialect=dialect,
                source_format=source_format,
                source_dialect=source_dialect,
                source_view=source_view,
                with_ddl=args.with_ddl,
                one_file=args.one_file,
                formula_guard=args.formula_guard,
                processes=args.processes,
            )
        )
    return requests


def _with_project_options(args: argparse.Namespace, schema: Path) -> argparse.Namespace:
    """``args`` with a project file's saved options where the command line does not set them."""
    from tdgen_desktop.importers.project import PROJECT_SUFFIX, read_project_settings  # noqa: PLC0415

    if not schema.name.lower().endswith(PROJECT_SUFFIX):
        return args
    saved = read_project_settings(schema)
    given = _given_options(getattr(args, "argv", []))
    rows = ",".join([str(saved.rows), *(f"{t}={n}" for t, n in saved.table_rows.items())])
    project = {
        "rows": rows,
        "cases": ",".join(k.value for k in CaseKind if k in saved.cases),
        "format": saved.format.value,
        "dialect": saved.dialect.value if saved.dialect is not None else None,
        "with_ddl": saved.with_ddl,
        "one_file": saved.one_file,
        "seed": saved.seed,
        "locale": saved.locale,
        "provider": saved.provider.value,
        "label_columns": saved.label_columns,
        "max_cases": saved.max_cases,
        "combinatorial": "pairwise" if saved.pairwise else None,
        "formula_guard": saved.formula_guard,
    }
    merged = argparse.Namespace(**vars(args))
    for dest, value in project.items():
        if dest not in given:
            setattr(merged, dest, value)
    return merged


def _given_options(argv: list[str]) -> frozenset[str]:
    """The ``generate`` options present on the command line (as argparse ``dest`` names)."""
    parser = _parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for option in sub._actions:
                    if option.option_strings:
                        option.default = argparse.SUPPRESS
    return frozenset(vars(parser.parse_args(argv)))


def _provider(text: str | None) -> ProviderKind:
    """The provider asked for; by default hybrid when an AI profile is set in the environment."""
    if text is not None:
        return ProviderKind.parse(text, option="--provider")
    if os.environ.get("TDGEN_AI_PROVIDER", "").strip():
        return ProviderKind.HYBRID
    return ProviderKind.NULL


def _show_prompts(requests: list[GenerationRequest]) -> int:
    """Print the exact prompts of every request (hybrid unless --provider ai); send nothing."""
    from tdgen_desktop.generation.ai import preview_prompts  # noqa: PLC0415

    for request in requests:
        if request.provider is ProviderKind.NULL:
            request = dataclasses.replace(request, provider=ProviderKind.HYBRID)  # noqa: PLW2901
        prompts = preview_prompts(request)
        print(
            f"# {request.source}: {len(prompts)} prompt(s) for --provider "
            f"{request.provider.value}; nothing was sent"
        )
        for prompt in prompts:
            print(prompt.preview())
    return EXIT_OK


def _ai_session(args: argparse.Namespace) -> AiSession:
    """The AI profile of the environment with its key and the answer cache (hybrid, ai)."""
    from tdgen_desktop.llm import AiSession, AnswerCache, profile_from_env  # noqa: PLC0415
    from tdgen_desktop.services.paths import AppPaths  # noqa: PLC0415

    profile = profile_from_env(os.environ)
    if profile is None:
        raise UsageError(
            "--provider: no AI profile is configured; set TDGEN_AI_PROVIDER (openai, anthropic "
            "or ollama), TDGEN_AI_MODEL and TDGEN_AI_API_KEY"
        )
    if args.no_ai_cache:
        profile = profile.replace(cache=False)
    cache = AnswerCache(AppPaths.default().cache_dir / "ai")
    if args.clear_ai_cache:
        cache.clear()
    return AiSession(profile, _api_key(profile), cache=cache)


def _api_key(profile: AiProfile) -> Secret | None:
    """``TDGEN_AI_API_KEY``, else the profile's keyring entry; warns when there is none."""
    from tdgen_desktop.services.credentials import CredentialError, CredentialStore  # noqa: PLC0415

    store = CredentialStore()
    try:
        key = store.get(profile.name)
    except CredentialError as exc:
        print(f"tdgen: warning: {exc.message}", file=sys.stderr)
        return None
    if key is None and not profile.is_local:
        reason = store.unavailable_reason or (
            f"no API key for AI profile '{profile.name}' in the keyring; set TDGEN_AI_API_KEY"
        )
        print(f"tdgen: warning: {reason}", file=sys.stderr)
    return key


def _generate(args: argparse.Namespace) -> int:
    """Check every schema first, then run one job per schema on the priority scheduler."""
    from tdgen_desktop.generation.pipeline import prepare_job  # noqa: PLC0415
    from tdgen_desktop.scheduler.headless import run_jobs  # noqa: PLC0415

    requests = _requests(args)
    if args.show_prompts:
        return _show_prompts(requests)
    from tdgen_desktop.services.paths import AppPaths  # noqa: PLC0415

    AppPaths.default().clean_stale_job_dirs()  # job folders of runs that were killed
    uses_ai = any(r.provider is not ProviderKind.NULL for r in requests)
    session = _ai_session(args) if uses_ai else None
    requests = [dataclasses.replace(r, ai=session) for r in requests]
    priority = Priority.parse(args.priority, option="--priority")
    # Every schema is imported and checked before any file is written; the jobs generate from
    # the imported datasets (and the value pools the check built).
    datasets = [prepare_job(request) for request in requests]
    show_bar = not args.quiet and sys.stderr.isatty()
    with _ProgressBars(enabled=show_bar) as bars:
        queued = [(request, priority) for request in requests]
        jobs = run_jobs(queued, bars.update, datasets=datasets)
    if session is not None:
        session.close()
    exit_code = EXIT_OK
    for job in jobs:
        if job.error is not None:
            _error(job.error.message)
            exit_code = max(exit_code, EXIT_INTERNAL if job.error.internal else EXIT_BAD_INPUT)
            continue
        if job.result is None:
            _error(f"{job.request.source}: cancelled; no output files were written")
            exit_code = EXIT_CANCELLED
            continue
        if not args.quiet:
            _print_summary(job.result)
        for warning in job.result.warnings:
            print(f"tdgen: warning: {warning}", file=sys.stderr)
        if job.result.validation_failures:
            exit_code = max(exit_code, EXIT_INTERNAL)
    return exit_code


def _print_summary(result: JobResult) -> None:
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    if result.ai is not None:
        print(f"ai ({result.ai.provider}, {result.ai.model}): {result.ai.message()}")
    for t in result.tables:
        rate = result.rows / result.elapsed_s if result.elapsed_s else 0.0
        print(
            f"{t.table}: {t.rows:,} rows → {t.path} (labels: {t.cases_path.name}); "
            f"validated {t.rows_validated:,}, {t.validation_failures} failed; {rate:,.0f} rows/s"
        )
        if t.case_counts.keys() - {"valid"}:
            kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(t.case_counts.items()))
            print(f"  cases: {kinds}; coverage: {t.coverage_summary} → {t.coverage_path}")
        if t.pairwise is not None:
            rows, exhaustive, fields = t.pairwise
            print(
                f"  pairwise: {rows:,} rows cover every pair of {', '.join(fields)} "
                f"(all combinations: {exhaustive:,})"
            )


class _ProgressBars:
    """One progress bar per job on stderr (rich), shown only when stderr is a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _ProgressBars:
        if self.enabled:
            from rich.console import Console  # noqa: PLC0415
            from rich.progress import (  # noqa: PLC0415
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
        return self

    def update(self, job_id: str, job: Any) -> None:
        """Receive a job's progress from the scheduler."""
        if self._progress is None:
            return
        task = self._tasks.get(job_id)
        label = job.request.source.name
        if task is None:
            task = self._tasks[job_id] = self._progress.add_task(label, total=None, rate="")
        step = job.step.value if job.step is not None else job.state.value
        self._progress.update(
            task,
            completed=job.rows_done,
            total=job.rows_total or None,
            description=f"{label} · {step}",
            rate=f"{job.rows_per_s:,.0f} rows/s",
        )

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
