"""The generation pipeline: parse → foundation → enhance → validate → export, for one schema file.

Rows stream through the steps a chunk at a time, so memory does not grow with the row count.
Progress goes to a plain callback after every chunk; a cancellation token is checked between
chunks. Output files are written under temporary names and renamed only when every table of the
job is complete — a failure or a cancel leaves no file under a final name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tdgen_desktop.core.enums import (
    ApiView,
    CaseKind,
    Dialect,
    ExportFormat,
    ProviderKind,
    SourceFormat,
    Step,
    StepState,
)
from tdgen_desktop.core.errors import (
    CancelledError,
    ExportError,
    TdgenError,
    UsageError,
)
from tdgen_desktop.core.model import Dataset, Table
from tdgen_desktop.core.rows import RowBatch

if TYPE_CHECKING:
    from tdgen_desktop.core.validation import Oracle
    from tdgen_desktop.generation.ai import AiSummary
    from tdgen_desktop.generation.relations import RelationPlan
    from tdgen_desktop.llm.session import AiSession

__all__ = [
    "CancelToken",
    "GenerationRequest",
    "JobResult",
    "ProgressEvent",
    "ProgressSink",
    "TableResult",
    "auto_processes",
    "prepare_job",
    "run_pipeline",
]

_COPY_BYTES = 1 << 20

DEFAULT_CHUNK = 500
"""Rows per chunk: a progress point and a cancellation check (≈ 0.1 s of work)."""

MAX_PROCESSES = 32
PARALLEL_MIN_ROWS = 5_000
"""Below this many rows a table is made in the job's thread: starting workers would not pay."""


