"""Import history: who imported which file into which model, when, with what result."""

from django.conf import settings
from django.db import models
from django.utils import timezone


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
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.file_name} -> {self.model_label} ({self.get_outcome_display()})"
