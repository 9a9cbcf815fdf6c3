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
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone

from imports.engine.history import BulkWriter
from imports.engine.parse import CODE_KEYS, content_digests, parse_workbook
from imports.engine.plan import build_plan
from imports.engine.progress import WriteProgress
from imports.engine.results import Plan, SheetSummary
from imports.engine.rows import ParsedWorkbook, Problem
from imports.engine.state import hold_tracker, watermark
from imports.engine.statistics import analyze_after_commit
from imports.engine.write import write_plan
from imports.models import ImportRun
from imports.readers import WorkbookError, open_workbook
from tracker.models import Organisation

ENGINE_VERSION = 1  # bump when import rules change, so earlier runs no longer vouch for a file
PROBLEM_LIMIT = 2_000  # problems kept on the ImportRun (all are printed by the command)

Progress = Callable[[str, int, int], None]
Stage = ImportRun.Stage
# What the admin calls each phase of the work.
STAGES = {
    "checking the file": Stage.READING,
    "reading rows": Stage.READING,
    "comparing with the tracker": Stage.CHECKING,
    "writing": Stage.WRITING,
}


@dataclass
class ImportResult:
    run: ImportRun
    parsed: ParsedWorkbook | None = None
    plan: Plan | None = None
    error: str = ""  # an unreadable file: one line
    reused_from: ImportRun | None = None  # identical file, tracker unchanged since
    tracker_state: list | None = None  # after the write, inside its transaction

    @property
    def notices(self) -> list[str]:
        return list(self.run.notices)

    @property
    def problems(self) -> list[Problem]:
        if self.parsed is None:
            return []
        return self.parsed.problems + (self.plan.problems if self.plan else [])

    @property
    def ok(self) -> bool:
        return not self.error and not self.problems

    def summary_lines(self) -> list[str]:
        if not self.plan:
            return []
        return [s.line() for s in self.plan.summaries.values()]


def _save_run(run: ImportRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=list(fields))


def _finished(
    run: ImportRun,
    outcome: str,
    summaries: dict[str, SheetSummary],
    *,
    organisations,
    notices: list[str],
    tracker_state: list,
    content_digests: dict | None,
    timings: dict[str, float],
    started: float,
    problems: list[Problem] | None = None,
) -> None:
    """Record a run's end (applied, previewed or rejected; `_failed` records the rest): who may
    see it (`organisations`), the outcome, per-sheet counts and preview from `summaries`, the
    notices, timings with the total, `tracker_state` (see `_unchanged_since`), the finish time.

    `content_digests` is None when the file was not read at all (an identical file): then the
    preview is left empty and neither digests nor progress are written. `problems`, given when
    the rows were planned, are kept (the first PROBLEM_LIMIT) with their count; any problem
    makes the stage FAILED."""
    run.organisations.set(organisations)
    timings["total"] = round(time.perf_counter() - started, 3)
    if content_digests is None:
        fields: dict = {"preview": {}}
    else:
        fields = {
            "preview": {
                s.name: {"created": s.created_rows, "updated": s.updated_rows, "objects": s.objects}
                for s in summaries.values()
            },
            "content_digests": content_digests,
            "progress_done": run.progress_total,
        }
    if problems is not None:
        fields["problems"] = [str(p) for p in problems[:PROBLEM_LIMIT]]
        fields["problem_count"] = len(problems)
    _save_run(
        run,
        outcome=outcome,
        stage=Stage.FAILED if problems else Stage.DONE,
        counts={s.name: s.as_counts() for s in summaries.values()},
        notices=notices,
        timings=timings,
        tracker_state=tracker_state,
        finished_at=timezone.now(),
        phase="",
        **fields,
    )


def _failed(
    result: ImportResult, message: str, timings: dict[str, float], started: float
) -> ImportResult:
    """Record a run that failed (`message`, one line, says why; nothing was written)."""
    result.error = message
    timings["total"] = round(time.perf_counter() - started, 3)
    _save_run(
        result.run,
        outcome=ImportRun.Outcome.FAILED,
        stage=Stage.FAILED,
        message=message,
        timings=timings,
        finished_at=timezone.now(),
        phase="",
    )
    return result


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
        )
    else:
        _save_run(
            run,
            outcome=ImportRun.Outcome.RUNNING,
            stage=Stage.READING,
            dry_run=dry_run,
            finished_at=None,
            engine_version=ENGINE_VERSION,
        )

    def report(phase: str, done: int, total: int) -> None:
        _save_run(run, stage=STAGES[phase], phase=phase, progress_done=done, progress_total=total)
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


def _unchanged_since(run: ImportRun) -> ImportRun | None:
    """An earlier import of these very bytes after which the tracker has not changed at all.

    Such a file is known to change nothing (its plan would be empty), so it is not read again.
    Each run records the tracker's state in which its file changes nothing: after its write,
    taken inside its transaction, or at planning time when there was nothing to write.
    """
    earlier = list(
        ImportRun.objects.filter(
            sha256=run.sha256,
            engine_version=ENGINE_VERSION,
            outcome__in=[ImportRun.Outcome.APPLIED, ImportRun.Outcome.PREVIEWED],
        )
        .exclude(pk=run.pk)
        .exclude(tracker_state=[])
        .order_by("-pk")[:5]
    )
    if not earlier:
        return None
    state = [list(pair) for pair in watermark()]
    return next((r for r in earlier if r.tracker_state == state), None)


