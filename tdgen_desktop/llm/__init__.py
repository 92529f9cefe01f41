"""The AI client: OpenAI-compatible, Anthropic and Ollama wire formats over one async httpx client.

No Qt here: the window hands a qasync loop to :class:`LoopRunner`; the command line lets it
start its own. Prompts carry schema metadata only (names, types, constraints, descriptions).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tdgen_desktop.llm.cache import AnswerCache
    from tdgen_desktop.llm.client import AiCost, AiJob, LlmClient, RetryPolicy
    from tdgen_desktop.llm.errors import (
        InsecureEndpointError,
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
    from tdgen_desktop.llm.prompts import Prompt, pool_prompt, rows_prompt
    from tdgen_desktop.llm.runner import LoopRunner
    from tdgen_desktop.llm.secret import Secret, redact
    from tdgen_desktop.llm.session import AiSession, ConnectionReport
    from tdgen_desktop.llm.settings import (
        ENV_API_KEY,
        ENV_BASE_URL,
        ENV_MODEL,
        ENV_PROVIDER,
        AiProfile,
        ProfileKind,
        check_endpoint,
        profile_from_env,
    )
    from tdgen_desktop.llm.wire import Completion

_WHERE = {
    "AiCost": "tdgen_desktop.llm.client",
    "AiJob": "tdgen_desktop.llm.client",
    "AiProfile": "tdgen_desktop.llm.settings",
    "AiSession": "tdgen_desktop.llm.session",
    "AnswerCache": "tdgen_desktop.llm.cache",
    "Completion": "tdgen_desktop.llm.wire",
    "ConnectionReport": "tdgen_desktop.llm.session",
    "ENV_API_KEY": "tdgen_desktop.llm.settings",
    "ENV_BASE_URL": "tdgen_desktop.llm.settings",
    "ENV_MODEL": "tdgen_desktop.llm.settings",
    "ENV_PROVIDER": "tdgen_desktop.llm.settings",
    "InsecureEndpointError": "tdgen_desktop.llm.errors",
    "LlmAnswerError": "tdgen_desktop.llm.errors",
    "LlmAuthError": "tdgen_desktop.llm.errors",
    "LlmBudgetError": "tdgen_desktop.llm.errors",
    "LlmClient": "tdgen_desktop.llm.client",
    "LlmConnectionError": "tdgen_desktop.llm.errors",
    "LlmError": "tdgen_desktop.llm.errors",
    "LlmHttpError": "tdgen_desktop.llm.errors",
    "LlmRateLimitError": "tdgen_desktop.llm.errors",
    "LlmServerError": "tdgen_desktop.llm.errors",
    "LlmTimeoutError": "tdgen_desktop.llm.errors",
    "LoopRunner": "tdgen_desktop.llm.runner",
    "ProfileKind": "tdgen_desktop.llm.settings",
    "Prompt": "tdgen_desktop.llm.prompts",
    "RetryPolicy": "tdgen_desktop.llm.client",
    "Secret": "tdgen_desktop.llm.secret",
    "check_endpoint": "tdgen_desktop.llm.settings",
    "pool_prompt": "tdgen_desktop.llm.prompts",
    "profile_from_env": "tdgen_desktop.llm.settings",
    "redact": "tdgen_desktop.llm.secret",
    "rows_prompt": "tdgen_desktop.llm.prompts",
}
"""Where each name lives: the submodules load on first use, so importing the package (the window
does at start-up) does not import httpx or the wire formats until an AI feature needs them."""


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_MODEL",
    "ENV_PROVIDER",
    "AiCost",
    "AiJob",
    "AiProfile",
    "AiSession",
    "AnswerCache",
    "Completion",
    "ConnectionReport",
    "InsecureEndpointError",
    "LlmAnswerError",
    "LlmAuthError",
    "LlmBudgetError",
    "LlmClient",
    "LlmConnectionError",
    "LlmError",
    "LlmHttpError",
    "LlmRateLimitError",
    "LlmServerError",
    "LlmTimeoutError",
    "LoopRunner",
    "ProfileKind",
    "Prompt",
    "RetryPolicy",
    "Secret",
    "check_endpoint",
    "pool_prompt",
    "profile_from_env",
    "redact",
    "rows_prompt",
]
