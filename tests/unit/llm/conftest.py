"""Fixtures of the AI tests: the test model server, sessions on it, an in-memory keyring."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ai_server import API_KEY, FAST_RETRY, AiTestServer, MemoryKeyring

from tdgen_desktop.llm import AiProfile, AiSession, AnswerCache, ProfileKind, RetryPolicy


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """An empty in-memory keyring backend."""
    return MemoryKeyring()


@pytest.fixture
def ai_server() -> Iterator[AiTestServer]:
    """The test model server on 127.0.0.1, expecting :data:`API_KEY`."""
    server = AiTestServer(API_KEY).start()
    yield server
    server.stop()


SessionFactory = Callable[..., AiSession]


@pytest.fixture
def make_session(ai_server: AiTestServer, tmp_path: Path) -> Iterator[SessionFactory]:
    """Build sessions on the test server (closed at the end of the test).

    ``make_session(wire="openai", key=API_KEY, cache=True, retry=FAST_RETRY, **profile)``.
    """
    sessions: list[AiSession] = []

    def make(
        wire: str = "openai",
        *,
        key: str | None = API_KEY,
        cache: bool = True,
        retry: RetryPolicy = FAST_RETRY,
        base_url: str | None = None,
        **profile: Any,
    ) -> AiSession:
        settings = AiProfile(
            kind=ProfileKind(wire),
            base_url=base_url or ai_server.base_url(wire),
            model="test-model",
            **profile,
        )
        session = AiSession(
            settings, key, cache=AnswerCache(tmp_path / "cache") if cache else None, retry=retry
        )
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
