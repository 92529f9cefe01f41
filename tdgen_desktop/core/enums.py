"""Option enums shared by every layer (types, cases, formats, priorities, providers, steps)."""

from __future__ import annotations

import enum
from typing import Self

from tdgen_desktop.core.errors import UsageError

__all__ = [
    "ApiView",
    "CaseKind",
    "Dialect",
    "Expectation",
    "ExportFormat",
    "FieldType",
    "Priority",
    "ProviderKind",
    "SourceFormat",
    "Step",
    "StepState",
]


class _Choice(enum.StrEnum):
    """A string enum whose ``parse`` names the valid choices when given a wrong one."""

    @classmethod
    def parse(cls, text: str, *, option: str | None = None) -> Self:
        """Return the member whose value is ``text`` (case-insensitive).

        Raises:
            UsageError: the text names no member; the message lists the valid ones.
        """
        wanted = text.strip().lower()
        for member in cls:
            if member.value == wanted:
                return member
        choices = ", ".join(m.value for m in cls)
        label = option or cls.__name__
        raise UsageError(f"{label}: '{text}' is not one of {choices}")


class FieldType(_Choice):
    """The value type of a field."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    UUID = "uuid"
    BINARY = "binary"
    ARRAY = "array"
    OBJECT = "object"
    NULL = "null"
    ANY = "any"


class CaseKind(_Choice):
    """What a generated row is meant to test."""

    VALID = "valid"
    BOUNDARY = "boundary"
    INVALID = "invalid"


class Expectation(_Choice):
    """What the system under test should do with a row."""

    ACCEPT = "accept"
    REJECT = "reject"


class ExportFormat(_Choice):
    """Output file formats."""

    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"
    SQL = "sql"
    XLSX = "xlsx"
    PARQUET = "parquet"


class Priority(_Choice):
    """Job priority in the scheduler's queue."""

    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class ProviderKind(_Choice):
    """Where values come from."""

    NULL = "null"
    AI = "ai"
    HYBRID = "hybrid"


class Dialect(_Choice):
    """SQL dialects for import and export."""

    SQLITE = "sqlite"
    POSTGRES = "postgres"
    MYSQL = "mysql"


class ApiView(_Choice):
    """Which side of an API an OpenAPI component's rows are for (``readOnly``/``writeOnly``)."""

    REQUEST = "request"  # a request body: no readOnly property
    RESPONSE = "response"  # a response body: no writeOnly property


class SourceFormat(_Choice):
    """Kinds of input file."""

    JSONSCHEMA = "jsonschema"
    OPENAPI = "openapi"
    SQL = "sql"
    SAMPLE = "sample"
    PROJECT = "project"


class Step(_Choice):
    """The five steps every job walks through, in order."""

    PARSE = "parse"
    FOUNDATION = "foundation"
    ENHANCE = "enhance"
    VALIDATE = "validate"
    EXPORT = "export"


class StepState(_Choice):
    """The state of one step of a job."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FELL_BACK = "fell_back"
    FAILED = "failed"
    SKIPPED = "skipped"
