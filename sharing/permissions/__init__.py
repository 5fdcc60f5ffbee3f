"""Every access rule in one place.

``access``: who may do what with a notebook (roles, visibility, share links). ``lookups``:
fetching what a request names, or 404 / 403 / 410. ``people``: whom people may find and reach.
Callers use them through this package: ``permissions.get_notebook_or_404(request, pk, perm)``.
"""

from sharing.permissions.access import (
    Access,
    access_for,
    can_delete_comment,
    can_edit_comment,
    can_post_comment,
    granted_columns,
    user_can,
    with_granted,
)
from sharing.permissions.lookups import (
    NO_SUCH_THREAD,
    Columns,
    PersonalColumns,
    get_api_token_or_404,
    get_comment_or_404,
    get_notebook_or_404,
    get_shown_version_or_404,
    get_thread_or_404,
    get_version_or_404,
    get_versions_or_404,
    login_or_share_link_required,
    shown_version,
)
from sharing.permissions.people import (
    can_manage_group,
    get_group_or_404,
    people_visible_to,
    people_who_may_see,
)

__all__ = [
    "NO_SUCH_THREAD",
    "Access",
    "Columns",
    "PersonalColumns",
    "access_for",
    "can_delete_comment",
    "can_edit_comment",
    "can_manage_group",
    "can_post_comment",
    "get_api_token_or_404",
    "get_comment_or_404",
    "get_group_or_404",
    "get_notebook_or_404",
    "get_shown_version_or_404",
    "get_thread_or_404",
    "get_version_or_404",
    "get_versions_or_404",
    "granted_columns",
    "login_or_share_link_required",
    "people_visible_to",
    "people_who_may_see",
    "shown_version",
    "user_can",
    "with_granted",
]
