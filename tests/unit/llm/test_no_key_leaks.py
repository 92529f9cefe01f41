"""The API key never reaches a file, a log, a warning, a prompt preview or an error message."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from ai_server import API_KEY, AiTestServer

from tdgen_desktop.core.enums import CaseKind, ExportFormat, ProviderKind
from tdgen_desktop.generation.ai import preview_prompts
from tdgen_desktop.generation.pipeline import GenerationRequest, JobResult, run_pipeline

SCHEMA = {
    "type": "object",
    "title": "ticket",
    "required": ["subject", "body"],
    "properties": {
        "id": {"type": "integer", "x-unique": True},
        "subject": {"type": "string", "maxLength": 60},
        "body": {"type": "string", "maxLength": 400},
        "priority": {"enum": ["low", "high"]},
    },
}


def _scan(folder: Path) -> list[Path]:
    """Files under ``folder`` that contain the key."""
    needle = API_KEY.encode()
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.parametrize("fault", [None, "401", "echo_key", "malformed"])
@pytest.mark.parametrize("provider", [ProviderKind.HYBRID, ProviderKind.AI])
def test_the_key_is_in_no_file_log_or_message(
    fault: str | None,
    provider: ProviderKind,
    tmp_path: Path,
    make_session: object,
    ai_server: AiTestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    schema = tmp_path / "ticket.schema.json"
    schema.write_text(json.dumps(SCHEMA), encoding="utf-8")
    ai_server.fault = fault
    session = make_session(wire="anthropic" if fault == "malformed" else "openai")  # type: ignore[operator]
    request = GenerationRequest(
        source=schema,
        out_dir=tmp_path / "out",
        rows=10,
        cases=frozenset(CaseKind),
        format=ExportFormat.JSON,
        provider=provider,
        ai=session,
    )
    caplog.set_level(logging.DEBUG)
    result: JobResult = run_pipeline(request)
    assert ai_server.requests  # the key was really sent
    text = "\n".join(
        [
            *result.warnings,
            repr(result),
            repr(request),
            repr(session),
            caplog.text,
            *(p.preview() for p in preview_prompts(request)),
        ]
    )
    assert API_KEY not in text
    assert _scan(tmp_path) == []
    if fault == "echo_key":
        assert "***" in " ".join(result.warnings)
