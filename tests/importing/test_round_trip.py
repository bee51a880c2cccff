"""Export, then import the file back: every row is "unchanged" and nothing changes.

For every model the admin imports, in every format, through the admin's own Export and Import
pages. The exports hold awkward values on purpose: text that looks like a formula (escaped on
export, unescaped on import), negative numbers, accents, empty optional values, tags.
"""

from decimal import Decimal

import pytest
import tablib

from backoffice.models import Category, Customer, Product, ProductMeta, Supplier, Tag
from backoffice.resources import (
    CategoryResource,
    CustomerResource,
    OrderItemResource,
    OrderResource,
    ProductMetaResource,
    ProductResource,
    ProductTagResource,
    ReviewResource,
    SupplierResource,
    TagResource,
    UserResource,
)
from tests.importing.conftest import (
    FORMAT_INDEX,
    applied,
    confirm,
    export_form_data,
    import_url,
    page_text,
    streamed_text,
    upload,
)
from tests.importing.snapshots import table_snapshot

# admin page -> (app label, resource)
PAGES = {
    "category": ("backoffice", CategoryResource),
    "supplier": ("backoffice", SupplierResource),
    "tag": ("backoffice", TagResource),
    "product": ("backoffice", ProductResource),
    "productmeta": ("backoffice", ProductMetaResource),
    "user": ("auth", UserResource),
    "customer": ("backoffice", CustomerResource),
    "order": ("backoffice", OrderResource),
    "orderitem": ("backoffice", OrderItemResource),
    "review": ("backoffice", ReviewResource),
}
FORMATS = ["csv", "tsv", "json", "xlsx"]


@pytest.fixture
def awkward_data(seed):
    """Values that break naive exports: formulas, signs, accents, blanks, JSON, tags.

    (A leading carriage return is escaped too - see test_export_safety - but XLSX stores line
    breaks as line feeds, so it can't come back from a workbook byte for byte.)
    """
    Category.objects.filter(pk=1).update(description='=HYPERLINK("http://evil","click")')
    Category.objects.filter(pk=2).update(description="-10% on everything; Caf\u00e9 \u00e0 la mode")
    Supplier.objects.filter(pk=1).update(phone="+1 555 0100", address="@home\ttabbed")
    Product.objects.filter(pk=1).update(
        sku="EL-1001", cost=Decimal("900.00"), description="\tstarts with a tab"
    )
    Tag.objects.create(name="-sale")
    Product.objects.get(pk=2).tags.add(Tag.objects.get(name="-sale"))
    ProductMeta.objects.create(product_id=1, metadata={"color": "space grey", "ram": 16})
    Customer.objects.filter(pk=1).update(date_of_birth=None, phone="=1+1")


def export_file(client, page, fmt):
    app_label, resource_class = PAGES[page]
    response = client.post(
        import_url(page, "export", app_label), export_form_data(resource_class, fmt)
    )
    if fmt in ("csv", "tsv"):
        assert response.streaming
        return streamed_text(response).encode("utf-8")
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("page", PAGES)
def test_export_then_import_changes_nothing(awkward_data, boss_client, page, fmt):
    app_label, _ = PAGES[page]
    data = export_file(boss_client, page, fmt)
    before = table_snapshot(with_history=False)
    preview = upload(
        boss_client, page, f"export.{fmt}", data, fmt, url=import_url(page, "import", app_label)
    )
    report = preview.context["report"]
    assert report.ok, (report.problems, [(r.line, r.problems) for r in report.error_rows])
    assert report.rows, "the export has rows"
    changed = [(r.line, r.kind, r.changes) for r in report.rows if r.kind != "unchanged"]
    assert changed == []
    response = confirm(
        boss_client, page, preview, url=import_url(page, "process_import", app_label)
    )
    assert applied(response)
    assert table_snapshot(with_history=False) == before


