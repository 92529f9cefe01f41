"""The validation oracle: a ``jsonschema`` validator for a table's source schema.

Differences from a plain ``jsonschema`` validator, on purpose:

* ``multipleOf`` is checked with :class:`decimal.Decimal` on the shortest decimal text of a
  float, so ``0.07`` is a multiple of ``0.01`` (the float division ``0.07 / 0.01`` is not an
  integer, which makes the stock check reject correct decimal values);
* formats are asserted (``date``, ``email``, ``uri`` …), not just annotated;
* remote ``$ref`` is never fetched: the registry holds only the schema itself;
* ``pattern`` (and the patterns of ``patternProperties``) are checked in bounded time by
  :mod:`tdgen_desktop.core.pattern_check` — the same match as ``re.search``, but a pattern
  that would backtrack for minutes is an error naming it, not a stalled job.

``jsonschema`` (with its format checkers, ~0.2 s to import) loads when an oracle first
validates something, not when one is made: a job whose compiled column checks flag no row
never needs it, and a forked worker that does imports it in parallel with the others.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012, specification_with

from tdgen_desktop.core.pattern_check import checked_pattern

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["ROOT_URI", "Oracle", "make_registry"]

ROOT_URI = "urn:tdgen:root"
"""The base URI given to a schema that has no ``$id`` of its own."""


def _decimal_multiple_of(
    validator: Any, divisor: Any, instance: Any, _schema: Any
) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError  # noqa: PLC0415 — loaded with the validator

    if not validator.is_type(instance, "number"):
        return
    if isinstance(divisor, float) or isinstance(instance, float):
        try:
            remainder = decimal.Decimal(repr(instance)) % decimal.Decimal(repr(divisor))
        except (decimal.InvalidOperation, ValueError):
            remainder = decimal.Decimal(1)
        failed = remainder != 0
    else:
        failed = bool(instance % divisor)
    if failed:
        yield ValidationError(f"{instance!r} is not a multiple of {divisor}")


def _bounded_pattern(
    validator: Any, pattern: Any, instance: Any, _schema: Any
) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError  # noqa: PLC0415 — loaded with the validator

    if validator.is_type(instance, "string") and checked_pattern(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _bounded_pattern_properties(
    validator: Any, patterns: Any, instance: Any, _schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        search = checked_pattern(pattern).search
        for key, value in instance.items():
            if search(key) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def make_registry(schema: Any, *, base_uri: str | None = None) -> tuple[Registry[Any], str]:
    """A registry holding ``schema`` alone, and the URI it is registered under."""
    dialect = schema.get("$schema") if isinstance(schema, dict) else None
    spec = specification_with(dialect, default=DRAFT202012) if dialect else DRAFT202012
    uri = base_uri or (schema.get("$id") or schema.get("id") if isinstance(schema, dict) else None)
    if not isinstance(uri, str) or not uri:
        uri = ROOT_URI
    resource: Resource[Any] = Resource.from_contents(schema, default_specification=spec)
    return Registry().with_resource(uri, resource), uri


def _never_fetch(_uri: str) -> Resource[Any]:
    """A remote ``$ref`` is never fetched: rows are not checked against what it names."""
    return DRAFT202012.create_resource(True)


class Oracle:
    """Validates instances against one schema (or a part of it) with tdgen's rules.

    Args:
        schema: the root schema.
        registry: the registry from :func:`make_registry`, if already built.
    """

    def __init__(self, schema: Any, registry: Registry[Any] | None = None) -> None:
        self._schema, self._registry = schema, registry
        self._made: Validator | None = None

    @property
    def _validator(self) -> Validator:
        """The ``jsonschema`` validator, built (and ``jsonschema`` imported) on first use."""
        if self._made is None:
            import jsonschema  # noqa: PLC0415 — see the module docstring
            import jsonschema.validators  # noqa: PLC0415

            registry = self._registry
            if registry is None:
                registry, _ = make_registry(self._schema)
            registry = Registry(retrieve=_never_fetch).combine(registry)  # type: ignore[call-arg]
            default = jsonschema.Draft202012Validator
            base = jsonschema.validators.validator_for(self._schema, default=default)
            cls = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
                base,
                {
                    "multipleOf": _decimal_multiple_of,
                    "pattern": _bounded_pattern,
                    "patternProperties": _bounded_pattern_properties,
                },
                type_checker=base.TYPE_CHECKER,
            )
            self._made = cls(self._schema, registry=registry, format_checker=base.FORMAT_CHECKER)
        return self._made

    def errors(self, instance: Any) -> list[ValidationError]:
        """All validation errors for ``instance`` (empty when it is valid)."""
        return list(self._validator.iter_errors(instance))

    def first_error(self, instance: Any) -> ValidationError | None:
        """The first validation error, or None."""
        return next(self._validator.iter_errors(instance), None)

    def is_valid(self, instance: Any) -> bool:
        """Whether ``instance`` is valid."""
        return bool(self._validator.is_valid(instance))

    def for_subschema(self, subschema: Any, resolver: Any) -> Oracle:
        """An oracle for a part of the schema; ``$ref`` inside resolves through ``resolver``."""
        clone = Oracle(subschema)
        clone._made = self._validator.evolve(schema=subschema, _resolver=resolver)
        return clone
