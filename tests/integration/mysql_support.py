"""A MariaDB server of the test session's own, for the real-database tests of MySQL output.

The MariaDB server is set up in a temporary folder (``mariadb-install-db``), started with a
Unix socket in that folder and no TCP (``--skip-networking``), and stopped at the end — also
when a test fails. When its binaries are missing the fixture fails with the reason —
``.ci/run`` installs the ``mariadb-server`` package (it brings the ``mariadb`` client).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["MariaDb", "mariadb"]

STRICT_MODE = "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
"""``sql_mode`` of every session: out-of-range and too-long values are errors, not warnings."""


@dataclass(frozen=True)
class MariaDb:
    """A running MariaDB server reachable through the Unix socket ``socket``."""

    client: Path
    socket: Path

    def command(self, database: str | None = None, *, force: bool = False) -> list[str]:
        """The ``mariadb`` client command line (batch mode, raw output, strict ``sql_mode``)."""
        command = [
            str(self.client),
            "--no-defaults",
            f"--socket={self.socket}",
            "--user=root",
            "--batch",
            "--raw",
            "--skip-column-names",
            "--default-character-set=utf8mb4",
            f"--init-command=SET SESSION sql_mode='{STRICT_MODE}'",
        ]
        if force:
            command.append("--force")  # go on after an error (each one is reported)
        if database is not None:
            command.append(database)
        return command

    def run(self, database: str | None, *files: Path, sql: str | None = None) -> str:
        """Run the files, then ``sql``, in one session; stop at the first error and raise with
        it; return the output."""
        script = b"".join(file.read_bytes() + b"\n" for file in files)
        if sql is not None:
            script += sql.encode("utf-8") + b"\n"
        done = subprocess.run(
            self.command(database), input=script, capture_output=True, timeout=180, check=False
        )
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode != 0 or "ERROR" in stderr:
            raise AssertionError(f"mariadb failed ({done.returncode}):\n{stderr[-3000:]}")
        return done.stdout.decode("utf-8")

    def create_database(self, name: str) -> None:
        """(Re)create an empty database."""
        self.run(
            None,
            sql=f"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;",
        )


def _binary(name: str, *folders: str) -> Path | None:
    found = shutil.which(name)
    if found:
        return Path(found)
    for folder in folders:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDb]:
    """A MariaDB server of its own for this test session, stopped and removed afterwards."""
    install = _binary("mariadb-install-db", "/usr/bin")
    server = _binary("mariadbd", "/usr/sbin", "/usr/libexec")
    client = _binary("mariadb", "/usr/bin")
    if install is None or server is None or client is None:
        pytest.fail(
            "MariaDB binaries (mariadb-install-db, mariadbd, mariadb) were not found on the "
            "PATH or in /usr/sbin; install the 'mariadb-server' package (.ci/run does)"
        )
    folder = Path(tempfile.mkdtemp(prefix="tdgen-mariadb-"))
    data, socket, log = folder / "data", folder / "server.sock", folder / "server.log"
    init = subprocess.run(
        [str(install), "--no-defaults", f"--datadir={data}", "--user=root",
         "--auth-root-authentication-method=normal", "--skip-test-db",
         "--skip-name-resolve"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"mariadb-install-db failed: {(init.stderr or init.stdout)[-2000:]}")
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(server), "--no-defaults", f"--datadir={data}", f"--socket={socket}",
             "--skip-networking", "--user=root", f"--pid-file={folder / 'server.pid'}",
             "--innodb-flush-log-at-trx-commit=0", "--skip-log-bin",
             "--innodb-buffer-pool-size=64M", "--character-set-server=utf8mb4",
             "--collation-server=utf8mb4_bin", f"--sql-mode={STRICT_MODE}"],
            stdout=out, stderr=out,
        )  # fmt: skip
    instance = MariaDb(client, socket)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the MariaDB server stopped: {log.read_text(errors='replace')[-2000:]}"
                )
            ping = subprocess.run(
                instance.command(), input=b"SELECT 1;", capture_output=True, timeout=30, check=False
            )
            if ping.returncode == 0:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the MariaDB server did not answer: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield instance
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