def test_the_awkward_values_are_escaped_in_the_file_and_restored_on_import(
    awkward_data, boss_client
):
    text = export_file(boss_client, "category", "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'-10% on everything" in text


def test_product_tag_links_round_trip_through_their_resource(awkward_data):
    exported = ProductTagResource().export()
    links = sorted(Product.tags.through.objects.values_list("product_id", "tag_id"))
    assert len(exported) == len(links)
    assert {"product_id", "product", "tag_id", "tag"} <= set(exported.headers)
    for fmt in FORMATS:
        from backoffice.importing.formats import FORMATS as FORMAT_CLASSES

        file_format = FORMAT_CLASSES[FORMAT_INDEX[fmt]]()
        data = file_format.export_data(exported)
        data = data.encode() if isinstance(data, str) else data
        dataset = file_format.create_dataset(data)
        result = ProductTagResource().import_data(dataset, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert result.totals["skip"] == len(links), fmt
    assert sorted(Product.tags.through.objects.values_list("product_id", "tag_id")) == links


def test_an_edited_export_imports_the_edit(seed, boss_client):
    """The point of the readable columns: change a product's category by name."""
    data = export_file(boss_client, "product", "csv").decode("utf-8-sig")
    dataset = tablib.Dataset().load(data, format="csv")
    row = next(i for i, values in enumerate(dataset.dict) if values["id"] == "5")
    values = list(dataset[row])
    values[dataset.headers.index("category")] = "Sports"
    values[dataset.headers.index("category_id")] = ""
    dataset[row] = values
    preview = upload(boss_client, "product", "edited.csv", dataset.export("csv"))
    report = preview.context["report"]
    sports = Category.objects.get(name="Sports")
    assert [(r.line, r.changes) for r in report.changed_rows] == [
        (row + 2, [("category_id", "2", str(sports.pk)), ("category", "Clothing", "Sports")])
    ]
    confirm(boss_client, "product", preview)
    assert Product.objects.get(pk=5).category.name == "Sports"


TIMESTAMPED = {  # page -> its timestamp columns
    page: [
        f.name
        for f in resource._meta.model._meta.concrete_fields
        if f.get_internal_type() == "DateTimeField"
        and (f.has_default() or getattr(f, "auto_now", False))
        and f.name in (resource._meta.fields or ())
    ]
    for page, (_, resource) in PAGES.items()
}


@pytest.mark.parametrize("how", ["blank", "absent"])
@pytest.mark.parametrize("page", [page for page, columns in TIMESTAMPED.items() if columns])
def test_an_export_without_its_timestamps_imports_back_unchanged(seed, boss_client, page, how):
    """Blank or dropped created/updated columns keep the stored values (issue 11, bug 3)."""
    app_label, _ = PAGES[page]
    text = export_file(boss_client, page, "csv").decode("utf-8-sig")
    dataset = tablib.Dataset().load(text, format="csv")
    for column in TIMESTAMPED[page]:
        if how == "absent":
            del dataset[column]
        else:
            index = dataset.headers.index(column)
            for i, values in enumerate(list(dataset)):
                values = list(values)
                values[index] = ""
                dataset[i] = values
    before = table_snapshot(with_history=False)
    preview = upload(
        boss_client,
        page,
        "no-timestamps.csv",
        dataset.export("csv"),
        url=import_url(page, "import", app_label),
    )
    report = preview.context["report"]
    assert report.ok, (report.problems, [(r.line, r.problems) for r in report.error_rows])
    assert report.rows
    assert [(r.line, r.kind, r.changes) for r in report.rows if r.kind != "unchanged"] == []
    confirm(boss_client, page, preview, url=import_url(page, "process_import", app_label))
    assert table_snapshot(with_history=False) == before


def test_a_new_row_with_a_blank_created_at_is_stamped_now(seed, boss_client):
    from django.utils import timezone

    text = export_file(boss_client, "category", "csv").decode("utf-8-sig")
    dataset = tablib.Dataset().load(text, format="csv")
    new = dict.fromkeys(dataset.headers, "")
    new.update(name="Garden furniture", description="Chairs and tables")
    fresh = tablib.Dataset(headers=dataset.headers)
    fresh.append([new[h] for h in dataset.headers])
    started = timezone.now()
    preview = upload(boss_client, "category", "new.csv", fresh.export("csv"))
    report = preview.context["report"]
    assert report.ok, (report.problems, [(r.line, r.problems) for r in report.error_rows])
    assert [r.kind for r in report.rows] == ["new"]
    assert "(the time of the import)" in page_text(preview)
    response = confirm(boss_client, "category", preview)
    assert applied(response), page_text(response)[:1500]
    assert Category.objects.get(name="Garden furniture").created_at >= started
