"""Services the app needs from the platform: folders (and, later, settings and credentials).

No Qt here: the CLI and tests use the same services.
"""

from tdgen_desktop.services.paths import AppPaths

__all__ = ["AppPaths"]
