import pytest
from django.db import connection

from backoffice.services.seed import seed_data_load

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice)",
)


@pytest.fixture
def seed(db):
    """The guide's dataset, loaded through the same path as `manage.py load_seed_data`."""
    return seed_data_load()


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's superuser, with an id the sample data never uses.

    The seed keeps the dataset's user ids (1-5); a superuser made first would otherwise hold
    id 1 and collide with john_doe (the user import refuses to overwrite a staff account).
    """
    return django_user_model.objects.create_superuser(
        pk=10_000, username="admin", email="admin@example.com", password="password"
    )
