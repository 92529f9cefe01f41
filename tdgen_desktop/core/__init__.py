"""The core: the dataset model, option enums and errors. Imports nothing of tdgen above it."""

from tdgen_desktop.core.enums import (
    CaseKind,
    Dialect,
    Expectation,
    ExportFormat,
    FieldType,
    Priority,
    ProviderKind,
    SourceFormat,
    Step,
    StepState,
)
from tdgen_desktop.core.errors import (
    CancelledError,
    ExportError,
    SchemaError,
    TdgenError,
    UnsatisfiableError,
    UnsupportedFeatureError,
    UsageError,
)
from tdgen_desktop.core.model import MISSING, Constraints, Dataset, Field, ForeignKey, Table
from tdgen_desktop.core.rows import VALID_LABEL, CaseLabel, RowBatch

__all__ = [
    "MISSING",
    "VALID_LABEL",
    "CancelledError",
    "CaseKind",
    "CaseLabel",
    "Constraints",
    "Dataset",
    "Dialect",
    "Expectation",
    "ExportError",
    "ExportFormat",
    "Field",
    "FieldType",
    "ForeignKey",
    "Priority",
    "ProviderKind",
    "RowBatch",
    "SchemaError",
    "SourceFormat",
    "Step",
    "StepState",
    "Table",
    "TdgenError",
    "UnsatisfiableError",
    "UnsupportedFeatureError",
    "UsageError",
]
