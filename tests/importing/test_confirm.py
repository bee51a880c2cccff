"""Preview, then confirm: the confirm applies exactly the preview, all or nothing.

The library's confirm re-imports without comparing with the preview, keeps the valid rows when
others fail validation, and writes "added" history for rows that a database error rolled back.
"""

from decimal import Decimal

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import IntegrityError

from backoffice.importing.resource_base import BackofficeResource
from backoffice.models import Category, ImportRecord, Product
from tests.importing.conftest import (
    applied,
    cancel_url,
    confirm,
    import_url,
    page_text,
    upload,
)
from tests.importing.snapshots import table_snapshot

PRICES = 'id,price,tags\n1,1199.99,"bestseller, new"\n5,79.99,bestseller\n'


def test_the_preview_shows_each_change_and_writes_nothing(seed, boss_client):
    before = table_snapshot()
    response = upload(boss_client, "product", "prices.csv", PRICES)
    report = response.context["report"]
    assert report.ok
    assert [(row.line, row.kind, row.changes) for row in report.rows] == [
        (
            2,
            "updated",
            [("price", "1299.99", "1199.99"), ("tags", "bestseller, premium", "bestseller, new")],
        ),
        (3, "unchanged", []),
    ]
    text = page_text(response)
    assert "0 new, 1 updated, 0 unchanged, 0 with problems (of 2 rows)" not in text
    assert "0 new, 1 updated, 1 unchanged, 0 with problems (of 2 rows)." in text
    assert "price: 1299.99 → 1199.99" in text
    assert table_snapshot() == before


def test_confirm_applies_the_preview_records_it_and_removes_the_upload(
    seed, boss_client, boss, private_import_dir
):
    preview = upload(
        boss_client,
        "product",
        "prices.csv",
        "id,name,price,category_id,supplier_id,tags\n"
        '1,MacBook Pro,1199.99,1,1,"bestseller, new"\n'
        "5,Levi's Jeans,79.99,2,2,bestseller\n"
        ",Desk lamp,45.00,3,4,new\n",
    )
    assert preview.context["report"].ok, preview.context["report"].error_rows
    # the upload, its sidecar, and the preview's promise (a byte and a digest a row; the
    # first rows whole)
    assert len(list(private_import_dir.iterdir())) == 4
    response = confirm(boss_client, "product", preview)
    assert applied(response)
    macbook = Product.objects.get(pk=1)
    assert macbook.price == Decimal("1199.99")
    assert sorted(macbook.tags.values_list("name", flat=True)) == ["bestseller", "new"]
    lamp = Product.objects.get(name="Desk lamp")
    assert list(lamp.tags.values_list("name", flat=True)) == ["new"]
    record = ImportRecord.objects.get()
    assert (record.outcome, record.user, record.file_name, record.model_label) == (
        "applied",
        boss,
        "prices.csv",
        "backoffice.Product",
    )
    assert (record.rows_total, record.rows_new, record.rows_updated, record.rows_skipped) == (
        3,
        1,
        1,
        1,
    )
    history = {(e.object_id, e.action_flag) for e in LogEntry.objects.all()}
    assert history == {("1", CHANGE), (str(lamp.pk), ADDITION)}
    assert list(private_import_dir.iterdir()) == []


def test_a_validation_error_at_confirm_writes_nothing(seed, boss_client):
    """Valid at preview; someone makes the new category's name before the confirm: the row
    now names that category (its natural key), which the preview did not promise."""
    preview = upload(
        boss_client,
        "category",
        "categories.csv",
        "id,name,description\n1,Electronics,Gadgets of all kinds\n,Garden,Outdoor\n",
    )
    assert preview.context["report"].ok
    Category.objects.create(name="Garden", description="made meanwhile")
    before = table_snapshot()
    response = confirm(boss_client, "category", preview)
    assert response.status_code == 200
    text = page_text(response)
    assert "Nothing was imported" in text
    assert "Line 3: the preview said 'new', now it would be 'updated'" in text
    assert table_snapshot() == before  # row 1 (valid) was not written either
    assert not LogEntry.objects.exists()
    assert ImportRecord.objects.get().outcome == "failed"


def test_a_database_error_at_confirm_writes_nothing_and_no_history(seed, boss_client, monkeypatch):
    """The library logs "added" entries for rows that a database error rolled back."""
    preview = upload(boss_client, "category", "c.csv", "id,name\n,Garden\n,Pets\n")
    assert preview.context["report"].ok
    original = BackofficeResource.bulk_create_new

    def refuse_pets(self, manager, objects):
        if any(instance.name == "Pets" for instance in objects):
            raise IntegrityError('duplicate key value violates unique constraint "pets"')
        original(self, manager, objects)

    monkeypatch.setattr(BackofficeResource, "bulk_create_new", refuse_pets)
    before = table_snapshot()
    response = confirm(boss_client, "category", preview)
    text = page_text(response)
    assert "Nothing was imported" in text
    assert "The database refused this change: duplicate key" in text
    assert table_snapshot() == before
    assert not Category.objects.filter(name="Garden").exists()
    assert not LogEntry.objects.exists()


