"""Import history: who imported which file into which model, when, with what result."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportRecordQuerySet(models.QuerySet):
    def id_remaps(self, model_label: str) -> dict[str, int]:
        """Every applied import's moved ids into ``model_label``, the latest winning: the file
        id (as text) → the id its row was stored under."""
        remaps = {}
        applied = self.filter(model_label=model_label, outcome=ImportRecord.Outcome.APPLIED)
        for moved in (
            applied.exclude(id_remaps={})
            .order_by("created_at", "id")
            .values_list("id_remaps", flat=True)
        ):
            remaps.update(moved)
        return remaps


class ImportRecord(models.Model):
    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed (nothing written)"
        ABANDONED = "abandoned", "Abandoned after preview"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    model_label = models.CharField("imported into", max_length=100)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField("format", max_length=20)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_deleted = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    id_remaps = models.JSONField(
        "ids stored elsewhere",
        default=dict,
        blank=True,
        help_text="The file's ids that belonged to other rows here, and the ids their rows got "
        "instead ({file id: stored id}): a later file that points at those rows by the old id "
        "is read with them.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.file_name} -> {self.model_label} ({self.get_outcome_display()})"
