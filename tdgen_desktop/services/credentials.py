"""API keys: one entry per AI profile in the OS keyring (service ``tdgen``), nowhere else.

``TDGEN_AI_API_KEY`` overrides the keyring (CI, containers, headless boxes). On a machine
without a keyring backend — a headless Linux box gets ``keyring.backends.fail.Keyring`` — reading
gives no key and storing raises :class:`NoKeyringError`, whose message points to the environment
variable. Keys come back as :class:`~tdgen_desktop.llm.secret.Secret`, which never shows itself;
messages never contain a key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.null
import keyring.errors

from tdgen_desktop.core.errors import TdgenError
from tdgen_desktop.llm.secret import Secret, redact
from tdgen_desktop.llm.settings import ENV_API_KEY

__all__ = ["SERVICE", "CredentialError", "CredentialStore", "NoKeyringError"]

SERVICE = "tdgen"
"""The keyring service name; the profile's name is the entry's user name."""

_NO_KEYRING = (
    "no keyring backend is available on this system (e.g. a headless Linux box without "
    f"Secret Service), so the API key cannot be stored; set {ENV_API_KEY} instead"
)


class CredentialError(TdgenError, RuntimeError):
    """The keyring could not read, store or delete a key."""


class NoKeyringError(CredentialError):
    """There is no usable keyring backend; the message points to ``TDGEN_AI_API_KEY``."""

    def __init__(self) -> None:
        super().__init__(_NO_KEYRING)


class CredentialStore:
    """Reads and stores API keys per profile.

    Args:
        backend: the keyring backend; the system's (``keyring.get_keyring()``) when None.
            Tests pass an in-memory one.
        env: the environment (``os.environ`` when None), for ``TDGEN_AI_API_KEY``.
    """

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._env = os.environ if env is None else env

    def __repr__(self) -> str:
        return f"CredentialStore({type(self._backend).__module__}.{type(self._backend).__name__})"

    @property
    def available(self) -> bool:
        """Whether keys can be stored in a keyring on this system."""
        return not isinstance(
            self._backend, (keyring.backends.fail.Keyring, keyring.backends.null.Keyring)
        )

    @property
    def unavailable_reason(self) -> str | None:
        """Why keys cannot be stored (for the settings dialog and the CLI), or None."""
        return None if self.available else _NO_KEYRING

    def source(self, profile: str) -> str | None:
        """Where the key of ``profile`` comes from: ``"environment"``, ``"keyring"`` or None."""
        if self._env.get(ENV_API_KEY, "").strip():
            return "environment"
        return "keyring" if self._stored(profile) else None

    def get(self, profile: str) -> Secret | None:
        """The key of ``profile``: ``TDGEN_AI_API_KEY`` if set, else the keyring's, else None.

        Raises:
            CredentialError: the keyring failed (e.g. it is locked); never for a missing one.
        """
        override = self._env.get(ENV_API_KEY, "").strip()
        if override:
            return Secret(override)
        value = self._stored(profile)
        return Secret(value) if value else None

    def _stored(self, profile: str) -> str | None:
        if not self.available:
            return None
        try:
            return self._backend.get_password(SERVICE, profile)
        except keyring.errors.KeyringError as exc:
            raise CredentialError(
                f"cannot read the API key of profile '{profile}' from the keyring: "
                f"{type(exc).__name__}; set {ENV_API_KEY} instead"
            ) from None

    def set(self, profile: str, key: Secret | str) -> None:
        """Store the key of ``profile`` in the keyring.

        Raises:
            NoKeyringError: there is no keyring backend.
            CredentialError: the keyring refused.
        """
        secret = key if isinstance(key, Secret) else Secret(key)
        if not self.available:
            raise NoKeyringError()
        try:
            self._backend.set_password(SERVICE, profile, secret.reveal())
        except keyring.errors.KeyringError as exc:
            raise CredentialError(
                f"cannot store the API key of profile '{profile}' in the keyring: "
                f"{redact(str(exc), secret)[:160]}"
            ) from None

    def delete(self, profile: str) -> None:
        """Remove the key of ``profile`` from the keyring (nothing to remove is fine).

        Raises:
            CredentialError: the keyring refused.
        """
        if not self.available:
            return
        try:
            self._backend.delete_password(SERVICE, profile)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as exc:
            raise CredentialError(
                f"cannot remove the API key of profile '{profile}' from the keyring: "
                f"{type(exc).__name__}"
            ) from None
