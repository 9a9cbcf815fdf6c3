"""The record of an export made from the admin: who asked, for what, how far it has got, and
the file it wrote (through Django's storage API, so on S3 in production and readable from any
app host). Imported into `imports.models` so the app owns the table."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExportRun(models.Model):
    """One export asked for in the admin. The file is served only to its requester, and only
    while they may still make the same export (`imports.exports.access.may_export`)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30)
    params = models.JSONField(default=dict, blank=True, help_text="The filters asked for.")
    fmt = models.CharField("format", max_length=4, default="xlsx")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=255)
    file_name = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the worker last reported: a run not heard from for a while has lost its "
        "worker (imports.liveness).",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "imports"
        ordering = ["-created_at", "-pk"]
        verbose_name = "export"
        indexes = [models.Index(fields=["user", "-created_at"], name="exportrun_user_created_idx")]

    def __str__(self) -> str:
        return f"Export #{self.pk}: {self.file_name or self.kind}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
