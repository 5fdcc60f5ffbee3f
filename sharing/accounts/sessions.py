"""Sessions read with their person: one query where Django's own stores take two.

Every signed-in request reads the session row, then the person it names. The session engine
here (``SESSION_ENGINE = "sharing.accounts.sessions"``) stores the person's id in a column of
the session row (``UserSession.user``) and reads the row joined to the person. The person so
read is then handed to Django's own ``auth.get_user``, which still does every check it always
does (the backend named in the session is configured, the account may sign in, the session's
hash matches the password's); only the second query is saved.

``SessionPersonBackend`` is Django's ``ModelBackend``, answering ``get_user`` from the row
already read when it is the same person; ``AuthenticationMiddleware`` is Django's, making
that row available to it for the request. Ending a person's sessions (sharing.accounts.leavers)
is a delete by the indexed column.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.exceptions import ValidationError
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.utils.functional import SimpleLazyObject

from sharing.accounts.models import UserSession
from sharing.pages import generation
from sharing.pages.prepared import PreparedQuery

# Django's own lookup (an unexpired row by its key) with the person: the manager joins it. The
# database's clock decides expiry (one value for the whole statement, no parameter to bind).
# The site's generation comes with it, read in the same snapshot (sharing.pages.memo).
_SESSION_ROW = PreparedQuery(
    lambda key: UserSession.objects.filter(session_key=key, expire_date__gt=Now()).annotate(
        page_generation=RawSQL(generation.CURRENT_SQL, ())  # noqa: S611 (a constant)
    )[:1],
    "key",
    text=("key",),
)

# The session store of the request whose person is being looked up (set around get_user).
_reading: ContextVar[SessionStore | None] = ContextVar("session_being_read", default=None)


def person_id(data: dict):
    """The signed-in person's primary key named in session ``data``, or None."""
    try:
        return get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:
        return None


class SessionStore(DatabaseStore):
    """Django's database store over ``UserSession``, reading the person in the same query."""

    person = None  # the account the loaded row names (None: nobody, or not loaded yet)
    generation = None  # the site's generation when the row was read (sharing.pages.memo)
    stored_data = None  # the row's data as read, before decoding

    @classmethod
    def get_model_class(cls):
        return UserSession

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        row.user_id = person_id(data)
        return row

    def _get_session_from_db(self):
        """The unexpired row for the key, with its person (Django's lookup, compiled once)."""
        rows = _SESSION_ROW.fetch(key=self.session_key)
        if not rows:
            self._session_key = None  # as Django's store does: a new session if one is saved
            self.person = None
            return None
        self.person = rows[0].user
        self.generation = rows[0].page_generation
        self.stored_data = rows[0].session_data
        return rows[0]


class SessionPersonBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` takes the person read with this request's session."""

    def get_user(self, user_id):
        store = _reading.get()
        person = getattr(store, "person", None)
        if person is not None and person.pk == user_id:
            return person if self.user_can_authenticate(person) else None
        return super().get_user(user_id)


def get_user(request):
    """Django's ``auth.get_user`` with this request's session offered to the backend."""
    if not hasattr(request, "_cached_user"):
        token = _reading.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _reading.reset(token)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
