"""The three wire formats: how a prompt becomes an HTTP request and an answer becomes data.

* OpenAI-compatible Chat Completions: ``POST {base}/chat/completions`` with
  ``response_format: {"type": "json_schema", …}``.
* Anthropic Messages: ``POST {base}/v1/messages`` with one tool whose ``input_schema`` is the
  answer's schema, and ``tool_choice`` forcing it.
* Ollama: ``POST {base}/api/chat`` with ``format`` set to the answer's schema.

Parsing is strict: the answer must be JSON of the requested shape, and an answer cut off at the
token limit is refused even when what arrived happens to parse.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from tdgen_desktop.llm.errors import LlmAnswerError
from tdgen_desktop.llm.prompts import ANSWER_NAME, Prompt
from tdgen_desktop.llm.settings import ProfileKind

__all__ = ["ANTHROPIC_VERSION", "Completion", "Wire", "wire_for"]

ANTHROPIC_VERSION = "2023-06-01"
"""The ``anthropic-version`` header sent with every Anthropic request."""

_SNIPPET = 120


@dataclass(frozen=True, slots=True)
class Completion:
    """A parsed answer.

    Attributes:
        data: the structured answer (``{"records": […]}``).
        model: the model that answered, as the server names it.
        tokens_in: prompt tokens, where the server reports them.
        tokens_out: answer tokens, where the server reports them.
    """

    data: dict[str, Any]
    model: str = ""
    tokens_in: int | None = None
    tokens_out: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain data for the answer cache."""
        return {
            "data": self.data,
            "model": self.model,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
        }

    @classmethod
    def from_json(cls, raw: Any) -> Completion:
        """The inverse of :meth:`to_json`.

        Raises:
            LlmAnswerError: ``raw`` is not what :meth:`to_json` writes.
        """
        if not isinstance(raw, dict) or not isinstance(raw.get("data"), dict):
            raise LlmAnswerError("a cached answer is damaged")
        return cls(
            raw["data"],
            str(raw.get("model") or ""),
            _count(raw.get("tokens_in")),
            _count(raw.get("tokens_out")),
        )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Wire(ABC):
    """One wire format."""

    kind: ProfileKind

    @property
    @abstractmethod
    def path(self) -> str:
        """The request path under the profile's base URL."""

    @abstractmethod
    def headers(self, key: str | None) -> dict[str, str]:
        """Request headers (authentication included)."""

    @abstractmethod
    def body(self, prompt: Prompt, model: str, temperature: float, seed: int) -> dict[str, Any]:
        """The JSON request body."""

    @abstractmethod
    def parse(self, payload: Any, prompt: Prompt) -> Completion:
        """The completion in a decoded response body.

        Raises:
            LlmAnswerError: the answer is missing, cut off, refused or of the wrong shape.
        """


def _messages(prompt: Prompt) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": prompt.system},
        {"role": "user", "content": prompt.user},
    ]


def _decode(text: Any, prompt: Prompt) -> dict[str, Any]:
    if not isinstance(text, str):
        raise LlmAnswerError("the answer has no text content")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LlmAnswerError(
            f"the answer is not valid JSON ({exc.msg} at character {exc.pos}): {text[:_SNIPPET]!r}"
        ) from None
    return _checked(data, prompt)


def _checked(data: Any, prompt: Prompt) -> dict[str, Any]:
    import jsonschema  # noqa: PLC0415 — loaded with the first answer, not at start-up

    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(prompt.strict_schema).iter_errors(data)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        raise LlmAnswerError(
            f"the answer does not have the requested structure (at {where}: "
            f"{error.message[:_SNIPPET]})"
        )
    assert isinstance(data, dict)  # noqa: S101 — the strict schema requires an object
    return data


def _usage(body: dict[str, Any]) -> dict[str, Any]:
    usage = body.get("usage")
    return usage if isinstance(usage, dict) else {}


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise LlmAnswerError(f"the server's answer is not a JSON object ({what})")
    return payload


