"""The table whose sum changes whenever anything a page is made from changes (see
sharing.pages.generation, which installs the triggers that keep it)."""

from django.db import migrations

CREATE = """
CREATE TABLE sharing_page_generation (
    stripe integer PRIMARY KEY,
    value bigint NOT NULL
)
"""


class Migration(migrations.Migration):
    dependencies = [("sharing", "0012_user_sessions")]

    operations = [
        migrations.RunSQL(CREATE, "DROP TABLE sharing_page_generation"),
        migrations.RunSQL(
            "INSERT INTO sharing_page_generation (stripe, value) VALUES (0, 0)",
            migrations.RunSQL.noop,
        ),
    ]
