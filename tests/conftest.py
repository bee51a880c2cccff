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