class _OpenAI(Wire):
    kind = ProfileKind.OPENAI

    @property
    def path(self) -> str:
        return "/chat/completions"

    def headers(self, key: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"} if key else {}

    def body(self, prompt: Prompt, model: str, temperature: float, seed: int) -> dict[str, Any]:
        return {
            "model": model,
            "messages": _messages(prompt),
            "temperature": temperature,
            "max_tokens": prompt.max_tokens,
            "seed": seed,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": ANSWER_NAME,
                    "strict": True,
                    "schema": prompt.answer_schema,
                },
            },
        }

    def parse(self, payload: Any, prompt: Prompt) -> Completion:
        body = _object(payload, "chat completion")
        choices = body.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise LlmAnswerError("the answer has no choices")
        choice = choices[0]
        message = choice.get("message")
        if not isinstance(message, dict):
            raise LlmAnswerError("the answer has no message")
        refusal = message.get("refusal")
        if isinstance(refusal, str) and refusal:
            raise LlmAnswerError(f"the model refused: {refusal[:_SNIPPET]}")
        if choice.get("finish_reason") == "length":
            raise LlmAnswerError("the answer was cut off at the token limit")
        usage = _usage(body)
        return Completion(
            _decode(message.get("content"), prompt),
            str(body.get("model") or ""),
            _count(usage.get("prompt_tokens")),
            _count(usage.get("completion_tokens")),
        )


class _Anthropic(Wire):
    kind = ProfileKind.ANTHROPIC

    @property
    def path(self) -> str:
        return "/v1/messages"

    def headers(self, key: str | None) -> dict[str, str]:
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if key:
            headers["x-api-key"] = key
        return headers

    def body(self, prompt: Prompt, model: str, temperature: float, seed: int) -> dict[str, Any]:  # noqa: ARG002 — Anthropic takes no seed
        return {
            "model": model,
            "max_tokens": prompt.max_tokens,
            "temperature": min(temperature, 1.0),
            "system": prompt.system,
            "messages": [{"role": "user", "content": prompt.user}],
            "tools": [
                {
                    "name": ANSWER_NAME,
                    "description": "Return the records asked for.",
                    "input_schema": prompt.answer_schema,
                }
            ],
            "tool_choice": {"type": "tool", "name": ANSWER_NAME},
        }

    def parse(self, payload: Any, prompt: Prompt) -> Completion:
        body = _object(payload, "message")
        if body.get("stop_reason") == "max_tokens":
            raise LlmAnswerError("the answer was cut off at the token limit")
        content = body.get("content")
        if not isinstance(content, list):
            raise LlmAnswerError("the answer has no content")
        for block in content:
            if (
                isinstance(block, dict)
                and block.get("type") == "tool_use"
                and block.get("name") == ANSWER_NAME
            ):
                usage = _usage(body)
                return Completion(
                    _checked(block.get("input"), prompt),
                    str(body.get("model") or ""),
                    _count(usage.get("input_tokens")),
                    _count(usage.get("output_tokens")),
                )
        raise LlmAnswerError(f"the answer does not use the {ANSWER_NAME} tool")


class _Ollama(Wire):
    kind = ProfileKind.OLLAMA

    @property
    def path(self) -> str:
        return "/api/chat"

    def headers(self, key: str | None) -> dict[str, str]:
        # Ollama itself takes no key; a proxy in front of it may.
        return {"Authorization": f"Bearer {key}"} if key else {}

    def body(self, prompt: Prompt, model: str, temperature: float, seed: int) -> dict[str, Any]:
        return {
            "model": model,
            "messages": _messages(prompt),
            "stream": False,
            "format": prompt.answer_schema,
            "options": {"temperature": temperature, "seed": seed, "num_predict": prompt.max_tokens},
        }

    def parse(self, payload: Any, prompt: Prompt) -> Completion:
        body = _object(payload, "chat")
        if isinstance(body.get("error"), str):
            raise LlmAnswerError(f"the server reports: {body['error'][:_SNIPPET]}")
        if body.get("done_reason") == "length":
            raise LlmAnswerError("the answer was cut off at the token limit")
        message = body.get("message")
        if not isinstance(message, dict):
            raise LlmAnswerError("the answer has no message")
        return Completion(
            _decode(message.get("content"), prompt),
            str(body.get("model") or ""),
            _count(body.get("prompt_eval_count")),
            _count(body.get("eval_count")),
        )


_WIRES: dict[ProfileKind, Wire] = {w.kind: w for w in (_OpenAI(), _Anthropic(), _Ollama())}


def wire_for(kind: ProfileKind) -> Wire:
    """The wire format of a profile kind."""
    return _WIRES[kind]