def _write(result: ImportResult, run: ImportRun, acting_user, allowed_codes) -> None:
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
                progress.close()
            analyze_after_commit(result.plan.writes)
            result.tracker_state = list(watermark())


def _recognised_content(run: ImportRun, workbook) -> tuple[ImportRun, dict, list, set] | None:
    """An earlier import whose file had every sheet of this one with the same content (columns
    and raw cell values, whatever the bytes), after which the tracker has not changed at all;
    with this file's sheet contents and notices. None if there is none.

    After such an import the tracker holds exactly what those sheets say, so they change
    nothing now: converting and planning them again is skipped. (A sheet of an applied file
    changes nothing on its own either, since each of its rows sets what was written.) The
    earlier import found no problem in the same cells; the only check that depends on the day
    (a date that must not be in the future) can only pass more easily later.

    The content is read without converting a cell (`content_digests`), and only when some
    earlier import could vouch, so a first import never pays for the extra pass."""
    earlier = list(
        ImportRun.objects.filter(
            engine_version=ENGINE_VERSION,
            outcome__in=[ImportRun.Outcome.APPLIED, ImportRun.Outcome.PREVIEWED],
        )
        .exclude(pk=run.pk)
        .exclude(tracker_state=[])
        .exclude(content_digests={})
        .order_by("-pk")[:5]
    )
    if not earlier:
        return None
    state = [list(pair) for pair in watermark()]
    earlier = [r for r in earlier if r.tracker_state == state]
    if not earlier:
        return None
    read = content_digests(workbook)
    if read is None:
        return None
    contents, notices, codes = read
    vouching = next(
        (
            r
            for r in earlier
            if all(r.content_digests.get(key) == c.digest for key, c in contents.items())
        ),
        None,
    )
    return (vouching, contents, notices, codes) if vouching is not None else None


def _recognised(
    result: ImportResult, workbook, recognised, dry_run, timings, started
) -> ImportResult:
    """Finish an import whose every sheet an earlier import vouches for: all rows unchanged."""
    vouching, contents, notices, codes = recognised
    run = result.run
    result.plan = Plan()
    for key, content in contents.items():
        result.plan.summaries[key] = SheetSummary(content.title, unchanged=content.rows)
    notices.append(
        f"Every sheet of this file has the same content as import #{vouching.pk} and the "
        "tracker has not changed since, so every row is unchanged."
    )
    result.parsed = ParsedWorkbook(
        workbook=workbook,
        sheets={},
        problems=[],
        notices=notices,
        row_count=sum(c.rows for c in contents.values()),
    )
    result.reused_from = vouching
    _finished(
        run,
        ImportRun.Outcome.PREVIEWED if dry_run else ImportRun.Outcome.APPLIED,
        result.plan.summaries,
        organisations=Organisation.objects.filter(code__in=codes),
        notices=notices,
        tracker_state=vouching.tracker_state,
        content_digests={key: c.digest for key, c in contents.items()},
        timings=timings,
        started=started,
    )
    return result


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

    previous = _unchanged_since(run) if allowed_codes is None else None
    if previous is not None:
        result.plan = Plan()
        for name, counts in previous.counts.items():
            summary = SheetSummary(name, unchanged=sum(counts.values()))
            result.plan.summaries[name] = summary
        result.reused_from = previous
        _finished(
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
        recognised = _recognised_content(run, workbook) if allowed_codes is None else None
        if recognised is not None:
            timings["read"] = round(time.perf_counter() - mark, 3)
            return _recognised(result, workbook, recognised, dry_run, timings, started)
        result.parsed = parse_workbook(workbook, progress=lambda d, t: report("reading rows", d, t))
        timings["read"] = round(time.perf_counter() - mark, 3)
    except WorkbookError as exc:
        return _failed(result, str(exc), timings, started)

    mark = time.perf_counter()
    report("comparing with the tracker", 0, 1)
    result.plan = build_plan(
        result.parsed, acting_user_id=acting_user.pk, allowed_codes=allowed_codes
    )
    timings["plan"] = round(time.perf_counter() - mark, 3)
    tracker_state = list(result.plan.watermark)
    codes = named_codes(result.parsed)

    if not result.problems and not dry_run and result.plan.writes:
        mark = time.perf_counter()
        report("writing", 0, result.plan.writes)
        result.parsed.release_rows()  # the plan holds what is written; free the rest
        try:
            _write(result, run, acting_user, allowed_codes)
        except DatabaseError as exc:
            run.organisations.set(Organisation.objects.filter(code__in=codes))
            # A constraint the plan could not foresee (a concurrent writer on PostgreSQL):
            # the transaction rolled back, so nothing was written.
            message = (
                f"{file_name}: the tracker changed while this import was being written "
                f"({' '.join(str(exc).split())[:200]}); nothing was written. Run it again."
            )
            return _failed(result, message, timings, started)
        tracker_state = result.tracker_state or tracker_state
        timings["write"] = round(time.perf_counter() - mark, 3)

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
    _finished(
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
    return result


__all__ = ["ImportResult", "build_plan", "workbook_import"]
