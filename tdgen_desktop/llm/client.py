"""The async HTTP client: one long-lived ``httpx.AsyncClient`` per profile, retries, limits.

* 429: retried, honouring ``Retry-After`` (seconds or an HTTP date) up to
  :attr:`RetryPolicy.max_retry_after_s`, else with bounded exponential backoff.
* 5xx: retried :attr:`RetryPolicy.max_retries` times with bounded backoff.
* 401 / 403: never retried — "check the API key".
* Connection errors and timeouts: not retried (the server is down or the model too slow).

Certificate checks stay on; the profile's base URL was checked for https already. Every message
is scrubbed of the key before it is raised. At most ``max_concurrent`` requests of a profile are
in flight at once, and every HTTP request is charged to the job's :class:`AiJob` budget.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from tdgen_desktop.llm.errors import (
    LlmAnswerError,
    LlmAuthError,
    LlmBudgetError,
    LlmConnectionError,
    LlmError,
    LlmHttpError,
    LlmRateLimitError,
    LlmServerError,
    LlmTimeoutError,
)
from tdgen_desktop.llm.prompts import Prompt
from tdgen_desktop.llm.secret import Secret, redact
from tdgen_desktop.llm.settings import AiProfile, check_endpoint
from tdgen_desktop.llm.wire import Completion, wire_for

__all__ = ["AiCost", "AiJob", "LlmClient", "RetryPolicy"]

_SNIPPET = 160


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry.

    Attributes:
        max_retries: retries after the first attempt, for 429 and 5xx.
        backoff_s: the first backoff; doubled on each retry.
        max_backoff_s: the longest backoff.
        max_retry_after_s: the longest ``Retry-After`` honoured; a longer one fails at once.
    """

    max_retries: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1``."""
        return float(min(self.max_backoff_s, self.backoff_s * 2**attempt))


@dataclass(slots=True)
class AiCost:
    """What a job's AI requests cost.

    Attributes:
        requests: HTTP requests sent (retries included).
        retries: of those, retries after a 429 or 5xx.
        tokens_in: prompt tokens, where the server reported them.
        tokens_out: answer tokens, where the server reported them.
        cache_hits: answers taken from the on-disk cache instead of the network.
    """

    requests: int = 0
    retries: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cache_hits: int = 0

    def summary(self) -> str:
        """One line, e.g. ``3 requests, 1,204 tokens in / 2,310 out, 1 cache hit``."""
        retries = f" ({_count_of(self.retries, 'retry', 'retries')})" if self.retries else ""
        return (
            f"{_count_of(self.requests, 'request')}{retries}, {self.tokens_in:,} tokens in / "
            f"{self.tokens_out:,} out, {_count_of(self.cache_hits, 'cache hit')}"
        )


def _count_of(number: int, one: str, many: str | None = None) -> str:
    """``1 request``, ``2 requests``."""
    return f"{number:,} {one if number == 1 else many or one + 's'}"


@dataclass(slots=True)
class AiJob:
    """One job's share of a profile: its request budget, its cost, and a stop after a fatal error.

    Used on the event loop only.
    """

    budget: int
    cost: AiCost = field(default_factory=AiCost)
    fatal: LlmError | None = None

    def spend(self) -> None:
        """Charge one HTTP request.

        Raises:
            LlmBudgetError: the budget is spent.
        """
        if self.cost.requests >= self.budget:
            raise LlmBudgetError(f"the request budget of {self.budget} requests per job is used up")
        self.cost.requests += 1


class LlmClient:
    """Sends prompts to one profile's server and returns parsed answers.

    Create it once per profile and keep it: building an ``httpx.AsyncClient`` costs ~70 ms (SSL
    context), and its connections are reused. Use it on one event loop only.

    Args:
        profile: the profile's settings.
        api_key: the key, if the server needs one.
        retry: the retry policy.
        transport: an httpx transport (tests); the default opens real connections.
    """

    def __init__(
        self,
        profile: AiProfile,
        api_key: Secret | None = None,
        *,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.profile = profile
        self.retry = retry or RetryPolicy()
        self._key = api_key if api_key else None
        self._wire = wire_for(profile.kind)
        endpoint = check_endpoint(profile.endpoint)
        self._where = httpx.URL(endpoint).netloc.decode("ascii", "replace")
        self._url = endpoint + self._wire.path
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(profile.timeout_s),
            verify=True,
            follow_redirects=False,
            transport=transport,
            headers={"User-Agent": "tdgen"},
        )
        self._limit: asyncio.Semaphore | None = None

    def __repr__(self) -> str:
        return f"LlmClient({self.profile.name!r}, {self.profile.kind.value}, {self._url!r})"

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def complete(self, prompt: Prompt, *, seed: int, job: AiJob) -> Completion:
        """Send ``prompt`` and return the parsed answer, retrying 429 and 5xx within bounds.

        Raises:
            LlmError: the request failed for good (the message names the reason, never the key).
        """
        if self._limit is None:
            self._limit = asyncio.Semaphore(self.profile.max_concurrent)
        key = self._key.reveal() if self._key is not None else None
        headers = self._wire.headers(key)
        body = self._wire.body(prompt, self.profile.model_name, self.profile.temperature, seed)
        attempt = 0
        try:
            while True:
                async with self._limit:
                    if job.fatal is not None:  # an earlier request of the job failed for good
                        raise type(job.fatal)(job.fatal.problem)
                    job.spend()
                    response = await self._send(headers, body)
                delay = self._retry_delay(response, attempt)
                if delay is None:
                    return self._completion(response, prompt, job)
                attempt += 1
                job.cost.retries += 1
                await asyncio.sleep(delay)
        except LlmError as exc:
            if exc.fatal and job.fatal is None:
                job.fatal = exc
            raise

    async def _send(self, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
        try:
            async with asyncio.timeout(self.profile.timeout_s):
                return await self._http.post(self._url, json=body, headers=headers)
        except (TimeoutError, httpx.TimeoutException):
            raise LlmTimeoutError(
                f"{self._where} did not answer within {self.profile.timeout_s:g} s"
            ) from None
        except httpx.ConnectError as exc:
            raise LlmConnectionError(
                f"cannot connect to {self._where}: {self._redact(_reason(exc))}"
            ) from None
        except httpx.HTTPError as exc:
            raise LlmConnectionError(
                f"the connection to {self._where} failed: {self._redact(_reason(exc))}"
            ) from None

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the response is final (or raise)."""
        status = response.status_code
        if status < 400:
            return None
        if status in {401, 403}:
            raise LlmAuthError(f"{self._where} refused the request ({status}): check the API key")
        if status != 429 and status < 500:
            raise LlmHttpError(f"{self._where} answered {status}: {self._snippet(response)}")
        kind = "rate limited (429)" if status == 429 else f"server error ({status})"
        error = LlmRateLimitError if status == 429 else LlmServerError
        if attempt >= self.retry.max_retries:
            raise error(f"{self._where}: {kind}, still after {self.retry.max_retries} retries")
        wait = _retry_after(response) if status == 429 else None
        if wait is None:
            return self.retry.backoff(attempt)
        if wait > self.retry.max_retry_after_s:
            raise error(f"{self._where}: {kind}; the server asks to wait {wait:.0f} s")
        return wait

    def _completion(self, response: httpx.Response, prompt: Prompt, job: AiJob) -> Completion:
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise LlmAnswerError(
                f"{self._where} sent a response that is not JSON: {self._snippet(response)}"
            ) from None
        try:
            completion = self._wire.parse(payload, prompt)
        except LlmAnswerError as exc:
            raise LlmAnswerError(self._redact(exc.problem)) from None
        job.cost.tokens_in += completion.tokens_in or 0
        job.cost.tokens_out += completion.tokens_out or 0
        return completion

    def _snippet(self, response: httpx.Response) -> str:
        text = " ".join(response.text[:_SNIPPET].split())
        return repr(self._redact(text)) if text else "(empty body)"

    def _redact(self, text: str) -> str:
        return redact(text, self._key)


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return f"the server's TLS certificate is not trusted ({text[:_SNIPPET]})"
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "All connection attempts failed" in text:
        return "connection refused (is the server running?)"
    if "Name or service not known" in text or "getaddrinfo failed" in text:
        return "unknown host name"
    return text[:_SNIPPET]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
