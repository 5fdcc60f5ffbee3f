"""Usernames may no longer contain "@" (a name like an address could capture a grant meant
for that address). Existing ones get "-at-" instead, and each rename is reported."""

from django.db import migrations


def without_at(username, taken):
    base = username.replace("@", "-at-")[:150]
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: 150 - len(suffix)] + suffix
    return candidate


def rename_usernames(apps, schema_editor, report=print):
    User = apps.get_model("auth", "User")
    taken = {name.casefold() for name in User.objects.values_list("username", flat=True)}
    renamed = []
    for user in User.objects.filter(username__contains="@").order_by("pk"):
        new = without_at(user.username, taken)
        taken.add(new.casefold())
        renamed.append((user.username, new))
        report(f"\n  Renamed the account {user.username!r} to {new!r}: usernames cannot hold '@'.")
        user.username = new
        user.save(update_fields=["username"])
    return renamed


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_accounts_ratelimit"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(rename_usernames, migrations.RunPython.noop)]
