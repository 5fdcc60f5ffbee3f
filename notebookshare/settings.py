"""NotebookShare settings.

Everything comes from the environment, with defaults that run with nothing configured:
SQLite and uploaded files under ``var/``, e-mail printed to the console.
See README.md ("Configuration") for the full list.
"""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from notebookshare.dbpool import check_connection
from notebookshare.env import env_bool, env_int, env_list, env_str, load_secret_key
from notebookshare.storage import s3_storage
from sharing.sso.config import oidc_apps

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = load_secret_key(DEBUG, VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "NotebookShare")
# The address people reach the site at (https://notebooks.example.com), for links in e-mails
# the background worker sends; empty: the address of the request that caused them.
SITE_URL = env_str("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "django_tasks_db",
    "ninja",  # the API's interactive docs: Swagger UI from ninja's static files, no CDN
    "sharing",
    # Single sign-on (docs/sso.md): allauth's OpenID Connect client, behind our own pages.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "sharing.health.RequestIdMiddleware",  # first: every log line and error page carries it
    "sharing.pages.memo.PageMemoMiddleware",  # a repeat page view: one check, the kept answer
    "sharing.audit.middleware.AuditMiddleware",  # the request's audit events, in one INSERT
    "sharing.health.HealthMiddleware",  # /healthz and /readyz: before host checks and redirects
    # HTML and JSON compressed, padded against BREACH (notebook pages compress themselves).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sharing.storage.StorageErrorMiddleware",  # store or database down: 503; disk full: 507
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sharing.middleware.UploadGuardMiddleware",
    "sharing.middleware.ErrorPagesMiddleware",  # our 404/403/500 pages, DEBUG or not
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "sharing.accounts.sessions.AuthenticationMiddleware",  # the person read with the session
    "sharing.sso.trusted_header.TrustedHeaderMiddleware",  # only when TRUSTED_HEADER is set
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "sharing.middleware.ShareLinkGoneMiddleware",  # 410 pages for ended share links
]

