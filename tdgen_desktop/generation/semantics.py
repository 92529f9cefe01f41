"""Semantic kinds: what a field *means* (an email, a city, a date of birth), inferred from its
name, format, type, description and table, so the null provider can pick realistic values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import Dataset, Field, Table

__all__ = ["KINDS", "SemanticKind", "annotate", "infer_kind", "name_tokens"]

_TEXT = (FieldType.STRING,)
_NUM = (FieldType.INTEGER, FieldType.NUMBER)


@dataclass(frozen=True, slots=True)
class SemanticKind:
    """A semantic kind: its key, the field types it fits, and a label for people."""

    key: str
    types: tuple[FieldType, ...]
    label: str


KINDS: dict[str, SemanticKind] = {
    k.key: k
    for k in (
        SemanticKind("first_name", _TEXT, "First name"),
        SemanticKind("last_name", _TEXT, "Last name"),
        SemanticKind("full_name", _TEXT, "Full name"),
        SemanticKind("username", _TEXT, "User name"),
        SemanticKind("email", _TEXT, "E-mail address"),
        SemanticKind("phone", _TEXT, "Phone number"),
        SemanticKind("street_address", _TEXT, "Street address"),
        SemanticKind("city", _TEXT, "City"),
        SemanticKind("state", _TEXT, "State / region"),
        SemanticKind("postal_code", _TEXT, "Postal code"),
        SemanticKind("country", _TEXT, "Country name"),
        SemanticKind("country_code", _TEXT, "Country code (ISO 3166 alpha-2)"),
        SemanticKind("company", _TEXT, "Company name"),
        SemanticKind("job", _TEXT, "Job title"),
        SemanticKind("url", _TEXT, "URL"),
        SemanticKind("domain", _TEXT, "Domain name"),
        SemanticKind("hostname", _TEXT, "Host name"),
        SemanticKind("ipv4", _TEXT, "IPv4 address"),
        SemanticKind("ipv6", _TEXT, "IPv6 address"),
        SemanticKind("mac_address", _TEXT, "MAC address"),
        SemanticKind("iban", _TEXT, "IBAN"),
        SemanticKind("swift", _TEXT, "SWIFT/BIC code"),
        SemanticKind("credit_card", _TEXT, "Credit card number"),
        SemanticKind("currency_code", _TEXT, "Currency code (ISO 4217)"),
        SemanticKind("user_agent", _TEXT, "Browser user agent"),
        SemanticKind("password", _TEXT, "Password"),
        SemanticKind("slug", _TEXT, "URL slug"),
        SemanticKind("semver", _TEXT, "Version number"),
        SemanticKind("language_code", _TEXT, "Language code"),
        SemanticKind("color", _TEXT, "Colour name"),
        SemanticKind("hex_color", _TEXT, "Hex colour"),
        SemanticKind("file_name", _TEXT, "File name"),
        SemanticKind("file_path", _TEXT, "File path"),
        SemanticKind("title", _TEXT, "Title / short sentence"),
        SemanticKind("text", _TEXT, "Free text"),
        SemanticKind("word", _TEXT, "Word"),
        SemanticKind("uuid", (FieldType.STRING, FieldType.UUID), "UUID"),
        SemanticKind("amount", _NUM, "Money amount"),
        SemanticKind("age", _NUM, "Age in years"),
        SemanticKind("year", _NUM, "Year"),
        SemanticKind("quantity", _NUM, "Quantity"),
        SemanticKind("percent", _NUM, "Percentage"),
        SemanticKind("rating", _NUM, "Rating"),
        SemanticKind("latitude", _NUM, "Latitude"),
        SemanticKind("longitude", _NUM, "Longitude"),
        SemanticKind("id", _NUM, "Identifier (sequence)"),
        SemanticKind("date_of_birth", (FieldType.DATE, FieldType.DATETIME), "Date of birth"),
        SemanticKind("past_timestamp", (FieldType.DATE, FieldType.DATETIME), "Past date/time"),
    )
}

_FORMAT_KINDS = {
    "email": "email",
    "idn-email": "email",
    "uri": "url",
    "iri": "url",
    "url": "url",
    "hostname": "hostname",
    "idn-hostname": "hostname",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "uuid": "uuid",
    "password": "password",
}

# Name rules: (tokens that must all appear, kind). First match wins; multi-token rules first.
_NAME_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("first", "name"), "first_name"),
    (("given", "name"), "first_name"),
    (("middle", "name"), "first_name"),
    (("last", "name"), "last_name"),
    (("family", "name"), "last_name"),
    (("full", "name"), "full_name"),
    (("display", "name"), "full_name"),
    (("user", "name"), "username"),
    (("company", "name"), "company"),
    (("country", "code"), "country_code"),
    (("country", "iso"), "country_code"),
    (("currency", "code"), "currency_code"),
    (("postal", "code"), "postal_code"),
    (("zip", "code"), "postal_code"),
    (("job", "title"), "job"),
    (("user", "agent"), "user_agent"),
    (("date", "of", "birth"), "date_of_birth"),
    (("birth", "date"), "date_of_birth"),
    (("card", "number"), "credit_card"),
    (("credit", "card"), "credit_card"),
    (("ip", "address"), "ipv4"),
    (("mac", "address"), "mac_address"),
    (("street",), "street_address"),
    (("address",), "street_address"),
    (("email",), "email"),
    (("mail",), "email"),
    (("firstname",), "first_name"),
    (("forename",), "first_name"),
    (("fname",), "first_name"),
    (("lastname",), "last_name"),
    (("surname",), "last_name"),
    (("lname",), "last_name"),
    (("fullname",), "full_name"),
    (("username",), "username"),
    (("login",), "username"),
    (("phone",), "phone"),
    (("telephone",), "phone"),
    (("mobile",), "phone"),
    (("fax",), "phone"),
    (("city",), "city"),
    (("town",), "city"),
    (("state",), "state"),
    (("province",), "state"),
    (("region",), "state"),
    (("county",), "state"),
    (("zip",), "postal_code"),
    (("zipcode",), "postal_code"),
    (("postcode",), "postal_code"),
    (("country",), "country"),
    (("company",), "company"),
    (("organization",), "company"),
    (("organisation",), "company"),
    (("employer",), "company"),
    (("job",), "job"),
    (("occupation",), "job"),
    (("url",), "url"),
    (("uri",), "url"),
    (("website",), "url"),
    (("homepage",), "url"),
    (("link",), "url"),
    (("href",), "url"),
    (("domain",), "domain"),
    (("hostname",), "hostname"),
    (("host",), "hostname"),
    (("ip",), "ipv4"),
    (("ipv4",), "ipv4"),
    (("ipv6",), "ipv6"),
    (("mac",), "mac_address"),
    (("iban",), "iban"),
    (("swift",), "swift"),
    (("bic",), "swift"),
    (("currency",), "currency_code"),
    (("password",), "password"),
    (("slug",), "slug"),
    (("version",), "semver"),
    (("language",), "language_code"),
    (("lang",), "language_code"),
    (("locale",), "language_code"),
    (("colour",), "color"),
    (("color",), "color"),
    (("filename",), "file_name"),
    (("file",), "file_name"),
    (("path",), "file_path"),
    (("uuid",), "uuid"),
    (("guid",), "uuid"),
    (("title",), "title"),
    (("subject",), "title"),
    (("headline",), "title"),
    (("description",), "text"),
    (("comment",), "text"),
    (("comments",), "text"),
    (("notes",), "text"),
    (("note",), "text"),
    (("bio",), "text"),
    (("summary",), "text"),
    (("message",), "text"),
    (("body",), "text"),
    (("content",), "text"),
    (("text",), "text"),
    (("dob",), "date_of_birth"),
    (("birthday",), "date_of_birth"),
    (("birthdate",), "date_of_birth"),
)

_NUMBER_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("id",), "id"),
    (("age",), "age"),
    (("year",), "year"),
    (("price",), "amount"),
    (("amount",), "amount"),
    (("cost",), "amount"),
    (("total",), "amount"),
    (("balance",), "amount"),
    (("salary",), "amount"),
    (("fee",), "amount"),
    (("quantity",), "quantity"),
    (("qty",), "quantity"),
    (("count",), "quantity"),
    (("percent",), "percent"),
    (("percentage",), "percent"),
    (("rating",), "rating"),
    (("score",), "rating"),
    (("latitude",), "latitude"),
    (("lat",), "latitude"),
    (("longitude",), "longitude"),
    (("lng",), "longitude"),
    (("lon",), "longitude"),
)

_PERSON_TABLES = frozenset(
    {"customer", "user", "person", "people", "employee", "author", "contact", "member", "staff"}
    | {"actor", "artist", "student", "patient", "account", "owner"}
)
_COMPANY_TABLES = frozenset({"company", "companie", "organization", "supplier", "vendor"})
_TIMESTAMP_ENDINGS = frozenset({"at", "ts", "on", "created", "updated", "modified", "timestamp"})


def name_tokens(name: str) -> list[str]:
    """Split ``firstName``, ``first_name``, ``First-Name`` into ``['first', 'name']``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [t for t in re.split(r"[^0-9A-Za-z]+", spaced.lower()) if t]


