"""QuerySets (and one-row INSERTs) compiled once per process, run with new values: for the few
hottest queries.

Building and compiling a QuerySet with a dozen subqueries costs more than running it. A
``PreparedQuery`` builds its QuerySet once, with a sentinel in place of each value that changes
from request to request, compiles it for each database it is used on, and afterwards only
swaps the values into the parameters, runs the SQL and turns the rows into model instances the
way the ORM does (related objects, annotations, database converters).

On PostgreSQL the SQL also runs as a server-side prepared statement (a cursor binding its
parameters on the server, on a connection whose ``prepare_threshold`` is set: see settings):
planning a query with a dozen subqueries costs PostgreSQL ten times what running it does, and
a prepared statement is planned once per pooled connection. Other queries are unaffected.
Its placeholders are turned into PostgreSQL's own (``$1``) once, at compile time, so psycopg
passes the statement through as it is (a ``RawCursor``) instead of parsing several kilobytes
of SQL on every run; with query logging on (tests counting queries) the ``%s`` form runs, which
Django's logging can print.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery
from psycopg import RawCursor
from psycopg.pq import Format

_SENTINEL_BASE = 2_047_483_641  # in every integer range; stands out among the parameters
_PLACEHOLDER = re.compile(r"%[%s]")  # Django writes only these two: a parameter, a literal %


@dataclass(frozen=True)
class _Compiled:
    sql: str
    numbered_sql: str  # the same with $1, $2...: for psycopg to pass through unparsed
    params: tuple
    slots: dict[str, tuple[int, ...]]  # value name -> positions in params
    model: type[Model]
    init_list: list[str]
    fields: slice
    populators: list
    annotations: dict[str, int]
    converters: list


def numbered(sql: str) -> str:
    """Django's ``%s`` SQL with PostgreSQL's numbered placeholders (and ``%%`` as ``%``)."""
    count = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else f"${next(count)}", sql)


def _cursor(connection):
    """A cursor that binds parameters on the server (so psycopg prepares the statement) on
    PostgreSQL, wrapped as Django wraps its own (query logging, execute wrappers), and
    whether it takes the numbered SQL; the usual cursor elsewhere."""
    if connection.vendor != "postgresql":
        return connection.cursor(), False
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.validate_thread_sharing()
        logged = connection.queries_logged
        raw = (ServerBindingCursor if logged else RawCursor)(connection.connection)
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:  # as Django's own cursors do
            register_tzloader(connection.timezone, raw)
        if logged:
            return connection.make_debug_cursor(raw), False
        return connection.make_cursor(raw), True


def execute(connection, sql: str, params: list) -> list[tuple]:
    """Run a short hand-written statement as the compiled ones run (prepared on PostgreSQL,
    passed through unparsed when queries are not logged); its rows."""
    return _execute(connection, sql, _numbered(sql), params)


def _numbered(sql: str) -> str:
    found = _NUMBERED.get(sql)
    if found is None:
        found = _NUMBERED[sql] = numbered(sql)
    return found


_NUMBERED: dict[str, str] = {}


def _execute(connection, sql: str, numbered_sql: str, params: list) -> list[tuple]:
    """Run a compiled statement (its numbered form where the cursor takes it); its rows."""
    cursor, takes_numbered = _cursor(connection)
    with cursor:
        cursor.execute(numbered_sql if takes_numbered else sql, params)
        return cursor.fetchall()


class PreparedQuery:
    """``build(**values)`` returns the QuerySet; ``names`` are the values that change, integers
    unless named in ``text`` too."""

    def __init__(self, build: Callable[..., QuerySet], *names: str, text: tuple = ()) -> None:
        self.build = build
        self.names = names
        self.text = frozenset(text)
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def fetch(self, using: str = "default", **values) -> list[Model]:
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            for position in positions:
                params[position] = values[name]
        connection = connections[using]
        rows = _execute(connection, compiled.sql, compiled.numbered_sql, params)
        found = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            obj = compiled.model.from_db(using, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def _compile(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            sentinels = {
                name: f"{_SENTINEL_BASE - i}:{name}" if name in self.text else _SENTINEL_BASE - i
                for i, name in enumerate(self.names)
            }
            queryset = self.build(**sentinels).using(using)
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = {
                name: tuple(i for i, param in enumerate(params) if param == sentinel)
                for name, sentinel in sentinels.items()
            }
            missing = [name for name, positions in slots.items() if not positions]
            if missing:
                raise ValueError(f"Values not found in the compiled query: {missing}")
            select, klass_info = compiler.select, compiler.klass_info
            positions = klass_info["select_fields"]
            fields = slice(positions[0], positions[-1] + 1)
            expressions = [column[0] for column in select[: compiler.col_count]]
            compiled = _Compiled(
                sql=sql,
                numbered_sql=numbered(sql),
                params=tuple(params),
                slots=slots,
                model=klass_info["model"],
                init_list=[column[0].target.attname for column in select[fields]],
                fields=fields,
                populators=get_related_populators(klass_info, select, using, queryset._fetch_mode),
                annotations=dict(compiler.annotation_col_map or {}),
                converters=list(compiler.get_converters(expressions).items()),
            )
            self._compiled[using] = compiled
            return compiled


# In a statement's RETURNING list or select list: the transaction the statement runs in (its
# own, in autocommit) commits without waiting for the disk (PostgreSQL's asynchronous commit).
ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)"


def commits_alone(connection) -> bool:
    """Whether a statement run now may carry ``ASYNC_COMMIT``: on PostgreSQL, outside any
    transaction (inside one, the setting would reach every write of that transaction)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class PreparedInsert:
    """One row of ``model`` written by an INSERT compiled once per database (a prepared
    statement on PostgreSQL), its primary key read back as ``save()`` reads it. For rows
    written on every request (the audit event of a page view); no signals are sent.

    ``synchronous=False`` commits the row without waiting for the disk where the statement
    commits alone (``commits_alone``); elsewhere it waits as every write does."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self._compiled: dict[tuple[str, bool], tuple[str, str, list]] = {}
        self._lock = threading.Lock()

    def insert(self, obj: Model, using: str = "default", *, synchronous: bool = True) -> None:
        connection = connections[using]
        key = (using, synchronous or not commits_alone(connection))
        sql, numbered_sql, fields = self._compiled.get(key) or self._compile(key, obj)
        params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        ((obj.pk, *_),) = _execute(connection, sql, numbered_sql, params)
        obj._state.adding = False
        obj._state.db = using

    def _compile(self, key: tuple[str, bool], obj: Model) -> tuple[str, str, list]:
        using, synchronous = key
        with self._lock:
            if key in self._compiled:
                return self._compiled[key]
            opts = self.model._meta
            fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field]
            query = InsertQuery(self.model)
            query.insert_values(fields, [obj])
            compiler = query.get_compiler(using=using)
            compiler.returning_fields = [opts.pk]
            ((sql, params),) = compiler.as_sql()
            if len(params) != len(fields) or "RETURNING" not in sql:
                raise ValueError(f"Cannot prepare an insert into {opts.db_table}: {sql}")
            if not synchronous:  # read back after the primary key
                sql = f"{sql}, {ASYNC_COMMIT}"
            self._compiled[key] = (sql, numbered(sql), fields)
            return self._compiled[key]
