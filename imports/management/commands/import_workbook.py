"""`import_workbook PATH [--dry-run] [--user USERNAME] [--errors-out PATH]`

Exit status: 0 imported (or previewed); 1 some rows are invalid and nothing was written (every
problem is printed as `Sheet!CELL: message`); 2 the file could not be read at all (not a
workbook, damaged, hostile, or past a limit) or the arguments are wrong, with a one-line message.
"""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports.engine.run import workbook_import
from imports.readers import MAX_FILE_BYTES
from imports.rejects import rejected_rows_workbook
from tracker.audit import system_user

PROGRESS_FROM_ROWS = 10_000  # smaller files finish before progress lines would help


class Command(BaseCommand):
    help = "Import an organisations / establishment / planned-changes workbook, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and compare; write nothing."
        )
        parser.add_argument("--user", help="Username named on the history (default: system).")
        parser.add_argument(
            "--errors-out", help="Write the rejected rows, with reasons, to this .xlsx."
        )

    def handle(self, *args, path, dry_run=False, user=None, errors_out=None, **options):
        acting_user = self._user(user)
        file_name = os.path.basename(path)
        try:
            size = os.path.getsize(path)
            if size > MAX_FILE_BYTES:
                raise CommandError(
                    f"{file_name}: the file is {size / 1048576:.0f} MB; the limit is "
                    f"MAX_FILE_BYTES = {MAX_FILE_BYTES // 1048576} MB.",
                    returncode=2,
                )
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from exc

        reporter = _ProgressPrinter(self.stderr)
        result = workbook_import(
            data=data,
            file_name=file_name,
            acting_user=acting_user,
            dry_run=dry_run,
            progress=reporter,
        )
        if result.error:
            raise CommandError(result.error, returncode=2)
        for notice in result.notices:
            self.stdout.write(f"Note: {notice}")
        problems = result.problems
        if problems:
            for problem in problems:
                self.stdout.write(str(problem))
            if errors_out:
                rows = rejected_rows_workbook(result.parsed, problems, errors_out)
                self.stdout.write(f"Rejected rows ({rows}) with reasons written to {errors_out}")
            raise CommandError(
                f"{len(problems)} problem(s) in {file_name}; nothing was written "
                f"(import #{result.run.pk}).",
                returncode=1,
            )
        for line in result.summary_lines():
            self.stdout.write(line)
        if options.get("verbosity", 1) >= 2:
            for summary in result.plan.summaries.values():
                for row in summary.updated_rows:
                    detail = "; ".join(
                        f"{label}: '{old}' -> '{new}'" for label, old, new in row["changes"]
                    )
                    self.stdout.write(f"  {summary.name} row {row['row']} {row['key']}: {detail}")
        timing = result.run.timings.get("total", 0)
        if dry_run:
            self.stdout.write(
                f"Dry run (import #{result.run.pk}, {timing:.1f} s): nothing was written."
            )
        else:
            self.stdout.write(f"Imported as import #{result.run.pk} in {timing:.1f} s.")

    def _user(self, username):
        if not username:
            return system_user()
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"--user: there is no user '{username}'.", returncode=2) from None


class _ProgressPrinter:
    """Progress lines on stderr for large files: one per phase and every tenth of the way."""

    def __init__(self, stream):
        self.stream = stream
        self.last: tuple[str, int] | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS and phase != "writing":
            return
        if phase == "writing" and total < PROGRESS_FROM_ROWS:
            return
        tenth = 10 * done // total if total else 10
        if self.last == (phase, tenth):
            return
        self.last = (phase, tenth)
        self.stream.write(f"{phase}: {done:,} of {total:,}")
        if hasattr(self.stream, "flush"):
            self.stream.flush()
