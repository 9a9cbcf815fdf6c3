"""The record of an import run (`ImportRun`): what `workbook_import` returns, and how a run's
end is written, finished (applied, previewed or rejected) or failed. Used by `imports.engine.run`
and by `imports.engine.seen` (runs that end early because an earlier import vouches for the
file)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils import timezone

from imports.engine.results import Plan, SheetSummary
from imports.engine.rows import ParsedWorkbook, Problem
from imports.models import ImportRun

ENGINE_VERSION = 1  # bump when import rules change, so earlier runs no longer vouch for a file
PROBLEM_LIMIT = 2_000  # problems kept on the ImportRun (all are printed by the command)
Stage = ImportRun.Stage


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


def save_run(run: ImportRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=list(fields))


def finished(
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
    """Record a run's end (applied, previewed or rejected; `failed` records the rest): who may
    see it (`organisations`), the outcome, per-sheet counts and preview from `summaries`, the
    notices, timings with the total, `tracker_state` (see `unchanged_since`), the finish time.

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
    save_run(
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


def failed(
    result: ImportResult, message: str, timings: dict[str, float], started: float
) -> ImportResult:
    """Record a run that failed (`message`, one line, says why; nothing was written)."""
    result.error = message
    timings["total"] = round(time.perf_counter() - started, 3)
    end_failed(result.run, message, timings=timings)
    return result


def end_failed(run: ImportRun, message: str, **fields) -> None:
    """Write a run's end as failed, `message` (one line) saying why; `fields` any more to save.
    Also for a run whose task could not finish (`imports.tasks`)."""
    save_run(
        run,
        outcome=ImportRun.Outcome.FAILED,
        stage=Stage.FAILED,
        message=message,
        finished_at=timezone.now(),
        phase="",
        **fields,
    )