def auto_processes(rows: int) -> int:
    """Worker processes for a table of ``rows`` rows: one per core (at most 4) for big tables."""
    import os  # noqa: PLC0415

    if rows < PARALLEL_MIN_ROWS:
        return 0
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """Everything a job needs to know, validated when built.

    Attributes:
        source: the schema file.
        out_dir: the folder output files go to.
        rows: valid rows per table.
        table_rows: per-table overrides of ``rows``.
        cases: case kinds to produce.
        format: the output format.
        seed: the seed; the same seed, schema and options give byte-identical files.
        locale: Faker locale.
        tables: only these tables (all when empty).
        provider: where values come from.
        label_columns: add ``_case``/``_rule`` columns to the data files.
        chunk_size: rows per chunk (a progress point and a cancellation check).
        dialect: the SQL dialect of SQL output (``None``: the dialect of the source DDL,
            else SQLite).
        source_dialect: the SQL dialect of a DDL source (``None``: detected from its text).
        source_format: the kind of source file (``None``: told by its name and content).
        source_view: OpenAPI: rows for request bodies (no ``readOnly`` property) or responses
            (no ``writeOnly`` property); ``None``: whole objects.
        with_ddl: SQL output starts with each table's ``CREATE TABLE``.
        one_file: SQL and XLSX output put every table, in insert order, into one file named
            after the source (``shop.sql`` for ``shop.json``; a workbook with a sheet per
            table) instead of one file per table.
        formula_guard: neutralise spreadsheet formulas in CSV, TSV and XLSX text cells of
            valid and boundary rows (see :class:`~tdgen_desktop.exporters.ExportOptions`).
        processes: worker processes that make a table's chunks (0: the job's own thread;
            ``None``: :func:`auto_processes`). Files are byte-identical for any number.
        ai: the AI profile's session, for the ``ai`` and ``hybrid`` providers.
        ai_answers: the model's answers of an earlier job (``JobResult.ai.answers``): a job
            that asks the same prompts uses them and sends nothing (``Export again``).
        ai_model: the model those answers came from.
    """

    source: Path
    out_dir: Path
    rows: int = 100
    table_rows: Mapping[str, int] = field(default_factory=dict)
    cases: frozenset[CaseKind] = frozenset({CaseKind.VALID})
    format: ExportFormat = ExportFormat.CSV
    seed: int = 0
    locale: str = "en_US"
    tables: tuple[str, ...] = ()
    provider: ProviderKind = ProviderKind.NULL
    label_columns: bool = False
    chunk_size: int = DEFAULT_CHUNK
    max_cases: int | None = None
    pairwise: bool = False
    dialect: Dialect | None = None
    source_dialect: Dialect | None = None
    source_format: SourceFormat | None = None
    source_view: ApiView | None = None
    with_ddl: bool = False
    one_file: bool = False
    formula_guard: bool = True
    processes: int | None = None
    ai: AiSession | None = field(default=None, repr=False, compare=False)
    ai_answers: Mapping[tuple[str, str], Any] | None = field(
        default=None, repr=False, compare=False
    )
    ai_model: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rows < 0 or any(n < 0 for n in self.table_rows.values()):
            raise UsageError("--rows: the number of rows cannot be negative")
        if self.chunk_size < 1:
            raise UsageError("chunk size must be at least 1")
        if not self.cases:
            raise UsageError("--cases: choose at least one of valid, boundary, invalid")
        if self.max_cases is not None and self.max_cases < 0:
            raise UsageError("--max-cases cannot be negative")
        if self.processes is not None and not 0 <= self.processes <= MAX_PROCESSES:
            raise UsageError(f"--processes: choose 0 … {MAX_PROCESSES}")
        if self.one_file and self.format not in (ExportFormat.SQL, ExportFormat.XLSX):
            raise UsageError(
                "--one-file: only SQL and XLSX output are written to one file (--format sql "
                f"or xlsx), not {self.format.value}"
            )

    def rows_for(self, table: str) -> int:
        """Valid rows requested for ``table``."""
        return self.table_rows.get(table, self.rows)

    def processes_for(self, rows: int) -> int:
        """Worker processes for a table of ``rows`` valid rows."""
        return auto_processes(rows) if self.processes is None else self.processes


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One progress point of a job.

    Attributes:
        step: the step the job is in.
        state: that step's state.
        fraction: overall progress, 0.0 … 1.0.
        rows_done: rows made so far (all tables).
        rows_total: rows the job will make.
        rows_per_s: throughput since the foundation step started.
        table: the table being made, if any.
        message: a short note (e.g. why a step was skipped).
    """

    step: Step
    state: StepState
    fraction: float
    rows_done: int = 0
    rows_total: int = 0
    rows_per_s: float = 0.0
    table: str | None = None
    message: str = ""


ProgressSink = Callable[[ProgressEvent], None]


class CancelToken:
    """A thread-safe flag a job checks between chunks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel was asked."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`CancelledError` if cancel was asked."""
        if self._event.is_set():
            raise CancelledError()


@dataclass(slots=True)
class TableResult:
    """What a job produced for one table."""

    table: str
    path: Path
    cases_path: Path
    rows: int
    case_counts: dict[str, int]
    rows_validated: int = 0
    validation_failures: int = 0
    first_failure: str = ""
    coverage_path: Path | None = None
    coverage_summary: str = ""
    pairwise: tuple[int, int, list[str]] | None = None


