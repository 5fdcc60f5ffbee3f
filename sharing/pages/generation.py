"""The site's generation: a number that changes whenever anything a page is made from changes.

Every table a page may read carries a trigger that adds one to ``sharing_page_generation`` in
the same transaction as the write; the generation is the sum of that table's rows. So the sum
read by a request moves on once any such write has committed, and not before: a page made
after reading generation ``n`` shows everything committed up to ``n``, and is out of date only
once the sum is no longer ``n`` (``sharing.pages.memo`` relies on exactly that).

On PostgreSQL the trigger counts into a row of the writing backend's own (its process id,
modulo ``STRIPES``), so two transactions writing at the same time almost never wait for one
another on the counter; counts only ever grow, so the sum never comes back to a value it had.
SQLite has one writer at a time and one row.

The triggers are installed after every ``migrate`` (and test database set-up) on every table
of every installed model, except ``UNCOUNTED``: tables written while pages are *read* (the
audit trail, sessions, rate counters, tokens' last use, the task queue) or never read by a
page, whose writes would only make every kept page look out of date. A table added later is
counted from the next ``migrate`` on, without anyone having to remember it.
"""

from __future__ import annotations

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

TABLE = "sharing_page_generation"
TRIGGER = "sharing_page_generation"
STRIPES = 1024

UNCOUNTED = frozenset(
    {
        TABLE,
        "sharing_auditevent",  # every page view writes one
        "sharing_usersession",  # compared row by row by the memo itself
        "django_session",
        "sharing_ratecounter",  # every limited request
        "sharing_apitoken",  # last use, at every API call
        "django_tasks_database_dbtaskresult",  # the queue; a page reads its rendering's row
        "sharing_sharelinkevent",  # visits through links (link pages are never kept)
        "sharing_linkvisit",
        "sharing_searchentry",  # the search index: no page but search reads it
        "sharing_versiondiff",  # comparisons, cached: no notebook page reads them
        "django_admin_log",
        "django_migrations",
    }
)

# The sum of the counts, as a scalar subquery (an integer on both databases).
CURRENT_SQL = f"(SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM {TABLE})"  # noqa: S608

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_count() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO {TABLE} (stripe, value) VALUES (pg_backend_pid() % {STRIPES}, 1)
    ON CONFLICT (stripe) DO UPDATE SET value = {TABLE}.value + 1;
    RETURN NULL;
END
$body$
"""  # noqa: S608 (constants only)


def counted_tables() -> list[str]:
    """Every table of an installed model whose writes change the generation."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables - UNCOUNTED)


def current(using: str = DEFAULT_DB_ALIAS) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {CURRENT_SQL}")
        return int(cursor.fetchone()[0])


def install(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Put the counting trigger on every counted table that lacks it; the tables done."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if TABLE not in existing:  # migrations not applied this far (a partial migrate)
        return []
    wanted = [table for table in counted_tables() if table in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_FUNCTION)
        missing = [table for table in wanted if table not in _triggered(connection, cursor)]
        for table in missing:
            for statement in _trigger_sql(connection, table):
                cursor.execute(statement)
    return missing


def _triggered(connection, cursor) -> set[str]:
    """The tables that already carry the trigger."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [TRIGGER],
        )
        return {row[0] for row in cursor.fetchall()}
    cursor.execute(
        "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
        [f"{TRIGGER}_%_delete"],
    )
    return {row[0] for row in cursor.fetchall()}


def _trigger_sql(connection, table: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        return [
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {quoted} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_count()"
        ]
    # SQLite: one trigger per kind of write, a row at a time; the delete one is made last,
    # and is the one looked for, so a set cut short is made whole again next time.
    return [_sqlite_trigger(connection, table, kind) for kind in ("insert", "update", "delete")]


def _sqlite_trigger(connection, table: str, kind: str) -> str:
    name = connection.ops.quote_name(f"{TRIGGER}_{table}_{kind}")
    quoted = connection.ops.quote_name(table)
    body = f"UPDATE {TABLE} SET value = value + 1 WHERE stripe = 0"  # noqa: S608 (constants)
    return f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {kind.upper()} ON {quoted} BEGIN {body}; END"


def installed(**kwargs) -> None:
    """``post_migrate``: count the writes of every table, new ones included."""
    install(kwargs.get("using", DEFAULT_DB_ALIAS))
