"""Notices about comments: new threads and replies (to the notebook's owner and the thread's
participants), mentions, and resolved threads. Never to the author, to someone who can no
longer see the notebook, to an inactive account, or on a channel the person turned off
(``sharing.notifications``: the inbox, and e-mail sent by the background worker).
"""

from __future__ import annotations

from sharing.models import Comment, CommentThread
from sharing.notifications import preferences, send
from sharing.notifications.models import Kind, Notification

MENTION, OWNER, PARTICIPANT = send.MENTION, send.OWNER, send.PARTICIPANT


def comment_posted(comment: Comment, mentioned: list[str], base_url: str) -> list[Notification]:
    """Notify about a new comment; ``base_url`` is the site's address for links in e-mails."""
    return send.comment_posted(comment, mentioned, base_url)


def thread_resolved(thread: CommentThread, actor, base_url: str) -> list[Notification]:
    return send.thread_resolved(thread, actor, base_url)


def set_comment_emails(user, enabled: bool) -> None:
    """Comment and mention e-mails on or off together (the inbox is unchanged)."""
    choices = preferences.choices_of(user)
    for kind in (Kind.COMMENT, Kind.MENTION):
        choices[f"{kind}_email"] = enabled
    preferences.set_choices(user, choices)
