"""AI profiles: defaults, validation, environment overrides and the https rule."""

from __future__ import annotations

import pytest

from tdgen_desktop.llm import (
    AiProfile,
    InsecureEndpointError,
    LlmError,
    ProfileKind,
    check_endpoint,
    profile_from_env,
)


def test_defaults_per_kind() -> None:
    assert AiProfile().endpoint == "https://api.openai.com/v1"
    assert AiProfile(kind=ProfileKind.ANTHROPIC).endpoint == "https://api.anthropic.com"
    ollama = AiProfile(kind=ProfileKind.OLLAMA)
    assert ollama.endpoint == "http://localhost:11434"
    assert ollama.is_local
    assert ollama.model_name == "llama3.2"
    assert not AiProfile().is_local


@pytest.mark.parametrize(
    "url",
    [
        "https://api.openai.com/v1",
        "https://openrouter.ai/api/v1/",
        "http://localhost:1234/v1",
        "http://127.0.0.1:8080",
        "http://[::1]:11434",
    ],
)
def test_allowed_endpoints(url: str) -> None:
    assert check_endpoint(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "word"),
    [
        ("http://api.example.com/v1", "https"),
        ("http://10.0.0.5:11434", "https"),
        ("http://localhost.example.com", "https"),
        ("ftp://example.com", "https://"),
        ("https://user:secret@example.com", "user name"),
        ("not a url", "https://"),
    ],
)
def test_refused_endpoints(url: str, word: str) -> None:
    with pytest.raises(InsecureEndpointError) as info:
        check_endpoint(url)
    assert word in info.value.message
    assert "secret" not in info.value.message


def test_profile_checks_its_settings() -> None:
    with pytest.raises(InsecureEndpointError):
        AiProfile(base_url="http://models.example.com")
    for bad in ({"temperature": 3.0}, {"timeout_s": 0}, {"max_concurrent": 0}):
        with pytest.raises(LlmError):
            AiProfile(**bad)
    with pytest.raises(LlmError):
        AiProfile(request_budget=0)


def test_round_trip_through_plain_data() -> None:
    profile = AiProfile(
        name="work",
        kind=ProfileKind.ANTHROPIC,
        model="claude-x",
        temperature=0.7,
        max_concurrent=2,
        request_budget=9,
        cache=False,
    )
    data = profile.to_dict()
    assert data["kind"] == "anthropic"
    assert "key" not in " ".join(data)
    assert AiProfile.from_dict({**data, "unknown": 1}) == profile


def test_no_profile_without_environment() -> None:
    assert profile_from_env({}) is None


def test_environment_builds_a_profile() -> None:
    profile = profile_from_env(
        {
            "TDGEN_AI_PROVIDER": "Anthropic",
            "TDGEN_AI_MODEL": "claude-test",
            "TDGEN_AI_BASE_URL": "https://proxy.example.com/",
        }
    )
    assert profile is not None
    assert profile.kind is ProfileKind.ANTHROPIC
    assert profile.model_name == "claude-test"
    assert profile.endpoint == "https://proxy.example.com"


def test_environment_overrides_the_saved_profile() -> None:
    saved = AiProfile(name="work", base_url="https://a.example.com/v1", model="m1", temperature=0.9)
    same = profile_from_env({}, saved)
    assert same == saved
    model = profile_from_env({"TDGEN_AI_MODEL": "m2"}, saved)
    assert model is not None
    assert (model.name, model.model, model.endpoint, model.temperature) == (
        "work",
        "m2",
        "https://a.example.com/v1",
        0.9,
    )
    switched = profile_from_env({"TDGEN_AI_PROVIDER": "ollama"}, saved)
    assert switched is not None
    assert switched.kind is ProfileKind.OLLAMA
    assert switched.endpoint == "http://localhost:11434"  # the saved URL was OpenAI's
    assert switched.model_name == "llama3.2"


def test_bad_environment_values_are_refused() -> None:
    with pytest.raises(LlmError) as info:
        profile_from_env({"TDGEN_AI_PROVIDER": "gemini"})
    assert "openai, anthropic, ollama" in info.value.message
    with pytest.raises(InsecureEndpointError):
        profile_from_env({"TDGEN_AI_PROVIDER": "openai", "TDGEN_AI_BASE_URL": "http://x.org"})
