"""``manage.py rebuild_figures [--check]``: recompute every kept figure, or check them."""

import time

from django.core.management.base import BaseCommand, CommandError

from backoffice.cache import dashboard_changed
from backoffice.figures.rebuild import check, rebuild


class Command(BaseCommand):
    help = (
        "Recompute every kept figure (products, orders, customers) from the source rows; with "
        "--check, change nothing and exit 1 naming each figure that differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only compare; exit 1 if anything differs."
        )
        parser.add_argument(
            "--limit", type=int, default=100, help="With --check: stop after this many (100)."
        )

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(line):
            if options["verbosity"] >= 1:  # a long run shows how far it is
                self.stdout.write(f"  {line}")

        if options["check"]:
            differences = check(progress, limit=options["limit"])
            if differences:
                for difference in differences:
                    self.stderr.write(str(difference))
                raise CommandError(
                    f"{len(differences)} kept figure(s) differ from the source rows"
                    + (" (first ones shown)" if len(differences) >= options["limit"] else "")
                    + ": run `manage.py rebuild_figures` to recompute them."
                )
            self.stdout.write(
                f"Every kept figure matches the source rows ({time.monotonic() - started:.1f} s)."
            )
            return
        written = rebuild(progress)
        dashboard_changed()
        counts = ", ".join(f"{rows:,} {kind}" for kind, rows in written.items())
        self.stdout.write(f"Kept figures rebuilt: {counts} ({time.monotonic() - started:.1f} s).")
