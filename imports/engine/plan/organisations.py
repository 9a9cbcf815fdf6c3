"""The Organisations sheet: organisations created or updated, and their successions."""

from __future__ import annotations

from imports.engine.fields import LABELS, ORG_FIELDS, display
from imports.engine.plan.base import Planner, diff
from imports.engine.results import SheetSummary
from imports.engine.rows import ParsedSheet


def plan_organisations(planner: Planner, sheet: ParsedSheet) -> None:
    summary = planner.plan.summaries.setdefault("organisations", SheetSummary(sheet.spec.title))
    first_seen: dict[str, int] = {}
    for row in sheet.rows:
        code = row.values.get("code")
        if not code:
            continue
        if code in first_seen:
            planner.problem(
                sheet,
                row,
                "code",
                f"organisation {code} appears again (first at row {first_seen[code]})",
            )
            continue
        first_seen[code] = row.number
        if planner.not_allowed(sheet, row, "code", code):
            continue
        if not row.failed:
            planner.file_orgs[code] = row
    for row in sheet.rows:
        code = row.values.get("code")
        if row.failed or not code or planner.file_orgs.get(code) is not row:
            continue
        new = {k: row.values[k] for k in ORG_FIELDS if k in row.values}
        changes: list = []
        outcome = "unchanged"
        old = planner.state.orgs.get(code)
        if old is None:
            planner.plan.org_creates.append({"code": code, **new})
            summary.count("organisations", "created")
            outcome = "created"
            merged = new
        else:
            changed = diff(old, new, ORG_FIELDS)
            merged = {**old, **new}
            if changed:
                planner.plan.org_updates.append(merged)
                summary.count("organisations", "updated")
                changes = [[LABELS[n], display(old[n]), display(new[n])] for n in changed]
                outcome = "updated"
        if (
            merged.get("opened_on")
            and merged.get("closed_on")
            and merged["closed_on"] < merged["opened_on"]
        ):
            planner.problem(
                sheet,
                row,
                "closed_on",
                f"{code} would close ({merged['closed_on']:%d/%m/%Y}) before it opened "
                f"({merged['opened_on']:%d/%m/%Y})",
            )
        for successor in row.values.get("successors") or ():
            if successor == code:
                continue  # reported by the row checks
            if not planner.org_known(successor):
                planner.problem(
                    sheet,
                    row,
                    "successors",
                    f"successor '{successor}' does not exist (not in the tracker nor on this "
                    "sheet)",
                )
                continue
            date = row.values.get("succession_date")
            if not date:
                continue
            pred_id = old["id"] if old else None
            succ = planner.state.orgs.get(successor)
            existing = (
                planner.state.successions.get((pred_id, succ["id"])) if pred_id and succ else None
            )
            if existing is None:
                planner.plan.succession_creates.append(
                    {"_pred": code, "_succ": successor, "effective_on": date}
                )
                summary.count("successions", "created")
                if outcome == "unchanged":
                    outcome = "updated"
                changes.append([LABELS["successor"], "", f"{successor} from {display(date)}"])
            elif existing["effective_on"] != date:
                planner.plan.succession_updates.append({**existing, "effective_on": date})
                summary.count("successions", "updated")
                if outcome == "unchanged":
                    outcome = "updated"
                changes.append(
                    [
                        f"Succession to {successor}",
                        display(existing["effective_on"]),
                        display(date),
                    ]
                )
        summary.record(row, code, outcome, changes)
