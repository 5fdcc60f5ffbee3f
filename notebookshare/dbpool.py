"""How the PostgreSQL pool makes sure a connection still works before handing it out.

psycopg_pool's own check (``ConnectionPool.check_connection``) sends an empty query and
waits for the answer: a round trip on every request, as long as the statement most page
views then run. This check asks the operating system instead: a healthy idle connection has
nothing to read, while a connection the server has dropped has its goodbye waiting in the
socket (PostgreSQL sends ``FATAL: terminating connection`` when it shuts down, restarts or
kills a backend, and the closed socket reads as end of file). Only then, or when the
connection is not idle, does the round trip run, and a connection that fails it is thrown
away and replaced by the pool, as with psycopg_pool's check.

What neither check can see is a server that vanished without closing its connections (a
host powered off): the next query then waits for the connection's timeouts either way.
"""

from __future__ import annotations

import select

import psycopg
import psycopg_pool
from psycopg.pq import TransactionStatus

_WAITING = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


def check_connection(connection: psycopg.Connection) -> None:
    """Raise if ``connection`` cannot be used; a round trip only when something suggests so."""
    if connection.closed or connection.info.transaction_status != TransactionStatus.IDLE:
        psycopg_pool.ConnectionPool.check_connection(connection)
        return
    poller = select.poll()
    poller.register(connection.pgconn.socket, _WAITING)
    if poller.poll(0):  # the server said something unasked: most likely goodbye
        psycopg_pool.ConnectionPool.check_connection(connection)
