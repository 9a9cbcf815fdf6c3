"""What every sheet's planner shares: the tracker state, the plan being built, the organisations
and posts the file itself defines, and how a problem is reported at its cell."""

from __future__ import annotations

from imports.engine.results import Plan
from imports.engine.rows import ParsedRow, ParsedSheet, ParsedWorkbook, Problem, picker
from imports.engine.state import State


def diff(old: dict, new: dict, fields) -> list[str]:
    return [name for name in fields if name in new and old.get(name) != new[name]]


class Fields:
    """The fields of one table that a sheet has columns for, picked out of a parsed row and out
    of a state tuple in the same order: an unchanged record costs one tuple comparison, and
    only a record that differs is compared field by field."""

    def __init__(self, fields: tuple[str, ...], sheet: ParsedSheet, state: tuple[str, ...]):
        self.names = tuple(name for name in fields if name in sheet.index)
        self.new = picker([sheet.index[name] for name in self.names])
        self.old = picker([state.index(name) for name in self.names])

    def changed(self, data: tuple, old: tuple) -> list[str]:
        new, old = self.new(data), self.old(old)
        if new == old:
            return []
        return [name for name, a, b in zip(self.names, new, old, strict=True) if a != b]

    def values(self, data: tuple) -> dict[str, object]:
        return dict(zip(self.names, self.new(data), strict=True))


class Planner:
    """One workbook's planning: the sheet planners (organisations, establishment, changes) run in
    that order against it, each adding to `plan` and reporting problems at their cells."""

    def __init__(
        self,
        parsed: ParsedWorkbook,
        state: State,
        acting_user_id: int,
        allowed_codes: frozenset[str] | None = None,
    ):
        self.allowed = allowed_codes
        self.parsed = parsed
        self.state = state
        self.user_id = acting_user_id
        self.plan = Plan()
        # Organisations the Organisations sheet defines (valid rows only): code -> row
        self.file_orgs: dict[str, ParsedRow] = {}
        # Posts the Establishment sheet defines: (code, position) -> row of first mention
        self.file_posts: dict[tuple[str, str], ParsedRow] = {}
        self.new_posts: set[tuple[str, str]] = set()

    def problem(self, sheet: ParsedSheet, row: ParsedRow, key: str, message: str) -> None:
        self.plan.problems.append(Problem(sheet.name, row.ref(key), message, row.number))

    def not_allowed(self, sheet: ParsedSheet, row: ParsedRow, key: str, code: str) -> bool:
        """Uploads in the admin touch only the organisations the user's role covers."""
        if self.allowed is None or code in self.allowed:
            return False
        self.problem(sheet, row, key, f"you are not assigned to organisation {code}")
        return True

    def org_known(self, code: str) -> bool:
        return code in self.state.orgs or code in self.file_orgs

    def unknown_org(self, code: str) -> str:
        return (
            f"unknown organisation code '{code}': it is neither in the tracker nor on the "
            "Organisations sheet of this file"
        )
