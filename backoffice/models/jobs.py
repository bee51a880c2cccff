"""Import and export jobs: work that runs on a task worker, and what staff see of it.

A job's row is its durable record (who, what, when, status, counts, outcome), written outside
the transaction that imports its rows: before the work starts and after it ends. What changes
while the work runs (rows done, the heartbeat, a cancel request) goes through the jobs cache
(``backoffice.jobs.progress``), since the rows being imported sit in an open transaction that
nothing else can see into (and that locks SQLite against every other writer).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class DataJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job's file, errors and download are its owner's (and superusers')."""
        if user.is_superuser:
            return self
        return self.filter(user=user)

    def unfinished(self):
        return self.filter(status__in=DataJob.UNFINISHED)


class DataJob(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class Step(models.TextChoices):
        PREVIEW = "preview", "Preview"
        APPLY = "apply", "Apply"
        EXPORT = "export", "Export"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PREVIEWED = "previewed", "Previewed: waiting for confirm"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class ApplyMode(models.TextChoices):
        ALL_OR_NOTHING = "all", "All or nothing: any row with a problem stops the whole file"
        VALID_ROWS = "valid", "Apply the valid rows; give me the rejected ones as a file"

    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=10, choices=Kind.choices)
    step = models.CharField(max_length=10, choices=Step.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the admin page it was started from (a Tags page may import product-tag links)
    page_label = models.CharField("list", max_length=100)
    model_label = models.CharField("data", max_length=100)
    resource_path = models.CharField(max_length=200)
    resource_name = models.CharField("what", max_length=200)
    file_name = models.CharField(max_length=255, blank=True)
    format_index = models.PositiveSmallIntegerField(default=0)
    file_format = models.CharField("format", max_length=20)
    # the private upload (imports) or the written file (exports): a token, never a path
    file_token = models.CharField(max_length=32, blank=True)
    options = models.JSONField(default=dict, blank=True)  # ignored columns, export filters
    apply_mode = models.CharField(
        max_length=10, choices=ApplyMode.choices, default=ApplyMode.ALL_OR_NOTHING
    )
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # new / updated / unchanged / error
    report = models.JSONField(default=dict, blank=True)  # problems, notes, first rows
    message = models.TextField(blank=True)
    import_record = models.ForeignKey(
        "backoffice.ImportRecord", on_delete=models.SET_NULL, null=True, blank=True
    )
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # an export's file is kept for its owner until then (``backoffice.jobs.exports``)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = DataJobQuerySet.as_manager()

    class Meta:
        verbose_name = "import or export job"
        verbose_name_plural = "import and export jobs"
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["user", "-created_at"], name="datajob_user_newest")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}: {self.resource_name}"

    @property
    def finished(self) -> bool:
        return self.status not in self.UNFINISHED

    @property
    def duration(self):
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at
