"""The on-disk answer cache: the same profile, model, prompt and seed never ask twice.

One JSON file per answer under the user cache folder (``<cache>/ai``), named by a SHA-256 of
the profile's name, kind, endpoint and model, the exact prompt and the seed. A second run of the
same job therefore sends no request and gets the very same answers, hence the same bytes.
Files hold the parsed answer and token counts — never the key, which is no part of the hash
either. A damaged file is ignored and removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from tdgen_desktop.llm.errors import LlmAnswerError
from tdgen_desktop.llm.prompts import Prompt
from tdgen_desktop.llm.settings import AiProfile
from tdgen_desktop.llm.wire import Completion

__all__ = ["CACHE_VERSION", "AnswerCache"]

_log = logging.getLogger(__name__)

CACHE_VERSION = 1
"""Part of every key: bump it when the meaning of a cached answer changes."""


class AnswerCache:
    """Answers kept in ``folder`` (created when the first answer is stored).

    Args:
        folder: where the files go, e.g. ``AppPaths.cache_dir / "ai"``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __repr__(self) -> str:
        return f"AnswerCache({str(self.folder)!r})"

    @staticmethod
    def key(profile: AiProfile, prompt: Prompt, seed: int) -> str:
        """The cache key of an answer: profile, model, prompt and seed (not the key)."""
        material = json.dumps(
            {
                "version": CACHE_VERSION,
                "profile": profile.name,
                "kind": profile.kind.value,
                "endpoint": profile.endpoint,
                "model": profile.model_name,
                "temperature": profile.temperature,
                "prompt": prompt.key_text(),
                "seed": seed,
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Completion | None:
        """The cached answer, or None (also for a damaged file, which is removed)."""
        path = self._path(key)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return Completion.from_json(raw)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, LlmAnswerError) as exc:
            _log.warning("Ignoring a damaged AI cache file %s: %s", path.name, exc)
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def put(self, key: str, completion: Completion) -> None:
        """Store an answer (atomically); a failure to write is logged, not raised."""
        path = self._path(key)
        text = json.dumps(completion.to_json(), ensure_ascii=False, sort_keys=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                Path(temp).replace(path)
            except BaseException:
                with contextlib.suppress(OSError):
                    Path(temp).unlink()
                raise
        except OSError as exc:
            _log.warning("Cannot write the AI cache in %s: %s", self.folder, exc)

    def clear(self) -> int:
        """Remove every cached answer; returns how many were removed."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in sorted(self.folder.glob("*/*.json")):
            try:
                path.unlink()
                removed += 1
            except OSError as exc:
                _log.warning("Cannot remove %s: %s", path, exc)
        for folder in sorted(self.folder.iterdir()):
            if folder.is_dir():
                with contextlib.suppress(OSError):
                    folder.rmdir()
        return removed

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob("*/*.json")) if self.folder.is_dir() else 0
