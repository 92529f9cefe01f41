"""Fixtures of the real-database tests: ``postgres``, one PostgreSQL server per test session,
and ``mariadb``, one MariaDB server per test session."""

from __future__ import annotations

from mysql_support import mariadb
from pg_support import postgres

__all__ = ["mariadb", "postgres"]
