"""Value pools drawn from Faker once per job and sampled with the job's seeded RNG.

Calling Faker for every cell is what makes naive generators slow. Here each (kind, locale) pair
is asked of Faker a few hundred times, seeded from the job seed, and rows sample those pools:
variety stays realistic, and the cost no longer grows with the row count.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COUNTRY_LOCALES",
    "AddressRecord",
    "Pools",
    "ascii_slug",
    "derive_seed",
    "slug_chars",
]

POOL_SIZE = 256
NAME_POOL_SIZE = 512
RECORD_POOL_SIZE = 160

COUNTRY_LOCALES: dict[str, str] = {
    "US": "en_US",
    "GB": "en_GB",
    "UK": "en_GB",
    "DE": "de_DE",
    "FR": "fr_FR",
    "ES": "es_ES",
    "IT": "it_IT",
    "NL": "nl_NL",
    "CA": "en_CA",
    "AU": "en_AU",
    "JP": "ja_JP",
    "IE": "en_IE",
    "NZ": "en_NZ",
    "IN": "en_IN",
    "AT": "de_AT",
    "CH": "de_CH",
    "BE": "nl_BE",
    "PT": "pt_PT",
    "BR": "pt_BR",
    "MX": "es_MX",
    "AR": "es_AR",
    "PL": "pl_PL",
    "SE": "sv_SE",
    "NO": "no_NO",
    "DK": "da_DK",
    "FI": "fi_FI",
    "CZ": "cs_CZ",
    "GR": "el_GR",
    "TR": "tr_TR",
    "RU": "ru_RU",
    "UA": "uk_UA",
    "CN": "zh_CN",
    "TW": "zh_TW",
    "KR": "ko_KR",
    "IL": "he_IL",
    "RO": "ro_RO",
    "HU": "hu_HU",
    "SK": "sk_SK",
    "SI": "sl_SI",
    "HR": "hr_HR",
    "TH": "th_TH",
    "ID": "id_ID",
    "PH": "en_PH",
    "VN": "vi_VN",
    "IR": "fa_IR",
    "EG": "ar_EG",
    "SA": "ar_SA",
    "ZA": "en_US",
}

# Faker method (and arguments) behind each pooled semantic kind.
_FAKER_METHODS: dict[str, tuple[str, dict[str, Any]]] = {
    "first_name": ("first_name", {}),
    "last_name": ("last_name", {}),
    "full_name": ("name", {}),
    "username": ("user_name", {}),
    "email": ("email", {}),
    "company": ("company", {}),
    "job": ("job", {}),
    "url": ("url", {}),
    "domain": ("domain_name", {}),
    "hostname": ("hostname", {}),
    "ipv4": ("ipv4_public", {}),
    "ipv6": ("ipv6", {}),
    "mac_address": ("mac_address", {}),
    "iban": ("iban", {}),
    "swift": ("swift", {}),
    "credit_card": ("credit_card_number", {}),
    "currency_code": ("currency_code", {}),
    "user_agent": ("user_agent", {}),
    "password": ("password", {}),
    "slug": ("slug", {}),
    "language_code": ("language_code", {}),
    "color": ("color_name", {}),
    "hex_color": ("hex_color", {}),
    "file_name": ("file_name", {}),
    "file_path": ("file_path", {}),
    "title": ("sentence", {"nb_words": 4}),
    "text": ("sentence", {"nb_words": 10}),
    "word": ("word", {}),
    "email_domain": ("free_email_domain", {}),
}


def derive_seed(*parts: object) -> int:
    """A 64-bit seed derived from ``parts`` — the same in every process and on every run."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters, digits and dots from ``text`` (for e-mail local parts)."""
    return slug_chars(text).strip(".")