@dataclass(slots=True)
class JobResult:
    """What a job produced: files, counts, validation summary, notices."""

    source: Path
    tables: list[TableResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    ai: AiSummary | None = None  # the enhance step's outcome and cost (AI providers)

    @property
    def rows(self) -> int:
        """Rows written across all tables."""
        return sum(t.rows for t in self.tables)

    @property
    def validation_failures(self) -> int:
        """Valid rows that failed the source schema's validator (should always be 0)."""
        return sum(t.validation_failures for t in self.tables)

    @property
    def paths(self) -> list[Path]:
        """Every file written."""
        return list(dict.fromkeys(p for t in self.tables for p in (t.path, t.cases_path)))


class _Progress:
    """Turns pipeline milestones into :class:`ProgressEvent` calls."""

    def __init__(self, sink: ProgressSink | None, total: int) -> None:
        self.sink, self.total, self.done = sink, total, 0
        self.started = time.perf_counter()

    def step(self, step: Step, state: StepState, message: str = "") -> None:
        self._emit(step, state, message=message)

    def rows(self, step: Step, added: int, table: str) -> None:
        self.done += added
        self._emit(step, StepState.RUNNING, table=table)

    def _emit(
        self, step: Step, state: StepState, *, table: str | None = None, message: str = ""
    ) -> None:
        if self.sink is None:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        fraction = self.done / self.total if self.total else 0.0
        if step is Step.EXPORT and state is StepState.DONE:
            fraction = 1.0
        self.sink(
            ProgressEvent(
                step,
                state,
                min(fraction, 1.0),
                self.done,
                self.total,
                self.done / elapsed,
                table,
                message,
            )
        )


def run_pipeline(
    request: GenerationRequest,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
    *,
    dataset: Dataset | None = None,
) -> JobResult:
    """Run one job to the end and return what it produced.

    Args:
        request: what to make.
        progress: called after each step change and each chunk.
        cancel: checked between chunks; a cancel raises :class:`CancelledError` and leaves no
            output file.
        dataset: an already imported (and possibly edited) dataset; read from
            ``request.source`` when omitted.

    Raises:
        TdgenError: bad input (``SchemaError``, ``UnsatisfiableError`` …), a failed export
            (``ExportError``) or a cancel (``CancelledError``).
    """
    from tdgen_desktop.generation.null import NullProvider  # noqa: PLC0415
    from tdgen_desktop.generation.relations import KeyStore, plan_relations  # noqa: PLC0415

    cancel = cancel or CancelToken()
    started = time.perf_counter()
    early = _Progress(progress, 0)
    early.step(Step.PARSE, StepState.RUNNING)
    dataset = prepare_job(request, dataset)
    relations = plan_relations(
        dataset,
        _select_tables(dataset, request.tables),
        request.rows,
        request.table_rows,
        case_rows=bool(request.cases - {CaseKind.VALID}),
    )
    request = dataclasses.replace(request, table_rows=relations.rows)  # parents first, counts set
    tables = relations.tables
    provider = NullProvider(
        request.seed,
        request.locale,
        keys=KeyStore(relations, request.seed),
        pools=_pools(dataset, request),
    )
    early.step(Step.PARSE, StepState.DONE)
    cancel.raise_if_cancelled()

    total = sum(request.rows_for(t.name) for t in tables)
    tracker = _Progress(progress, total)
    tracker.step(Step.FOUNDATION, StepState.RUNNING)
    result = JobResult(source=request.source, notices=list(dict.fromkeys(dataset.notices)))
    if request.provider is ProviderKind.NULL:
        tracker.step(Step.ENHANCE, StepState.SKIPPED, "the null provider has nothing to enhance")
    else:  # AI values before any valid row; on any AI failure: foundation values, FELL_BACK
        from tdgen_desktop.generation.ai import enhance  # noqa: PLC0415

        report = functools.partial(tracker.step, Step.ENHANCE)
        provider = enhance(request, tables, provider, cancel, result, report)
    writers: list[Any] = []
    try:
        for table in tables:
            try:
                result.tables.append(
                    _run_table(request, table, provider, tracker, cancel, writers, relations)
                )
            except TdgenError as exc:
                raise exc.with_context(file=request.source, field=table.name) from None
        tracker.step(Step.FOUNDATION, StepState.DONE)
        tracker.step(Step.VALIDATE, StepState.DONE)
        if request.one_file and request.format is ExportFormat.SQL:
            _join_tables(request, result, writers)
        for writer in writers:
            writer.commit()
        writers.clear()
        tracker.step(Step.EXPORT, StepState.DONE)
    finally:
        for writer in reversed(writers):  # files first, then the folders made for them
            writer.abort()
    for table_result in result.tables:
        if table_result.validation_failures:
            result.warnings.append(
                f"{table_result.table}: {table_result.validation_failures} of "
                f"{table_result.rows_validated} rows failed validation: "
                f"{table_result.first_failure}"
            )
    result.elapsed_s = time.perf_counter() - started
    return result


def prepare_job(request: GenerationRequest, dataset: Dataset | None = None) -> Dataset:
    """Import the schema (unless given) and run the pre-flight check; nothing is written.

    Raises:
        TdgenError: bad input or a request that cannot be met (the message names the file).
    """
    from tdgen_desktop.generation.null import NullProvider  # noqa: PLC0415
    from tdgen_desktop.generation.preflight import preflight  # noqa: PLC0415
    from tdgen_desktop.generation.relations import plan_relations  # noqa: PLC0415
    from tdgen_desktop.importers import load_schema  # noqa: PLC0415

    try:
        if dataset is None:
            dataset = load_schema(
                request.source,
                request.source_format,
                dialect=request.source_dialect,
                view=request.source_view,
            )
        relations = plan_relations(
            dataset,
            _select_tables(dataset, request.tables),
            request.rows,
            request.table_rows,
            dataset.notices,
            case_rows=bool(request.cases - {CaseKind.VALID}),
        )
        _check_request(request)
        provider = NullProvider(request.seed, request.locale, pools=_pools(dataset, request))
        for table in relations.tables:
            preflight(table, relations.rows_for(table.name), provider, dataset.notices)
    except TdgenError as exc:
        raise exc.with_context(file=request.source) from None
    return dataset


def _pools(dataset: Dataset, request: GenerationRequest) -> Any:
    """The job's Faker value pools, built once and shared by the pre-flight check and the job."""
    from tdgen_desktop.generation.pools import Pools  # noqa: PLC0415

    key = ("pools", request.seed, request.locale)
    pools = dataset.cache.get(key)
    if pools is None:
        pools = dataset.cache[key] = Pools(request.seed, request.locale)
    return pools


def _select_tables(dataset: Dataset, wanted: tuple[str, ...]) -> list[Table]:
    if not wanted:
        return list(dataset.tables)
    chosen = []
    for name in wanted:
        try:
            chosen.append(dataset.table(name))
        except KeyError:
            names = ", ".join(t.name for t in dataset.tables)
            raise UsageError(
                f"--table: no table '{name}' (tables: {names})", file=dataset.source
            ) from None
    return chosen


def _check_request(request: GenerationRequest) -> None:
    from tdgen_desktop.exporters import writer_for  # noqa: PLC0415

    writer_for(request.format)  # raises UsageError for a format not available
    if request.provider is not ProviderKind.NULL and request.ai is None and not request.ai_answers:
        raise UsageError(
            f"--provider {request.provider.value}: no AI profile is configured; set "
            "TDGEN_AI_PROVIDER (openai, anthropic or ollama), TDGEN_AI_MODEL and TDGEN_AI_API_KEY"
        )


def _run_table(
    request: GenerationRequest,
    table: Table,
    provider: Any,
    tracker: _Progress,
    cancel: CancelToken,
    writers: list[Any],
    relations: RelationPlan | None = None,
) -> TableResult:
    from tdgen_desktop.core.validation import Oracle  # noqa: PLC0415 — jsonschema on use

    plan = provider.plan(table)
    writer, cases = _open_writers(request, table, plan.columns, writers, relations)
    oracle = Oracle(table.schema, None) if table.schema is not None else None
    fast_check = _fast_check(table)
    result = TableResult(table.name, writer.path, cases.path, 0, {})
    counts: Counter[str] = Counter()
    wanted = request.rows_for(table.name) if CaseKind.VALID in request.cases else 0
    pairs = _pairwise(request, table)
    if pairs is not None and CaseKind.VALID in request.cases:
        wanted = max(wanted, len(pairs.combos))
        result.pairwise = (len(pairs.combos), pairs.exhaustive, list(pairs.fields))
    designing = bool(request.cases - {CaseKind.VALID})
    keep = _UniqueKeeper(table) if designing else None
    checks = _Checks(oracle, fast_check, table)
    encoders = _encoders(writer, cases)
    keep_rows = keep is not None or pairs is not None or (oracle is not None and fast_check is None)
    parts = _parts(
        request,
        provider,
        plan,
        wanted,
        checks,
        cancel,
        encoders,
        keep_rows=keep_rows,
        outputs=(writer, cases),
    )
    with contextlib.closing(parts):
        for part in parts:
            cancel.raise_if_cancelled()
            batch = part.batch
            if batch is None:  # made, checked and encoded (or written) in a worker
                checks.count(result, part.count, part.failures)
                if part.placed:
                    writer.placed(part.count)
                    cases.placed(part.count)
                else:
                    _write(None, part.texts, writer, cases, part.count)
                counts[CaseKind.VALID.value] += part.count
            else:
                flagged, encoded = part.flagged, part.texts
                if pairs is not None and batch.start < len(pairs.combos):
                    _apply_pairs(pairs, batch, table.check)
                    flagged = encoded = None
                if oracle is not None:
                    _validate(oracle, table, batch, result, fast_check, flagged)
                if keep is not None:
                    keep.note(batch)
                _write(batch, encoded, writer, cases, part.count)
                provider.record(batch)  # children draw their foreign keys from these rows
                counts.update(label.case.value for label in batch.labels)
            result.rows += part.count
            tracker.rows(Step.FOUNDATION, part.count, table.name)
    if keep is not None:
        from tdgen_desktop.generation.case_rows import write_case_rows  # noqa: PLC0415

        writers.append(
            write_case_rows(request, table, plan, provider, oracle, keep, (writer, cases), result)
        )
        counts.update(result.case_counts)
    result.case_counts = dict(counts)
    return result


@dataclass(slots=True)
class _Part:
    """A chunk of a table's valid rows as the job gets it.

    Attributes:
        batch: the rows; ``None`` when a worker made, checked and encoded them and only their
            text came back (``texts``, ``failures``).
        count: how many rows.
        flagged: rows the compiled column checks flagged (``None``: not checked yet).
        texts: the data and cases files' text of the rows (``None``: not encoded yet).
        failures: for a chunk without ``batch``, the validation failures a worker confirmed.
        placed: a worker wrote the text into the data and cases files itself.
    """

    batch: RowBatch | None
    count: int
    flagged: set[int] | None = None
    texts: list[str] | None = None
    failures: list[str] = field(default_factory=list)
    placed: bool = False


class _Checks:
    """A table's validation: the compiled column check and the oracle that confirms its flags."""

    def __init__(self, oracle: Oracle | None, fast: Any, table: Table) -> None:
        self.oracle, self.fast, self.table = oracle, fast, table

    @property
    def flags(self) -> Any:
        """The column check, when there is an oracle to confirm its flags."""
        return self.fast if self.oracle is not None else None

    def confirm(self, columns: list[str], rows: list[tuple[Any, ...]], flagged: Any) -> list[str]:
        """The oracle's messages for the flagged rows that really fail (runs in a worker)."""
        from tdgen_desktop.generation.null import row_instance  # noqa: PLC0415

        if self.oracle is None:
            return []
        failures = []
        for i in flagged:
            error = self.oracle.first_error(row_instance(self.table, columns, rows[i]))
            if error is not None:
                failures.append(_failure_text(error))
        return failures

    @staticmethod
    def count(result: TableResult, rows: int, failures: list[str]) -> None:
        """Add a worker's validation of ``rows`` rows to the table's result."""
        result.rows_validated += rows
        result.validation_failures += len(failures)
        if failures and not result.first_failure:
            result.first_failure = failures[0]


def _parts(
    request: GenerationRequest,
    provider: Any,
    plan: Any,
    wanted: int,
    checks: _Checks,
    cancel: CancelToken,
    encoders: list[Any],
    *,
    keep_rows: bool,
    outputs: Sequence[Any] = (),
) -> Generator[_Part]:
    """A table's valid rows, a chunk at a time.

    With worker processes (the null provider, a plan whose chunks are independent) the chunks
    are made by :mod:`~tdgen_desktop.generation.parallel` and made unique here, in order;
    otherwise the provider makes each whole chunk in this thread. Both give the same rows.
    When the job needs nothing of the rows but their text (no uniqueness to fix up, no keys
    for other tables, no case design, every row checked in the worker), the workers write the
    text into the ``outputs`` (the writers ``encoders`` belong to) themselves.
    """
    from tdgen_desktop.core.rows import VALID_LABEL  # noqa: PLC0415
    from tdgen_desktop.generation.null import NullProvider  # noqa: PLC0415
    from tdgen_desktop.generation.parallel import Chunk, forks, make_chunks  # noqa: PLC0415

    size = request.chunk_size
    chunks = [
        Chunk(index, start, min(size, wanted - start))
        for index, start in enumerate(range(0, wanted, size))
    ]
    processes = request.processes_for(wanted)
    if not (processes and type(provider) is NullProvider and plan.independent):
        for chunk in chunks:
            cancel.raise_if_cancelled()
            yield _Part(provider.batch(plan, chunk.index, chunk.start, chunk.count), chunk.count)
        return
    text_only = bool(encoders) and not (keep_rows or provider.needs_rows(plan))
    placing = outputs if text_only and len(outputs) == len(encoders) else ()
    targets = [output.hand_over() for output in placing] if forks(plan, chunks, processes) else []
    ends = [target.start for target in targets]
    made_chunks = make_chunks(
        provider,
        plan,
        chunks,
        processes,
        checks.flags,
        cancel,
        encoders,
        confirm=checks.confirm if text_only else None,
        targets=targets,
    )
    with contextlib.closing(made_chunks):
        for chunk, made in zip(chunks, made_chunks, strict=True):
            if made.rows is None:
                if made.sizes is not None:
                    ends = [end + size for end, size in zip(ends, made.sizes, strict=True)]
                failures = made.failures or []
                placed = made.sizes is not None
                yield _Part(None, chunk.count, texts=made.texts, failures=failures, placed=placed)
                continue
            rows = made.rows
            changed = provider.fix(plan, rows, chunk.start)
            flagged = set(made.flagged) if made.flagged is not None else None
            if flagged is not None and changed:
                again = checks.fast(plan.columns, [rows[i] for i in changed])
                flagged.update(changed[j] for j in again)
            labels = [VALID_LABEL] * len(rows)
            batch = RowBatch(plan.table, plan.columns, rows, labels, chunk.start)
            yield _Part(batch, chunk.count, flagged, made.texts if not changed else None)
    for output, end in zip(placing if targets else (), ends, strict=True):
        output.take_back(end)  # the workers' text ends here: the writer goes on from there


def _open_writers(
    request: GenerationRequest,
    table: Table,
    columns: list[str],
    writers: list[Any],
    relations: RelationPlan | None = None,
) -> tuple[Any, Any]:
    """Create the output folder and a table's data and cases writers (added to ``writers``)."""
    from tdgen_desktop.exporters import CasesWriter, ExportOptions, extension_for, writer_for  # noqa: PLC0415
    from tdgen_desktop.exporters.atomic import remove_stale_parts  # noqa: PLC0415

    try:
        writers.append(_CreatedFolders(request.out_dir))
    except OSError as exc:
        raise ExportError(
            f"cannot create the output folder: {exc.strerror or exc}", file=request.out_dir
        ) from None
    remove_stale_parts(request.out_dir)  # what an export killed mid-way left (unlocked files)
    options = ExportOptions(
        label_columns=request.label_columns,
        dialect=request.dialect,
        with_ddl=request.with_ddl,
        formula_guard=request.formula_guard,
        **(_key_order(relations, table) if relations is not None else {}),
    )
    extension = extension_for(request.format)
    workbook = request.one_file and request.format is ExportFormat.XLSX  # a sheet per table
    book = next((w for w in writers if hasattr(w, "next_sheet")), None) if workbook else None
    if book is not None:
        book.next_sheet(table, columns)
        writer = book
    else:
        name = one_file_name(request.source, extension) if workbook else f"{table.name}.{extension}"
        writer = writer_for(request.format)(request.out_dir / name, table, columns, options)
        writers.append(writer)
    cases = CasesWriter(request.out_dir / f"{table.name}.cases.jsonl")
    writers.append(cases)
    return writer, cases


def one_file_name(source: Path, extension: str = "sql") -> str:
    """The name of the one file of a job (``--one-file``): the source's name as ``.sql``."""
    name = source.name
    for suffix in (".tdgen.json", source.suffix):
        if suffix and name.endswith(suffix) and name != suffix:
            return f"{name.removesuffix(suffix)}.{extension}"
    return f"{name}.{extension}"


def _join_tables(request: GenerationRequest, result: JobResult, writers: list[Any]) -> None:
    """Copy the tables' SQL files into one file: every table's rows to accept in insert order,
    then every table's invalid rows; drop the per-table files."""
    from tdgen_desktop.exporters.atomic import AtomicFile  # noqa: PLC0415

    paths = {t.path for t in result.tables}
    parts = [w for w in writers if getattr(w, "path", None) in paths and hasattr(w, "finish")]
    joined = AtomicFile(request.out_dir / one_file_name(request.source), binary=True)
    writers.append(joined)
    texts = [part.finish() for part in parts]
    for accept in (True, False):
        for part, text in zip(parts, texts, strict=True):
            with joined.guard(), text.open("rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                start, end = (0, part.invalid_at) if accept else (part.invalid_at, size)
                stream.seek(start)
                _copy_bytes(stream, joined.stream, end - start)
    for part in parts:
        part.abort()
        writers.remove(part)
    for table in result.tables:
        table.path = joined.path


def _copy_bytes(source: Any, target: Any, count: int) -> None:
    """Copy ``count`` bytes from ``source`` to ``target``."""
    while count > 0:
        block = source.read(min(count, _COPY_BYTES))
        if not block:
            return
        target.write(block)
        count -= len(block)


def _key_order(relations: RelationPlan, table: Table) -> dict[str, Any]:
    """What SQL output needs to know of the insert order around ``table``: whether its rows
    point at later rows, and which foreign keys its ``CREATE TABLE`` cannot declare yet (their
    parent comes later or not at all) or must add for tables made before it."""
    position = {t.name: i for i, t in enumerate(relations.tables)}
    here = position[table.name]
    later = tuple(
        fk
        for fk in table.foreign_keys
        if fk.ref_table != table.name and position.get(fk.ref_table, here + 1) > here
    )
    added = tuple(
        (child.name, fk)
        for child in relations.tables[:here]
        for fk in child.foreign_keys
        if fk.ref_table == table.name
    )
    return {
        "checks_off": bool(relations.ahead.get(table.name)),
        "keys_later": later,
        "keys_added": added,
    }


def _write(
    batch: RowBatch | None, encoded: list[str] | None, writer: Any, cases: Any, count: int
) -> None:
    """Append a chunk to the data and cases files (as text a worker made, when it did)."""
    if encoded is None:
        assert batch is not None  # noqa: S101 — a chunk comes as rows, text or both
        writer.write(batch)
        cases.write(batch)
    else:
        writer.write_text(encoded[0], count)
        cases.write_text(encoded[1], count)


def _encoders(writer: Any, cases: Any) -> list[Any]:
    """Functions that make the data and cases files' text of a batch, if both formats can."""
    encoders = [writer.chunk_encoder(), cases.chunk_encoder()]
    return encoders if all(encoders) else []


def _apply_pairs(pairs: Any, batch: RowBatch, check: Any) -> None:
    """Put the pairwise combinations into a batch (an AI value they override loses its mark)."""
    before = list(batch.rows)
    pairs.apply(batch, check)
    batch.forget_changed_ai(before)


def _pairwise(request: GenerationRequest, table: Table) -> Any:
    if not request.pairwise or table.bare:
        return None
    from tdgen_desktop.generation.pairwise import pairwise_plan  # noqa: PLC0415

    plan = pairwise_plan(table)
    return plan if plan.combos else None


class _UniqueKeeper:
    """Remembers the first valid row and the values taken by unique columns (for case design)."""

    def __init__(self, table: Table) -> None:
        from tdgen_desktop.generation.seen import SeenValues  # noqa: PLC0415

        self.first_row: Any = None
        self.used = {f.name: SeenValues() for f in table.fields if f.unique}

    def note(self, batch: RowBatch) -> None:
        """Record a batch of valid rows."""
        from tdgen_desktop.generation.case_rows import unique_key  # noqa: PLC0415
        from tdgen_desktop.generation.null import row_instance  # noqa: PLC0415

        if self.first_row is None and batch.rows:
            self.first_row = row_instance(batch.table, batch.columns, batch.rows[0])
        for name, values in self.used.items():
            index = batch.columns.index(name)
            values.update(unique_key(row[index]) for row in batch.rows)


class _CreatedFolders:
    """Creates the output folder; on abort removes the folders it created if still empty.

    It sits in the job's writer list, so a failed or cancelled job leaves no trace behind.
    """

    def __init__(self, folder: Path) -> None:
        missing = []
        probe = folder
        while not probe.exists() and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
        folder.mkdir(parents=True, exist_ok=True)
        self.created = missing  # deepest first

    def commit(self) -> None:
        """Keep the folders."""
        self.created = []

    def abort(self) -> None:
        """Remove the folders this job created, deepest first, where empty."""
        for folder in self.created:
            try:
                folder.rmdir()
            except OSError:
                break


def _fast_check(table: Table) -> Any:
    from tdgen_desktop.generation.checks import compile_table_check  # noqa: PLC0415

    if table.min_properties is not None or table.max_properties is not None:
        return None
    return compile_table_check(table)


def _validate(
    oracle: Oracle,
    table: Table,
    batch: RowBatch,
    result: TableResult,
    fast: Any,
    flagged: set[int] | None = None,
) -> None:
    """Check every valid and boundary row; count and describe failures.

    With a compiled column check (``fast``) only the rows it flags go to the full oracle, which
    confirms them and gives the message; otherwise the oracle checks every row. ``flagged``:
    the rows the column check already flagged (in a worker process).
    """
    from tdgen_desktop.generation.null import row_instance  # noqa: PLC0415

    checked = [i for i, label in enumerate(batch.labels) if label.case is not CaseKind.INVALID]
    result.rows_validated += len(checked)
    if fast is not None:
        if flagged is None:
            flagged = set(fast(batch.columns, batch.rows))
        suspects = [i for i in checked if i in flagged]
    else:
        suspects = checked
    for i in suspects:
        error = oracle.first_error(row_instance(table, batch.columns, batch.rows[i]))
        if error is not None:
            result.validation_failures += 1
            if not result.first_failure:
                result.first_failure = _failure_text(error)


def _failure_text(error: Any) -> str:
    """A validation error as the job's warning shows it."""
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    return f"at {where}: {error.message}"
