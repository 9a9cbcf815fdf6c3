"""The record of every workbook import: what was uploaded, by whom, what it did, how long it took.

History rows written by an import name it as their reason (`ImportRun.reason`), so an auditor can
go from any changed post back to the file that changed it, its SHA-256 and the person who ran it.
"""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One import of one workbook, from upload (or the command) to its outcome."""

    class Stage(models.TextChoices):
        """Where the run is, as the admin shows it; `outcome` says how it ended."""

        QUEUED = "queued", "Queued"
        READING = "reading", "Reading"
        CHECKING = "checking", "Checking"
        WRITING = "writing", "Writing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        PREVIEWED = "previewed", "Previewed (dry run)"
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected: invalid rows"
        FAILED = "failed", "Failed"  # the message says why

    class Source(models.TextChoices):
        COMMAND = "command", "Command line"
        ADMIN = "admin", "Admin upload"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    # Through `default_storage` (S3-compatible object storage in production), never a path on
    # the web host's disk, so a worker on another host reads the same file.
    upload = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    rejects = models.FileField(
        "rejected rows",
        upload_to="imports/rejected/%Y/%m/",
        blank=True,
        help_text="The rejected rows with a Reason column (the --errors-out workbook).",
    )
    organisations = models.ManyToManyField(
        "tracker.Organisation",
        related_name="import_runs",
        blank=True,
        help_text="The organisations the file's rows name: who else may see this import.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_runs"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.COMMAND)
    dry_run = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    message = models.TextField(blank=True, help_text="Why the run failed, in one line.")
    counts = models.JSONField(
        default=dict, blank=True, help_text="Per sheet: rows created, updated, unchanged."
    )
    preview = models.JSONField(
        default=dict, blank=True, help_text="Per sheet: the rows that change, old and new values."
    )
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    notices = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per phase.")
    tracker_state = models.JSONField(
        default=list,
        blank=True,
        help_text="History counts and latest ids of the tracker tables in a state where this "
        "file is known to change nothing; an identical file is not read again while they hold.",
    )
    content_digests = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per sheet, a digest of its columns and cell values: with tracker_state, lets "
        "a re-saved copy of an unchanged file skip planning.",
    )
    engine_version = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.QUEUED)
    phase = models.CharField(max_length=40, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the run was last queued or its worker last reported: a run not heard "
        "from for a while has lost its worker (imports.liveness).",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "workbook import"
        indexes = [models.Index(fields=["sha256"], name="importrun_sha256_idx")]

    def __str__(self) -> str:
        return f"Import #{self.pk}: {self.file_name}"

    @property
    def reason(self) -> str:
        """The reason written on every history row this import creates."""
        return f"Import #{self.pk}: {self.file_name}"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.finished_at else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.outcome in {
            self.Outcome.PREVIEWED,
            self.Outcome.APPLIED,
            self.Outcome.REJECTED,
            self.Outcome.FAILED,
        }


from imports.exports.models import ExportRun  # noqa: E402, F401  (the exports' table)
