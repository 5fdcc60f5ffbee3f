"""Groups managed in the app: whoever creates a group owns it and adds or removes its members.

Who may do what with a group is decided in sharing.permissions (``can_manage_group`` and
``get_group_or_404``); this module only changes things.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from sharing.accounts.models import GroupOwner

NAME_MAX = 150  # django.contrib.auth's Group.name


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the group a name.", code="required")
    if len(name) > NAME_MAX:
        raise ValidationError(f"At most {NAME_MAX} characters.", code="max_length")
    return name


def create_group(name: str, owner) -> Group:
    """A new group with ``owner`` as its owner and first member."""
    name = clean_name(name)
    try:
        with transaction.atomic():
            group = Group.objects.create(name=name)
            GroupOwner.objects.create(group=group, user=owner)
            group.user_set.add(owner)
    except IntegrityError:
        raise ValidationError(
            "A group with this name exists already: choose another name.", code="taken"
        ) from None
    return group


def owners(group: Group) -> QuerySet:
    return get_user_model().objects.filter(owned_groups__group=group).order_by("username")


def is_owner(user, group: Group) -> bool:
    return (
        user.is_authenticated
        and GroupOwner.objects.filter(group=group, user=user, user__is_active=True).exists()
    )


def add_member(group: Group, person) -> bool:
    """Add ``person``; False if they were a member already."""
    if group.user_set.filter(pk=person.pk).exists():
        return False
    group.user_set.add(person)
    return True


def remove_member(group: Group, person) -> None:
    """Take ``person`` out of the group (and of its owners). The last owner cannot leave."""
    with transaction.atomic():
        held = GroupOwner.objects.select_for_update().filter(group=group)
        owner_ids = set(held.values_list("user_id", flat=True))
        if owner_ids == {person.pk}:
            raise ValidationError(
                "A group needs an owner: make someone else an owner first.", code="last_owner"
            )
        held.filter(user=person).delete()
        group.user_set.remove(person)


def make_owner(group: Group, person) -> None:
    """Make a member an owner too."""
    with transaction.atomic():
        group.user_set.add(person)
        GroupOwner.objects.get_or_create(group=group, user=person)


def for_person(user) -> QuerySet:
    """The groups ``user`` is in or owns, with member and notebook counts and ``owned``."""
    owned = GroupOwner.objects.filter(group=OuterRef("pk"), user=user)
    member = Group.user_set.through.objects.filter(group=OuterRef("pk"), user=user)
    return (
        Group.objects.filter(Exists(owned) | Exists(member))
        .annotate(owned=Exists(owned))
        .annotate(members=Count("user", distinct=True))
        .annotate(notebooks=Count("notebookgroupobjectpermission__content_object", distinct=True))
        .order_by("name")
    )
