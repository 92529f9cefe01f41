"""The HTTP client against a real server on 127.0.0.1: three wire formats, retries, faults, TLS."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ai_server import API_KEY, WIRES, AiTestServer, closed_port, server_value

from tdgen_desktop.core.enums import FieldType
from tdgen_desktop.core.errors import CancelledError
from tdgen_desktop.core.model import Constraints, Field, Table
from tdgen_desktop.llm import (
    AiCost,
    AiSession,
    Completion,
    LlmAnswerError,
    LlmAuthError,
    LlmBudgetError,
    LlmConnectionError,
    LlmError,
    LlmHttpError,
    LlmRateLimitError,
    LlmServerError,
    LlmTimeoutError,
    Prompt,
    RetryPolicy,
    pool_prompt,
)

TABLE = Table(
    "product",
    [
        Field("product_name", FieldType.STRING, constraints=Constraints(max_length=30)),
        Field("price", FieldType.NUMBER, constraints=Constraints(minimum=1, maximum=50)),
    ],
)


def _prompt(count: int = 5) -> Prompt:
    return pool_prompt(TABLE, TABLE.fields, count, 7)


def _ask(session: AiSession, prompt: Prompt | None = None) -> Completion:
    job = session.new_job()
    answer = session.ask_all_blocking([prompt or _prompt()], seed=7, job=job)[0]
    if isinstance(answer, LlmError):
        raise answer
    return answer


@pytest.mark.parametrize("wire", WIRES)
def test_structured_answer_in_each_wire_format(
    wire: str, make_session: object, ai_server: AiTestServer
) -> None:
    session = make_session(wire)  # type: ignore[operator]
    completion = _ask(session)
    specs = [
        {"name": "price", "type": "number", "constraints": {"minimum": 1, "maximum": 50}},
        {"name": "product_name", "type": "string", "constraints": {"maxLength": 30}},
    ]
    expected = [{s["name"]: server_value(s, i) for s in specs} for i in range(5)]
    assert completion.data == {"records": expected}
    assert completion.model == "test-model-1"
    assert completion.tokens_in
    assert completion.tokens_out
    (request,) = ai_server.requests
    body = request.body
    assert body["model"] == "test-model"
    if wire == "openai":
        assert request.path == "/v1/chat/completions"
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        assert body["response_format"]["type"] == "json_schema"
        schema = body["response_format"]["json_schema"]["schema"]
    elif wire == "anthropic":
        assert request.path == "/v1/messages"
        assert request.headers["x-api-key"] == API_KEY
        assert request.headers["anthropic-version"]
        assert body["tool_choice"] == {"type": "tool", "name": "tdgen_records"}
        schema = body["tools"][0]["input_schema"]
    else:
        assert request.path == "/api/chat"
        assert body["stream"] is False
        schema = body["format"]
    assert schema["properties"]["records"]["items"]["required"] == ["product_name", "price"]


def test_cost_is_counted(make_session: object) -> None:
    session: AiSession = make_session(cache=False)  # type: ignore[operator]
    job = session.new_job()
    session.ask_all_blocking([_prompt(3), _prompt(4)], seed=1, job=job)
    assert job.cost.requests == 2
    assert job.cost.tokens_in > 0
    assert job.cost.tokens_out > 0
    assert job.cost.cache_hits == 0
    assert "2 requests" in job.cost.summary()


def test_cost_summary_counts_in_words() -> None:
    assert AiCost(1, 0, 1_204, 2_310, 1).summary() == (
        "1 request, 1,204 tokens in / 2,310 out, 1 cache hit"
    )
    assert AiCost(3, 1, 0, 0, 0).summary() == (
        "3 requests (1 retry), 0 tokens in / 0 out, 0 cache hits"
    )
    assert (
        AiCost(4, 2, 5, 6, 2).summary()
        == "4 requests (2 retries), 5 tokens in / 6 out, 2 cache hits"
    )


@pytest.mark.parametrize("status", ["401", "403"])
@pytest.mark.parametrize("wire", WIRES)
def test_refused_key_is_not_retried(
    status: str, wire: str, make_session: object, ai_server: AiTestServer
) -> None:
    ai_server.fault = status
    session = make_session(wire)  # type: ignore[operator]
    with pytest.raises(LlmAuthError) as info:
        _ask(session)
    assert "check the API key" in info.value.message
    assert f"({status})" in info.value.message
    assert len(ai_server.requests) == 1
    assert API_KEY not in repr(info.value) + str(info.value)


def test_a_wrong_key_is_refused(make_session: object, ai_server: AiTestServer) -> None:
    session = make_session(key="sk-wrong-key-000000")  # type: ignore[operator]
    with pytest.raises(LlmAuthError):
        _ask(session)
    session = make_session(key=None)  # type: ignore[operator]
    with pytest.raises(LlmAuthError):
        _ask(session)
    assert "authorization" not in ai_server.requests[-1].headers


def test_429_honours_retry_after(make_session: object, ai_server: AiTestServer) -> None:
    ai_server.fault, ai_server.fault_count, ai_server.retry_after = "429", 1, "1"
    session = make_session()  # type: ignore[operator]
    job = session.new_job()
    started = time.perf_counter()
    answer = session.ask_all_blocking([_prompt()], seed=7, job=job)[0]
    elapsed = time.perf_counter() - started
    assert isinstance(answer, Completion)
    assert [r.status for r in ai_server.requests] == [429, 200]
    assert elapsed >= 0.95  # waited as Retry-After asked, not the 10 ms backoff
    assert job.cost.requests == 2
    assert job.cost.retries == 1


def test_429_gives_up_after_bounded_retries(make_session: object, ai_server: AiTestServer) -> None:
    ai_server.fault, ai_server.retry_after = "429", "0"
    session = make_session()  # type: ignore[operator]
    with pytest.raises(LlmRateLimitError) as info:
        _ask(session)
    assert len(ai_server.requests) == 3  # 1 + max_retries (2)
    assert "429" in info.value.message


def test_429_with_a_long_retry_after_fails_at_once(
    make_session: object, ai_server: AiTestServer
) -> None:
    ai_server.fault, ai_server.retry_after = "429", "3600"
    session = make_session()  # type: ignore[operator]
    started = time.perf_counter()
    with pytest.raises(LlmRateLimitError) as info:
        _ask(session)
    assert time.perf_counter() - started < 1
    assert "3600 s" in info.value.message
    assert len(ai_server.requests) == 1


def test_backoff_is_bounded() -> None:
    policy = RetryPolicy(backoff_s=0.5, max_backoff_s=4)
    assert [policy.backoff(n) for n in range(6)] == [0.5, 1, 2, 4, 4, 4]


def test_5xx_bounded_retries_then_success_or_failure(
    make_session: object, ai_server: AiTestServer
) -> None:
    ai_server.fault, ai_server.fault_count = "500", 2
    session = make_session(cache=False)  # type: ignore[operator]
    assert isinstance(_ask(session), Completion)
    assert [r.status for r in ai_server.requests] == [500, 500, 200]
    ai_server.reset()
    ai_server.fault = "500"
    with pytest.raises(LlmServerError) as info:
        _ask(session)
    assert len(ai_server.requests) == 3
    assert "still after 2 retries" in info.value.message


def test_other_http_errors_are_not_retried(make_session: object) -> None:
    session = make_session(base_url=None)  # type: ignore[operator]
    session.profile = session.profile.replace(base_url=session.profile.endpoint + "/nothing")
    with pytest.raises(LlmHttpError) as info:
        _ask(session)
    assert "404" in info.value.message


def test_timeout(make_session: object, ai_server: AiTestServer) -> None:
    ai_server.fault, ai_server.delay_s = "timeout", 5
    session = make_session(timeout_s=0.3)  # type: ignore[operator]
    started = time.perf_counter()
    with pytest.raises(LlmTimeoutError) as info:
        _ask(session)
    assert time.perf_counter() - started < 2
    assert "0.3 s" in info.value.message


def test_connection_refused(make_session: object) -> None:
    session = make_session(base_url=f"http://127.0.0.1:{closed_port()}/v1")  # type: ignore[operator]
    with pytest.raises(LlmConnectionError) as info:
        _ask(session)
    assert "cannot connect" in info.value.message
    assert info.value.fatal


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("malformed", ("not valid JSON", "does not use the tdgen_records tool")),
        ("malformed_body", ("not JSON",)),
        ("truncated", ("cut off",)),
    ],
)
def test_bad_answers_are_refused(
    wire: str, fault: str, words: tuple[str, ...], make_session: object, ai_server: AiTestServer
) -> None:
    ai_server.fault = fault
    session = make_session(wire)  # type: ignore[operator]
    with pytest.raises(LlmAnswerError) as info:
        _ask(session)
    assert any(word in info.value.message for word in words), info.value.message
    assert len(ai_server.requests) == 1


def test_budget_stops_requests(make_session: object, ai_server: AiTestServer) -> None:
    session = make_session(request_budget=2, cache=False)  # type: ignore[operator]
    job = session.new_job()
    answers = session.ask_all_blocking([_prompt(n) for n in (1, 2, 3, 4)], seed=0, job=job)
    assert sum(isinstance(a, Completion) for a in answers) == 2
    assert sum(isinstance(a, LlmBudgetError) for a in answers) == 2
    assert len(ai_server.requests) == 2


def test_a_fatal_error_stops_the_other_requests(
    make_session: object, ai_server: AiTestServer
) -> None:
    ai_server.fault = "401"
    session = make_session(max_concurrent=1)  # type: ignore[operator]
    job = session.new_job()
    answers = session.ask_all_blocking([_prompt(n) for n in (1, 2, 3)], seed=0, job=job)
    assert all(isinstance(a, LlmAuthError) for a in answers)
    assert len(ai_server.requests) == 1


def test_cancel_aborts_in_flight_requests(make_session: object, ai_server: AiTestServer) -> None:
    ai_server.fault, ai_server.delay_s = "timeout", 20
    session = make_session(timeout_s=30)  # type: ignore[operator]
    flag = threading.Event()
    outcome: list[object] = []

    def work() -> None:
        try:
            session.ask_all_blocking(
                [_prompt()], seed=0, job=session.new_job(), cancelled=flag.is_set
            )
        except CancelledError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 5
    while ai_server.in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ai_server.in_flight == 1
    started = time.perf_counter()
    flag.set()
    thread.join(timeout=5)
    assert time.perf_counter() - started < 1
    assert len(outcome) == 1
    assert isinstance(outcome[0], CancelledError)


def test_test_connection_reports_model_and_latency(make_session: object) -> None:
    session: AiSession = make_session()  # type: ignore[operator]
    report = session.runner.run(session.test_connection)
    assert report.model == "test-model-1"
    assert 0 < report.latency_s < 5


def test_the_window_can_await_on_its_own_loop(ai_server: AiTestServer) -> None:
    """The GUI's way: the session's runner wraps the app's loop and coroutines are awaited."""
    import asyncio  # noqa: PLC0415

    from tdgen_desktop.llm import AiProfile, LoopRunner, ProfileKind  # noqa: PLC0415

    async def main() -> tuple[str, list[object]]:
        loop = asyncio.get_running_loop()
        profile = AiProfile(kind=ProfileKind.OLLAMA, base_url=ai_server.url, model="m")
        session = AiSession(profile, None, runner=LoopRunner(loop))
        report = await session.test_connection()
        answers = await session.ask_all([_prompt()], seed=0, job=session.new_job())
        with pytest.raises(RuntimeError):  # blocking on the loop's own thread would deadlock
            session.ask_all_blocking([_prompt()], seed=0, job=session.new_job())
        await session.aclose()
        return report.model, list(answers)

    model, answers = asyncio.run(main())
    assert model == "test-model-1"
    assert isinstance(answers[0], Completion)


# ------------------------------------------------------------------ TLS


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    """An https server on 127.0.0.1 with a self-signed certificate (not trusted)."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make a test certificate (.ci/run installs it)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_certificates_are_checked(make_session: object, tls_server: str) -> None:
    session = make_session(base_url=tls_server)  # type: ignore[operator]
    with pytest.raises(LlmConnectionError) as info:
        _ask(session)
    assert "certificate" in info.value.message