ROOT_URLCONF = "notebookshare.urls"
WSGI_APPLICATION = "notebookshare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sharing.context_processors.site",
                "sharing.notifications.context_processors.inbox",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL is set (PostgreSQL with psycopg 3 and its pool).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.postgresql":
    _database["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not.
    _options = _database.setdefault("OPTIONS", {})
    # Fail fast while the database is away, and never hand out a connection it has dropped
    # (a restarted server): each one is checked when taken from the pool, by a round trip
    # only when its socket says the server has spoken or gone (notebookshare/dbpool.py).
    _options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
    _options["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
        "check": check_connection,
    }
    # The hottest queries (``sharing.pages.prepared``) run as server-side prepared statements
    # on each pooled connection: PostgreSQL plans them once, not on every page view. Others
    # keep client-side binding and are never prepared. 0 turns preparing off (for a pooler
    # such as PgBouncer in transaction mode, which cannot keep prepared statements).
    _options["prepare_threshold"] = env_int("DATABASE_PREPARE_THRESHOLD", 1) or None
elif _database["ENGINE"] == "django.db.backends.sqlite3":
    _database.setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "sharing.accounts.sessions.SessionPersonBackend",  # Django's ModelBackend, one query fewer
    "guardian.backends.ObjectPermissionBackend",
    "sharing.sso.trusted_header.TrustedHeaderBackend",  # only used by TrustedHeaderMiddleware
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "sharing:dashboard"
LOGOUT_REDIRECT_URL = "login"
# Sign-up in the browser: off unless SIGNUP_ENABLED. When on, a person needs an invite link
# (staff make them under /accounts/invites/) or an address at one of SIGNUP_EMAIL_DOMAINS,
# and verifies the address before the account works.
# SSO_ONLY: everyone signs in through the identity providers; password sign-in is left only
# to superusers, at /accounts/login/break-glass/, and sign-up is off (docs/sso.md).
SSO_ONLY = env_bool("SSO_ONLY", False)
SIGNUP_ENABLED = env_bool("SIGNUP_ENABLED", False)  # never with SSO_ONLY (sharing.accounts.signup)
SIGNUP_EMAIL_DOMAINS = env_list("SIGNUP_EMAIL_DOMAINS", [])
VERIFY_EMAIL_MAX_AGE = env_int("VERIFY_EMAIL_MAX_AGE", 3 * 86400)
# Single sign-on with OpenID Connect (docs/sso.md): providers from OIDC_PROVIDERS (JSON) or
# OIDC_ISSUER / OIDC_CLIENT_ID / OIDC_CLIENT_SECRET. Accounts are found by the provider's
# subject; a first sign-in joins an existing account by address only when both sides
# verified it (OIDC_LINK_VERIFIED_EMAIL). OIDC_GROUPS_CLAIM names the claim whose groups
# replace a person's groups at each sign-in; OIDC_ALLOWED_GROUPS admits only their members.
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": oidc_apps(),
        "OAUTH_PKCE_ENABLED": True,
        "provider_class": "sharing.sso.oidc.CheckedOIDCProvider",
    }
}
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "")
OIDC_GROUPS_CREATE = env_bool("OIDC_GROUPS_CREATE", False)
OIDC_ALLOWED_GROUPS = env_list("OIDC_ALLOWED_GROUPS", [])
OIDC_LINK_VERIFIED_EMAIL = env_bool("OIDC_LINK_VERIFIED_EMAIL", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
ACCOUNT_ADAPTER = "sharing.sso.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "sharing.sso.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = OIDC_TIMEOUT
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_NOTIFICATIONS = False
ACCOUNT_RATE_LIMITS = False  # our own limits (sharing/ratelimit.py) cover sign-in
# Trusted-header sign-in behind an authenticating proxy (docs/sso.md): off unless
# TRUSTED_HEADER names the header; honoured only from TRUSTED_HEADER_PROXIES.
TRUSTED_HEADER = env_str("TRUSTED_HEADER", "")
TRUSTED_HEADER_PROXIES = env_list("TRUSTED_HEADER_PROXIES", [])
TRUSTED_HEADER_CREATE_USERS = env_bool("TRUSTED_HEADER_CREATE_USERS", True)
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous people never see notebooks.

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static files: our own and vendored assets, hashed and compressed by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads. Multipart file uploads are not limited by DATA_UPLOAD_MAX_MEMORY_SIZE:
# the upload form checks MAX_UPLOAD_BYTES itself.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
MAX_NOTEBOOK_CELLS = env_int("MAX_NOTEBOOK_CELLS", 20_000)
# Every uploaded file streams to a temporary file as it arrives (never whole in memory); the
# check reads it from there in its child process and storage copies it in chunks.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files: the local disk (written whole or not at all), or an S3-compatible bucket
# when S3_BUCKET is set (docs/deploy.md). Credentials come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, as boto3 reads them.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = s3_storage(
        S3_BUCKET,
        endpoint_url=env_str("S3_ENDPOINT_URL"),
        region=env_str("S3_REGION", "us-east-1"),
        prefix=env_str("S3_PREFIX"),
        addressing_style=env_str("S3_ADDRESSING_STYLE", "path"),
        connect_timeout=env_int("S3_CONNECT_TIMEOUT", 3),
        read_timeout=env_int("S3_READ_TIMEOUT", 60),
        max_memory_size=FILE_UPLOAD_MAX_MEMORY_SIZE,
    )
else:
    _default_storage = {"BACKEND": "sharing.storage.AtomicFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Plotly, Vega-Lite and saved widget outputs drawn in sandboxed frames (docs/charts.md); off:
# every page shows the static rendering only.
INTERACTIVE_OUTPUTS = env_bool("INTERACTIVE_OUTPUTS", True)

NOTEBOOKS_PER_PAGE = env_int("NOTEBOOKS_PER_PAGE", 20)
# Ready notebook HTML each web process keeps, with its compressed form (sharing/pages/).
PAGE_FRAGMENT_CACHE_MB = env_int("PAGE_FRAGMENT_CACHE_MB", 64)
# Whole notebook pages each web process keeps by their per-person ETag (sharing/pages/bodies.py).
PAGE_BODY_CACHE_MB = env_int("PAGE_BODY_CACHE_MB", 32)
NOTICES_PER_PAGE = env_int("NOTICES_PER_PAGE", 25)

# API (/api/v1/): requests per caller ("N/s", "N/m", "N/h", "N/d"; empty turns it off;
# counted site-wide like the other rate limits), and how long new personal tokens last by default.
RATE_LIMIT_API = env_str("RATE_LIMIT_API", "600/m")
API_TOKEN_DEFAULT_EXPIRY_DAYS = env_int("API_TOKEN_DEFAULT_EXPIRY_DAYS", 90)
# Error reports (DEBUG pages, e-mails to ADMINS) hide the Authorization header as well.
DEFAULT_EXCEPTION_REPORTER_FILTER = "sharing.tokens.TokenHidingExceptionReporterFilter"
# Comments: longest Markdown body accepted, in characters.
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 10_000)

