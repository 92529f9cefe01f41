"""The frozen app's entry point (PyInstaller runs this file as ``__main__``).

``multiprocessing.freeze_support()`` comes first: a worker process started by a frozen app runs
this executable again, and must become the worker instead of opening another window.
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from tdgen_desktop.cli import main

    sys.exit(main())
