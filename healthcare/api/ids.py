"""Ids in requests: every primary key is a BigAutoField, so a larger number names no row and
must not reach the database (SQLite and PostgreSQL refuse it with an error, not a miss)."""

MAX_ID = 2**63 - 1
