"""``tdgen generate --provider hybrid`` as a user runs it, against the test model server.

The command runs in a subprocess (``python -m tdgen_desktop``) with the AI profile in the
environment (``TDGEN_AI_*``) and its own ``TDGEN_HOME``; the test model server runs in this
process on 127.0.0.1. After each test every file under the test's folder — output, answer
cache, logs — and everything the command printed is searched for the API key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ai_server import API_KEY, AiTestServer

from tdgen_desktop.core.validation import Oracle

pytestmark = pytest.mark.slow

CORPUS_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "jsonschema"
BOWER = CORPUS_SCHEMA / "bower.json"
TABLE = "json_schema_for_bower_configuration_files"


@pytest.fixture
def server() -> Iterator[AiTestServer]:
    server = AiTestServer(API_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def printed() -> list[str]:
    """Everything the commands of a test printed (searched for the key at the end)."""
    return []


@pytest.fixture(autouse=True)
def _no_key_anywhere(tmp_path: Path, printed: list[str]) -> Iterator[None]:
    yield
    leaks = [p for p in tmp_path.rglob("*") if p.is_file() and API_KEY.encode() in p.read_bytes()]
    assert leaks == []
    assert all(API_KEY not in text for text in printed)


def tdgen(
    *args: str | Path,
    cwd: Path,
    printed: list[str],
    env: dict[str, str | None],
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tdgen_desktop ARGS`` with ``env`` laid over this environment."""
    full = {**os.environ, "PYTHONIOENCODING": "utf-8", "TDGEN_HOME": str(cwd / "home")}
    for name in ("TDGEN_DEBUG", "TDGEN_AI_PROVIDER", "TDGEN_AI_BASE_URL", "TDGEN_AI_MODEL"):
        full.pop(name, None)
    full.pop("TDGEN_AI_API_KEY", None)
    for name, value in env.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    done = subprocess.run(
        [sys.executable, "-m", "tdgen_desktop", *map(str, args)],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    printed.extend([done.stdout, done.stderr])
    return done


def profile_env(server: AiTestServer, wire: str = "openai") -> dict[str, str | None]:
    return {
        "TDGEN_AI_PROVIDER": wire,
        "TDGEN_AI_BASE_URL": server.base_url(wire),
        "TDGEN_AI_MODEL": "test-model",
        "TDGEN_AI_API_KEY": API_KEY,
    }


def _read(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def bower() -> Path:
    if not BOWER.is_file():
        pytest.fail(f"the shared corpus is not at {CORPUS_SCHEMA}")
    return BOWER


def test_hybrid_enhances_a_corpus_schema_and_reruns_from_the_cache(
    bower: Path, tmp_path: Path, server: AiTestServer, printed: list[str]
) -> None:
    env = profile_env(server)
    args = ("generate", bower, "--rows", "25", "--format", "jsonl", "--seed", "1")
    first = tdgen(
        *args, "--provider", "hybrid", "--out", "one", cwd=tmp_path, printed=printed, env=env
    )
    assert first.returncode == 0, first.stderr
    assert "ai (hybrid, test-model): 2 field(s) with AI values; 1 request, " in first.stdout
    assert "tokens in /" in first.stdout
    assert "tdgen: warning" not in first.stderr
    assert len(server.requests) == 1
    assert server.requests[0].fields == ["name", "description"]

    rows = [json.loads(line) for line in (tmp_path / "one" / f"{TABLE}.jsonl").open()]
    assert len(rows) == 25
    oracle = Oracle(json.loads(bower.read_text(encoding="utf-8")))
    assert [oracle.first_error(row) for row in rows] == [None] * 25
    assert {row["name"] for row in rows} <= server.values_for("name")
    descriptions = {row["description"] for row in rows if "description" in row}
    assert descriptions
    assert descriptions <= server.values_for("description")

    # Hybrid is the default when a profile is configured; the answer comes from the cache.
    second = tdgen(*args, "--out", "two", cwd=tmp_path, printed=printed, env=env)
    assert second.returncode == 0, second.stderr
    assert "0 requests" in second.stdout
    assert "1 cache hit" in second.stdout
    assert len(server.requests) == 1  # the re-run sent nothing
    assert _read(tmp_path / "one") == _read(tmp_path / "two")
    assert list((tmp_path / "home" / "cache" / "ai").glob("*/*.json"))


def test_hybrid_enhances_nested_weak_fields_of_a_corpus_schema(
    tmp_path: Path, server: AiTestServer, printed: list[str]
) -> None:
    zarf = CORPUS_SCHEMA / "zarf.json"
    env = profile_env(server)
    args = ("generate", zarf, "--rows", "20", "--format", "jsonl", "--seed", "3", "--cases", "all")
    first = tdgen(
        *args, "--provider", "hybrid", "--out", "one", cwd=tmp_path, printed=printed, env=env
    )
    assert first.returncode == 0, first.stderr
    assert "tdgen: warning" not in first.stderr
    asked = [name for request in server.requests for name in request.fields]
    assert "metadata.description" in asked
    assert "build.user" in asked
    assert "components[].description" in asked  # in the elements of an array
    assert all("." in name for name in asked)  # zarf's weak fields all sit in objects

    rows = [json.loads(line) for line in (tmp_path / "one" / "zarf.jsonl").open()]
    labels = [json.loads(line) for line in (tmp_path / "one" / "zarf.cases.jsonl").open()]
    oracle = Oracle(json.loads(zarf.read_text(encoding="utf-8")))
    described = 0
    for row, label in zip(rows, labels, strict=True):
        if label["case"] == "valid":
            assert oracle.first_error(row) is None
        marks = label.get("ai", [])
        assert label["case"] == "valid" or not marks
        for mark in marks:  # each mark is a nested path whose value the server gave
            values = _values_at(row, mark)
            assert values, mark
            if "[]" not in mark:
                assert values[0] in server.values_for(mark), mark
            else:  # at least one element holds a value the server gave
                assert set(values) & server.values_for(mark), mark
        described += "metadata.description" in marks
    assert described >= 5

    sent = len(server.requests)
    second = tdgen(*args, "--out", "two", cwd=tmp_path, printed=printed, env=env)
    assert second.returncode == 0, second.stderr
    assert " 0 requests, " in second.stdout
    assert len(server.requests) == sent
    assert _read(tmp_path / "one") == _read(tmp_path / "two")


def _values_at(obj: Any, mark: str) -> list[Any]:
    """The values at a mark's path (``a.b``, ``items[].c``: one per element that has it)."""
    found = [obj]
    for step in mark.replace("[]", ".[]").split("."):
        if step == "[]":
            found = [e for v in found if isinstance(v, list) for e in v]
        else:
            found = [v[step] for v in found if isinstance(v, dict) and step in v]
    return found


def test_hybrid_enhances_array_elements_of_a_corpus_schema(
    tmp_path: Path, server: AiTestServer, printed: list[str]
) -> None:
    weather = CORPUS_SCHEMA / "openweather.current.json"
    table = "openweather_current_weather_data_api"
    env = profile_env(server)
    args = (
        "generate",
        weather,
        "--rows",
        "30",
        "--format",
        "jsonl",
        "--seed",
        "4",
        "--cases",
        "all",
    )
    first = tdgen(
        *args, "--provider", "hybrid", "--out", "one", cwd=tmp_path, printed=printed, env=env
    )
    assert first.returncode == 0, first.stderr
    assert "tdgen: warning" not in first.stderr
    elements = ["weather[].main", "weather[].description", "weather[].icon"]
    assert [name for r in server.requests for name in r.fields] == [*elements, "base", "name"]
    null = tdgen(
        *args, "--provider", "null", "--out", "null", cwd=tmp_path, printed=printed, env=env
    )
    assert null.returncode == 0, null.stderr

    def read(folder: str, suffix: str) -> list[dict[str, Any]]:
        path = tmp_path / folder / f"{table}{suffix}"
        return [json.loads(line) for line in path.open(encoding="utf-8")]

    oracle = Oracle(json.loads(weather.read_text(encoding="utf-8")))
    described = 0
    for row, null_row, label, null_label in zip(
        read("one", ".jsonl"),
        read("null", ".jsonl"),
        read("one", ".cases.jsonl"),
        read("null", ".cases.jsonl"),
        strict=True,
    ):
        marks = label.pop("ai", [])
        assert label == null_label
        if label["case"] != "valid":
            assert row == null_row  # boundary and invalid rows are the null provider's
            continue
        assert oracle.first_error(row) is None
        assert len(row["weather"]) == len(null_row["weather"])
        for name in elements:
            key = name.rsplit(".", 1)[1]
            pairs = list(zip(row["weather"], null_row["weather"], strict=True))
            changed = [e[key] for e, n in pairs if e[key] != n[key]]
            assert (name in marks) is bool(changed), (name, row, null_row)
            assert set(changed) <= server.values_for(name)
            assert all(e["id"] == n["id"] for e, n in pairs)  # integers stay the foundation's
        described += "weather[].description" in marks
    assert described >= 10

    sent = len(server.requests)
    second = tdgen(*args, "--out", "two", cwd=tmp_path, printed=printed, env=env)
    assert second.returncode == 0, second.stderr
    assert " 0 requests, " in second.stdout
    assert len(server.requests) == sent
    assert _read(tmp_path / "one") == _read(tmp_path / "two")


def test_a_refused_key_falls_back_to_foundation_data(
    bower: Path, tmp_path: Path, server: AiTestServer, printed: list[str]
) -> None:
    server.fault = "401"
    args = ("generate", bower, "--rows", "10", "--format", "jsonl", "--seed", "2")
    ai = tdgen(*args, "--out", "ai", cwd=tmp_path, printed=printed, env=profile_env(server))
    null = tdgen(
        *args, "--provider", "null", "--out", "null", cwd=tmp_path, printed=printed, env={}
    )
    assert ai.returncode == 0, ai.stderr
    assert null.returncode == 0, null.stderr
    assert _read(tmp_path / "ai") == _read(tmp_path / "null")
    warning = next(line for line in ai.stderr.splitlines() if "fell back" in line)
    assert warning.startswith(f"tdgen: warning: {TABLE}: AI values fell back to foundation")
    assert "for name, description:" in warning
    assert "refused the request (401): check the API key" in warning
    assert len(server.requests) == 1  # not retried


def test_show_prompts_sends_nothing(
    bower: Path, tmp_path: Path, server: AiTestServer, printed: list[str]
) -> None:
    done = tdgen(
        "generate",
        bower,
        "--show-prompts",
        "--out",
        "out",
        cwd=tmp_path,
        printed=printed,
        env=profile_env(server),
    )
    assert done.returncode == 0, done.stderr
    assert "1 prompt(s) for --provider hybrid; nothing was sent" in done.stdout
    assert '"name": "name"' in done.stdout
    assert "--- answer schema (tdgen_records)" in done.stdout
    assert server.requests == []
    assert not (tmp_path / "out").exists()


def test_bad_ai_settings_are_one_line_errors(
    bower: Path, tmp_path: Path, server: AiTestServer, printed: list[str]
) -> None:
    remote = {**profile_env(server), "TDGEN_AI_BASE_URL": "http://models.example.com/v1"}
    plain_http = tdgen("generate", bower, cwd=tmp_path, printed=printed, env=remote)
    assert plain_http.returncode == 2
    assert plain_http.stderr.count("\n") == 1
    assert "must use https" in plain_http.stderr

    none = tdgen("generate", bower, "--provider", "hybrid", cwd=tmp_path, printed=printed, env={})
    assert none.returncode == 2
    assert "no AI profile is configured" in none.stderr
    assert server.requests == []


def test_without_a_keyring_the_message_points_to_the_variable(
    bower: Path, tmp_path: Path, server: AiTestServer, printed: list[str]
) -> None:
    env = {
        **profile_env(server, "anthropic"),
        "TDGEN_AI_BASE_URL": "https://tdgen-test.invalid",  # a remote host that does not exist
        "TDGEN_AI_API_KEY": None,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = tdgen(
        "generate", bower, "--rows", "5", "--out", "out", cwd=tmp_path, printed=printed, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "no keyring backend is available" in done.stderr
    assert "set TDGEN_AI_API_KEY" in done.stderr
    assert "cannot connect" in done.stderr  # and the job still finished, with foundation data
