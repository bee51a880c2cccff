"""Load the guide's dataset (``seed_data/*.json``) through the import-export resources.

Everything happens in one transaction: the first bad row of any file stops the load and
nothing at all is written. Errors name the file, the row and the column.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.management.color import no_style
from django.db import connection, transaction

from backoffice import resources
from backoffice.figures import collecting
from backoffice.models import Category, Order, Product

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "seed_data"


@dataclass(frozen=True)
class SeedTable:
    file_name: str
    resource_class: type[resources.BackofficeResource]


# Dependency order: every file refers only to files above it.
SEED_TABLES = (
    SeedTable("categories.json", resources.CategoryResource),
    SeedTable("suppliers.json", resources.SupplierResource),
    SeedTable("tags.json", resources.TagResource),
    SeedTable("products.json", resources.ProductResource),
    SeedTable("product_tags.json", resources.ProductTagResource),
    SeedTable("users.json", resources.UserResource),
    SeedTable("customers.json", resources.CustomerResource),
    SeedTable("orders.json", resources.OrderResource),
    SeedTable("order_items.json", resources.OrderItemResource),
    SeedTable("reviews.json", resources.ReviewResource),
)


@dataclass
class TableSummary:
    file_name: str
    rows: int
    new: int
    updated: int
    skipped: int
    errors: int


class SeedDataError(Exception):
    """The dataset cannot be loaded; ``problems`` lists each one as file, row, field: message."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_dataset(path: Path) -> tablib.Dataset:
    """Parse one JSON file into a dataset, or raise SeedDataError saying where it is broken."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeedDataError([f"{name}: file not found in {path.parent}"]) from None
    except UnicodeDecodeError as exc:
        raise SeedDataError(
            [f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from None
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedDataError(
            [f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
    if not isinstance(rows, list):
        raise SeedDataError([f"{name}: expected a JSON list of objects, one per row"])
    keys: dict[str, None] = {}  # insertion-ordered and linear (a list's `in` is not)
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise SeedDataError([f"{name}: row {number}: expected a JSON object"])
        keys.update(dict.fromkeys(row))
    headers = list(keys)
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append([row.get(header) for header in headers])
    return dataset


def _users_by_username(datasets):
    """The customers file points at users by id; the users may not keep those ids (an
    administrator made first holds id 1). Point at them by username instead, which the users
    file gives for every id, so the load works whichever accounts exist already."""
    by_name = dict(datasets)
    users = next(d for t, d in datasets if t.resource_class is resources.UserResource)
    customers_table = next(t for t, _ in datasets if t.resource_class is resources.CustomerResource)
    customers = by_name[customers_table]
    if "user_id" not in customers.headers or not {"id", "username"} <= set(users.headers):
        return datasets
    usernames = {row["id"]: row["username"] for row in users.dict}
    unknown = [row for row in customers.dict if row["user_id"] not in usernames]
    if unknown:
        return datasets  # the import names the missing user, row by row
    pointed = tablib.Dataset(headers=[h for h in customers.headers if h != "user_id"] + ["user"])
    for row in customers.dict:
        pointed.append(
            [row[h] for h in customers.headers if h != "user_id"] + [usernames[row["user_id"]]]
        )
    return [(t, pointed if t is customers_table else d) for t, d in datasets]


def describe_problems(
    file_name: str, resource: resources.BackofficeResource, dataset: tablib.Dataset, result
) -> list[str]:
    """One line per problem of an import result: file, row (and id), column, message."""

    def where(number: int) -> str:
        row = dict(zip(dataset.headers, dataset[number - 1], strict=True))
        ident = f" (id {row['id']})" if row.get("id") is not None else ""
        return f"{file_name}: row {number}{ident}"

    problems = [f"{file_name}: {error.error}" for error in result.base_errors]
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = (
                "(whole row)"
                if attribute == NON_FIELD_ERRORS
                else f"field '{resource.column_for_attribute(attribute)}'"
            )
            for message in messages:
                problems.append(f"{where(invalid.number)}, {column}: {message}")
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(f"{where(number)}: {error.error}")
    return problems


def reset_sequences() -> None:
    """Move PostgreSQL sequences past the imported ids (SQLite's AUTOINCREMENT does it itself)."""
    models = [table.resource_class._meta.model for table in SEED_TABLES]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def database_has_shop_data() -> bool:
    return Category.objects.exists() or Product.objects.exists() or Order.objects.exists()


def seed_data_load(
    *,
    directory: Path = SEED_DIR,
    dry_run: bool = False,
    progress: Callable[[TableSummary], None] | None = None,
) -> list[TableSummary]:
    """Import every seed file in dependency order, all or nothing.

    Every file is parsed before anything is written, so a broken file costs no work. With
    ``dry_run`` the whole load runs (later files need the rows of earlier ones) and is rolled
    back at the end.
    """
    datasets = [(table, read_dataset(Path(directory) / table.file_name)) for table in SEED_TABLES]
    datasets = _users_by_username(datasets)
    summaries = []
    with transaction.atomic():
        with collecting():  # the kept figures: recomputed once, at the end
            for table, dataset in datasets:
                resource = table.resource_class()
                result = resource.import_data(dataset, dry_run=False, use_transactions=True)
                problems = describe_problems(table.file_name, resource, dataset, result)
                if problems:
                    raise SeedDataError(problems)
                totals = result.totals
                summary = TableSummary(
                    file_name=table.file_name,
                    rows=len(dataset),
                    new=totals["new"],
                    updated=totals["update"],
                    skipped=totals["skip"],
                    errors=totals["error"] + totals["invalid"],
                )
                summaries.append(summary)
                if progress:
                    progress(summary)
            reset_sequences()
        if dry_run:
            transaction.set_rollback(True)
    return summaries