def test_a_row_changed_since_the_preview_stops_the_whole_import(seed, boss_client):
    preview = upload(boss_client, "product", "p.csv", "id,price\n5,75.00\n1,1199.99\n")
    assert preview.context["report"].ok
    Product.objects.filter(pk=1).update(price=Decimal("1250.00"))  # someone else, meanwhile
    before = table_snapshot()
    response = confirm(boss_client, "product", preview)
    text = page_text(response)
    assert "Nothing was imported" in text
    assert "Line 3 changed since the preview: price was '1299.99' at the preview and is " in text
    assert "'1250.00' now" in text
    assert table_snapshot() == before
    assert ImportRecord.objects.get().outcome == "failed"


def test_a_change_to_a_column_not_in_the_file_is_kept(seed, boss_client):
    preview = upload(boss_client, "product", "p.csv", "id,price\n1,1199.99\n")
    Product.objects.filter(pk=1).update(stock_quantity=3)  # a sale, meanwhile
    assert applied(confirm(boss_client, "product", preview))
    product = Product.objects.get(pk=1)
    assert (product.price, product.stock_quantity) == (Decimal("1199.99"), 3)


def test_cancel_removes_the_upload_and_records_an_abandoned_import(
    seed, boss_client, private_import_dir
):
    preview = upload(boss_client, "product", "p.csv", "id,price\n1,1199.99\n")
    before = table_snapshot()
    response = boss_client.post(cancel_url(preview), follow=True)
    assert "Cancelled after the preview; nothing was imported." in page_text(response)
    assert table_snapshot() == before
    assert list(private_import_dir.iterdir()) == []
    assert ImportRecord.objects.get().outcome == "abandoned"


def test_a_confirmation_can_be_used_once(seed, boss_client):
    preview = upload(boss_client, "product", "p.csv", "id,price\n1,1199.99\n")
    assert applied(confirm(boss_client, "product", preview))
    Product.objects.filter(pk=1).update(price=Decimal("1299.99"))
    again = confirm(boss_client, "product", preview)
    assert "This import is not waiting for a confirm any more." in page_text(again)
    assert Product.objects.get(pk=1).price == Decimal("1299.99")


def test_the_upload_is_kept_privately(seed, boss_client, private_import_dir):
    upload(boss_client, "product", "p.csv", "id,price\n1,1199.99\n")
    assert private_import_dir.stat().st_mode & 0o777 == 0o700
    files = list(private_import_dir.iterdir())
    assert {f.name.split(".", 1)[1] for f in files} == {
        "upload",
        "json",
        "preview.bin",
        "preview.json",
    }
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert all(len(f.name.split(".")[0]) == 32 and "p.csv" not in f.name for f in files)


def test_abandoned_previews_are_swept_and_recorded(seed, boss_client, settings, private_import_dir):
    upload(boss_client, "product", "old.csv", "id,price\n1,1199.99\n")
    settings.IMPORT_PREVIEW_MAX_AGE = -1  # everything is stale now
    upload(boss_client, "product", "new.csv", "id,price\n1,1189.99\n")
    record = ImportRecord.objects.get(outcome="abandoned")
    assert (record.file_name, record.model_label) == ("old.csv", "backoffice.Product")
    assert len(list(private_import_dir.iterdir())) == 4  # only the new upload remains


def test_an_abandoned_preview_of_a_since_deleted_account_is_recorded_without_it(
    seed, boss_client, django_user_model, settings
):
    """The sweep runs during someone else's upload: an upload left by an account deleted since
    is recorded with no user, and that upload still goes through."""
    leaver = django_user_model.objects.create_superuser("leaver", "l@example.com", "pw", id=9998)
    boss_client.force_login(leaver)
    upload(boss_client, "product", "left-behind.csv", "id,price\n1,1199.99\n")
    leaver.delete()
    boss_client.force_login(django_user_model.objects.get(username="boss"))
    settings.IMPORT_PREVIEW_MAX_AGE = -1
    response = upload(boss_client, "product", "new.csv", "id,price\n1,1189.99\n")
    assert response.status_code == 200
    record = ImportRecord.objects.get(outcome="abandoned")
    assert (record.file_name, record.user) == ("left-behind.csv", None)


def test_the_import_history_is_visible_in_the_admin(seed, boss_client):
    preview = upload(boss_client, "product", "spring-prices.csv", "id,price\n1,1199.99\n")
    confirm(boss_client, "product", preview)
    upload(boss_client, "product", "broken.csv", "id,prcie\n1,1\n")
    page = page_text(boss_client.get(import_url("importrecord", "changelist")))
    assert "spring-prices.csv" in page and "broken.csv" in page
    assert "Applied" in page and "Failed (nothing written)" in page
    record = ImportRecord.objects.get(outcome="failed")
    detail = page_text(boss_client.get(f"/admin/backoffice/importrecord/{record.pk}/change/"))
    assert "Unknown column: 'prcie'" in detail
