"""`workbook_import`: the one service the command and the admin screen share.

1. read and check the file (`imports.readers`), convert its rows (`imports.engine.parse`);
2. plan (`imports.engine.plan`): per row, create, update or unchanged, and every problem that
   needs the database or other rows;
3. if there is any problem nothing is written; on a dry run the plan is the preview;
4. otherwise one transaction writes the plan (`imports.engine.write`), every history row naming
   the acting user and the import (`Import #12: establishment.xlsx`).

Unchanged rows produce no write and no history, so re-importing a file changes nothing. If the
tracker tables changed between planning and the write (another import, an edit in the admin),
the plan is rebuilt inside the transaction, which holds every other writer of the tracker off
until it commits (`imports.engine.state.hold_tracker`).
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.utils import timezone

from imports.engine.history import BulkWriter
from imports.engine.parse import CODE_KEYS, parse_workbook
from imports.engine.plan import build_plan
from imports.engine.progress import WriteProgress
from imports.engine.record import ENGINE_VERSION, ImportResult, Stage, failed, finished, save_run
from imports.engine.results import Plan, SheetSummary
from imports.engine.rows import ParsedWorkbook
from imports.engine.seen import recognised, recognised_content, unchanged_since
from imports.engine.state import hold_tracker, watermark
from imports.engine.statistics import analyze_after_commit
from imports.engine.write import write_plan
from imports.models import ImportRun
from imports.readers import WorkbookError, open_workbook
from tracker.models import Organisation

Progress = Callable[[str, int, int], None]
# What the admin calls each phase of the work.
STAGES = {
    "checking the file": Stage.READING,
    "reading rows": Stage.READING,
    "comparing with the tracker": Stage.CHECKING,
    "writing": Stage.WRITING,
}


def workbook_import(
    *,
    data: bytes,
    file_name: str,
    acting_user,
    dry_run: bool = False,
    run: ImportRun | None = None,
    source: str = ImportRun.Source.COMMAND,
    progress: Progress | None = None,
    allowed_codes: frozenset[str] | None = None,
) -> ImportResult:
    """Import a workbook all-or-nothing (or preview it with `dry_run`), recording an ImportRun.

    `allowed_codes`, when given, limits the rows to those organisations (admin uploads by
    people whose role covers only some organisations); the command passes None."""
    if run is None:
        run = ImportRun.objects.create(
            engine_version=ENGINE_VERSION,
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            user=acting_user,
            source=source,
            dry_run=dry_run,
            outcome=ImportRun.Outcome.RUNNING,
            stage=Stage.READING,
            heartbeat_at=timezone.now(),
        )
    else:
        save_run(
            run,
            outcome=ImportRun.Outcome.RUNNING,
            stage=Stage.READING,
            dry_run=dry_run,
            finished_at=None,
            engine_version=ENGINE_VERSION,
            heartbeat_at=timezone.now(),
        )

    def report(phase: str, done: int, total: int) -> None:
        """Tell the admin where the run is, and so that its worker is alive (imports.liveness)."""
        save_run(
            run,
            stage=STAGES[phase],
            phase=phase,
            progress_done=done,
            progress_total=total,
            heartbeat_at=timezone.now(),
        )
        if progress:
            progress(phase, done, total)

    # Hundreds of thousands of small objects live through an import; the cyclic garbage
    # collector would walk all of them again and again for nothing (none form cycles).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _import(run, data, file_name, acting_user, dry_run, report, allowed_codes)
    finally:
        if gc_was_enabled:
            gc.enable()


def _write(result: ImportResult, run: ImportRun, acting_user, allowed_codes, end) -> None:
    """Write the plan in one transaction, and record the run's end (`end(tracker_state)`) in it:
    the run says "applied" exactly when its rows are in, so a run whose worker stopped part-way
    and still says "running" wrote nothing (`imports.liveness` relies on it)."""
    with transaction.atomic():
        hold_tracker()
        if watermark() != result.plan.watermark:
            # Someone wrote to the tracker since the plan was made: plan again under the lock.
            result.parsed = parse_workbook(result.parsed.workbook)
            result.plan = build_plan(
                result.parsed, acting_user_id=acting_user.pk, allowed_codes=allowed_codes
            )
        if not result.problems:
            progress = WriteProgress(run.pk, result.plan.writes)
            try:
                writer = BulkWriter(
                    user_id=acting_user.pk, reason=run.reason, progress=progress.add
                )
                write_plan(result.plan, writer)
            finally:
                progress.close()  # before `end` updates the run row the progress updated
            analyze_after_commit(result.plan.writes)
            result.tracker_state = list(watermark())
        end(result.tracker_state or result.plan.watermark)


def named_codes(parsed: ParsedWorkbook) -> set[str]:
    """The organisation codes the file's rows name: whose HR colleagues may see this import."""
    codes: set[str] = set()
    for sheet in parsed.sheets.values():
        for key in CODE_KEYS:
            if key in sheet.index:
                at = sheet.index[key]
                codes.update(row.values.data[at] for row in sheet.rows)
    codes.discard("")
    codes.discard(None)
    return codes


