"""The import engine: compare a parsed workbook with the database, then write all of it or none.

`workbook_import` is the one service the command and the admin screen share:

1. read and check the file (`imports.readers`), convert its rows (`imports.validation`);
2. `build_plan` loads the rows the file names from the database and works out, per row, whether
   it creates, updates or leaves things unchanged, and every problem that needs the database or
   other rows (unknown organisations, duplicates, people or posts claimed by another
   organisation, successors);
3. if there is any problem nothing is written; on a dry run the plan is the preview;
4. otherwise one transaction writes the plan with `imports.bulk_history.BulkWriter`, every
   history row naming the acting user and the import (`Import #12: establishment.xlsx`).

Unchanged rows produce no write and no history, so re-importing a file changes nothing. If the
tracker tables changed between planning and the write (another import, an edit in the admin),
the plan is rebuilt inside the transaction.
"""

from __future__ import annotations

import datetime as dt
import decimal
import gc
import hashlib
import operator
import time
from collections import namedtuple
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DatabaseError, connections, transaction
from django.db.models import Count, DecimalField, Max
from django.utils import timezone

from imports.bulk_history import BulkWriter, concrete_attnames
from imports.models import ImportRun
from imports.readers import WorkbookError, open_workbook
from imports.validation import (
    ESTABLISHMENT,
    MEMO_LIMIT,
    ParsedRow,
    ParsedSheet,
    ParsedWorkbook,
    Problem,
    parse_workbook,
)
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)

ENGINE_VERSION = 1  # bump when import rules change, so earlier runs no longer vouch for a file
PREVIEW_LIMIT = 200  # rows per sheet and kind kept for the preview screen
PROBLEM_LIMIT = 2_000  # problems kept on the ImportRun (all are printed by the command)
CHUNK = 5_000  # values per IN (...) query

AUDITED = (Organisation, Succession, Programme, Post, StaffMember, Assignment, PlannedChange)

Progress = Callable[[str, int, int], None]

ORG_FIELDS = ("name", "kind", "region", "opened_on", "closed_on", "is_legal_employer")
POST_FIELDS = ("title", "directorate", "band", "wte", "cost_centre", "is_board_level")
STAFF_FIELDS = ("first_name", "last_name", "work_email", "date_of_birth", "nhs_service_start")
ASSIGNMENT_FIELDS = ("category", "annual_salary", "start_on", "end_on")
CHANGE_FIELDS = (
    "action",
    "destination_organisation_id",
    "destination_position_number",
    "effective_on",
    "reason",
)
LABELS = {
    "name": "Name",
    "kind": "Type",
    "region": "Region",
    "opened_on": "Opened",
    "closed_on": "Closed",
    "is_legal_employer": "Legal Employer",
    "effective_on": "Effective Date",
    "title": "Position Title",
    "directorate": "Directorate",
    "band": "Band",
    "wte": "WTE",
    "cost_centre": "Cost Centre",
    "is_board_level": "Board Level",
    "first_name": "First Name",
    "last_name": "Last Name",
    "work_email": "Work Email",
    "date_of_birth": "Date of Birth",
    "nhs_service_start": "NHS Start Date",
    "category": "Assignment Category",
    "annual_salary": "Annual Salary",
    "start_on": "Assignment Start Date",
    "end_on": "Assignment End Date",
    "post_id": "Position Number",
    "action": "Action",
    "destination_organisation_id": "Destination Organisation Code",
    "destination_position_number": "Destination Position Number",
    "reason": "Reason",
    "successor": "Successor",
}


def display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


# --- results ----------------------------------------------------------------------------------


