"""The pool's check: a round trip only when the socket says the server spoke or went away, and
never a dropped connection handed out (on a database of its own on the PostgreSQL server)."""

from __future__ import annotations

import select

import psycopg
import psycopg_pool
import pytest

from notebookshare.dbpool import check_connection
from tests.ops.services import postgres_database


@pytest.fixture(scope="module")
def database_url():
    with postgres_database() as url:
        yield url


@pytest.fixture
def round_trips(monkeypatch):
    """The connections psycopg_pool's own check (one round trip each) was run on."""
    checked = []
    original = psycopg_pool.ConnectionPool.check_connection

    def counting(connection):
        checked.append(connection)
        original(connection)

    monkeypatch.setattr(psycopg_pool.ConnectionPool, "check_connection", counting)
    return checked


def end_backend(url: str, connection: psycopg.Connection) -> None:
    """The server ends the connection's backend (as a restart does), and its goodbye arrives."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [connection.info.backend_pid])
    poller = select.poll()
    poller.register(connection.pgconn.socket, select.POLLIN)
    assert poller.poll(5000), "the server's goodbye did not arrive"


def test_a_healthy_idle_connection_is_handed_out_without_a_round_trip(database_url, round_trips):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SELECT 1")
        check_connection(connection)
        assert round_trips == []
        assert connection.execute("SELECT 2").fetchone() == (2,)


def test_a_connection_the_server_ended_fails_the_check(database_url, round_trips):
    with psycopg.connect(database_url, autocommit=True) as connection:
        end_backend(database_url, connection)
        with pytest.raises(psycopg.OperationalError):
            check_connection(connection)
        assert round_trips == [connection]


def test_a_connection_that_is_not_idle_is_left_to_the_pools_own_check(database_url, round_trips):
    with psycopg.connect(database_url) as connection:  # not autocommit: SELECT opens one
        connection.execute("SELECT 1")
        with pytest.raises(psycopg.ProgrammingError):  # the pool's check refuses it too
            check_connection(connection)
        assert round_trips == [connection]


def test_the_pool_replaces_a_connection_the_server_ended(database_url):
    with psycopg_pool.ConnectionPool(
        database_url, min_size=1, max_size=1, check=check_connection, open=True
    ) as pool:
        with pool.connection() as connection:
            ended = connection.info.backend_pid
            end_backend(database_url, connection)
        with pool.connection() as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
            assert connection.info.backend_pid != ended
