"""Group claims (sharing.sso.groups): read leniently, mapped exactly."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from sharing.sso import groups

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"groups": ["a", " b ", "", 3, None]}, ["a", "b"]),
        ({"groups": "solo"}, ["solo"]),
        ({"groups": {"a": 1}}, []),
        ({"groups": ["x" * 151, "ok"]}, ["ok"]),
        ({}, None),
    ],
)
def test_claim_values(claims, expected):
    assert groups.groups_in(claims, "groups") == expected


def test_no_claim_configured_reads_nothing():
    assert groups.groups_in({"groups": ["a"]}, "") is None


def test_huge_claims_are_cut():
    assert len(groups.groups_in({"groups": [f"g{i}" for i in range(5000)]}, "groups")) == 500


def test_allowed_groups():
    assert groups.allowed(None, [])
    assert groups.allowed(["a"], ["a", "b"])
    assert not groups.allowed(["c"], ["a", "b"])
    assert not groups.allowed(None, ["a"])


def test_user_info_claims_win_over_the_id_token():
    data = {
        "id_token": {"sub": "1", "groups": ["old"]},
        "userinfo": {"sub": "1", "groups": ["new"]},
    }
    assert groups.claims_of(data)["groups"] == ["new"]


def test_sync_makes_membership_exact(bob, settings):
    settings.OIDC_GROUPS_CREATE = False
    kept, dropped = Group.objects.create(name="kept"), Group.objects.create(name="dropped")
    bob.groups.add(kept, dropped)
    groups.sync(bob, ["kept", "unknown"])
    assert list(bob.groups.values_list("name", flat=True)) == ["kept"]
    assert not Group.objects.filter(name="unknown").exists()


def test_sync_can_create_groups(bob, settings):
    settings.OIDC_GROUPS_CREATE = True
    groups.sync(bob, ["new-team", "other"])
    assert sorted(bob.groups.values_list("name", flat=True)) == ["new-team", "other"]


def test_provider_settings_override_the_site_wide_ones(settings):
    settings.OIDC_ALLOWED_GROUPS = ["site"]
    assert groups.provider_setting({}, "OIDC_ALLOWED_GROUPS") == ["site"]
    assert groups.provider_setting({"allowed_groups": ["corp"]}, "OIDC_ALLOWED_GROUPS") == ["corp"]
