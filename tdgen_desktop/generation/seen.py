"""A compact record of the values a unique column has given during a job.

A unique column must recognise a repeat of any value it gave before, so what it remembers
grows with the rows. Text values — most unique columns, and the largest — are remembered by a
64-bit digest in packed buckets (about 10 bytes a value) instead of as Python strings (about
95 bytes a value with the set that holds them).

A digest collision — two different texts with the same digest — makes a new value look like a
repeat, so it is replaced by another new one: the output stays unique and valid, and because
the digest is the same in every process and on every run (unlike ``hash()`` of a ``str``,
salted by ``PYTHONHASHSEED``), the output stays deterministic. With 64 bits, a job of
1,000,000 values in one column meets a collision with a probability of about 1 in 37,000,000.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["SeenValues", "text_digest", "value_key"]

_INDEX_BITS = 16
_INDEX_MASK = (1 << _INDEX_BITS) - 1
_ENTRY_BYTES = 8
_pack = struct.Struct("<q").pack
_SMALL_LIMIT = 1 << 13
"""Up to this many digests live in a plain ``set``; past it, in :data:`_INDEX_BITS` buckets."""
_REPEATS_LIMIT = 1 << 12
"""At most this many texts found to be repeats are kept as they are, to be recognised fast."""


def text_digest(text: str) -> int:
    """A deterministic signed 64-bit digest of ``text``.

    It is the hash of the tuple of the text's UTF-8 bytes: ``int`` and ``tuple`` hashes are not
    salted (only ``str``, ``bytes`` and ``datetime`` are), so it is the same in every process
    and on every run, and at about 0.3 µs for short text it is two to three times cheaper than
    ``hashlib.blake2b``. It never returns -1 (CPython reserves it for errors).
    """
    return hash(tuple(text.encode("utf-8", "surrogatepass")))


def value_key(value: Any) -> Any:
    """How a unique column's value is compared: ``True`` and ``1`` stay apart, and a list or
    object compares by its JSON text (so it can be remembered at all)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return ("bool", value)
    return value


class SeenValues:
    """The keys (see :func:`value_key`) a unique column has given, as a set that only grows.

    Text keys are stored as 64-bit digests: first in a ``set`` of ints; past
    :data:`_SMALL_LIMIT` of them, packed 8 bytes each in 65,536 ``bytes`` buckets chosen by the
    digest's low 16 bits, and found with ``bytes.find``, which runs in C. Other keys (numbers,
    dates, ``None``, tuples) are kept as they are in a plain ``set``.

    A column often draws the same few values again (a pool's names before their suffix): the
    last few thousand texts found to be repeats are also kept as they are, and found without a
    digest. Only texts already remembered go there, so it changes no answer, only its speed.

    Args:
        digest: the text digest, a signed 64-bit ``int``; a narrower one (tests) forces
            collisions.
    """

    __slots__ = ("_asked", "_asked_digest", "_buckets", "_digest", "_others", "_repeats", "_small")

    def __init__(self, digest: Callable[[str], int] = text_digest) -> None:
        self._digest = digest
        self._small: set[int] = set()
        self._buckets: list[bytes] | None = None
        self._others: set[Any] = set()
        self._repeats: set[str] = set()
        # The text last looked up with ``in`` and its digest: a replacement that was found
        # new is added next, and its digest is not computed twice.
        self._asked: str | None = None
        self._asked_digest = 0

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return key in self._others
        if key in self._repeats:
            return True
        digest = self._digest(key)
        self._asked, self._asked_digest = key, digest
        buckets = self._buckets
        if buckets is None:
            found = digest in self._small
        else:
            bucket, packed = buckets[digest & _INDEX_MASK], _pack(digest)
            at = bucket.find(packed)
            found = at >= 0 and _found(bucket, packed, at)
        if found:
            self._repeated(key)
        return found

    def add(self, key: Any) -> bool:
        """Remember ``key``; return whether it was new."""
        if not isinstance(key, str):
            others = self._others
            if key in others:
                return False
            others.add(key)
            return True
        if key in self._repeats:
            return False
        digest = self._asked_digest if key is self._asked else self._digest(key)
        buckets = self._buckets
        if buckets is None:
            small = self._small
            if digest in small:
                self._repeated(key)
                return False
            small.add(digest)
            if len(small) > _SMALL_LIMIT:
                self._spread()
            return True
        index, packed = digest & _INDEX_MASK, _pack(digest)
        bucket = buckets[index]
        at = bucket.find(packed)
        if at >= 0 and _found(bucket, packed, at):
            self._repeated(key)
            return False
        buckets[index] = bucket + packed
        return True

    def update(self, keys: Iterable[Any]) -> None:
        """Remember every key of ``keys``."""
        add = self.add
        for key in keys:
            add(key)

    def _repeated(self, text: str) -> None:
        """Keep ``text``, found to be a repeat, to recognise it fast next time."""
        repeats = self._repeats
        if len(repeats) >= _REPEATS_LIMIT:
            repeats.clear()  # the values repeated most come back soon
        repeats.add(text)

    def _spread(self) -> None:
        """Move the digests from the small set into the buckets."""
        buckets = [b""] * (1 << _INDEX_BITS)  # the empty buckets share one object
        for digest in self._small:
            buckets[digest & _INDEX_MASK] += _pack(digest)
        self._buckets, self._small = buckets, set()


def _found(bucket: bytes, packed: bytes, at: int) -> bool:
    """Whether ``packed``, found in ``bucket`` at ``at``, is one of its entries (a match may
    also straddle two entries; then the search goes on)."""
    while at >= 0:
        if at % _ENTRY_BYTES == 0:
            return True
        at = bucket.find(packed, at + 1)
    return False