@dataclass
class SheetSummary:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    objects: dict[str, dict[str, int]] = field(default_factory=dict)
    created_rows: list[dict] = field(default_factory=list)
    updated_rows: list[dict] = field(default_factory=list)

    def record(self, row: ParsedRow, key: str, outcome: str, changes: list) -> None:
        if outcome == "created":
            self.created += 1
            if len(self.created_rows) < PREVIEW_LIMIT:
                self.created_rows.append({"row": row.number, "key": key})
        elif outcome == "updated":
            self.updated += 1
            if len(self.updated_rows) < PREVIEW_LIMIT:
                self.updated_rows.append({"row": row.number, "key": key, "changes": changes})
        else:
            self.unchanged += 1

    def count(self, what: str, kind: str) -> None:
        bucket = self.objects.setdefault(what, {"created": 0, "updated": 0})
        bucket[kind] += 1

    def line(self) -> str:
        text = (
            f"{self.name}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        parts = [
            f"{what} +{c['created']} ~{c['updated']}"
            for what, c in self.objects.items()
            if c["created"] or c["updated"]
        ]
        return text + (f" ({'; '.join(parts)})" if parts else "")

    def as_counts(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class Plan:
    problems: list[Problem] = field(default_factory=list)
    summaries: dict[str, SheetSummary] = field(default_factory=dict)
    watermark: tuple = ()
    org_creates: list[dict] = field(default_factory=list)
    org_updates: list[dict] = field(default_factory=list)
    succession_creates: list[dict] = field(default_factory=list)  # codes, resolved at write
    succession_updates: list[dict] = field(default_factory=list)
    post_creates: list[dict] = field(default_factory=list)  # "_org" code, resolved at write
    post_updates: list[dict] = field(default_factory=list)
    staff_creates: list[dict] = field(default_factory=list)
    staff_updates: list[dict] = field(default_factory=list)
    assignment_creates: list[dict] = field(default_factory=list)  # "_post", "_staff" keys
    assignment_updates: list[dict] = field(default_factory=list)
    change_creates: list[dict] = field(default_factory=list)  # "_post", "_destination"
    change_updates: list[dict] = field(default_factory=list)
    known_post_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    known_staff_ids: dict[str, int] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return sum(
            len(getattr(self, name))
            for name in self.__dataclass_fields__
            if name.endswith(("_creates", "_updates"))
        )


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


# --- database state ---------------------------------------------------------------------------


def _chunked_rows(model, lookup: str, keys: set, fields: tuple[str, ...]) -> Iterator[tuple]:
    """Yield the rows whose `lookup` is one of `keys`, as named tuples of `fields`. When the file
    names a good share of the table (a full establishment), reading the whole table is much
    cheaper than long IN lists."""
    if not keys:
        return
    rows = model.objects.order_by().values_list(*fields)
    if len(keys) > CHUNK and 2 * len(keys) > model.objects.count():
        at = fields.index(lookup)
        for row in _fetch(rows, fields):
            if row[at] in keys:
                yield row
        return
    keys = list(keys)
    for start in range(0, len(keys), CHUNK):
        yield from _fetch(rows.filter(**{f"{lookup}__in": keys[start : start + CHUNK]}), fields)


def _fetch(queryset, fields: tuple[str, ...]) -> Iterator[tuple]:
    """A `values_list` queryset's rows as named tuples, read with a plain cursor.

    Django's own iterator passes every row through a generic conversion loop that, at 300,000
    rows, costs more than reading them. The drivers already return text, integers, dates and
    booleans as Python values (on SQLite too: Django registers converters for its declared
    date and bool columns); only decimals need converting, because SQLite keeps them as REAL or
    INTEGER. That is done here as Django does it, each distinct value once."""
    model = queryset.model
    decimals = [
        (position, _decimal_converter(model._meta.get_field(name)))
        for position, name in enumerate(fields)
        if "__" not in name and isinstance(model._meta.get_field(name), DecimalField)
    ]
    row_class = namedtuple(f"{model.__name__}State", fields)
    new = tuple.__new__
    sql, params = queryset.query.sql_with_params()
    # A server-side cursor on PostgreSQL, so the whole result is never held at once.
    with connections[queryset.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            for row in chunk:
                if decimals:
                    row = list(row)
                    for position, convert in decimals:
                        row[position] = convert(row[position])
                yield new(row_class, row)


def _decimal_converter(field: DecimalField) -> Callable[[object], Decimal | None]:
    """Django's SQLite conversion of a stored decimal (15 significant digits, then the field's
    places), remembering up to MEMO_LIMIT distinct values; Decimals (PostgreSQL) pass through."""
    quantum = Decimal(1).scaleb(-field.decimal_places)
    from_float = decimal.Context(prec=15).create_decimal_from_float
    remembered: dict[object, Decimal] = {}

    def convert(value: object) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        converted = remembered.get(value)
        if converted is None:
            converted = from_float(value).quantize(quantum, context=field.context)
            if len(remembered) < MEMO_LIMIT:
                remembered[value] = converted
        return converted

    return convert


def watermark() -> tuple:
    """How many history rows each audited table has, and its latest: every write to the tracker
    writes history, so this changes whenever the tracker does (the count catches a concurrent
    transaction that took a lower id but committed later)."""
    marks = []
    for model in AUDITED:
        found = model.history.aggregate(rows=Count("history_id"), top=Max("history_id"))
        marks.append((found["rows"], found["top"] or 0))
    return tuple(marks)


# What the planner keeps of each post, person and assignment the file names: only the fields it
# compares, as named tuples (a dict or model instance per row would cost several times the
# memory at 100,000 rows). The few rows that change are read again in full by `_complete_rows`,
# because their update and history row need every field.
POST_STATE = ("id", "organisation_id", "position_number", *POST_FIELDS)
STAFF_STATE = ("id", "employee_number", *STAFF_FIELDS)
ASSIGNMENT_STATE = (
    "id",
    "assignment_number",
    "post_id",
    "post__organisation_id",
    "post__position_number",
    "staff_member__employee_number",
    *ASSIGNMENT_FIELDS,
)


@dataclass
class State:
    orgs: dict[str, dict]
    org_codes: dict[int, str]
    successions: dict[tuple[int, int], dict]
    programmes_by_slug: dict[str, int]
    programmes_by_name: dict[str, int]
    posts: dict[tuple[int, str], tuple]  # (organisation id, position number) -> POST_STATE
    post_orgs: dict[str, tuple[int, ...]]  # position number -> organisation ids holding it
    staff: dict[str, tuple]  # employee number -> STAFF_STATE
    assignments: dict[str, tuple]  # assignment number -> ASSIGNMENT_STATE
    changes: dict[tuple[int, int], dict]


def load_state(parsed: ParsedWorkbook) -> State:
    orgs = {
        o["code"]: o
        for o in Organisation.objects.order_by().values(*concrete_attnames(Organisation))
    }
    successions = {
        (s["predecessor_id"], s["successor_id"]): s
        for s in Succession.objects.order_by().values(*concrete_attnames(Succession))
    }
    programmes = list(Programme.objects.order_by().values("id", "slug", "name"))
    positions: set[str] = set()
    employees: set[str] = set()
    assignment_numbers: set[str] = set()
    for key in ("establishment", "changes"):
        sheet = parsed.sheets.get(key)
        if sheet is None:
            continue
        for name, found in (
            ("position_number", positions),
            ("employee_number", employees),
            ("assignment_number", assignment_numbers),
        ):
            if name in sheet.index:
                at = sheet.index[name]
                found.update(row.values.data[at] for row in sheet.rows)
                found.discard("")
                found.discard(None)
    posts: dict[tuple[int, str], tuple] = {}
    post_orgs: dict[str, tuple[int, ...]] = {}
    for post in _chunked_rows(Post, "position_number", positions, POST_STATE):
        posts[(post.organisation_id, post.position_number)] = post
        post_orgs[post.position_number] = (
            *post_orgs.get(post.position_number, ()),
            post.organisation_id,
        )
    del positions
    staff = {
        s.employee_number: s
        for s in _chunked_rows(StaffMember, "employee_number", employees, STAFF_STATE)
    }
    del employees
    assignments = {
        a.assignment_number: a
        for a in _chunked_rows(
            Assignment, "assignment_number", assignment_numbers, ASSIGNMENT_STATE
        )
    }
    del assignment_numbers
    programme_ids = {p["id"] for p in programmes}
    changes = {}
    if "changes" in parsed.sheets and programme_ids:
        for c in (
            PlannedChange.objects.filter(programme_id__in=programme_ids)
            .exclude(status=PlannedChange.Status.CANCELLED)
            .order_by()
            .values(*concrete_attnames(PlannedChange))
        ):
            changes[(c["programme_id"], c["post_id"])] = c
    return State(
        orgs=orgs,
        org_codes={o["id"]: code for code, o in orgs.items()},
        successions=successions,
        programmes_by_slug={p["slug"].lower(): p["id"] for p in programmes},
        programmes_by_name={" ".join(p["name"].lower().split()): p["id"] for p in programmes},
        posts=posts,
        post_orgs=post_orgs,
        staff=staff,
        assignments=assignments,
        changes=changes,
    )


def _complete_rows(model, rows: list[dict]) -> None:
    """Fill planned updates (each its "id" and the values that change) with the record's other
    fields, read now: the write sets only what changed, but the history row records the whole
    record. Only rows that change come here, so this reads few rows."""
    if not rows:
        return
    by_id = {row["id"]: row for row in rows}
    ids = list(by_id)
    fields = concrete_attnames(model)
    for start in range(0, len(ids), CHUNK):
        for full in (
            model.objects.filter(id__in=ids[start : start + CHUNK]).order_by().values(*fields)
        ):
            row = by_id[full["id"]]
            for name, value in full.items():
                row.setdefault(name, value)


# --- planning ---------------------------------------------------------------------------------


def _diff(old: dict, new: dict, fields) -> list[str]:
    return [name for name in fields if name in new and old.get(name) != new[name]]


_POST_COLUMNS = frozenset(POST_FIELDS)
_STAFF_COLUMNS = frozenset(STAFF_FIELDS)
_ASSIGNMENT_COLUMNS = frozenset(ASSIGNMENT_FIELDS)
_PERSON_DATES = ("date_of_birth", "nhs_service_start")


class _Fields:
    """The fields of one table that a sheet has columns for, picked out of a parsed row and out
    of a state tuple in the same order: an unchanged record costs one tuple comparison, and
    only a record that differs is compared field by field."""

    def __init__(self, fields: tuple[str, ...], sheet: ParsedSheet, state: tuple[str, ...]):
        self.names = tuple(name for name in fields if name in sheet.index)
        self.new = _picker([sheet.index[name] for name in self.names])
        self.old = _picker([state.index(name) for name in self.names])

    def changed(self, data: tuple, old: tuple) -> list[str]:
        new, old = self.new(data), self.old(old)
        if new == old:
            return []
        return [name for name, a, b in zip(self.names, new, old, strict=True) if a != b]

    def values(self, data: tuple) -> dict[str, object]:
        return dict(zip(self.names, self.new(data), strict=True))


def _picker(positions: list[int | None]) -> Callable[[tuple], tuple]:
    """`operator.itemgetter`, but always returning a tuple (also for one or no positions), and
    None for a position that is None (a column the sheet does not have)."""
    if None in positions:
        return lambda row: tuple(None if at is None else row[at] for at in positions)
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    if positions:
        only = positions[0]
        return lambda row: (row[only],)
    return lambda row: ()


class _Planner:
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

    def run(self) -> Plan:
        sheets = self.parsed.sheets
        if "organisations" in sheets:
            self.organisations(sheets["organisations"])
        if "establishment" in sheets:
            self.establishment(sheets["establishment"])
        if "changes" in sheets:
            self.changes(sheets["changes"])
        return self.plan

    # Organisations ---------------------------------------------------------------------------

    def organisations(self, sheet: ParsedSheet) -> None:
        summary = self.plan.summaries.setdefault("organisations", SheetSummary(sheet.spec.title))
        first_seen: dict[str, int] = {}
        for row in sheet.rows:
            code = row.values.get("code")
            if not code:
                continue
            if code in first_seen:
                self.problem(
                    sheet,
                    row,
                    "code",
                    f"organisation {code} appears again (first at row {first_seen[code]})",
                )
                continue
            first_seen[code] = row.number
            if self.not_allowed(sheet, row, "code", code):
                continue
            if not row.failed:
                self.file_orgs[code] = row
        for row in sheet.rows:
            code = row.values.get("code")
            if row.failed or not code or self.file_orgs.get(code) is not row:
                continue
            new = {k: row.values[k] for k in ORG_FIELDS if k in row.values}
            changes: list = []
            outcome = "unchanged"
            old = self.state.orgs.get(code)
            if old is None:
                self.plan.org_creates.append({"code": code, **new})
                summary.count("organisations", "created")
                outcome = "created"
                merged = new
            else:
                changed = _diff(old, new, ORG_FIELDS)
                merged = {**old, **new}
                if changed:
                    self.plan.org_updates.append(merged)
                    summary.count("organisations", "updated")
                    changes = [[LABELS[n], display(old[n]), display(new[n])] for n in changed]
                    outcome = "updated"
            if (
                merged.get("opened_on")
                and merged.get("closed_on")
                and merged["closed_on"] < merged["opened_on"]
            ):
                self.problem(
                    sheet,
                    row,
                    "closed_on",
                    f"{code} would close ({merged['closed_on']:%d/%m/%Y}) before it opened "
                    f"({merged['opened_on']:%d/%m/%Y})",
                )
            for successor in row.values.get("successors") or ():
                if successor == code:
                    continue  # reported by the row checks
                if not self.org_known(successor):
                    self.problem(
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
                succ = self.state.orgs.get(successor)
                existing = (
                    self.state.successions.get((pred_id, succ["id"])) if pred_id and succ else None
                )
                if existing is None:
                    self.plan.succession_creates.append(
                        {"_pred": code, "_succ": successor, "effective_on": date}
                    )
                    summary.count("successions", "created")
                    if outcome == "unchanged":
                        outcome = "updated"
                    changes.append([LABELS["successor"], "", f"{successor} from {display(date)}"])
                elif existing["effective_on"] != date:
                    self.plan.succession_updates.append({**existing, "effective_on": date})
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

    # Establishment ---------------------------------------------------------------------------

    def establishment(self, sheet: ParsedSheet) -> None:
        state = self.state
        summary = self.plan.summaries.setdefault("establishment", SheetSummary(sheet.spec.title))
        # A position number belongs to one organisation, so the row that first names a position
        # number defines its post; later rows with it are further holders of a shared post.
        post_first: dict[str, ParsedRow] = {}
        staff_first: dict[str, ParsedRow] = {}
        assignment_first: dict[str, int] = {}
        post_ids = self.plan.known_post_ids  # (code, position) -> id, for posts already there
        org_ids: dict[str, int | None] = {}  # codes checked once: known and allowed
        # Rows that create or update something, in sheet order, for the preview; unchanged rows
        # (nearly all of them on a re-import) are only counted.
        recorded: list[tuple[ParsedRow, str, list]] = []
        unchanged = 0
        post_fields = _Fields(POST_FIELDS, sheet, POST_STATE)
        staff_fields = _Fields(STAFF_FIELDS, sheet, STAFF_STATE)
        assignment_fields = _Fields(ASSIGNMENT_FIELDS, sheet, ASSIGNMENT_STATE)
        # Every row reads these: picked from its values in one call (the rest only when needed).
        row_keys = _picker(
            [sheet.index.get(name) for name in ("org_code", "position_number", "assignment_number")]
            + [sheet.index.get(name) for name in ("employee_number", *_PERSON_DATES)]
        )

        has_born, has_started = (name in sheet.index for name in _PERSON_DATES)

        for row in sheet.rows:
            v = row.values
            data = v.data
            failed = row.failed
            code, position, number, employee, born, started = row_keys(data)
            if not code or not position or "org_code" in failed or "position_number" in failed:
                continue
            key = (code, position)
            outcome, changes = "unchanged", []
            if code in org_ids:
                org_id = org_ids[code]
            else:
                if not self.org_known(code):
                    self.problem(sheet, row, "org_code", self.unknown_org(code))
                    continue
                if self.not_allowed(sheet, row, "org_code", code):
                    continue
                org = state.orgs.get(code)
                org_id = org_ids[code] = org["id"] if org else None
            # A position number belongs to one organisation (in the tracker and in the file).
            holders = state.post_orgs.get(position, ())
            if holders and holders != (org_id,):
                elsewhere = sorted({state.org_codes[i] for i in holders if i != org_id})
            else:
                elsewhere = None
            if elsewhere:
                self.problem(
                    sheet,
                    row,
                    "position_number",
                    f"position number {position} already belongs to organisation "
                    f"{', '.join(elsewhere)}; a post moves between organisations through "
                    "a planned change, not an import",
                )
                continue
            first = post_first.get(position)
            if first is not None and first.values["org_code"] != code:
                self.problem(
                    sheet,
                    row,
                    "position_number",
                    f"position number {position} is also used for organisation "
                    f"{first.values['org_code']} at row {first.number}",
                )
                continue

            # The post: first mention defines it; later rows are further holders of a shared post.
            if first is not None:
                if not v.get("assignment_number") or not first.values.get("assignment_number"):
                    self.problem(
                        sheet,
                        row,
                        "position_number",
                        f"position number {position} for {code} appears again (first at row "
                        f"{first.number}); a post is on several rows only when each row names a "
                        "different assignment (a shared post)",
                    )
                    continue
                clash = [
                    n
                    for n in post_fields.names
                    if n not in failed and n not in first.failed and v[n] != first.values[n]
                ]
                for n in clash:
                    self.problem(
                        sheet,
                        row,
                        n,
                        f"{LABELS[n]} '{display(v[n])}' differs from row {first.number} "
                        f"('{display(first.values[n])}') for the same post {position}",
                    )
                if clash:
                    continue
            else:
                post_first[position] = row
                if failed & _POST_COLUMNS:
                    continue
                old = state.posts.get((org_id, position)) if org_id else None
                self.file_posts[key] = row
                if old is None:
                    self.new_posts.add(key)
                    self.plan.post_creates.append(
                        {"_org": code, "position_number": position, **post_fields.values(data)}
                    )
                    summary.count("posts", "created")
                    outcome = "created"
                else:
                    post_ids[key] = old.id
                    changed = post_fields.changed(data, old)
                    if changed:
                        self.plan.post_updates.append({"id": old.id, **post_fields.values(data)})
                        summary.count("posts", "updated")
                        outcome = "updated"
                        changes += [
                            [LABELS[n], display(getattr(old, n)), display(v[n])] for n in changed
                        ]

            if not number or "assignment_number" in failed:
                if outcome == "unchanged":
                    unchanged += 1
                else:
                    recorded.append((row, outcome, changes))
                continue
            if number in assignment_first:
                self.problem(
                    sheet,
                    row,
                    "assignment_number",
                    f"assignment number {number} appears again (first at row "
                    f"{assignment_first[number]})",
                )
                continue
            assignment_first[number] = row.number
            if not employee or "employee_number" in failed:
                continue

            # The person: the first row naming an employee number defines them.
            if employee in staff_first:
                first = staff_first[employee]
                clash = [
                    n
                    for n in staff_fields.names
                    if n not in failed and n not in first.failed and v[n] != first.values[n]
                ]
                for n in clash:
                    self.problem(
                        sheet,
                        row,
                        n,
                        f"{LABELS[n]} '{display(v[n])}' differs from row {first.number} "
                        f"('{display(first.values[n])}') for the same employee {employee}",
                    )
                if clash:
                    continue
            else:
                staff_first[employee] = row
                if failed & _STAFF_COLUMNS:
                    continue
                old = state.staff.get(employee)
                # The record as it would be: the file's values over the tracker's.
                if not has_born:
                    born = old and old.date_of_birth
                if not has_started:
                    started = old and old.nhs_service_start
                if born and started and started <= born:
                    self.problem(
                        sheet,
                        row,
                        "nhs_service_start",
                        f"NHS start date {display(started)} is not after the "
                        f"date of birth {display(born)}",
                    )
                    continue
                if old is None:
                    self.plan.staff_creates.append(
                        {"employee_number": employee, **staff_fields.values(data)}
                    )
                    summary.count("staff", "created")
                    outcome = "created"
                else:
                    self.plan.known_staff_ids[employee] = old.id
                    changed = staff_fields.changed(data, old)
                    if changed:
                        self.plan.staff_updates.append({"id": old.id, **staff_fields.values(data)})
                        summary.count("staff", "updated")
                        if outcome == "unchanged":
                            outcome = "updated"
                        changes += [
                            [LABELS[n], display(getattr(old, n)), display(v[n])] for n in changed
                        ]

            # The assignment.
            if failed & _ASSIGNMENT_COLUMNS:
                continue
            existing = state.assignments.get(number)
            if existing is None:
                new = assignment_fields.values(data)
                if not new.get("category"):
                    new["category"] = Assignment.Category.PERMANENT
                self.plan.assignment_creates.append(
                    {"assignment_number": number, "_post": key, "_staff": employee, **new}
                )
                summary.count("assignments", "created")
                outcome = "created"
            else:
                if existing.staff_member__employee_number != employee:
                    self.problem(
                        sheet,
                        row,
                        "employee_number",
                        f"assignment {number} belongs to employee "
                        f"{existing.staff_member__employee_number}, not {employee}",
                    )
                    continue
                if existing.post__organisation_id != org_id:
                    other = state.org_codes.get(
                        existing.post__organisation_id, "another organisation"
                    )
                    self.problem(
                        sheet,
                        row,
                        "assignment_number",
                        f"assignment number {number} already belongs to organisation {other} "
                        f"(position {existing.post__position_number}); a person moves between "
                        "organisations through a planned change, not an import",
                    )
                    continue
                changed = assignment_fields.changed(data, existing)
                if "category" in changed and not v["category"]:
                    changed.remove("category")  # blank keeps what is recorded
                post_id = post_ids.get(key)  # None: a post this file creates
                moved = post_id is None or post_id != existing.post_id
                if changed or moved:
                    new = assignment_fields.values(data)
                    if not new.get("category"):
                        new.pop("category", None)
                    merged = {"id": existing.id, **new}
                    if moved:
                        if post_id is None:
                            merged["_post"] = key  # a post this file creates
                        else:
                            merged["post_id"] = post_id
                        changes.append(
                            [LABELS["post_id"], existing.post__position_number, position]
                        )
                    self.plan.assignment_updates.append(merged)
                    summary.count("assignments", "updated")
                    if outcome == "unchanged":
                        outcome = "updated"
                    changes += [
                        [LABELS[n], display(getattr(existing, n)), display(new[n])] for n in changed
                    ]
            if outcome == "unchanged":
                unchanged += 1
            else:
                recorded.append((row, outcome, changes))

        summary.unchanged += unchanged
        for row, outcome, changes in recorded:
            key = f"{row.values.get('org_code')} {row.values.get('position_number')}"
            if row.values.get("assignment_number"):
                key += f" / {row.values['assignment_number']}"
            summary.record(row, key, outcome, changes)

    # Changes ---------------------------------------------------------------------------------

    def changes(self, sheet: ParsedSheet) -> None:
        state = self.state
        summary = self.plan.summaries.setdefault("changes", SheetSummary(sheet.spec.title))
        seen: dict[tuple[int, tuple[str, str]], int] = {}
        for row in sheet.rows:
            v = row.values
            if row.failed & {
                "programme",
                "org_code",
                "position_number",
                "action",
                "effective_on",
                "destination_code",
            }:
                continue
            name = v["programme"]
            programme_id = state.programmes_by_slug.get(
                name.lower()
            ) or state.programmes_by_name.get(" ".join(name.lower().split()))
            if programme_id is None:
                self.problem(
                    sheet,
                    row,
                    "programme",
                    f"unknown programme '{name}': give its slug or its exact name",
                )
                continue
            code, position, action = v["org_code"], v["position_number"], v["action"]
            if not self.org_known(code):
                self.problem(sheet, row, "org_code", self.unknown_org(code))
                continue
            if self.not_allowed(sheet, row, "org_code", code):
                continue
            destination = v.get("destination_code") or ""
            if destination and not self.org_known(destination):
                self.problem(sheet, row, "destination_code", self.unknown_org(destination))
                continue
            if destination == code and action in PlannedChange.TRANSFERS:
                self.problem(
                    sheet,
                    row,
                    "destination_code",
                    f"a transfer's destination must be another organisation, not {code} itself",
                )
                continue
            key = (code, position)
            org = state.orgs.get(code)
            old_post = state.posts.get((org["id"], position)) if org else None
            post_ref: object = old_post.id if old_post else None
            outcome, changes = "unchanged", []
            if old_post is None and key not in self.file_posts:
                elsewhere = {state.org_codes[i] for i in state.post_orgs.get(position, ())}
                if action != PlannedChange.Action.NEW:
                    where = f" (it is in {', '.join(sorted(elsewhere))})" if elsewhere else ""
                    self.problem(
                        sheet,
                        row,
                        "position_number",
                        f"no post {position} in {code}{where}: it is neither in the tracker nor "
                        "on the Establishment sheet",
                    )
                    continue
                if elsewhere:
                    self.problem(
                        sheet,
                        row,
                        "position_number",
                        f"position number {position} already belongs to organisation "
                        f"{', '.join(sorted(elsewhere))}",
                    )
                    continue
                if row.failed & {"title", "band", "wte", "directorate"}:
                    continue
                # A "New" row creates its post, proposed, in the row's organisation.
                self.plan.post_creates.append(
                    {
                        "_org": code,
                        "position_number": position,
                        "title": v.get("title") or "New post",
                        "directorate": v.get("directorate") or "",
                        "band": v.get("band") or "other",
                        "wte": v.get("wte") or Decimal("1.0000"),
                        "cost_centre": "",
                        "is_board_level": False,
                        "status": Post.Status.PROPOSED,
                    }
                )
                self.file_posts[key] = row
                self.new_posts.add(key)
                summary.count("posts", "created")
                outcome = "created"
            if post_ref is None:
                post_ref = key
            dup_key = (programme_id, key)
            if dup_key in seen:
                self.problem(
                    sheet,
                    row,
                    "position_number",
                    f"post {position} of {code} already has a change in this programme at row "
                    f"{seen[dup_key]}",
                )
                continue
            seen[dup_key] = row.number
            new = {
                "action": action,
                "destination_position_number": v.get("destination_position_number") or "",
                "effective_on": v["effective_on"],
            }
            if "reason" in v:
                new["reason"] = v["reason"] or ""
            dest_org = state.orgs.get(destination) if destination else None
            existing = (
                state.changes.get((programme_id, post_ref)) if isinstance(post_ref, int) else None
            )
            if existing is None:
                self.plan.change_creates.append(
                    {
                        "programme_id": programme_id,
                        "_post": post_ref,
                        "_destination": destination or None,
                        "status": PlannedChange.Status.DRAFT,
                        "author_id": self.user_id,
                        "reason": "",
                        **new,
                    }
                )
                summary.count("planned changes", "created")
                outcome = "created"
            else:
                if destination and dest_org is None:
                    dest_changed = True  # a destination created by this file
                else:
                    dest_changed = existing["destination_organisation_id"] != (
                        dest_org["id"] if dest_org else None
                    )
                changed = _diff(existing, new, CHANGE_FIELDS)
                if changed or dest_changed:
                    if existing["status"] != PlannedChange.Status.DRAFT:
                        self.problem(
                            sheet,
                            row,
                            "action",
                            f"the change to post {position} in this programme is already "
                            f"{existing['status']}; an import only edits drafts (cancel it first "
                            "to replan)",
                        )
                        continue
                    merged = {**existing, **new, "author_id": self.user_id}
                    if dest_changed:
                        merged["_destination"] = destination or None
                        old_dest = state.org_codes.get(existing["destination_organisation_id"], "")
                        changes.append(
                            [LABELS["destination_organisation_id"], old_dest, destination]
                        )
                    self.plan.change_updates.append(merged)
                    summary.count("planned changes", "updated")
                    if outcome == "unchanged":
                        outcome = "updated"
                    changes += [[LABELS[n], display(existing[n]), display(new[n])] for n in changed]
            summary.record(row, f"{code} {position}", outcome, changes)


def build_plan(
    parsed: ParsedWorkbook, *, acting_user_id: int, allowed_codes: frozenset[str] | None = None
) -> Plan:
    mark = watermark()
    state = load_state(parsed)
    plan = _Planner(parsed, state, acting_user_id, allowed_codes).run()
    del state
    _complete_rows(Post, plan.post_updates)
    _complete_rows(StaffMember, plan.staff_updates)
    _complete_rows(Assignment, plan.assignment_updates)
    plan.watermark = mark
    return plan


# --- writing ----------------------------------------------------------------------------------


def write_plan(plan: Plan, writer: BulkWriter) -> None:
    """Write a plan. Must run inside a transaction; resolves the file's own new records to ids."""
    org_ids = dict(Organisation.objects.order_by().values_list("code", "id"))
    for row, new_id in zip(
        plan.org_creates, writer.reserve_ids(Organisation, len(plan.org_creates)), strict=True
    ):
        row["id"] = new_id
        org_ids[row["code"]] = new_id
    writer.insert(Organisation, plan.org_creates)
    writer.update(Organisation, plan.org_updates, ORG_FIELDS)

    for row in plan.succession_creates:
        row["predecessor_id"] = org_ids[row.pop("_pred")]
        row["successor_id"] = org_ids[row.pop("_succ")]
    for row, new_id in zip(
        plan.succession_creates,
        writer.reserve_ids(Succession, len(plan.succession_creates)),
        strict=True,
    ):
        row["id"] = new_id
    writer.insert(Succession, plan.succession_creates)
    writer.update(Succession, plan.succession_updates, ["effective_on"])

    post_ids: dict[tuple[str, str], int] = dict(plan.known_post_ids)
    for row, new_id in zip(
        plan.post_creates, writer.reserve_ids(Post, len(plan.post_creates)), strict=True
    ):
        code = row.pop("_org")
        row["id"] = new_id
        row["organisation_id"] = org_ids[code]
        post_ids[(code, row["position_number"])] = new_id
    writer.insert(Post, plan.post_creates)
    writer.update(Post, plan.post_updates, POST_FIELDS)

    staff_ids: dict[str, int] = dict(plan.known_staff_ids)
    for row, new_id in zip(
        plan.staff_creates, writer.reserve_ids(StaffMember, len(plan.staff_creates)), strict=True
    ):
        row["id"] = new_id
        staff_ids[row["employee_number"]] = new_id
    writer.insert(StaffMember, plan.staff_creates)
    writer.update(StaffMember, plan.staff_updates, STAFF_FIELDS)

    def post_id(key) -> int:
        if key in post_ids:
            return post_ids[key]
        code, position = key
        post_ids[key] = Post.objects.values_list("id", flat=True).get(
            organisation_id=org_ids[code], position_number=position
        )
        return post_ids[key]

    def staff_id(number: str) -> int:
        if number not in staff_ids:
            staff_ids[number] = StaffMember.objects.values_list("id", flat=True).get(
                employee_number=number
            )
        return staff_ids[number]

    for row, new_id in zip(
        plan.assignment_creates,
        writer.reserve_ids(Assignment, len(plan.assignment_creates)),
        strict=True,
    ):
        row["id"] = new_id
        row["post_id"] = post_id(row.pop("_post"))
        row["staff_member_id"] = staff_id(row.pop("_staff"))
    writer.insert(Assignment, plan.assignment_creates)
    for row in plan.assignment_updates:
        for extra in (
            "post__organisation_id",
            "post__position_number",
            "staff_member__employee_number",
        ):
            row.pop(extra, None)
        if "_post" in row:
            row["post_id"] = post_id(row.pop("_post"))
    writer.update(Assignment, plan.assignment_updates, ["post_id", *ASSIGNMENT_FIELDS])

    for row, new_id in zip(
        plan.change_creates,
        writer.reserve_ids(PlannedChange, len(plan.change_creates)),
        strict=True,
    ):
        row["id"] = new_id
        ref = row.pop("_post")
        row["post_id"] = ref if isinstance(ref, int) else post_id(ref)
        destination = row.pop("_destination")
        row["destination_organisation_id"] = org_ids[destination] if destination else None
    writer.insert(PlannedChange, plan.change_creates)
    for row in plan.change_updates:
        if "_destination" in row:
            destination = row.pop("_destination")
            row["destination_organisation_id"] = org_ids[destination] if destination else None
    writer.update(PlannedChange, plan.change_updates, [*CHANGE_FIELDS, "author_id"])


# --- the service ------------------------------------------------------------------------------


def _save_run(run: ImportRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=list(fields))


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
        )
    else:
        _save_run(
            run,
            outcome=ImportRun.Outcome.RUNNING,
            dry_run=dry_run,
            finished_at=None,
            engine_version=ENGINE_VERSION,
        )

    def report(phase: str, done: int, total: int) -> None:
        _save_run(run, phase=phase, progress_done=done, progress_total=total)
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
        if watermark() != result.plan.watermark:
            # Someone wrote to the tracker since the plan was made: plan again under the lock.
            result.parsed = parse_workbook(result.parsed.workbook)
            result.plan = build_plan(
                result.parsed, acting_user_id=acting_user.pk, allowed_codes=allowed_codes
            )
        if not result.problems:
            write_plan(result.plan, BulkWriter(user_id=acting_user.pk, reason=run.reason))
            result.tracker_state = list(watermark())


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
        timings["total"] = round(time.perf_counter() - started, 3)
        _save_run(
            run,
            outcome=ImportRun.Outcome.PREVIEWED if dry_run else ImportRun.Outcome.APPLIED,
            counts={s.name: s.as_counts() for s in result.plan.summaries.values()},
            preview={},
            notices=[
                *previous.notices,
                f"This file is identical (SHA-256) to import #{previous.pk} and the tracker has "
                "not changed since, so every row is unchanged.",
            ],
            timings=timings,
            tracker_state=previous.tracker_state,
            finished_at=timezone.now(),
            phase="",
        )
        return result

    try:
        report("checking the file", 0, 1)
        workbook = open_workbook(data, file_name=file_name)
        timings["check"] = round(time.perf_counter() - started, 3)
        mark = time.perf_counter()
        report("reading rows", 0, 1)
        result.parsed = parse_workbook(workbook, progress=lambda d, t: report("reading rows", d, t))
        timings["read"] = round(time.perf_counter() - mark, 3)
    except WorkbookError as exc:
        result.error = str(exc)
        timings["total"] = round(time.perf_counter() - started, 3)
        _save_run(
            run,
            outcome=ImportRun.Outcome.FAILED,
            message=result.error,
            timings=timings,
            finished_at=timezone.now(),
            phase="",
        )
        return result

    mark = time.perf_counter()
    report("comparing with the tracker", 0, 1)
    result.plan = build_plan(
        result.parsed, acting_user_id=acting_user.pk, allowed_codes=allowed_codes
    )
    timings["plan"] = round(time.perf_counter() - mark, 3)
    tracker_state = list(result.plan.watermark)

    if not result.problems and not dry_run and result.plan.writes:
        mark = time.perf_counter()
        report("writing", 0, result.plan.writes)
        result.parsed.release_rows()  # the plan holds what is written; free the rest
        try:
            _write(result, run, acting_user, allowed_codes)
        except DatabaseError as exc:
            # A constraint the plan could not foresee (a concurrent writer on PostgreSQL):
            # the transaction rolled back, so nothing was written.
            result.error = (
                f"{file_name}: the tracker changed while this import was being written "
                f"({' '.join(str(exc).split())[:200]}); nothing was written. Run it again."
            )
            timings["total"] = round(time.perf_counter() - started, 3)
            _save_run(
                run,
                outcome=ImportRun.Outcome.FAILED,
                message=result.error,
                timings=timings,
                finished_at=timezone.now(),
                phase="",
            )
            return result
        tracker_state = result.tracker_state or tracker_state
        timings["write"] = round(time.perf_counter() - mark, 3)

    timings["total"] = round(time.perf_counter() - started, 3)
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
    summaries = result.plan.summaries
    _save_run(
        run,
        outcome=outcome,
        counts={s.name: s.as_counts() for s in summaries.values()},
        preview={
            s.name: {"created": s.created_rows, "updated": s.updated_rows, "objects": s.objects}
            for s in summaries.values()
        },
        problems=[str(p) for p in problems[:PROBLEM_LIMIT]],
        problem_count=len(problems),
        notices=result.parsed.notices,
        timings=timings,
        tracker_state=[list(pair) for pair in tracker_state],
        finished_at=timezone.now(),
        phase="",
        progress_done=run.progress_total,
    )
    return result


__all__ = ["ESTABLISHMENT", "ImportResult", "build_plan", "workbook_import"]
