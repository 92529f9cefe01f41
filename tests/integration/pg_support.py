"""A PostgreSQL server of the test session's own, for the real-database tests.

The PostgreSQL 15 server is started in a temporary folder (initdb, pg_ctl, a Unix socket in that
folder, no TCP) and stopped at the end. When its binaries are missing the fixture fails with the
reason — ``.ci/run`` installs the ``postgresql`` package.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["PgServer", "postgres"]


@dataclass(frozen=True)
class PgServer:
    """A running PostgreSQL server reachable through a Unix socket in ``socket_dir``."""

    bindir: Path
    socket_dir: Path

    def psql(self, database: str, *files: Path, sql: str | None = None) -> str:
        """Run psql (stop at the first error); return its output, raise with it on failure."""
        command = [
            str(self.bindir / "psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "|",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-U",
            "postgres",
            "-d",
            database,
        ]
        for file in files:
            command += ["-f", str(file)]
        if sql is not None:
            command += ["-c", sql]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0 or "ERROR:" in done.stderr:
            raise AssertionError(f"psql failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    def create_database(self, name: str) -> None:
        """(Re)create an empty database."""
        self.psql("postgres", sql=f'DROP DATABASE IF EXISTS "{name}"')
        self.psql("postgres", sql=f'CREATE DATABASE "{name}"')


def _pg_bindir() -> Path | None:
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if done.returncode == 0:
            candidates.append(Path(done.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _as_server_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as ``postgres`` then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    """A PostgreSQL server of its own for this test session, stopped and removed afterwards."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found via `pg_config --bindir` "
            "or in /usr/lib/postgresql/*/bin; install the 'postgresql' package (.ci/run does)"
        )
    folder = Path(tempfile.mkdtemp(prefix="tdgen-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, log = folder / "data", folder / "server.log"
    init = subprocess.run(
        _as_server_user(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        ),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed: {init.stderr[-2000:]}")
    options = f"-k {folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60"]
    # pg_ctl's output goes to a file: the server inherits it, and a pipe would never close.
    with (folder / "pg_ctl.out").open("w") as out:
        started = subprocess.run(
            _as_server_user([*ctl, "-o", options, "start"]), stdout=out, stderr=out, check=False
        )
    if started.returncode != 0:
        text = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"the PostgreSQL server did not start: {text[-2000:]}")
    try:
        yield PgServer(bindir, folder)
    finally:
        with (folder / "pg_ctl.out").open("a") as out:
            subprocess.run(
                _as_server_user([*ctl, "-m", "immediate", "stop"]),
                stdout=out,
                stderr=out,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
