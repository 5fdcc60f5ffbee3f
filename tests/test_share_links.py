"""Share-link tokens and validity rules (sharing/links.py)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sharing import links
from sharing.grants import set_group_role, set_user_role
from sharing.ingest import Upload
from sharing.models import ShareLink, ShareLinkEvent
from sharing.notebooks import add_version, delete_notebook
from sharing.permissions import Access
from sharing.roles import COMMENT, EDIT, VIEW
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db
State = links.State


def make_link(notebook, creator, days: float = 1, **kwargs):
    expires_at = kwargs.pop("expires_at", timezone.now() + timedelta(days=days))
    return links.create_link(notebook, creator, expires_at=expires_at, **kwargs)


@pytest.fixture
def notebook(alice, make_notebook):
    return make_notebook(alice, title="Quarterly churn")


# Tokens -------------------------------------------------------------------------------------


def test_tokens_carry_256_bits_and_are_url_safe():
    tokens = {links.generate_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert links.looks_like_token(token)
        assert len(token) == 43  # 32 bytes in unpadded base64url


def test_only_a_keyed_hash_of_the_token_is_stored(notebook, alice):
    link, token = make_link(notebook, alice)
    link.refresh_from_db()
    assert link.token_hash == links.hash_token(token)
    assert link.token_hash != hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in vars(link).values()}


def test_the_hash_is_keyed_by_the_secret_key(settings):
    token = links.generate_token()
    before = links.hash_token(token)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert links.hash_token(token) != before


def test_a_token_finds_its_link_and_nothing_else(notebook, alice):
    link, token = make_link(notebook, alice)
    assert links.find(token) == link
    assert links.find(links.generate_token()) is None
    assert links.find(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_malformed_tokens_are_refused_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        for bad in ("", "short", "x" * 44, "a" * 42 + "!", "../" * 15):
            assert links.find(bad) is None


def test_lookup_sends_only_the_hash_to_the_database(notebook, alice):
    make_link(notebook, alice)
    guess = links.generate_token()
    with CaptureQueriesContext(connection) as queries:
        assert links.find(guess) is None
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert len(queries.captured_queries) == 1
    assert guess not in sql
    assert links.hash_token(guess) in sql


def test_matches_compares_a_token_with_a_link(notebook, alice):
    link, token = make_link(notebook, alice)
    assert links.matches(link, token)
    assert not links.matches(link, links.generate_token())
    assert not links.matches(link, "not a token")


# Validity -----------------------------------------------------------------------------------


def test_a_link_stops_working_at_its_expiry_second(notebook, alice):
    link, _ = make_link(notebook, alice)
    link = links.find_by_pk(link.pk)
    assert links.state(link, link.expires_at - timedelta(seconds=1)) is State.ACTIVE
    assert links.state(link, link.expires_at) is State.EXPIRED
    assert links.state(link, link.expires_at + timedelta(seconds=1)) is State.EXPIRED


def test_revoking_ends_a_link_once_and_is_recorded(notebook, alice):
    link, _ = make_link(notebook, alice)
    assert links.revoke(link, alice) is True
    assert links.revoke(link, alice) is False
    link = links.find_by_pk(link.pk)
    assert links.state(link) is State.REVOKED
    assert link.revoked_by == alice
    kinds = list(ShareLinkEvent.objects.filter(link=link).values_list("kind", flat=True))
    assert sorted(kinds) == ["created", "revoked"]


def test_revocation_wins_over_expiry(notebook, alice):
    link, _ = make_link(notebook, alice)
    links.revoke(link, alice)
    later = link.expires_at + timedelta(days=1)
    assert links.state(links.find_by_pk(link.pk), later) is State.REVOKED


def test_a_link_dies_when_its_creator_is_removed_as_editor(notebook, alice, bob):
    # GIVEN bob, an editor, created a link
    set_user_role(notebook, bob, "editor")
    link, _ = make_link(notebook, bob)
    assert links.state(links.find_by_pk(link.pk)) is State.ACTIVE
    # WHEN alice makes him a viewer THEN the link no longer works
    set_user_role(notebook, bob, "viewer")
    assert links.state(links.find_by_pk(link.pk)) is State.ORPHANED
    # WHEN she makes him an editor again THEN it works again (it was never revoked)
    set_user_role(notebook, bob, "editor")
    assert links.state(links.find_by_pk(link.pk)) is State.ACTIVE


def test_a_link_dies_when_its_creator_is_deactivated(notebook, alice):
    link, _ = make_link(notebook, alice)
    alice.is_active = False
    alice.save()
    assert links.state(links.find_by_pk(link.pk)) is State.ORPHANED


def test_a_link_dies_when_its_creator_account_is_deleted(notebook, alice, bob):
    set_user_role(notebook, bob, "editor")
    link, _ = make_link(notebook, bob)
    bob.delete()
    assert links.state(links.find_by_pk(link.pk)) is State.ORPHANED


def test_a_group_editor_link_lives_while_the_creator_is_in_the_group(notebook, bob):
    team = Group.objects.create(name="analysts")
    team.user_set.add(bob)
    set_group_role(notebook, team, "editor")
    link, _ = make_link(notebook, bob)
    assert links.state(links.find_by_pk(link.pk)) is State.ACTIVE
    team.user_set.remove(bob)
    assert links.state(links.find_by_pk(link.pk)) is State.ORPHANED


def test_links_disappear_with_their_notebook(notebook, alice):
    link, token = make_link(notebook, alice)
    delete_notebook(notebook)
    assert links.find(token) is None
    assert not ShareLink.objects.filter(pk=link.pk).exists()


def test_usable_lists_only_links_that_work(notebook, alice, bob):
    set_user_role(notebook, bob, "editor")
    working, _ = make_link(notebook, alice, label="working")
    revoked, _ = make_link(notebook, alice, label="revoked")
    links.revoke(revoked, alice)
    _expiring, _ = make_link(notebook, alice, days=0.01, label="expiring")
    _orphaned, _ = make_link(notebook, bob, label="orphaned")
    set_user_role(notebook, bob, None)
    later = timezone.now() + timedelta(hours=1)
    assert list(links.usable(ShareLink.objects.all(), later)) == [working]


# Creating -----------------------------------------------------------------------------------


def test_creating_refuses_what_the_site_does_not_allow(notebook, alice, make_notebook, settings):
    other = make_notebook(alice)
    now = timezone.now()
    with pytest.raises(ValueError, match="must expire"):
        links.create_link(notebook, alice, expires_at=None)
    with pytest.raises(ValueError, match="maximum"):
        make_link(notebook, alice, days=settings.SHARE_LINK_MAX_DAYS + 1)
    with pytest.raises(ValueError, match="future"):
        links.create_link(notebook, alice, expires_at=now - timedelta(seconds=1))
    with pytest.raises(ValueError, match="another notebook"):
        make_link(notebook, alice, pinned_version=other.latest_version)
    with pytest.raises(ValueError, match="sign-in"):
        make_link(notebook, alice, anonymous=True)
    assert not ShareLink.objects.exists()


def test_never_expiring_links_exist_only_when_the_site_allows_them(notebook, alice, settings):
    settings.SHARE_LINKS_ALLOW_NEVER = True
    link, _ = links.create_link(notebook, alice, expires_at=None)
    far = timezone.now() + timedelta(days=10_000)
    assert links.state(links.find_by_pk(link.pk), far) is State.ACTIVE


# Access through links ------------------------------------------------------------------------


def test_a_viewer_link_lends_view_and_a_commenter_link_also_comment(notebook, alice, carol):
    viewer, _ = make_link(notebook, alice, role="viewer")
    commenter, _ = make_link(notebook, alice, role="commenter")
    assert Access(carol).perms(notebook) == frozenset()
    assert Access(carol, [viewer]).perms(notebook) == {VIEW}
    assert Access(carol, [commenter]).perms(notebook) == {VIEW, COMMENT}
    assert not Access(carol, [viewer, commenter]).can(EDIT, notebook)


def test_pinned_links_allow_only_their_version(notebook, alice, carol):
    first = notebook.latest_version
    pinned, _ = make_link(notebook, alice, pinned_version=first)
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", notebook_bytes(cells=5)))
    notebook.refresh_from_db()
    pinned = links.find_by_pk(pinned.pk)
    access = Access(carol, [pinned])
    assert access.allowed_versions(notebook) == {first.pk}
    assert access.pinned_version(notebook) == first


def test_a_following_link_allows_every_version(notebook, alice, carol):
    following, _ = make_link(notebook, alice)
    pinned, _ = make_link(notebook, alice, pinned_version=notebook.latest_version)
    access = Access(carol, [links.find_by_pk(following.pk), links.find_by_pk(pinned.pk)])
    assert access.allowed_versions(notebook) is None
    assert access.pinned_version(notebook) is None


def test_a_pinned_link_does_not_narrow_a_real_grant(notebook, alice, bob):
    set_user_role(notebook, bob, "viewer")
    pinned, _ = make_link(notebook, alice, pinned_version=notebook.latest_version)
    assert Access(bob, [links.find_by_pk(pinned.pk)]).allowed_versions(notebook) is None


# Purging ------------------------------------------------------------------------------------


def test_purge_deletes_only_links_that_ended_long_ago(notebook, alice, settings, capsys):
    settings.SHARE_LINK_RETENTION_DAYS = 30
    _active, _ = make_link(notebook, alice, label="active")
    old_revoked, _ = make_link(notebook, alice, label="old revoked")
    links.revoke(old_revoked, alice)
    new_revoked, _ = make_link(notebook, alice, label="new revoked")
    links.revoke(new_revoked, alice)
    old_expired, _ = make_link(notebook, alice, label="old expired")
    long_ago = timezone.now() - timedelta(days=31)
    ShareLink.objects.filter(pk=old_revoked.pk).update(revoked_at=long_ago)
    ShareLink.objects.filter(pk=old_expired.pk).update(expires_at=long_ago)

    call_command("purge_share_links")
    assert "Deleted 2 share links" in capsys.readouterr().out
    assert set(ShareLink.objects.values_list("label", flat=True)) == {"active", "new revoked"}
    assert not ShareLinkEvent.objects.filter(link_id__in=[old_revoked.pk, old_expired.pk])

    call_command("purge_share_links")  # again: nothing more to do
    assert "Deleted 0 share links" in capsys.readouterr().out
    assert ShareLink.objects.count() == 2


def test_purge_refuses_a_negative_retention():
    with pytest.raises(CommandError, match="negative"):
        call_command("purge_share_links", days=-1)
