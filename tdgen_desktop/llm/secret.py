"""A wrapper that keeps an API key out of reprs, logs, messages and files.

A :class:`Secret` shows itself as ``Secret('***')``; only :meth:`Secret.reveal` gives the value,
and the only caller of that is the HTTP client building its request headers. It cannot be
pickled, so it never ends up in a file or another process by accident. :func:`redact` scrubs a
key from any text (an error body that echoes it back, say) before the text goes anywhere.
"""

from __future__ import annotations

from typing import NoReturn

__all__ = ["REDACTED", "Secret", "redact"]

REDACTED = "***"
"""What a secret is replaced with in text."""

_MIN_REDACT_LEN = 4
"""Shorter "keys" are not scrubbed from text: replacing every ``a`` would garble messages."""


class Secret:
    """An API key (or other credential) that never shows itself.

    Args:
        value: the secret text (surrounding white space is dropped).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.strip()

    def reveal(self) -> str:
        """The secret text — only for the request that sends it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled (API keys stay in the keyring)")


def redact(text: str, *secrets: Secret | str | None) -> str:
    """``text`` with every given secret replaced by ``***``."""
    for secret in secrets:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value and len(value) >= _MIN_REDACT_LEN:
            text = text.replace(value, REDACTED)
    return text
