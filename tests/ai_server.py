"""A model server for tests: a real HTTP server on 127.0.0.1 speaking all three wire formats.

* OpenAI-compatible ``POST /v1/chat/completions`` (base URL ``{url}/v1``),
* Anthropic ``POST /v1/messages`` (base URL ``{url}``),
* Ollama ``POST /api/chat`` (base URL ``{url}``).

It answers deterministically from the prompt: the field list (``FIELDS (JSON): …``) and the
record count (``Write N records`` / ``Write N rows (rows A to B)``) decide the values, which
:func:`server_value` derives from each field's name and constraints (``Description #3``).
Faults are switched on with :attr:`AiTestServer.fault` — ``401``, ``403``, ``429`` (with
``Retry-After``), ``500``, ``timeout`` (answers after :attr:`AiTestServer.delay_s`),
``malformed`` (not JSON), ``malformed_body`` (a non-JSON HTTP body), ``truncated`` (cut off at
the token limit), ``violating`` (values that break their constraints) and ``echo_key`` (a 400
whose body repeats the key) — for every request
or, with :attr:`AiTestServer.fault_count`, only the first few. A refused connection is a closed
port: :func:`closed_port`. Every request is recorded.
"""

from __future__ import annotations

import decimal
import json
import random
import re
import socket
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import keyring.backend
import keyring.errors
import rstr

from tdgen_desktop.llm import RetryPolicy

API_KEY = "sk-tdgen-test-7f3a9c2e1b5d"
"""The key the AI tests use; tests scan the files they write for it."""

WIRES = ("openai", "anthropic", "ollama")
"""The three wire formats the server speaks."""

FAST_RETRY = RetryPolicy(max_retries=2, backoff_s=0.01, max_backoff_s=0.05, max_retry_after_s=5)
"""A retry policy that keeps tests quick."""

FAULTS = (
    "401",
    "403",
    "429",
    "500",
    "timeout",
    "malformed",
    "malformed_body",
    "truncated",
    "violating",
    "echo_key",
)

_COUNT_RE = re.compile(r"Write (\d+) (?:records|rows)")
_FIRST_ROW_RE = re.compile(r"\(rows (\d+) to \d+\)")
_FIELDS_PREFIX = "FIELDS (JSON): "


@dataclass
class Recorded:
    """One request the server received."""

    path: str
    wire: str
    headers: dict[str, str]
    body: Any
    status: int = 0
    fault: str | None = None
    fields: list[str] = field(default_factory=list)


def _seed(*parts: object) -> int:
    return zlib.crc32(repr(parts).encode())


def _fit(text: str, c: dict[str, Any]) -> str:
    low, high = c.get("minLength", 0), c.get("maxLength")
    if high is not None and len(text) > high:
        text = text[:high]
    while len(text) < low:
        text += "x"
    return text


def _number(spec: dict[str, Any], index: int) -> int | float:
    c = spec.get("constraints", {})
    integer = spec["type"] == "integer"
    step = decimal.Decimal(repr(c.get("multipleOf", 1 if integer else 0.01)))
    if "minimum" in c:
        low = decimal.Decimal(repr(c["minimum"]))
    elif "exclusiveMinimum" in c:
        low = decimal.Decimal(repr(c["exclusiveMinimum"])) + step
    else:
        low = decimal.Decimal(1)
    if "maximum" in c:
        high = decimal.Decimal(repr(c["maximum"]))
    elif "exclusiveMaximum" in c:
        high = decimal.Decimal(repr(c["exclusiveMaximum"])) - step
    else:
        high = low + 1000
    first = (low / step).to_integral_value(rounding=decimal.ROUND_CEILING) * step
    count = int((high - first) / step) + 1
    value = first + step * ((index * 7) % max(count, 1))
    return int(value) if integer else float(value)


def _text(spec: dict[str, Any], index: int) -> str:
    c = spec.get("constraints", {})
    name, fmt = spec["name"], c.get("format")
    if fmt == "date":
        return f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}"
    if fmt == "date-time":
        return f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}T10:{index % 60:02d}:00Z"
    if fmt == "time":
        return f"10:{index % 60:02d}:00Z"
    if fmt == "uuid":
        return str(uuid.UUID(int=_seed(name, index) << 64 | index, version=4))
    if fmt in {"email", "idn-email"}:
        return f"{name.lower()}.{index}@example.com"
    if fmt in {"uri", "url", "iri"}:
        return f"https://example.com/{name.lower()}/{index}"
    if "pattern" in c:
        generator = rstr.Rstr(random.Random(_seed(name, index)))
        for _ in range(50):
            value = generator.xeger(c["pattern"])
            if c.get("minLength", 0) <= len(value) <= c.get("maxLength", 10**9):
                return value
        return value
    words = name.replace("_", " ").replace("-", " ").strip()
    suffix = f" #{index + 1}"
    label = words[:1].upper() + words[1:]
    high = c.get("maxLength")
    if high is not None and len(label) + len(suffix) > high:
        label = label[: max(high - len(suffix), 0)]
    return _fit(label + suffix, c)


