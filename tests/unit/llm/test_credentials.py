"""API keys: keyring per profile, the environment override, no keyring, and never shown."""

from __future__ import annotations

import pickle

import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest
from ai_server import API_KEY, MemoryKeyring

from tdgen_desktop.llm import Secret, redact
from tdgen_desktop.services.credentials import (
    SERVICE,
    CredentialError,
    CredentialStore,
    NoKeyringError,
)


def test_secret_never_shows_itself() -> None:
    secret = Secret(f"  {API_KEY}\n")
    assert secret.reveal() == API_KEY
    for text in (repr(secret), str(secret), f"{secret}", repr([secret]), repr({"k": secret})):
        assert API_KEY not in text
    assert secret == Secret(API_KEY)
    assert not Secret("")
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_redact() -> None:
    text = f"error: key {API_KEY} was refused; again {API_KEY}"
    assert redact(text, Secret(API_KEY)) == "error: key *** was refused; again ***"
    assert redact(text, None, "") == text
    assert redact("a b", "a") == "a b"  # too short to scrub


def test_store_set_get_delete(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore(memory_keyring, env={})
    assert store.available
    assert store.get("work") is None
    assert store.source("work") is None
    store.set("work", API_KEY)
    assert memory_keyring.entries == {(SERVICE, "work"): API_KEY}
    key = store.get("work")
    assert key is not None
    assert key.reveal() == API_KEY
    assert store.get("home") is None  # one entry per profile
    assert store.source("work") == "keyring"
    store.delete("work")
    store.delete("work")  # nothing left to delete is fine
    assert store.get("work") is None
    assert API_KEY not in repr(store)


def test_environment_overrides_the_keyring(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, "work", "stored-key-123")
    store = CredentialStore(memory_keyring, env={"TDGEN_AI_API_KEY": API_KEY})
    key = store.get("work")
    assert key is not None
    assert key.reveal() == API_KEY
    assert store.source("work") == "environment"


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring, keyring.backends.null.Keyring])
def test_no_keyring_backend_points_to_the_variable(backend: type) -> None:
    store = CredentialStore(backend(), env={})
    assert not store.available
    assert store.get("work") is None
    reason = store.unavailable_reason
    assert reason is not None
    assert "TDGEN_AI_API_KEY" in reason
    with pytest.raises(NoKeyringError) as info:
        store.set("work", API_KEY)
    assert "no keyring backend" in info.value.message
    assert "TDGEN_AI_API_KEY" in info.value.message
    assert API_KEY not in info.value.message
    assert API_KEY not in repr(info.value)
    # The variable still works where there is no keyring.
    env_store = CredentialStore(backend(), env={"TDGEN_AI_API_KEY": API_KEY})
    key = env_store.get("work")
    assert key is not None
    assert key.reveal() == API_KEY


class _BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:  # noqa: ARG002
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:  # noqa: ARG002
        raise keyring.errors.PasswordSetError(f"cannot store {password}")


def test_keyring_failures_are_clear_and_never_show_the_key() -> None:
    store = CredentialStore(_BrokenKeyring(), env={})
    with pytest.raises(CredentialError) as read:
        store.get("work")
    assert "TDGEN_AI_API_KEY" in read.value.message
    with pytest.raises(CredentialError) as write:
        store.set("work", API_KEY)
    assert API_KEY not in write.value.message
    assert API_KEY not in repr(write.value)
    assert "***" in write.value.message