def _import(run, data, file_name, acting_user, dry_run, report, allowed_codes) -> ImportResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    result = ImportResult(run=run)

    previous = unchanged_since(run) if allowed_codes is None else None
    if previous is not None:
        result.plan = Plan()
        for name, counts in previous.counts.items():
            summary = SheetSummary(name, unchanged=sum(counts.values()))
            result.plan.summaries[name] = summary
        result.reused_from = previous
        finished(
            run,
            ImportRun.Outcome.PREVIEWED if dry_run else ImportRun.Outcome.APPLIED,
            result.plan.summaries,
            organisations=previous.organisations.all(),
            notices=[
                *previous.notices,
                f"This file is identical (SHA-256) to import #{previous.pk} and the tracker has "
                "not changed since, so every row is unchanged.",
            ],
            tracker_state=previous.tracker_state,
            content_digests=None,  # the file is not read
            timings=timings,
            started=started,
        )
        return result

    try:
        report("checking the file", 0, 1)
        workbook = open_workbook(data, file_name=file_name)
        timings["check"] = round(time.perf_counter() - started, 3)
        mark = time.perf_counter()
        report("reading rows", 0, 1)
        # Recognising the content and then converting it read the same sheets: each is loaded
        # from the file once, and let go before planning.
        with workbook.kept_loaded():
            vouched = recognised_content(run, workbook) if allowed_codes is None else None
            if vouched is not None:
                timings["read"] = round(time.perf_counter() - mark, 3)
                return recognised(result, workbook, vouched, dry_run, timings, started)
            result.parsed = parse_workbook(
                workbook, progress=lambda d, t: report("reading rows", d, t)
            )
        timings["read"] = round(time.perf_counter() - mark, 3)
    except WorkbookError as exc:
        return failed(result, str(exc), timings, started)

    mark = time.perf_counter()
    report("comparing with the tracker", 0, 1)
    result.plan = build_plan(
        result.parsed, acting_user_id=acting_user.pk, allowed_codes=allowed_codes
    )
    timings["plan"] = round(time.perf_counter() - mark, 3)
    codes = named_codes(result.parsed)

    def end(tracker_state) -> None:
        problems = result.problems
        if problems:
            outcome = ImportRun.Outcome.REJECTED
            tracker_state = []
        elif dry_run:
            outcome = ImportRun.Outcome.PREVIEWED
            if result.plan.writes:
                tracker_state = []  # a preview that would change things proves nothing
        else:
            outcome = ImportRun.Outcome.APPLIED
        finished(
            run,
            outcome,
            result.plan.summaries,
            organisations=Organisation.objects.filter(code__in=codes),
            notices=result.parsed.notices,
            tracker_state=[list(pair) for pair in tracker_state],
            content_digests={key: sheet.digest for key, sheet in result.parsed.sheets.items()},
            timings=timings,
            started=started,
            problems=problems,
        )

    if result.problems or dry_run or not result.plan.writes:
        end(result.plan.watermark)
        return result

    mark = time.perf_counter()
    report("writing", 0, result.plan.writes)
    result.parsed.release_rows()  # the plan holds what is written; free the rest
    try:
        _write(result, run, acting_user, allowed_codes, end)
    except DatabaseError as exc:
        run.refresh_from_db()  # the end recorded inside the transaction was rolled back with it
        run.organisations.set(Organisation.objects.filter(code__in=codes))
        # A constraint the plan could not foresee (a concurrent writer on PostgreSQL):
        # the transaction rolled back, so nothing was written.
        message = (
            f"{file_name}: the tracker changed while this import was being written "
            f"({' '.join(str(exc).split())[:200]}); nothing was written. Run it again."
        )
        return failed(result, message, timings, started)
    # The write's time and the total include the commit (on PostgreSQL, where the foreign keys
    # are checked), so they are recorded once it is done.
    timings["write"] = round(time.perf_counter() - mark, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    save_run(run, timings=timings)
    return result


__all__ = ["ImportResult", "build_plan", "workbook_import"]
