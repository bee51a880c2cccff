"""The Query Lab: every entry renders, shows its SQL, and leaves every table exactly as it was."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from backoffice.reports.querylab.registry import SECTIONS, load_entries
from backoffice.reports.querylab.runner import run_entry
from tests.factories import staff_user

ENTRIES = load_entries()


def every_table():
    """Every row of every model's table (Django's own included), to compare before/after."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def lab_user(db, client):
    client.force_login(staff_user("use_query_lab", username="analyst"))
    return client


def test_entries_cover_the_guides_sections():
    sections = {entry.section for entry in ENTRIES.values()}
    assert sections <= set(SECTIONS)
    assert "Basic Queries" in sections


@pytest.mark.parametrize("slug", sorted(ENTRIES))
def test_every_entry_renders_with_sql_and_result(admin_client, seed, slug):
    response = admin_client.get(reverse("admin:querylab_entry", args=[slug]))
    assert response.status_code == 200
    run = response.context["run"]
    if run.skipped:
        pytest.skip(run.skipped)
    for variant in run.variants:
        assert not variant.error, variant.error
        assert variant.query_count >= 1 or "no SQL" in ENTRIES[slug].note
        assert variant.result is not None
    html = response.content.decode()
    assert "querylab-sql" in html and "querylab-result" in html


def test_running_every_entry_changes_no_table(seed):
    before = every_table()
    for entry in ENTRIES.values():
        run_entry(entry, explain=True, analyze=True)
    assert every_table() == before


@pytest.mark.postgres_only
def test_visiting_every_entry_leaves_every_id_sequence_where_it_was(admin_client, seed):
    """A rolled-back insert still moves a PostgreSQL sequence; the lab puts them back, so the
    next product (order, customer, …) gets the next free id (issue 11, bug 2)."""
    from backoffice.models import Category, Customer, Order, Product
    from tests.factories import CategoryFactory, OrderFactory, ProductFactory

    def next_id(model):
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    expected = {model: next_id(model) for model in (Product, Category, Order, Customer)}
    for slug in sorted(ENTRIES):
        assert admin_client.get(reverse("admin:querylab_entry", args=[slug])).status_code == 200
    assert ProductFactory(category=Category.objects.first()).pk == expected[Product]
    assert CategoryFactory(name="After the lab").pk == expected[Category]
    assert OrderFactory(customer=Customer.objects.first()).pk == expected[Order]


def test_writing_entries_say_they_were_rolled_back(admin_client, seed):
    writing = [entry for entry in ENTRIES.values() if entry.writes]
    assert writing
    response = admin_client.get(reverse("admin:querylab_entry", args=[writing[0].slug]))
    assert "rolled back" in response.content.decode()


def test_errata_notes_point_to_the_errata_file(admin_client, seed):
    with_errata = next(entry for entry in ENTRIES.values() if entry.errata)
    response = admin_client.get(reverse("admin:querylab_entry", args=[with_errata.slug]))
    html = response.content.decode()
    assert "seed-errata.md" in html
    errata_text = apps.get_app_config("backoffice").path + "/../docs/seed-errata.md"
    with open(errata_text) as errata:
        assert f"| {with_errata.errata[0]} |" in errata.read()


def test_staff_without_the_permission_get_403(client, db):
    client.force_login(staff_user(username="clerk"))
    assert client.get(reverse("admin:querylab")).status_code == 403
    slug = next(iter(ENTRIES))
    assert client.get(reverse("admin:querylab_entry", args=[slug])).status_code == 403


def test_the_index_lists_every_entry(lab_user):
    response = lab_user.get(reverse("admin:querylab"))
    assert response.status_code == 200
    html = response.content.decode()
    for slug, entry in ENTRIES.items():
        # entries showing personal data are listed, unlinked, with the permission they need
        linked = reverse("admin:querylab_entry", args=[slug]) in html
        assert linked != bool(entry.requires) and escape(entry.title) in html
