"""The window's side of the AI provider: the profile in effect, its key, sessions, connection tests.

:class:`AiSupport` is built by the composition root with the keyring store
(:class:`~tdgen_desktop.services.credentials.CredentialStore`), a
:class:`~tdgen_desktop.llm.runner.LoopRunner` on the app's qasync loop and the answer cache
folder. The settings dialog asks it to test a connection (one real request on that loop, so the
window never waits) and to clear the cache; the window asks it whether AI and hybrid can be
offered and for the :class:`~tdgen_desktop.llm.AiSession` a job uses. Keys go to and come from
the keyring store only; nothing here shows or logs one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from tdgen_desktop.core.enums import ProviderKind
from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.generation.pipeline import GenerationRequest
from tdgen_desktop.llm import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_MODEL,
    ENV_PROVIDER,
    AiProfile,
    AnswerCache,
    LlmError,
    LoopRunner,
    Prompt,
    Secret,
    profile_from_env,
)
from tdgen_desktop.services.credentials import CredentialError, CredentialStore
from tdgen_desktop.ui.settings import Preferences

if TYPE_CHECKING:  # the AI client (and httpx) load when a job or a test needs them
    from tdgen_desktop.llm import AiSession, ConnectionReport, RetryPolicy

__all__ = [
    "ENV_NAMES",
    "AiSupport",
    "ConnectionTest",
    "PromptPreviewDialog",
    "connection_error_text",
    "prompts_text",
]

_log = logging.getLogger(__name__)

ENV_NAMES = (ENV_PROVIDER, ENV_BASE_URL, ENV_MODEL, ENV_API_KEY)
"""The environment variables that override the saved AI profile."""

NO_PROFILE_HINT = (
    "AI and hybrid need an AI profile: add one in Settings ▸ AI profiles (Ctrl+,), or set "
    f"{ENV_PROVIDER}. Rule-based values work offline."
)


def connection_error_text(error: BaseException) -> str:
    """What went wrong with a request, in plain words (never with a key)."""
    if isinstance(error, TdgenError):
        return error.problem
    if isinstance(error, (concurrent.futures.CancelledError, asyncio.CancelledError)):
        return "the test was cancelled"
    return f"internal error ({type(error).__name__}); see the log"


class ConnectionTest(QObject):
    """One running connection test.

    Signals:
        finished(object): a :class:`~tdgen_desktop.llm.ConnectionReport`, or the exception that
            stopped the request (an :class:`~tdgen_desktop.llm.LlmError` says why in words).
    """

    finished = Signal(object)
    _ended = Signal(object)

    def __init__(self, profile: AiProfile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.outcome: ConnectionReport | BaseException | None = None
        self._future: concurrent.futures.Future[ConnectionReport] | None = None
        # Always queued, so ``finished`` fires on the window's thread after the caller has
        # connected to it — even when the answer came before ``test_connection`` returned.
        self._ended.connect(self._on_ended, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        """Abort the request."""
        if self._future is not None:
            self._future.cancel()

    def _on_future_done(self, future: concurrent.futures.Future[ConnectionReport]) -> None:
        # Runs on the loop's thread; the signal reaches the window's thread queued.
        from tdgen_desktop.llm import ConnectionReport  # noqa: PLC0415

        try:
            outcome: ConnectionReport | BaseException = future.result()
        except BaseException as exc:
            outcome = exc
        if not isinstance(outcome, (ConnectionReport, TdgenError)):
            _log.warning("AI connection test failed: %s", type(outcome).__name__)
        self._ended.emit(outcome)

    @Slot(object)
    def _on_ended(self, outcome: ConnectionReport | BaseException) -> None:
        self.outcome = outcome
        self.finished.emit(outcome)


class AiSupport(QObject):
    """AI profiles as the window uses them.

    Args:
        credentials: where API keys are kept.
        runner: the event loop the AI client runs on (the app's qasync loop); a private loop
            when None.
        cache_dir: the answer cache folder (``<user cache>/ai``).
        env: the environment (``os.environ`` when None), for the ``TDGEN_AI_*`` overrides.
        retry: the retry policy of jobs' requests (the client's default when None).
        parent: the Qt parent.
    """

    def __init__(
        self,
        credentials: CredentialStore,
        cache_dir: Path,
        *,
        runner: LoopRunner | None = None,
        env: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.credentials = credentials
        self.cache = AnswerCache(cache_dir)
        self._own_runner = runner is None
        self.runner = runner or LoopRunner()
        self.env: Mapping[str, str] = os.environ if env is None else env
        self._retry = retry
        self._sessions: dict[tuple[AiProfile, Secret | None], AiSession] = {}
        self._tests: set[ConnectionTest] = set()

    # ------------------------------------------------------------------ queries

    def env_overrides(self) -> dict[str, str]:
        """The ``TDGEN_AI_*`` variables that are set, with the key shown as "set"."""
        found = {}
        for name in ENV_NAMES:
            value = self.env.get(name, "").strip()
            if value:
                found[name] = "(set)" if name == ENV_API_KEY else value
        return found

    def profile_in_effect(self, prefs: Preferences) -> AiProfile | None:
        """The chosen profile with the environment laid over it (None: no AI profile).

        Raises:
            LlmError: an environment variable has an invalid value.
        """
        profile = profile_from_env(self.env, prefs.selected_ai_profile)
        if profile is not None and not prefs.ai_cache:
            profile = profile.replace(cache=False)
        return profile

    def key_state(self, profile_name: str) -> str:
        """Whether ``profile_name`` has a key, in words (never the key)."""
        try:
            source = self.credentials.source(profile_name)
        except CredentialError as error:
            return error.problem
        if source == "environment":
            return f"A key is set through {ENV_API_KEY} (it overrides the keyring)"
        if source == "keyring":
            return "A key is set (kept in the system keyring)"
        return "No key set"

    def has_key(self, profile_name: str) -> bool:
        """Whether a key is set for ``profile_name`` (keyring or environment)."""
        try:
            return self.credentials.source(profile_name) is not None
        except CredentialError:
            return False

    def readiness(self, prefs: Preferences) -> str:
        """Why AI and hybrid cannot be offered, or "" when they can."""
        try:
            profile = self.profile_in_effect(prefs)
        except LlmError as error:
            return f"AI and hybrid are not available: {error.problem}"
        if profile is None:
            return NO_PROFILE_HINT
        if profile.is_local or self.has_key(profile.name):
            return ""
        where = (
            "store one in Settings ▸ AI profiles"
            if self.credentials.available
            else f"this system has no keyring, so set {ENV_API_KEY}"
        )
        return f"AI profile '{profile.name}' has no API key: {where}."

    # ------------------------------------------------------------------ jobs

    def session_for(self, prefs: Preferences) -> AiSession:
        """The session of the profile in effect (one per profile and key, kept for reuse).

        Raises:
            TdgenError: there is no usable profile (the message says what to set up).
        """
        problem = self.readiness(prefs)
        profile = None if problem else self.profile_in_effect(prefs)
        if profile is None:
            raise TdgenError(problem or NO_PROFILE_HINT)
        try:
            key = self.credentials.get(profile.name)
        except CredentialError as error:
            raise TdgenError(error.problem) from None
        session = self._sessions.get((profile, key))
        if session is None:
            from tdgen_desktop.llm import AiSession  # noqa: PLC0415

            session = AiSession(
                profile, key, cache=self.cache, runner=self.runner, retry=self._retry
            )
            self._sessions[(profile, key)] = session
        return session

    def attach(self, request: GenerationRequest, prefs: Preferences) -> GenerationRequest:
        """``request`` with the AI session when its provider needs one.

        Raises:
            TdgenError: the provider needs an AI profile and none is usable.
        """
        if request.provider is ProviderKind.NULL:
            return request
        return dataclasses.replace(request, ai=self.session_for(prefs))

    # ------------------------------------------------------------------ settings dialog

    def test_connection(self, profile: AiProfile, key: Secret | None) -> ConnectionTest:
        """Send one small request with ``profile`` and ``key`` on the AI loop (never waits).

        The answer arrives through :attr:`ConnectionTest.finished`.
        """
        from tdgen_desktop.llm import AiSession, RetryPolicy  # noqa: PLC0415

        test = ConnectionTest(profile, self)
        session = AiSession(
            profile.replace(cache=False), key, runner=self.runner, retry=RetryPolicy(0)
        )

        async def run() -> ConnectionReport:
            try:
                return await session.test_connection()
            finally:
                await session.aclose()

        self._tests.add(test)
        test.finished.connect(self._on_test_finished)
        future = asyncio.run_coroutine_threadsafe(run(), self.runner.loop)
        test._future = future
        future.add_done_callback(test._on_future_done)
        return test

    def _on_test_finished(self, _outcome: object) -> None:
        test = self.sender()
        if isinstance(test, ConnectionTest):
            self._tests.discard(test)
            test.deleteLater()

    def clear_cache(self) -> int:
        """Remove every cached AI answer; returns how many were removed."""
        return self.cache.clear()

    def cached_answers(self) -> int:
        """How many AI answers are cached."""
        return len(self.cache)

    # ------------------------------------------------------------------ shutdown

    def close(self) -> None:
        """Close the sessions' connections (and stop a private loop)."""
        sessions = list(self._sessions.values())
        self._sessions.clear()
        for test in list(self._tests):
            test.cancel()

        async def cleanup() -> None:
            await asyncio.gather(*(s.aclose() for s in sessions), return_exceptions=True)

        if self._own_runner:
            self.runner.close(cleanup)
            return
        loop = self.runner.loop
        if sessions and loop.is_running() and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(cleanup()))


def prompts_text(provider: ProviderKind, prompts: list[Prompt]) -> str:
    """The prompts as the preview shows them (the same text as ``--show-prompts``)."""
    head = (
        f"{len(prompts)} request(s) for the {provider.value} provider; nothing was sent. "
        "Only schema metadata goes to the model: names, types, constraints, descriptions."
    )
    if not prompts:
        head += "\nNo field needs the model: every field has a specific generator."
    return "\n\n".join([head, *(p.preview() for p in prompts)])


class PromptPreviewDialog(QDialog):
    """The exact prompts an AI or hybrid job would send, read-only.

    Args:
        title: the schema's name.
        text: the prompts (:func:`prompts_text`) or why they cannot be built.
        parent: the window.
    """

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prompt_preview_dialog")
        self.setWindowTitle(f"AI prompts — {title}" if title else "AI prompts")
        self.setAccessibleName("AI prompts")
        self.resize(760, 600)
        note = QLabel("What an AI or hybrid job with these options would ask the model.")
        note.setWordWrap(True)
        self.text = QPlainTextEdit(text)
        self.text.setObjectName("prompt_text")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName("Prompts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
