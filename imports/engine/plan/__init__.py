"""Planning: compare a parsed workbook with the tracker and work out, per row, whether it creates,
updates or leaves things unchanged, with every problem that needs the database or other rows.

One planner per sheet, run in the order the sheets depend on each other (a post names its
organisation; a change names its post): `organisations`, `establishment`, `changes`.
"""

from __future__ import annotations

from imports.engine.plan.base import Planner
from imports.engine.plan.changes import plan_changes
from imports.engine.plan.establishment import plan_establishment
from imports.engine.plan.organisations import plan_organisations
from imports.engine.results import Plan
from imports.engine.rows import ParsedWorkbook
from imports.engine.state import load_state, watermark

SHEET_PLANNERS = (
    ("organisations", plan_organisations),
    ("establishment", plan_establishment),
    ("changes", plan_changes),
)


def build_plan(
    parsed: ParsedWorkbook, *, acting_user_id: int, allowed_codes: frozenset[str] | None = None
) -> Plan:
    mark = watermark()
    planner = Planner(parsed, load_state(parsed), acting_user_id, allowed_codes)
    for key, plan_sheet in SHEET_PLANNERS:
        if key in parsed.sheets:
            plan_sheet(planner, parsed.sheets[key])
    plan = planner.plan
    del planner  # and with it the tracker state: the plan holds what is written
    plan.watermark = mark
    return plan


__all__ = ["Plan", "build_plan"]