# Share links (docs/share-links.md): the longest lifetime, whether "never expires" and links
# without sign-in may be offered, and how long ended links stay on record before
# `manage.py purge_share_links` deletes them.
SHARE_LINK_MAX_DAYS = env_int("SHARE_LINK_MAX_DAYS", 90)
SHARE_LINKS_ALLOW_NEVER = env_bool("SHARE_LINKS_ALLOW_NEVER", False)
SHARE_LINKS_ALLOW_ANONYMOUS = env_bool("SHARE_LINKS_ALLOW_ANONYMOUS", False)
SHARE_LINK_RETENTION_DAYS = env_int("SHARE_LINK_RETENTION_DAYS", 180)
# Whom the person search on the Share page finds: "groups" (members of the groups one is in)
# or "everyone" (every active account).
PEOPLE_DIRECTORY = env_str("PEOPLE_DIRECTORY", "groups")
# Inviting someone without an account to a notebook by e-mail (needs SIGNUP_ENABLED).
SHARE_INVITES_ENABLED = env_bool("SHARE_INVITES_ENABLED", True)
SHARE_INVITE_DAYS = env_int("SHARE_INVITE_DAYS", 14)
# The audit log (docs/audit.md): `manage.py purge_audit` deletes events older than this
# (0 keeps them forever). AUDIT_PAGE_SIZE: events per page in the audit pages.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
AUDIT_PAGE_SIZE = env_int("AUDIT_PAGE_SIZE", 50)
# Page views are recorded with PostgreSQL's asynchronous commit (the view is not held up
# waiting for the disk; a crash of the database server can lose the views of its last
# fraction of a second, never anything else): 1 waits for the disk for views too.
AUDIT_DURABLE_VIEWS = env_bool("AUDIT_DURABLE_VIEWS", False)
# Rate limits (sharing/ratelimit.py): "N/s", "N/m", "N/h", "N/d", empty: off. RATE_LIMIT_<SCOPE>
# counts per account (sign-in: the username typed from one address; password reset and
# sign-up: the e-mail typed), RATE_LIMIT_<SCOPE>_IP per client address (high: a whole office
# may share one). Counted in the RateCounter table every process shares.
# RATE_LIMIT_PROXIES: how many reverse proxies of yours add to X-Forwarded-For (0: none).
RATE_LIMIT_LOGIN = env_str("RATE_LIMIT_LOGIN", "10/m")
RATE_LIMIT_LOGIN_IP = env_str("RATE_LIMIT_LOGIN_IP", "100/m")
RATE_LIMIT_PASSWORD_RESET = env_str("RATE_LIMIT_PASSWORD_RESET", "5/h")
RATE_LIMIT_PASSWORD_RESET_IP = env_str("RATE_LIMIT_PASSWORD_RESET_IP", "50/h")
RATE_LIMIT_SIGNUP = env_str("RATE_LIMIT_SIGNUP", "5/h")
RATE_LIMIT_SIGNUP_IP = env_str("RATE_LIMIT_SIGNUP_IP", "20/h")
RATE_LIMIT_VERIFY = env_str("RATE_LIMIT_VERIFY", "5/h")
RATE_LIMIT_VERIFY_IP = env_str("RATE_LIMIT_VERIFY_IP", "50/h")
RATE_LIMIT_UPLOAD = env_str("RATE_LIMIT_UPLOAD", "60/h")
RATE_LIMIT_UPLOAD_IP = env_str("RATE_LIMIT_UPLOAD_IP", "600/h")
RATE_LIMIT_COMMENT = env_str("RATE_LIMIT_COMMENT", "120/h")
RATE_LIMIT_COMMENT_IP = env_str("RATE_LIMIT_COMMENT_IP", "1200/h")
RATE_LIMIT_LINKS = env_str("RATE_LIMIT_LINKS", "30/m")
RATE_LIMIT_LINKS_IP = env_str("RATE_LIMIT_LINKS_IP", "300/m")
RATE_LIMIT_PEOPLE = env_str("RATE_LIMIT_PEOPLE", "120/m")  # the person search when sharing
RATE_LIMIT_PEOPLE_IP = env_str("RATE_LIMIT_PEOPLE_IP", "1200/m")
RATE_LIMIT_INVITE = env_str("RATE_LIMIT_INVITE", "30/d")  # invitations to a notebook by e-mail
RATE_LIMIT_INVITE_IP = env_str("RATE_LIMIT_INVITE_IP", "300/d")
RATE_LIMIT_LOGIN_ACCOUNT = env_str("RATE_LIMIT_LOGIN_ACCOUNT", "100/h")
RATE_LIMIT_PROXIES = env_int("RATE_LIMIT_PROXIES", 0)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Budgets for untrusted work (sharing/budget.py): every check or render of notebook or comment
# content runs in a child process stopped past its time or memory budget.
# An upload is checked within UPLOAD_CHECK_SECONDS / UPLOAD_CHECK_MEMORY_MB (else refused).
UPLOAD_CHECK_SECONDS = env_int("UPLOAD_CHECK_SECONDS", 20)
UPLOAD_CHECK_MEMORY_MB = env_int("UPLOAD_CHECK_MEMORY_MB", 1_024)
# Notebooks under both thresholds render during the upload, within RENDER_INLINE_SECONDS (past
# it, the background worker takes over); larger ones render in the background worker, stopped
# after RENDER_TIMEOUT_SECONDS. Both within RENDER_MEMORY_LIMIT_MB.
RENDER_ASYNC_BYTES = env_int("RENDER_ASYNC_BYTES", 5 * 1024 * 1024)
RENDER_ASYNC_CELLS = env_int("RENDER_ASYNC_CELLS", 2_000)
RENDER_INLINE_SECONDS = env_int("RENDER_INLINE_SECONDS", 10)
RENDER_TIMEOUT_SECONDS = env_int("RENDER_TIMEOUT_SECONDS", 120)
RENDER_MEMORY_LIMIT_MB = env_int("RENDER_MEMORY_LIMIT_MB", 2_048)
# A worker holds a background render for RENDER_LEASE_SECONDS and renews it while it works;
# a render whose worker died is handed to another worker once the lease runs out, at most
# RENDER_MAX_ATTEMPTS times.
RENDER_LEASE_SECONDS = env_int("RENDER_LEASE_SECONDS", 60)
RENDER_MAX_ATTEMPTS = env_int("RENDER_MAX_ATTEMPTS", 3)
# A comment's Markdown is rendered within COMMENT_RENDER_SECONDS / COMMENT_RENDER_MEMORY_MB.
COMMENT_RENDER_SECONDS = env_int("COMMENT_RENDER_SECONDS", 3)
COMMENT_RENDER_MEMORY_MB = env_int("COMMENT_RENDER_MEMORY_MB", 256)
# Search (docs/search.md): each query runs within SEARCH_TIMEOUT_MS and ranks at most
# SEARCH_CANDIDATES matching cells.
SEARCH_TIMEOUT_MS = env_int("SEARCH_TIMEOUT_MS", 1_000)
SEARCH_CANDIDATES = env_int("SEARCH_CANDIDATES", 1_000)

