"""Preferences and window state, kept in ``QSettings``.

:class:`Preferences` is the typed set of choices the settings dialog edits; :class:`SettingsStore`
reads and writes it, the recent files and the window's geometry and splitter states. The
composition root decides where the settings live (:func:`open_settings`): the platform's native
store for organisation and application "tdgen", or an INI file under ``$TDGEN_HOME`` (tests, CI).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from tdgen_desktop.core.enums import ExportFormat, Priority
from tdgen_desktop.llm import AiProfile, LlmError
from tdgen_desktop.scheduler import DEFAULT_WORKERS

__all__ = [
    "MAX_RECENT",
    "MAX_WORKERS",
    "ORGANIZATION",
    "Preferences",
    "SettingsStore",
    "open_settings",
]

_log = logging.getLogger(__name__)

ORGANIZATION = "tdgen"
"""The QSettings organisation and application name."""

MAX_RECENT = 10
"""How many files File ▸ Open Recent remembers."""

MAX_WORKERS = 16
"""The most worker threads the settings dialog offers."""

_INI_NAME = "tdgen.ini"


def _default_output_dir() -> Path:
    return Path.home() / "tdgen-out"


@dataclass(slots=True)
class Preferences:
    """What the user chose in the settings dialog.

    Attributes:
        worker_count: worker threads of the job scheduler.
        default_priority: the priority a new job gets.
        locale: the Faker locale for names, addresses, phones.
        default_format: the output format of a new job.
        output_dir: the folder output goes to.
        ai_profiles: the AI profiles (settings only: their keys live in the keyring).
        ai_profile: the name of the profile AI and hybrid jobs use ("" for none).
        ai_cache: keep AI answers in the on-disk cache (off: "Don't cache AI answers").
    """

    worker_count: int = DEFAULT_WORKERS
    default_priority: Priority = Priority.NORMAL
    locale: str = "en_US"
    default_format: ExportFormat = ExportFormat.CSV
    output_dir: Path = field(default_factory=_default_output_dir)
    ai_profiles: tuple[AiProfile, ...] = ()
    ai_profile: str = ""
    ai_cache: bool = True

    @property
    def selected_ai_profile(self) -> AiProfile | None:
        """The profile AI and hybrid jobs use, or None when none is chosen."""
        return next((p for p in self.ai_profiles if p.name == self.ai_profile), None)


def open_settings(config_dir: Path | None) -> QSettings:
    """The settings object: an INI file in ``config_dir``, or the native store when None."""
    if config_dir is None:
        return QSettings(ORGANIZATION, ORGANIZATION)
    return QSettings(str(config_dir / _INI_NAME), QSettings.Format.IniFormat)


class SettingsStore:
    """Reads and writes preferences, recent files and window state in one ``QSettings``.

    Args:
        settings: where to keep them (see :func:`open_settings`).
    """

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    @property
    def file_name(self) -> str:
        """Where the settings are stored (a file or a registry path)."""
        return self._settings.fileName()

    # ------------------------------------------------------------------ preferences

    def load(self) -> Preferences:
        """The saved preferences; defaults for anything missing or unreadable."""
        s = self._settings
        defaults = Preferences()
        workers = _int(s.value("jobs/workers", defaults.worker_count), defaults.worker_count)
        return Preferences(
            worker_count=min(max(workers, 1), MAX_WORKERS),
            default_priority=_choice(
                Priority, s.value("jobs/priority", ""), defaults.default_priority
            ),
            locale=str(s.value("generation/locale", defaults.locale) or defaults.locale),
            default_format=_choice(
                ExportFormat, s.value("generation/format", ""), defaults.default_format
            ),
            output_dir=Path(str(s.value("generation/output_dir", "") or defaults.output_dir)),
            ai_profiles=_profiles(s.value("ai/profiles", "")),
            ai_profile=str(s.value("ai/profile", "") or ""),
            ai_cache=str(s.value("ai/cache", "true")).lower() not in {"false", "0"},
        )

    def save(self, prefs: Preferences) -> None:
        """Store ``prefs`` (written to disk at once)."""
        s = self._settings
        s.setValue("jobs/workers", prefs.worker_count)
        s.setValue("jobs/priority", prefs.default_priority.value)
        s.setValue("generation/locale", prefs.locale)
        s.setValue("generation/format", prefs.default_format.value)
        s.setValue("generation/output_dir", str(prefs.output_dir))
        s.setValue("ai/profiles", json.dumps([p.to_dict() for p in prefs.ai_profiles]))
        s.setValue("ai/profile", prefs.ai_profile)
        s.setValue("ai/cache", prefs.ai_cache)
        s.sync()

    # ------------------------------------------------------------------ recent files

    def recent_files(self) -> list[Path]:
        """Recently opened schema files, newest first."""
        value = self._settings.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a lone entry as a string
            value = [value]
        if not isinstance(value, list):
            return []
        return [Path(str(v)) for v in value if v][:MAX_RECENT]

    def add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent files."""
        path = Path(path).absolute()
        recent = [p for p in self.recent_files() if p != path]
        self._settings.setValue("files/recent", [str(p) for p in [path, *recent][:MAX_RECENT]])

    def clear_recent(self) -> None:
        """Forget the recent files."""
        self._settings.setValue("files/recent", [])

    # ------------------------------------------------------------------ window state

    def byte_array(self, key: str) -> QByteArray | None:
        """A saved geometry or state blob (``window/<key>``), or None."""
        value = self._settings.value(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_byte_array(self, key: str, value: QByteArray) -> None:
        """Save a geometry or state blob under ``window/<key>``."""
        self._settings.setValue(f"window/{key}", value)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._settings.sync()


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _profiles(value: object) -> tuple[AiProfile, ...]:
    """The saved AI profiles (a JSON list of settings; no key is ever among them)."""
    try:
        data = json.loads(str(value or "[]"))
    except ValueError:
        data = []
    profiles: dict[str, AiProfile] = {}
    for item in data if isinstance(data, list) else []:
        try:
            profile = AiProfile.from_dict(item)
        except (LlmError, TypeError, AttributeError) as exc:
            _log.warning("ignoring a saved AI profile: %s", exc)
            continue
        profiles.setdefault(profile.name, profile)
    return tuple(profiles.values())


def _choice[E: (Priority, ExportFormat)](enum_type: type[E], value: object, default: E) -> E:
    try:
        return enum_type(str(value).lower())
    except ValueError:
        if value:
            _log.warning("ignoring the saved %s %r", enum_type.__name__, value)
        return default
