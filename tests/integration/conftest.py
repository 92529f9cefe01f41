"""Fixtures of the real-database tests: ``postgres``, one PostgreSQL server per test session."""

from __future__ import annotations

from pg_support import postgres

__all__ = ["postgres"]