@functools.lru_cache(maxsize=1 << 16)
def slug_chars(text: str) -> str:
    """``ascii_slug`` before the outer dots are stripped.

    The mapping works character by character, so the slug of ``a + "." + b`` is
    ``(slug_chars(a) + "." + slug_chars(b)).strip(".")`` — names are slugged once each, not once
    per row. Cached: the texts are pooled names.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_SLUG.sub("", ascii_text.replace(" ", "."))


_NOT_SLUG = re.compile(r"[^a-z0-9.]+")


@dataclass(frozen=True, slots=True)
class AddressRecord:
    """One locale-consistent address: the parts agree with each other."""

    street_address: str
    city: str
    state: str
    postal_code: str
    country: str
    country_code: str
    phone: str


class Pools:
    """Per-job cache of Faker instances and value pools.

    Args:
        seed: the job seed; every pool is seeded from it, so pools are identical in every
            process that builds them.
        locale: the default Faker locale.
    """

    def __init__(self, seed: int, locale: str = "en_US") -> None:
        self.seed = seed
        self.locale = locale
        self._fakers: dict[tuple[str, str], Any] = {}
        self.lean = True
        """Names and addresses come from Faker instances with only the providers they use."""
        self._pools: dict[tuple[str, str], list[str]] = {}
        self._records: dict[str, list[AddressRecord]] = {}
        self.memo: dict[Any, Any] = {}
        """Derived data worth keeping for the job (e.g. pools fitted to a field's limits)."""

    def faker(self, locale: str | None = None, group: str = "all") -> Any:
        """The Faker instance for ``locale`` (default the job's).

        ``group`` names a set of providers (see ``_LEAN_PROVIDERS``): a job drawing names and
        addresses for ten countries then loads three providers per locale instead of all of
        them. The values are the same — the methods and their seeded draws are the same.
        """
        loc = locale or self.locale
        group = group if self.lean else "all"
        fake = self._fakers.get((loc, group))
        if fake is None:
            from faker import Faker  # noqa: PLC0415 — Faker costs ~0.4 s to import

            providers = _LEAN_PROVIDERS.get(group)
            fake = Faker(loc, providers=list(providers) if providers else None, use_weighting=False)
            _fix_set_ordered_lists(fake, loc)
            self._fakers[(loc, group)] = fake
        return fake

    def has_kind(self, kind: str) -> bool:
        """Whether ``kind`` is served from a Faker pool."""
        return kind in _FAKER_METHODS

    def pool(self, kind: str, locale: str | None = None) -> list[str]:
        """Distinct values of ``kind`` for ``locale``, in a seed-determined order."""
        loc = locale or self.locale
        key = (kind, loc)
        values = self._pools.get(key)
        if values is None:
            values = self._build_pool(kind, loc)
            self._pools[key] = values
        return values

    def _build_pool(self, kind: str, locale: str) -> list[str]:
        fake = self.faker(locale, _LEAN_KINDS.get(kind, "all"))
        fake.seed_instance(derive_seed(self.seed, "pool", kind, locale))
        method, kwargs = _FAKER_METHODS[kind]
        produce = getattr(fake, method)
        size = NAME_POOL_SIZE if kind.endswith("name") else POOL_SIZE
        seen: dict[str, None] = {}
        for _ in range(size * 3):
            value = str(produce(**kwargs)).replace("\n", ", ").strip()
            if kind in {"title", "text"}:
                value = value.rstrip(".") if kind == "title" else value
            seen[value] = None
            if len(seen) >= size:
                break
        return list(seen)

    def records(self, locale: str | None = None) -> list[AddressRecord]:
        """Locale-consistent address records for ``locale``."""
        loc = locale or self.locale
        records = self._records.get(loc)
        if records is None:
            records = self._build_records(loc)
            self._records[loc] = records
        return records

    def _build_records(self, locale: str) -> list[AddressRecord]:
        fake = self.faker(locale, "address")
        fake.seed_instance(derive_seed(self.seed, "records", locale))
        rng = random.Random(derive_seed(self.seed, "records-rng", locale))
        country = _safe(fake, "current_country", "")
        code = _safe(fake, "current_country_code", locale.rsplit("_", maxsplit=1)[-1])
        out = []
        for _ in range(RECORD_POOL_SIZE):
            state_abbr = _safe(fake, "state_abbr", "")
            if state_abbr and hasattr(fake, "zipcode_in_state"):
                postal = str(fake.zipcode_in_state(state_abbr))
                state = _state_name(fake, state_abbr) or state_abbr
            else:
                postal = str(_safe(fake, "postcode", str(rng.randint(10000, 99999))))
                state = str(
                    _safe(fake, "state", "")
                    or _safe(fake, "administrative_unit", "")
                    or _safe(fake, "region", "")
                    or _safe(fake, "city", "")
                )
            out.append(
                AddressRecord(
                    street_address=str(_safe(fake, "street_address", ""))
                    .replace("\n", ", ")
                    .strip(),
                    city=str(_safe(fake, "city", "")),
                    state=state,
                    postal_code=postal,
                    country=str(country),
                    country_code=str(code),
                    phone=str(_safe(fake, "phone_number", "")),
                )
            )
        return out


_LEAN_PROVIDERS: dict[str, tuple[str, ...]] = {
    "names": ("faker.providers.person",),
    "address": (
        "faker.providers.address",
        "faker.providers.person",  # street names are made of people's names in many locales
        "faker.providers.phone_number",
    ),
}
_LEAN_KINDS = {"first_name": "names", "last_name": "names", "full_name": "names"}


# Faker builds a few reference lists from a set, so their order (and what a seeded draw picks)
# changes with PYTHONHASHSEED — e.g. it_IT's ``cities = list({...})``. Sorting them on our
# instance makes seeded output identical in every process.
_SET_ORDERED_LISTS: dict[str, tuple[str, ...]] = {"it_IT": ("cities",)}


def _fix_set_ordered_lists(fake: Any, locale: str) -> None:
    for name in _SET_ORDERED_LISTS.get(locale, ()):
        for provider in fake.providers:
            values = getattr(provider, name, None)
            if isinstance(values, list):
                setattr(provider, name, sorted(values))


def _safe(fake: Any, method: str, default: Any) -> Any:
    try:
        return getattr(fake, method)()
    except (AttributeError, TypeError, KeyError):
        return default


def _state_name(fake: Any, abbr: str) -> str | None:
    states = getattr(fake, "states", None)
    abbrs = getattr(fake, "states_abbr", None)
    if isinstance(states, (list, tuple)) and isinstance(abbrs, (list, tuple)) and abbr in abbrs:
        index = list(abbrs).index(abbr)
        if index < len(states):
            return str(states[index])
    return None
