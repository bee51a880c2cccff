from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.services.seed import (
    SEED_DIR,
    SeedDataError,
    TableSummary,
    database_has_shop_data,
    seed_data_load,
)


class Command(BaseCommand):
    help = (
        "Load the guide's dataset from seed_data/*.json through the import-export resources, "
        "in one transaction. Safe to run again: unchanged rows are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(SEED_DIR), help="folder holding the JSON files")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count everything, write nothing"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds shop data (used by `make run`, "
            "so that restarting never overwrites what staff changed)",
        )

    def handle(self, *args, dir, dry_run, if_empty, **options):
        if if_empty and database_has_shop_data():
            self.stdout.write("The database already holds shop data: seed data not loaded.")
            return
        directory = Path(dir)
        self.stdout.write(f"Loading seed data from {directory}{' (dry run)' if dry_run else ''}")
        try:
            summaries = seed_data_load(directory=directory, dry_run=dry_run, progress=self.progress)
        except SeedDataError as exc:
            raise CommandError(
                "Seed data not loaded; nothing was written.\n" + "\n".join(exc.problems)
            ) from exc
        self.print_summary(summaries)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: everything was rolled back."))
        else:
            self.stdout.write(self.style.SUCCESS("Seed data loaded."))

    def progress(self, summary: TableSummary):
        self.stdout.write(f"  {summary.file_name:<20} {summary.rows:>4} rows ... done")

    def print_summary(self, summaries: list[TableSummary]):
        header = f"{'table':<20} {'new':>5} {'updated':>8} {'skipped':>8} {'errors':>7}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for s in summaries:
            self.stdout.write(
                f"{s.file_name:<20} {s.new:>5} {s.updated:>8} {s.skipped:>8} {s.errors:>7}"
            )
        totals = [
            sum(getattr(s, name) for s in summaries)
            for name in ("new", "updated", "skipped", "errors")
        ]
        self.stdout.write("-" * len(header))
        self.stdout.write(
            f"{'total':<20} {totals[0]:>5} {totals[1]:>8} {totals[2]:>8} {totals[3]:>7}"
        )
