"""Indexes for the customer list's sorts by name and e-mail address, on Django's ``auth_user``.

The customer list is ordered by the user's last and first name (and may be sorted by e-mail):
unindexed, every page sorted all 200,000 users to show fifty (90 ms of 110 at a real shop's
size). ``auth_user`` is Django's table, so the indexes are made here by SQL (the same on both
databases), as ``0010_search_indexes`` does for its searches.
"""

from django.conf import settings
from django.db import migrations

INDEXES = {
    "auth_user_name_order": '"last_name", "first_name"',
    "auth_user_email_order": '"email"',
}


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0014_figures_for_big_lists"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                f'CREATE INDEX "{name}" ON "auth_user" ({columns})'
                for name, columns in INDEXES.items()
            ],
            reverse_sql=[f'DROP INDEX IF EXISTS "{name}"' for name in INDEXES],
        ),
    ]
