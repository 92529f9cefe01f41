"""The AI client: OpenAI-compatible, Anthropic and Ollama wire formats over one async httpx client.

No Qt here: the window hands a qasync loop to :class:`LoopRunner`; the command line lets it
start its own. Prompts carry schema metadata only (names, types, constraints, descriptions).
"""

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