def _match(tokens: list[str], rules: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    present = set(tokens)
    for needed, kind in rules:
        if all(t in present for t in needed):
            return kind
    return None


def infer_kind(field: Field, table: Table | None = None) -> str | None:
    """The semantic kind of ``field``, or None when nothing specific fits.

    Enum and const fields need no kind: their values are given. Format wins over name, name
    wins over description.
    """
    c = field.constraints
    if c.enum is not None or c.has_const:
        return None
    tokens = name_tokens(field.name)
    if field.type in (FieldType.INTEGER, FieldType.NUMBER):
        return _match(tokens, _NUMBER_RULES)
    if field.type in (FieldType.DATE, FieldType.DATETIME):
        return _date_kind(tokens)
    if field.type is FieldType.UUID:
        return "uuid"
    if field.type is not FieldType.STRING:
        return None
    if c.format in _FORMAT_KINDS:
        return _FORMAT_KINDS[c.format]
    if c.pattern is not None:
        return None
    return _match(tokens, _NAME_RULES) or _contextual_kind(field, tokens, table)


def _date_kind(tokens: list[str]) -> str | None:
    if _match(tokens, _NAME_RULES) == "date_of_birth":
        return "date_of_birth"
    if tokens and tokens[-1] in _TIMESTAMP_ENDINGS:
        return "past_timestamp"
    return None


def _contextual_kind(field: Field, tokens: list[str], table: Table | None) -> str | None:
    """A bare ``name`` means a person or a company by its table; else ask the description."""
    if tokens == ["name"] and table is not None:
        table_tokens = {t.removesuffix("s") for t in name_tokens(table.name)}
        if table_tokens & _PERSON_TABLES:
            return "full_name"
        if table_tokens & _COMPANY_TABLES:
            return "company"
    if field.description:
        return _match(name_tokens(field.description)[:6], _NAME_RULES[:24])
    return None


def annotate(dataset: Dataset) -> None:
    """Set ``semantic`` on every field of every table (user overrides in ``generator`` stay)."""
    for table in dataset.tables:
        for field in table.fields:
            for _path, sub in field.walk():
                sub.semantic = infer_kind(sub, table)
