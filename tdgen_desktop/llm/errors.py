"""Errors of the AI client. Each says what went wrong in one line, never with the API key.

Every error derives from :class:`LlmError` (a :class:`~tdgen_desktop.core.errors.TdgenError`);
``reason`` is the short phrase the hybrid generator puts in its fallback warning, e.g.
``api.openai.com refused the request (401): check the API key``.
"""

from __future__ import annotations

from tdgen_desktop.core.errors import TdgenError

__all__ = [
    "InsecureEndpointError",
    "LlmAnswerError",
    "LlmAuthError",
    "LlmBudgetError",
    "LlmConnectionError",
    "LlmError",
    "LlmHttpError",
    "LlmRateLimitError",
    "LlmServerError",
    "LlmTimeoutError",
]


class LlmError(TdgenError):
    """A request to the model failed; ``reason`` says why in a few words.

    Attributes:
        fatal: later requests of the same job would fail the same way (a refused key, an
            unreachable server, a spent budget), so they are not sent.
    """

    fatal = False

    @property
    def reason(self) -> str:
        """The problem alone (no file or field), for warnings."""
        return self.problem


class InsecureEndpointError(LlmError, ValueError):
    """The base URL is not https and not a loopback address, or is not a usable URL."""


class LlmAuthError(LlmError, PermissionError):
    """401 or 403: the key is missing, wrong or lacks access. Not retried."""

    fatal = True


class LlmRateLimitError(LlmError):
    """429 after the bounded retries, or a ``Retry-After`` longer than tdgen waits."""


class LlmServerError(LlmError):
    """5xx after the bounded retries."""


class LlmHttpError(LlmError):
    """Another HTTP error status (400, 404, 422 …): the request itself was refused."""


class LlmConnectionError(LlmError, ConnectionError):
    """The server could not be reached (refused, DNS, TLS certificate)."""

    fatal = True


class LlmTimeoutError(LlmError, TimeoutError):
    """No answer within the profile's timeout."""


class LlmAnswerError(LlmError, ValueError):
    """The answer is not the structured JSON asked for (malformed, cut off, wrong shape)."""


class LlmBudgetError(LlmError):
    """The job's request budget is spent."""

    fatal = True
