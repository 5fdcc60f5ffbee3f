"""The production server's configuration (gunicorn), read from the environment.

Started by ``bin/serve``; every value has a default that fits the machine it runs on.
See docs/deploy.md for the reasons behind each.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"]
# Processes x threads: the page views are mostly database and template work, so threads
# help while one waits. WEB_CONCURRENCY is gunicorn's own variable for the process count.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = "gthread"
threads = _int("WEB_THREADS", 4)
# A thread worker's heartbeat keeps running while a slow client sends a 100 MB upload, so
# the worker timeout only catches a process that is stuck. The reverse proxy buffers uploads
# (docs/deploy.md) and cuts clients that stall.
timeout = _int("WEB_TIMEOUT", 120)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)  # SIGHUP/SIGTERM: finish what is running
keepalive = _int("WEB_KEEPALIVE", 5)
# Replace each process after this many requests (with jitter), bounding slow memory growth.
max_requests = _int("WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
limit_request_line = 8190
limit_request_field_size = 8190
# Trust X-Forwarded-* only from the reverse proxy (a comma-separated list of addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
control_socket_disable = True  # one fixed socket path per user would collide between sites
proc_name = os.environ.get("WEB_PROC_NAME", "notebookshare")

accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Who, when, what, status, bytes, time in microseconds, and the request id (X-Request-ID,
# set by the app or passed on from the proxy), so a log line and an error report meet.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s" request_id=%({x-request-id}o)s'
