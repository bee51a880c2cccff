"""``manage.py import_file PATH --resource NAME [--dry-run]``: the admin's import job, from a shell.

For files that arrive by other means (a nightly drop, a migration from another system): the
same job (``backoffice.jobs.imports``) with the same rules as the admin's Import button
(strict parsing, the preview, all or nothing, the import history, the ledgers), run here in
this process with a progress bar instead of on a worker. The job is listed under "Import and
export jobs" like any other.
"""

import sys
import threading
import time
from pathlib import Path

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backoffice.importing.formats import FORMATS
from backoffice.importing.uploads import PrivateImportStorage
from backoffice.jobs import imports, progress
from backoffice.models import DataJob

PRINT_EVERY = 0.5  # seconds between progress lines


def import_resources() -> dict[str, tuple[type, object]]:
    """Every resource an admin page imports with, by name: {name: (resource, page model)}.

    Each is known by its class name without "Resource" (``Product``, ``ProductTag``) and by its
    model's name (``product``, ``orderitem``), in any case."""
    from backoffice.admin.common.readonly import ReadOnlyAdminMixin

    named = {}
    for model, model_admin in admin.site._registry.items():
        if not hasattr(model_admin, "get_import_resource_classes") or isinstance(
            model_admin,
            ReadOnlyAdminMixin,  # audit trails: never imported into
        ):
            continue
        for resource in model_admin.get_import_resource_classes(None):
            names = {resource.__name__.removesuffix("Resource"), resource._meta.model.__name__}
            for name in names:
                named.setdefault(name.lower(), (resource, model))
    return named


def format_index_for(path: Path, chosen: str | None) -> int:
    wanted = (chosen or path.suffix.lstrip(".")).lower()
    for index, file_format in enumerate(FORMATS):
        if wanted == file_format().get_title().lower():
            return index
    titles = ", ".join(f().get_title() for f in FORMATS)
    raise CommandError(f"{path.name}: the format {wanted!r} is not one of {titles} (--format).")


class Command(BaseCommand):
    help = (
        "Import a file through the admin's import job (preview, then apply all or nothing), "
        "with a progress bar. --dry-run previews only."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file (CSV, TSV, JSON or XLSX)")
        parser.add_argument(
            "--resource",
            required=True,
            help="what the file holds: a model (product, orderitem …) or resource name",
        )
        parser.add_argument("--format", help="the file's format if its name does not say")
        parser.add_argument("--dry-run", action="store_true", help="preview only; change nothing")
        parser.add_argument(
            "--errors-to",
            metavar="FILE",
            help="write every problem found (line, column, value, problem) to this CSV file",
        )
        parser.add_argument(
            "--valid-rows",
            action="store_true",
            help="apply the rows without problems and leave out the others (all or nothing "
            "otherwise); the rejected rows go to --errors-to with their problems",
        )
        parser.add_argument(
            "--user", help="record the import as this user's (default: no user, 'command line')"
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        resources = import_resources()
        wanted = options["resource"].lower().removesuffix("resource")
        if wanted not in resources:
            raise CommandError(
                f"No import resource is called {options['resource']!r}. Choose one of: "
                + ", ".join(sorted(resources))
            )
        resource_class, page_model = resources[wanted]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        user = self._user(options["user"])
        job = imports.start_import(
            user=user,
            page_label=page_model._meta.label,
            resource_class=resource_class,
            format_index=format_index_for(path, options["format"]),
            file_name=path.name,
            data=data,
            queue=False,
        )
        self.stdout.write(f"Job #{job.pk}: {job.resource_name} from {path.name}")
        job = self._run(job)
        self._show_preview(job)
        self._write_errors(job, options["errors_to"])
        if job.status != DataJob.Status.PREVIEWED:
            raise CommandError(f"{path.name}: {job.message or 'the preview failed'}")
        rejected = job.counts.get("error", 0)
        if rejected and not options["valid_rows"]:
            imports.cancel(job)
            raise CommandError(
                f"{path.name}: {rejected} row(s) have problems; nothing imported "
                "(--valid-rows applies the others)."
            )
        if options["dry_run"]:
            imports.cancel(job)
            self.stdout.write("Dry run: nothing was imported.")
            return
        mode = DataJob.ApplyMode.VALID_ROWS if rejected else DataJob.ApplyMode.ALL_OR_NOTHING
        imports.claim_apply(job, mode)
        job = self._run(job)
        if job.status != DataJob.Status.SUCCEEDED:
            raise CommandError(f"{path.name}: {job.message}")
        self.stdout.write(self.style.SUCCESS(job.message))

    def _write_errors(self, job: DataJob, target: str | None) -> None:
        shown = len((job.report or {}).get("errors", []))
        total = (job.report or {}).get("error_count", 0)
        if not total:
            return
        if target is None:
            if total > shown:
                self.stderr.write(f"  … {total - shown} more: --errors-to FILE writes them all.")
            return
        report = PrivateImportStorage().read_extra(job.file_token, "errors.csv")
        Path(target).write_bytes(report)
        self.stderr.write(f"Every problem ({total}) written to {target}.")

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None

    def _run(self, job: DataJob) -> DataJob:
        """The job's step here, its progress printed from the jobs cache meanwhile."""
        done = threading.Event()
        printer = threading.Thread(target=self._print_progress, args=(job.pk, done), daemon=True)
        printer.start()
        try:
            imports.run_job.call(job.pk)
        finally:
            done.set()
            printer.join()
        job.refresh_from_db()
        return job

    def _print_progress(self, job_id: int, done: threading.Event) -> None:
        interactive = sys.stdout.isatty()
        last = None
        while not done.wait(PRINT_EVERY):
            state = progress.read(job_id)
            if state is None or not state.phase:
                continue
            line = describe(state)
            if line != last:
                self.stdout.write(
                    ("\r" if interactive else "") + line, ending="" if interactive else "\n"
                )
                last = line
        if interactive and last:
            self.stdout.write("")

    def _show_preview(self, job: DataJob) -> None:
        counts = job.counts or {}
        if counts:
            self.stdout.write(
                "Preview: {new} new, {updated} updated, {unchanged} unchanged, {error} with "
                "problems.".format(
                    **{k: counts.get(k, 0) for k in ("new", "updated", "unchanged", "error")}
                )
            )
        for problem in (job.report or {}).get("problems", []):
            self.stderr.write(f"  {problem}")
        for line, column, value, message in (job.report or {}).get("errors", []):
            where = f"line {line}" + (f", {column}" if column else "")
            shown = f" ({value!r})" if value else ""
            self.stderr.write(f"  {where}{shown}: {message}")


def describe(state: progress.Progress) -> str:
    """One progress line: "validating 12,000 / 100,000 rows, 8,400 rows/s, 9 s left"."""
    total = f" / {state.total:,}" if state.total is not None else ""
    line = f"{state.phase} {state.done:,}{total} rows"
    if state.rate:
        line += f", {state.rate:,.0f} rows/s"
    if state.seconds_left is not None:
        line += f", {time.strftime('%M:%S', time.gmtime(state.seconds_left))} left"
    return line
