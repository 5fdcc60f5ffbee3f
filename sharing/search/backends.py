"""The two homes of the index's words, behind one interface (see docs/search.md).

PostgreSQL: a ``tsvector`` column on ``sharing_searchentry`` with a GIN index, written from our
tokens (cast, so no text-search parser reinterprets them), ranked with ``ts_rank`` (what
Django's ``SearchRank`` compiles to). SQLite: an FTS5 table keyed by the entry's id, ranked
with bm25. Both run the whole search, permissions included, as one statement within a bound:
``statement_timeout`` set locally on PostgreSQL, a progress handler on SQLite.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from sharing.search import query as querylang

# Weights (PostgreSQL) by kind: a word in a title counts most, in an output least.
WEIGHTS = {"title": "A", "markdown": "B", "comment": "B", "code": "C"}
MAX_POSITIONS = 255  # per lexeme in a tsvector


class SearchTimeout(Exception):
    """The search went past its time bound and was stopped."""


@dataclass(frozen=True)
class Scope:
    """Where a search may look, as SQL of the notebook ids (the live permission rules)."""

    sql: str
    params: Sequence
    # Notebooks seen through share links pinned to versions only: (notebook ids SQL, params,
    # version ids), or None.
    pinned: tuple[str, Sequence, Sequence[int]] | None = None


@dataclass(frozen=True)
class Hit:
    """The best-matching entry of one notebook, with what a result shows of it."""

    rank: float
    entry_id: int
    notebook_id: int
    title: str
    owner: str
    version_number: int | None
    kind: str
    cell_id: str
    cell_index: int | None
    is_latest: bool
    text: str


@dataclass(frozen=True)
class Hits:
    hits: list[Hit]  # best first
    total: int  # matching notebooks (among the candidates)
    capped: bool  # more candidates than were ranked


def tsvector_text(tokens: Iterable[str], weight: str = "") -> str:
    positions: dict[str, list[str]] = {}
    for position, token in enumerate(tokens, start=1):
        found = positions.setdefault(token, [])
        if len(found) < MAX_POSITIONS:
            found.append(f"{position}{weight}")
    return " ".join(f"'{token}':{','.join(at)}" for token, at in positions.items())


class Backend:
    vendor = ""

    def write(self, rows: Sequence[tuple[int, str, Sequence[str]]]) -> None:
        """Store the tokens of entries already saved: (entry id, kind, tokens)."""
        raise NotImplementedError

    def match_sql(self) -> tuple[str, str, str]:
        """(FROM addition, WHERE condition, rank expression)."""
        raise NotImplementedError

    def match_param(self, query: querylang.Query) -> str:
        raise NotImplementedError

    @contextmanager
    def bounded(self, milliseconds: int):
        raise NotImplementedError
        yield

    def search(
        self,
        query: querylang.Query,
        scope: Scope,
        *,
        all_versions: bool,
        kinds: Sequence[str],
        candidates: int,
        limit: int,
        offset: int,
        milliseconds: int,
    ) -> Hits:
        extra_from, condition, rank = self.match_sql()
        params: list = [*scope.params, self.match_param(query)]
        latest = "" if all_versions else " AND e.is_latest"
        allowed = f"(e.notebook_id IN (SELECT id FROM scope){latest})"  # noqa: S608
        if scope.pinned is not None:
            pinned_sql, pinned_params, versions = scope.pinned
            marks = ", ".join(["%s"] * len(versions))
            allowed = (
                f"({allowed} OR (e.notebook_id IN ({pinned_sql})"
                f" AND (e.version_id IN ({marks}) OR e.kind = 'title')))"
            )
            params += [*pinned_params, *versions]
        kind_sql = ""
        if kinds:
            kind_sql = f" AND e.kind IN ({', '.join(['%s'] * len(kinds))})"
            params += list(kinds)
        params += [candidates, limit, offset]
        # Every value is a parameter; the SQL around them is this module's and Django's own.
        # The scope is materialised: the planner then drives a small scope (a reader of few
        # notebooks) through the notebook index and a large one through the GIN index. Inlined,
        # it misjudges small scopes and scans every match of a common word.
        users = get_user_model()._meta
        username = users.get_field(users.model.USERNAME_FIELD).column
        sql = f"""
            WITH scope AS MATERIALIZED ({scope.sql}),
            hits AS (
                SELECT e.id, e.notebook_id, {rank} AS rank
                FROM sharing_searchentry e{extra_from}
                WHERE {condition} AND {allowed}{kind_sql}
                LIMIT %s
            ),
            best AS (
                SELECT id, rank,
                    ROW_NUMBER() OVER (PARTITION BY notebook_id ORDER BY rank DESC, id) AS n
                FROM hits
            ),
            page AS (
                SELECT id, rank, COUNT(*) OVER () AS total FROM best WHERE n = 1
                ORDER BY rank DESC, id LIMIT %s OFFSET %s
            )
            SELECT p.rank, p.total, (SELECT COUNT(*) FROM hits), e.id, e.notebook_id,
                n.title, u.{username}, v.number, e.kind, e.cell_id, e.cell_index, e.is_latest,
                e.text
            FROM page p
            JOIN sharing_searchentry e ON e.id = p.id
            JOIN sharing_notebook n ON n.id = e.notebook_id
            JOIN {users.db_table} u ON u.id = n.owner_id
            LEFT JOIN sharing_notebookversion v ON v.id = e.version_id
            ORDER BY p.rank DESC, p.id
        """  # noqa: S608
        with self.bounded(milliseconds), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return Hits([], 0, False)
        hits = [Hit(float(row[0]), *row[3:]) for row in rows]
        return Hits(hits, rows[0][1], rows[0][2] >= candidates)


class PostgresBackend(Backend):
    vendor = "postgresql"

    def write(self, rows) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 500):
                batch = rows[start : start + 500]
                values = ", ".join(["(%s, %s)"] * len(batch))
                params = [
                    value
                    for entry_id, kind, tokens in batch
                    for value in (entry_id, tsvector_text(tokens, WEIGHTS.get(kind, "")))
                ]
                cursor.execute(  # only placeholders are interpolated
                    "UPDATE sharing_searchentry AS e SET document = v.doc::tsvector"  # noqa: S608
                    f" FROM (VALUES {values}) AS v(id, doc) WHERE e.id = v.id::bigint",
                    params,
                )

    def match_sql(self):
        return (
            ", CAST(%s AS tsquery) AS q",
            "e.document @@ q",
            "ts_rank(e.document, q)",
        )

    def match_param(self, query):
        return querylang.tsquery(query)

    @contextmanager
    def bounded(self, milliseconds: int):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # The time bound, for this transaction only; and no JIT compilation: the
                    # scope's estimated cost passes jit_above_cost, and compiling the plan
                    # costs far more than running it.
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true),"
                        " set_config('jit', 'off', true)",
                        [str(int(milliseconds))],
                    )
                yield
        except DatabaseError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == "57014":  # query_canceled
                raise SearchTimeout() from exc
            raise


class SqliteBackend(Backend):
    vendor = "sqlite"

    def write(self, rows) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT OR REPLACE INTO sharing_searchentry_fts (rowid, tokens) VALUES (%s, %s)",
                [(entry_id, " ".join(tokens)) for entry_id, _kind, tokens in rows],
            )

    def match_sql(self):
        return (
            " JOIN sharing_searchentry_fts f ON f.rowid = e.id",
            "f.tokens MATCH %s",
            "-f.rank",
        )

    def match_param(self, query):
        return querylang.fts5_match(query)

    @contextmanager
    def bounded(self, milliseconds: int):
        connection.ensure_connection()
        raw = connection.connection
        deadline = time.monotonic() + milliseconds / 1000
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            yield
        except DatabaseError as exc:
            if "interrupted" in str(exc):
                raise SearchTimeout() from exc
            raise
        finally:
            raw.set_progress_handler(None, 0)


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
