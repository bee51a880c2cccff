from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from backoffice.services.shop_generator import (
    MAX_ORDERS,
    ShopGeneratorError,
    TableDone,
    shop_generate,
)


def iso_date(text: str) -> date:
    return date.fromisoformat(text)


class Command(BaseCommand):
    help = (
        "Generate a big, realistic, deterministic shop: N orders (about 3 items each) with "
        "products, customers, reviews, tags, suppliers and categories in proportion. The same "
        "--orders, --seed and --until give the same rows. Refuses a database holding shop data "
        "unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders", type=int, required=True, help=f"number of orders (1 to {MAX_ORDERS:,})"
        )
        parser.add_argument("--seed", type=int, default=1, help="another seed, another shop (1)")
        parser.add_argument(
            "--until",
            type=iso_date,
            default=None,
            help="YYYY-MM-DD: the orders span the three years before this day (default: today)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="empty the shop's tables and customer accounts first (staff accounts are kept)",
        )

    def handle(self, *args, orders, seed, until, replace, **options):
        until = until or timezone.localdate()
        self.stdout.write(
            f"Generating {orders:,} orders (seed {seed}, until {until}) on {connection.vendor}"
        )
        self.total = 0.0
        try:
            shop_generate(orders, seed=seed, until=until, replace=replace, progress=self.progress)
        except ShopGeneratorError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{'total':<32} {'':>10} {self.total:>8.1f} s"))

    def progress(self, done: TableDone):
        self.total += done.seconds
        rows = f"{done.rows:,}" if done.rows else ""
        self.stdout.write(f"  {done.table:<30} {rows:>10} {done.seconds:>8.1f} s")
