"""QuerySets compiled once per process, run with new values: for the few hottest queries.

Building and compiling a QuerySet with a dozen subqueries costs more than running it. A
``PreparedQuery`` builds its QuerySet once, with a sentinel in place of each value that changes
from request to request, compiles it for each database it is used on, and afterwards only
swaps the values into the parameters, runs the SQL and turns the rows into model instances the
way the ORM does (related objects, annotations, database converters).

On PostgreSQL the SQL also runs as a server-side prepared statement (a cursor binding its
parameters on the server, on a connection whose ``prepare_threshold`` is set: see settings):
planning a query with a dozen subqueries costs PostgreSQL ten times what running it does, and
a prepared statement is planned once per pooled connection. Other queries are unaffected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from psycopg.pq import Format

_SENTINEL_BASE = 2_047_483_641  # in every integer range; stands out among the parameters


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]  # value name -> positions in params
    model: type[Model]
    init_list: list[str]
    fields: slice
    populators: list
    annotations: dict[str, int]
    converters: list


def _cursor(connection):
    """A cursor that binds parameters on the server (so psycopg prepares the statement) on
    PostgreSQL, wrapped as Django wraps its own (query logging, execute wrappers); the usual
    cursor elsewhere."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.validate_thread_sharing()
        raw = ServerBindingCursor(connection.connection)
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:  # as Django's own cursors do
            register_tzloader(connection.timezone, raw)
        if connection.queries_logged:
            return connection.make_debug_cursor(raw)
        return connection.make_cursor(raw)


class PreparedQuery:
    """``build(**values)`` returns the QuerySet; ``names`` are the values that change."""

    def __init__(self, build: Callable[..., QuerySet], *names: str) -> None:
        self.build = build
        self.names = names
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def fetch(self, using: str = "default", **values) -> list[Model]:
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            for position in positions:
                params[position] = values[name]
        connection = connections[using]
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
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
            sentinels = {name: _SENTINEL_BASE - i for i, name in enumerate(self.names)}
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