# Background tasks (rendering of large notebooks) go through Django's tasks framework.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Mail goes to the console in development and to the SMTP server (EMAIL_HOST) in production.
_DEFAULT_EMAIL_BACKEND = "django.core.mail.backends." + ("console" if DEBUG else "smtp")
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", _DEFAULT_EMAIL_BACKEND + ".EmailBackend"),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 0) or None,
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False) or None,
            }.items()
            if value
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "notebookshare@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Cookies are secure whenever the site is served over HTTPS (SECURE_COOKIES=1).
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_ENGINE = "sharing.accounts.sessions"  # the database, with the person in the same row
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
# HSTS covers this host and hosts below it (not the parent domain), so both are safe defaults.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Strict CSP: nothing from another host, no inline script or style, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sharing.health.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "message": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        },
        # One JSON object per line, for the company's log system (docs/audit.md).
        "audit": {"class": "logging.StreamHandler", "formatter": "message"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Jupyter's libraries log every validation complaint; our own code reports them.
        "traitlets": {"level": "ERROR"},
        # Audit events as JSON lines; a failed write is logged on "notebookshare.audit.errors"
        # with the usual format.
        "notebookshare.audit": {"handlers": ["audit"], "level": "INFO", "propagate": False},
        "notebookshare.audit.errors": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
