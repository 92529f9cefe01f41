"""AI profiles: which server, which model, how hard to push it — and the environment overrides.

A profile holds no key: the key lives in the OS keyring (``services.credentials``) or in
``TDGEN_AI_API_KEY``. :func:`profile_from_env` lays ``TDGEN_AI_PROVIDER``, ``TDGEN_AI_BASE_URL``
and ``TDGEN_AI_MODEL`` over a saved profile. :func:`check_endpoint` refuses plain http except on
the loopback interface.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from tdgen_desktop.llm.errors import InsecureEndpointError, LlmError

__all__ = [
    "DEFAULT_BASE_URLS",
    "DEFAULT_MODELS",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_MODEL",
    "ENV_PROVIDER",
    "AiProfile",
    "ProfileKind",
    "check_endpoint",
    "profile_from_env",
]

ENV_PROVIDER = "TDGEN_AI_PROVIDER"
ENV_BASE_URL = "TDGEN_AI_BASE_URL"
ENV_MODEL = "TDGEN_AI_MODEL"
ENV_API_KEY = "TDGEN_AI_API_KEY"


class ProfileKind(enum.StrEnum):
    """The wire format a profile speaks."""

    OPENAI = "openai"
    """OpenAI-compatible Chat Completions (OpenAI, OpenRouter, vLLM, LM Studio, llama.cpp,
    Ollama's ``/v1``)."""
    ANTHROPIC = "anthropic"
    """Anthropic Messages."""
    OLLAMA = "ollama"
    """Ollama's native ``/api/chat``."""

    @classmethod
    def parse(cls, text: str, *, option: str = ENV_PROVIDER) -> ProfileKind:
        """The kind named by ``text`` (case-insensitive).

        Raises:
            LlmError: ``text`` names no kind; the message lists the valid ones.
        """
        wanted = text.strip().lower()
        for member in cls:
            if member.value == wanted:
                return member
        choices = ", ".join(m.value for m in cls)
        raise _ProfileError(f"{option}: '{text}' is not one of {choices}")


class _ProfileError(LlmError, ValueError):
    """A profile setting has an invalid value."""


DEFAULT_BASE_URLS: dict[ProfileKind, str] = {
    ProfileKind.OPENAI: "https://api.openai.com/v1",
    ProfileKind.ANTHROPIC: "https://api.anthropic.com",
    ProfileKind.OLLAMA: "http://localhost:11434",
}
"""Where each kind's requests go when the profile names no base URL."""

DEFAULT_MODELS: dict[ProfileKind, str] = {
    ProfileKind.OPENAI: "gpt-4o-mini",
    ProfileKind.ANTHROPIC: "claude-haiku-4-5",
    ProfileKind.OLLAMA: "llama3.2",
}
"""The model used when the profile names none."""

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def check_endpoint(url: str) -> str:
    """Return ``url`` without a trailing slash if it may carry an API key.

    https is required, except for ``localhost``, ``127.0.0.1`` and ``::1`` (a model served on
    this machine). Credentials inside the URL are refused: they would end up in logs.

    Raises:
        InsecureEndpointError: the URL is not usable or not allowed.
    """
    import httpx  # noqa: PLC0415 — loaded when a profile is checked, not at start-up

    text = url.strip().rstrip("/")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InsecureEndpointError(f"AI base URL '{text}' is not a valid URL") from None
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise InsecureEndpointError(
            f"AI base URL '{text}' must start with https:// (http:// only for localhost)"
        )
    if parsed.userinfo:
        raise InsecureEndpointError(
            "AI base URL must not contain a user name or password; the key goes in the keyring "
            f"or {ENV_API_KEY}"
        )
    if parsed.scheme == "http" and not _is_loopback(parsed.host):
        raise InsecureEndpointError(
            f"AI base URL '{text}' must use https: plain http is allowed only for localhost, "
            "127.0.0.1 and ::1"
        )
    return text


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address in (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


@dataclass(frozen=True, slots=True)
class AiProfile:
    """Settings of one AI profile (the key is kept apart, in the keyring).

    Attributes:
        name: the profile's name; also its keyring entry.
        kind: the wire format.
        base_url: the server's base URL; empty for the kind's default.
        model: the model name; empty for the kind's default.
        temperature: sampling temperature, 0 … 2.
        timeout_s: seconds to wait for one answer.
        max_concurrent: requests in flight at once.
        request_budget: HTTP requests one job may send (retries included).
        cache: keep answers in the on-disk cache ("don't cache" when False).
    """

    name: str = "default"
    kind: ProfileKind = ProfileKind.OPENAI
    base_url: str = ""
    model: str = ""
    temperature: float = 0.2
    timeout_s: float = 60.0
    max_concurrent: int = 4
    request_budget: int = 50
    cache: bool = True

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise _ProfileError("AI profile: the name cannot be empty")
        if not 0.0 <= self.temperature <= 2.0:
            raise _ProfileError("AI profile: temperature must be between 0 and 2")
        if self.timeout_s <= 0:
            raise _ProfileError("AI profile: the timeout must be positive")
        if self.max_concurrent < 1:
            raise _ProfileError("AI profile: at least one request must be allowed at a time")
        if self.request_budget < 1:
            raise _ProfileError("AI profile: the request budget must be at least 1")
        if self.base_url:
            object.__setattr__(self, "base_url", check_endpoint(self.base_url))

    @property
    def endpoint(self) -> str:
        """The base URL in effect."""
        return self.base_url or DEFAULT_BASE_URLS[self.kind]

    @property
    def model_name(self) -> str:
        """The model in effect."""
        return self.model or DEFAULT_MODELS[self.kind]

    @property
    def is_local(self) -> bool:
        """Whether the endpoint is on this machine (a key is then usually not needed)."""
        import httpx  # noqa: PLC0415

        return _is_loopback(httpx.URL(self.endpoint).host)

    def replace(self, **changes: Any) -> AiProfile:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain data, for a settings file (no key: there is none here)."""
        data = dataclasses.asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """A profile from :meth:`to_dict`'s output; unknown keys are ignored.

        Raises:
            LlmError: a setting has an invalid value.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "kind" in values:
            values["kind"] = ProfileKind.parse(str(values["kind"]), option="AI profile kind")
        try:
            return cls(**values)
        except TypeError as exc:
            raise _ProfileError(f"AI profile: {exc}") from None


def profile_from_env(env: Mapping[str, str], saved: AiProfile | None = None) -> AiProfile | None:
    """The profile in effect: ``saved`` with the ``TDGEN_AI_*`` variables laid over it.

    Returns None when no profile is saved and ``TDGEN_AI_PROVIDER`` is not set (no AI).
    Changing the kind through the environment resets base URL and model to the new kind's
    defaults unless they are set in the environment too.

    Raises:
        LlmError: a variable has an invalid value (an unknown kind, a plain-http remote URL).
    """
    kind_text = env.get(ENV_PROVIDER, "").strip()
    if not kind_text and saved is None:
        return None
    profile = saved or AiProfile(kind=ProfileKind.parse(kind_text))
    changes: dict[str, Any] = {}
    if kind_text:
        kind = ProfileKind.parse(kind_text)
        if kind is not profile.kind:
            changes.update(kind=kind, base_url="", model="")
    base_url = env.get(ENV_BASE_URL, "").strip()
    if base_url:
        changes["base_url"] = base_url
    model = env.get(ENV_MODEL, "").strip()
    if model:
        changes["model"] = model
    return profile.replace(**changes) if changes else profile