def server_value(spec: dict[str, Any], index: int) -> Any:
    """The value the server answers for field ``spec`` in record ``index``."""
    c = spec.get("constraints", {})
    if c.get("enum"):
        return c["enum"][index % len(c["enum"])]
    if spec["type"] == "boolean":
        return index % 2 == 0
    if spec["type"] in {"integer", "number"}:
        return _number(spec, index)
    return _text(spec, index)


def violating_value(spec: dict[str, Any], index: int) -> Any:
    """A value that breaks the field's constraints (too long, out of bounds, wrong type)."""
    c = spec.get("constraints", {})
    if spec["type"] == "string" and "maxLength" in c:
        return "V" * (c["maxLength"] + 5 + index)
    if spec["type"] in {"integer", "number"} and "maximum" in c:
        return c["maximum"] + 1000 + index
    return 10_000 + index if spec["type"] == "string" else f"not a {spec['type']} {index}"


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AiTestServer:
    """The test model server. Use :func:`running_server` or ``start()`` / ``stop()``.

    Attributes:
        api_key: the key requests must carry (OpenAI ``Authorization``, Anthropic
            ``x-api-key``); None accepts any.
        fault: the fault to answer with (see the module docstring), or None.
        fault_count: answer only the first N requests with the fault; None: all.
        retry_after: the ``Retry-After`` header of a 429.
        delay_s: how long a ``timeout`` fault waits before answering.
        requests: every request received.
    """

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.fault: str | None = None
        self.fault_count: int | None = None
        self.retry_after = "1"
        self.delay_s = 5.0
        self.requests: list[Recorded] = []
        self.answered: dict[str, set[Any]] = {}
        self.model = "test-model-1"
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._faults_used = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.in_flight = 0
        self.disconnected = 0

    # ------------------------------------------------------------------ life cycle

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def base_url(self, wire: str) -> str:
        """The base URL a profile of kind ``wire`` uses."""
        return f"{self.url}/v1" if wire == "openai" else self.url

    def start(self) -> AiTestServer:
        """Listen on a free port of 127.0.0.1 and serve in a daemon thread."""
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (handlers waiting on a ``timeout`` fault return at once)."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def reset(self) -> None:
        """Forget recorded requests and switch faults off."""
        with self._lock:
            self.requests.clear()
            self.answered.clear()
            self.fault, self.fault_count, self._faults_used = None, None, 0

    def values_for(self, name: str) -> set[Any]:
        """Every value answered for field ``name`` so far."""
        with self._lock:
            return set(self.answered.get(name, set()))

    # ------------------------------------------------------------------ answering

    def _take_fault(self) -> str | None:
        with self._lock:
            if self.fault is None:
                return None
            if self.fault_count is not None and self._faults_used >= self.fault_count:
                return None
            self._faults_used += 1
            return self.fault

    def respond(
        self, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body for one request."""
        wire = {
            "/v1/chat/completions": "openai",
            "/v1/messages": "anthropic",
            "/api/chat": "ollama",
        }.get(path)
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            body = None
        record = Recorded(path, wire or "?", headers, body)
        with self._lock:
            self.requests.append(record)
        if wire is None or not isinstance(body, dict):
            record.status = 404 if wire is None else 400
            return record.status, {}, b'{"error": "bad request"}'
        if not self._authorised(wire, headers):
            record.status = 401
            return 401, {}, b'{"error": {"message": "invalid api key"}}'
        fault = self._take_fault()
        record.fault = fault
        status, extra, payload = self._answer(wire, body, fault, record)
        record.status = status
        return status, extra, payload

    def _authorised(self, wire: str, headers: dict[str, str]) -> bool:
        if self.api_key is None or wire == "ollama":
            return True
        if wire == "anthropic":
            return headers.get("x-api-key") == self.api_key
        return headers.get("authorization") == f"Bearer {self.api_key}"

    def _answer(
        self, wire: str, body: dict[str, Any], fault: str | None, record: Recorded
    ) -> tuple[int, dict[str, str], bytes]:
        if fault in {"401", "403", "500"}:
            return int(fault), {}, json.dumps({"error": {"message": f"fault {fault}"}}).encode()
        if fault == "echo_key":  # a careless server that repeats the key in its error
            echoed = record.headers.get("authorization") or record.headers.get("x-api-key")
            return 400, {}, json.dumps({"error": f"bad request from {echoed}"}).encode()
        if fault == "429":
            return 429, {"Retry-After": self.retry_after}, b'{"error": "slow down"}'
        if fault == "timeout":
            self._stopping.wait(self.delay_s)
        if fault == "malformed_body":
            return 200, {"Content-Type": "text/html"}, b"<html>502 Bad Gateway</html>"
        prompt = _user_text(wire, body)
        specs = _fields(prompt)
        record.fields = [s["name"] for s in specs]
        count_match = _COUNT_RE.search(prompt)
        count = int(count_match.group(1)) if count_match else 3
        first_match = _FIRST_ROW_RE.search(prompt)
        first = int(first_match.group(1)) - 1 if first_match else 0
        make = violating_value if fault == "violating" else server_value
        # Like a model, answer under each field's answer key (its name, or a safe spelling).
        records = [
            {s.get("answer_key", s["name"]): make(s, first + i) for s in specs}
            for i in range(count)
        ]
        if fault != "violating":
            with self._lock:
                for rec in records:
                    for spec in specs:
                        value = rec[spec.get("answer_key", spec["name"])]
                        self.answered.setdefault(spec["name"], set()).add(value)
        answer = {"records": records}
        content = json.dumps(answer)
        if fault == "truncated":
            content = content[: len(content) // 2]
        elif fault == "malformed":
            content = "Sure! Here are your records: {records: [oops"
        return (
            200,
            {"Content-Type": "application/json"},
            self._envelope(wire, body, answer, content, fault, prompt),
        )

    def _envelope(
        self,
        wire: str,
        body: dict[str, Any],
        answer: dict[str, Any],
        content: str,
        fault: str | None,
        prompt: str,
    ) -> bytes:
        tokens_in, tokens_out = len(prompt) // 4, len(content) // 4
        cut = fault == "truncated"
        if wire == "openai":
            payload: dict[str, Any] = {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": self.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "length" if cut else "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": tokens_in,
                    "completion_tokens": tokens_out,
                    "total_tokens": tokens_in + tokens_out,
                },
            }
        elif wire == "anthropic":
            tool = body.get("tools", [{}])[0].get("name", "answer")
            if cut or fault == "malformed":
                blocks: list[dict[str, Any]] = [{"type": "text", "text": content}]
            else:
                blocks = [{"type": "tool_use", "id": "toolu_test", "name": tool, "input": answer}]
            payload = {
                "id": "msg_test",
                "type": "message",
                "role": "assistant",
                "model": self.model,
                "content": blocks,
                "stop_reason": "max_tokens" if cut else "tool_use",
                "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
            }
        else:
            payload = {
                "model": self.model,
                "message": {"role": "assistant", "content": content},
                "done": True,
                "done_reason": "length" if cut else "stop",
                "prompt_eval_count": tokens_in,
                "eval_count": tokens_out,
            }
        return json.dumps(payload).encode()


def _user_text(wire: str, body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def _fields(prompt: str) -> list[dict[str, Any]]:
    for line in prompt.splitlines():
        if line.startswith(_FIELDS_PREFIX):
            specs = json.loads(line[len(_FIELDS_PREFIX) :])
            return [s for s in specs if isinstance(s, dict) and "name" in s]
    return [{"name": "fruit", "type": "string"}]


class _Handler(BaseHTTPRequestHandler):
    owner: AiTestServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.owner._lock:
            self.owner.in_flight += 1
        try:
            status, extra, payload = self.owner.respond(self.path, headers, raw)
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            if "Content-Type" not in extra:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            with self.owner._lock:
                self.owner.disconnected += 1
        finally:
            with self.owner._lock:
                self.owner.in_flight -= 1

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict (tests never touch a real keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@contextmanager
def running_server(api_key: str | None = None) -> Iterator[AiTestServer]:
    """A started server, stopped at the end."""
    server = AiTestServer(api_key).start()
    try:
        yield server
    finally:
        server.stop()
