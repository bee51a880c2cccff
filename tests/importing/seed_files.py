"""The guide's JSON files through the admin's Import pages, each on the page staff would use."""

from backoffice.services.seed import SEED_DIR, SEED_TABLES
from tests.importing.conftest import applied, confirm, import_url, upload

# seed file -> (admin page, app label, resource index on that page)
PAGES = {
    "categories.json": ("category", "backoffice", 0),
    "suppliers.json": ("supplier", "backoffice", 0),
    "tags.json": ("tag", "backoffice", 0),
    "products.json": ("product", "backoffice", 0),
    "product_tags.json": ("tag", "backoffice", 1),  # "Product tags" on the Tags import page
    "users.json": ("user", "auth", 0),
    "customers.json": ("customer", "backoffice", 0),
    "orders.json": ("order", "backoffice", 0),
    "order_items.json": ("orderitem", "backoffice", 0),
    "reviews.json": ("review", "backoffice", 0),
}


def import_every_seed_file(client):
    """Preview and confirm every seed file in dependency order, as the client's staff member;
    fails on the first file whose preview has a problem or whose confirm is refused. Returns
    each table with its preview's report."""
    assert [table.file_name for table in SEED_TABLES] == list(PAGES)
    reports = []
    for table in SEED_TABLES:
        page, app_label, resource = PAGES[table.file_name]
        preview = upload(
            client,
            page,
            table.file_name,
            (SEED_DIR / table.file_name).read_bytes(),
            "json",
            resource=resource,
            url=import_url(page, "import", app_label),
        )
        report = preview.context["report"]
        assert report.ok, (table.file_name, report.problems, report.error_rows[:3])
        response = confirm(client, page, preview, url=import_url(page, "process_import", app_label))
        assert applied(response), table.file_name
        reports.append((table, report))
    return reports
