"""Files an earlier import vouches for: the same bytes (`unchanged_since`), or the same content
in different bytes (`recognised_content`), after which the tracker has not changed at all. Such
a file changes nothing, so its run ends without planning (`recognised` records it)."""

from __future__ import annotations

from imports.engine.parse import content_digests
from imports.engine.record import ENGINE_VERSION, ImportResult, finished
from imports.engine.results import Plan, SheetSummary
from imports.engine.rows import ParsedWorkbook
from imports.engine.state import watermark
from imports.models import ImportRun
from tracker.models import Organisation


def unchanged_since(run: ImportRun) -> ImportRun | None:
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


def recognised_content(run: ImportRun, workbook) -> tuple[ImportRun, dict, list, set] | None:
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


def recognised(result: ImportResult, workbook, vouched, dry_run, timings, started) -> ImportResult:
    """Finish an import whose every sheet an earlier import vouches for (`vouched`, from
    `recognised_content`): all rows unchanged."""
    vouching, contents, notices, codes = vouched
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
    finished(
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
