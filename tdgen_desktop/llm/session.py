"""An AI profile ready for use: settings, key, answer cache, one long-lived client, one loop.

:class:`AiSession` is what the rest of tdgen holds. The window creates one per profile with a
:class:`~tdgen_desktop.llm.runner.LoopRunner` on the qasync loop and awaits its coroutines
(:meth:`AiSession.test_connection`, :meth:`AiSession.ask_all`); generation jobs on worker
threads call :meth:`AiSession.ask_all_blocking`, which runs the same coroutines on that loop and
cancels them when the job is cancelled. The command line lets the session start its own loop.

Example (a script or the command line)::

    session = AiSession(profile, Secret(key), cache=AnswerCache(paths.cache_dir / "ai"))
    try:
        request = GenerationRequest(..., provider=ProviderKind.HYBRID, ai=session)
        run_pipeline(request)
    finally:
        session.close()
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.model import Field, Table
from tdgen_desktop.llm.cache import AnswerCache
from tdgen_desktop.llm.client import AiCost, AiJob, LlmClient, RetryPolicy
from tdgen_desktop.llm.errors import LlmError
from tdgen_desktop.llm.prompts import Prompt, pool_prompt
from tdgen_desktop.llm.runner import LoopRunner
from tdgen_desktop.llm.secret import Secret, redact
from tdgen_desktop.llm.settings import AiProfile
from tdgen_desktop.llm.wire import Completion

__all__ = ["AiCost", "AiJob", "AiSession", "Answer", "ConnectionReport"]

Answer = Completion | LlmError
"""What :meth:`AiSession.ask_all` gives per prompt: the answer, or why there is none."""


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """The result of :meth:`AiSession.test_connection`.

    Attributes:
        model: the model that answered, as the server names it.
        latency_s: seconds from sending to the parsed answer.
    """

    model: str
    latency_s: float


class AiSession:
    """One AI profile with its key, answer cache and client.

    Args:
        profile: the profile's settings.
        api_key: the key (from the keyring or ``TDGEN_AI_API_KEY``), or None.
        cache: the answer cache; None (or ``profile.cache`` False) sends every prompt.
        runner: the loop the client lives on; a private one when None.
        retry: the retry policy.
        transport: an httpx transport (tests).
    """

    def __init__(
        self,
        profile: AiProfile,
        api_key: Secret | str | None = None,
        *,
        cache: AnswerCache | None = None,
        runner: LoopRunner | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.profile = profile
        self._key = Secret(api_key) if isinstance(api_key, str) else api_key
        self.cache = cache
        self.runner = runner or LoopRunner()
        self._retry = retry
        self._transport = transport
        self._client: LlmClient | None = None

    def __repr__(self) -> str:
        key = "set" if self._key else "none"
        return f"AiSession({self.profile.name!r}, {self.profile.kind.value}, key {key})"

    @property
    def has_key(self) -> bool:
        """Whether a key is set (never what it is)."""
        return bool(self._key)

    @property
    def caching(self) -> bool:
        """Whether answers are read from and written to the cache."""
        return self.cache is not None and self.profile.cache

    def redact(self, text: str) -> str:
        """``text`` with the key scrubbed out."""
        return redact(text, self._key)

    def new_job(self) -> AiJob:
        """Bookkeeping for one job: its request budget and cost."""
        return AiJob(budget=self.profile.request_budget)

    def _client_now(self) -> LlmClient:
        if self._client is None:
            self._client = LlmClient(
                self.profile, self._key, retry=self._retry, transport=self._transport
            )
        return self._client

    async def ask(self, prompt: Prompt, *, seed: int, job: AiJob) -> Completion:
        """The answer to ``prompt``: from the cache if there, else from the server (then cached).

        Raises:
            LlmError: the request failed; after a fatal error (a refused key, an unreachable
                server, a spent budget) later prompts of the job fail the same way unsent.
        """
        key = AnswerCache.key(self.profile, prompt, seed) if self.caching else ""
        if self.cache is not None and key:
            cached = self.cache.get(key)
            if cached is not None:
                job.cost.cache_hits += 1
                return cached
        if job.fatal is not None:
            raise type(job.fatal)(job.fatal.problem)
        completion = await self._client_now().complete(prompt, seed=seed, job=job)
        if self.cache is not None and key:
            self.cache.put(key, completion)
        return completion

    async def ask_all(
        self,
        prompts: Sequence[Prompt],
        *,
        seed: int,
        job: AiJob,
        on_answer: Callable[[int, int], None] | None = None,
    ) -> list[Answer]:
        """Ask every prompt concurrently (at most ``max_concurrent`` in flight).

        Returns:
            Per prompt, in order, its answer or the :class:`LlmError` that stopped it.
        """
        done = 0

        async def one(prompt: Prompt) -> Answer:
            nonlocal done
            try:
                return await self.ask(prompt, seed=seed, job=job)
            except LlmError as exc:
                return exc
            finally:
                done += 1
                if on_answer is not None:
                    on_answer(done, len(prompts))

        return list(await asyncio.gather(*(one(p) for p in prompts)))

    def ask_all_blocking(
        self,
        prompts: Sequence[Prompt],
        *,
        seed: int,
        job: AiJob,
        cancelled: Callable[[], bool] = lambda: False,
        on_answer: Callable[[int, int], None] | None = None,
    ) -> list[Answer]:
        """:meth:`ask_all` for a worker thread: waits, and cancels the requests on a cancel.

        ``on_answer(done, total)`` is called on the calling thread.

        Raises:
            CancelledError: ``cancelled()`` became true; in-flight requests were aborted.
        """
        progress = [0, 0]
        reported = [0]

        def note(done: int, total: int) -> None:
            progress[0], progress[1] = done, total

        def forward() -> None:
            if on_answer is not None and progress[0] != reported[0]:
                reported[0] = progress[0]
                on_answer(progress[0], progress[1])

        answers = self.runner.run(
            lambda: self.ask_all(prompts, seed=seed, job=job, on_answer=note),
            cancelled=cancelled,
            on_poll=forward,
        )
        forward()
        return answers

    async def test_connection(self) -> ConnectionReport:
        """Send one tiny prompt (never cached) and report the model and the latency.

        Raises:
            LlmError: the request failed (the message says why: key, URL, timeout …).
        """
        table = Table("connection_test", [Field("fruit", FieldType.STRING)])
        prompt = pool_prompt(table, table.fields, 3, 0)
        started = time.perf_counter()
        completion = await self._client_now().complete(prompt, seed=0, job=AiJob(budget=5))
        latency = time.perf_counter() - started
        return ConnectionReport(completion.model or self.profile.model_name, latency)

    def clear_cache(self) -> int:
        """Remove every cached answer; returns how many were removed."""
        return self.cache.clear() if self.cache is not None else 0

    async def aclose(self) -> None:
        """Close the client's connections (on the loop)."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def close(self) -> None:
        """Close the client and stop a private loop (from any thread but the loop's)."""
        self.runner.close(self.aclose)
