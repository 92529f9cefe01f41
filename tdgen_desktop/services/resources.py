"""Where tdgen's bundled files (icons, example schemas, desktop files) are, from source or a bundle.

The files live in the ``resources/`` folder at the top of the repository. A PyInstaller bundle
copies that folder next to the code and tells where through ``sys._MEIPASS``; a source checkout
(or an editable install) finds it two levels above this package. ``$TDGEN_RESOURCES`` overrides
both (for packagers who install the files elsewhere, and for tests).

No Qt here: Qt code turns the paths into icons itself (``QIcon(str(resource_path(...)))``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["ICON_SIZES", "RESOURCES_ENV_VAR", "icon_paths", "resource_path", "resources_root"]

RESOURCES_ENV_VAR = "TDGEN_RESOURCES"
"""If set, the folder that holds tdgen's resources (instead of the bundled or source one)."""

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
"""The sizes of the PNG app icons in ``resources/icons`` (``tdgen-<size>.png``)."""

_FOLDER = "resources"


def resources_root() -> Path:
    """The folder that holds tdgen's resources.

    Order: ``$TDGEN_RESOURCES``; the bundle's ``resources`` folder (``sys._MEIPASS``) when frozen;
    the repository's ``resources`` folder when running from source.
    """
    override = os.environ.get(RESOURCES_ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser().absolute()
    bundle = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle, str) and bundle:
        return Path(bundle) / _FOLDER
    return Path(__file__).resolve().parents[2] / _FOLDER


def resource_path(*parts: str) -> Path:
    """The path of a resource, e.g. ``resource_path("examples", "order.schema.json")``.

    The path is computed, not checked: the caller decides what a missing file means.

    Raises:
        ValueError: a part is absolute or climbs out of the resources folder (``..``).
    """
    root = resources_root()
    relative = Path(*parts) if parts else Path()
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"resource path {relative} must stay inside the resources folder")
    return root / relative


def icon_paths() -> list[Path]:
    """The app icon's PNG files that exist, smallest first (for a multi-size ``QIcon``)."""
    candidates = (resource_path("icons", f"tdgen-{size}.png") for size in ICON_SIZES)
    return [path for path in candidates if path.is_file()]
