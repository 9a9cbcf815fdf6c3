"""What a workbook must say; turning its cells into typed values, with problems a person can fix.

`SHEETS` is the workbook format of product.md: per sheet its accepted names and its columns with
their aliases. `parse_workbook` finds each known sheet, its header row and columns, and converts
every data row, collecting each problem as `Sheet!CELL: message`. Checks that need the database or
other rows (unknown organisations, duplicates, successors) are in `imports.apply`, which builds the
plan; both report through the same `Problem`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from imports.readers import (
    SheetInfo,
    UncachedFormula,
    Workbook,
    column_letter,
    excel_serial_to_date,
)
from tracker.bands import normalise_band
from tracker.models import ODS_CODE_PATTERN, Assignment, Organisation, PlannedChange

HEADER_SEARCH_ROWS = 10  # the header row is the first of these that names known columns
MEMO_LIMIT = 20_000  # distinct values remembered per column while reading a sheet
_MEMO_TYPES = frozenset({str, float, dt.date, dt.datetime})
_MISSING = object()
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PENNY = Decimal("0.01")
WTE_PLACES = Decimal("0.0001")


def normalise(text: object) -> str:
    """How names are compared: case-insensitive, ignoring spaces and punctuation."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    informational: bool = False  # written by exports, recognised and not imported

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str
    aliases: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


ORGANISATIONS = SheetSpec(
    "organisations",
    "Organisations",
    ("Organizations", "Orgs"),
    (
        Column("code", "Code", ("ODS Code", "Organisation Code", "Org Code"), required=True),
        Column("name", "Name", ("Organisation Name",), required=True),
        Column("kind", "Type", ("Kind", "Organisation Type"), required=True),
        Column("region", "Region"),
        Column("opened_on", "Opened", ("Opened On", "Open Date")),
        Column("closed_on", "Closed", ("Closed On", "Close Date")),
        Column("is_legal_employer", "Legal Employer", ("Legal Employer (Y/N)", "Employer")),
        Column("successors", "Successors", ("Successor", "Successor Codes")),
        Column("succession_date", "Succession Date", ("Succession Effective Date",)),
    ),
)

ESTABLISHMENT = SheetSpec(
    "establishment",
    "Establishment",
    ("Posts",),
    (
        Column("org_code", "Organisation Code", ("Org Code", "ODS Code"), required=True),
        Column("position_number", "Position Number", ("Post Number",), required=True),
        Column("title", "Position Title", ("Job Title", "Post Title"), required=True),
        Column("directorate", "Directorate", ("Department", "Area of Work")),
        Column("band", "Band", ("Pay Band", "Grade", "AfC Band"), required=True),
        Column("wte", "WTE", ("FTE",), required=True),
        Column("cost_centre", "Cost Centre", ("Cost Center",)),
        Column("is_board_level", "Board Level", ("Board Level (Y/N)",)),
        Column("status", "Status", ("Post Status",), informational=True),
        Column("assignment_number", "Assignment Number", ("Assignment No",)),
        Column("employee_number", "Employee Number", ("Employee No", "Staff Number")),
        Column("last_name", "Last Name", ("Surname",)),
        Column("first_name", "First Name", ("Forename",)),
        Column("work_email", "Work Email", ("Email",)),
        Column("date_of_birth", "Date of Birth", ("DOB",)),
        Column("nhs_service_start", "NHS Start Date", ("Continuous Service Date",)),
        Column("annual_salary", "Annual Salary", ("Basic Salary",)),
        Column("category", "Assignment Category", ("Contract Type",)),
        Column("start_on", "Assignment Start Date", ("Assignment Start",)),
        Column("end_on", "Assignment End Date", ("Assignment End",)),
    ),
)

CHANGES = SheetSpec(
    "changes",
    "Changes",
    ("Planned Changes",),
    (
        Column("programme", "Programme", ("Programme Slug", "Program"), required=True),
        Column("org_code", "Organisation Code", ("Org Code", "ODS Code"), required=True),
        Column("position_number", "Position Number", ("Post Number",), required=True),
        Column("action", "Action", (), required=True),
        Column("destination_code", "Destination Organisation Code", ("Destination Org Code",)),
        Column("destination_position_number", "Destination Position Number", ()),
        Column("effective_on", "Effective Date", ("Effective On",), required=True),
        Column("reason", "Reason", ()),
        # Only used when a "New" row creates its post; a post needs these.
        Column("title", "Position Title", ("Job Title", "Post Title")),
        Column("band", "Band", ("Pay Band", "Grade", "AfC Band")),
        Column("wte", "WTE", ("FTE",)),
        Column("directorate", "Directorate", ("Department", "Area of Work")),
    ),
)

SHEETS = (ORGANISATIONS, ESTABLISHMENT, CHANGES)  # also the order they are applied in

KIND_SPELLINGS = {
    **{normalise(k.value): k.value for k in Organisation.Kind},
    **{normalise(k.label): k.value for k in Organisation.Kind},
    "ccg": Organisation.Kind.CCG,
    "subicb": Organisation.Kind.SUB_ICB,
    "subicblocation": Organisation.Kind.SUB_ICB,
    "sicbl": Organisation.Kind.SUB_ICB,
    "icb": Organisation.Kind.ICB,
    "nhsengland": Organisation.Kind.NHS_ENGLAND,
    "nhse": Organisation.Kind.NHS_ENGLAND,
    "nhsei": Organisation.Kind.NHS_ENGLAND,
    "csu": Organisation.Kind.CSU,
    "trust": Organisation.Kind.TRUST,
    "nhstrust": Organisation.Kind.TRUST,
    "foundationtrust": Organisation.Kind.TRUST,
    "nhsfoundationtrust": Organisation.Kind.TRUST,
    "other": Organisation.Kind.OTHER,
}
ACTION_SPELLINGS = {
    **{normalise(a.value): a.value for a in PlannedChange.Action},
    **{normalise(a.label): a.value for a in PlannedChange.Action},
    "close": PlannedChange.Action.CLOSED,
}
CATEGORY_SPELLINGS = {
    **{normalise(c.value): c.value for c in Assignment.Category},
    **{normalise(c.label): c.value for c in Assignment.Category},
}
YES = {"y", "yes", "true", "1"}
NO = {"n", "no", "false", "0"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, located at a cell."""

    sheet: str
    cell: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}"


class RowValues:
    """A row's typed values by column key: a read-only mapping over a tuple, sharing one
    key -> position index with every row of its sheet (a dict per row would cost five times
    the memory at 100,000 rows).

    Code that reads many values of every row (the row checks, the planner) takes `as_dict()`
    once per row, or picks positions out of `data` with `operator.itemgetter`: each call of
    the methods below runs Python code, and at 100,000 rows those calls add up to seconds."""

    __slots__ = ("data", "index")

    def __init__(self, index: dict[str, int], data: tuple):
        self.index = index
        self.data = data

    def __getitem__(self, key: str) -> object:
        return self.data[self.index[key]]

    def get(self, key: str, default: object = None) -> object:
        position = self.index.get(key)
        return default if position is None else self.data[position]

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def __iter__(self):
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def keys(self):
        return self.index.keys()

    def items(self):
        return zip(self.index, self.data, strict=True)

    def as_dict(self) -> dict[str, object]:
        """A short-lived dict of the row (the index lists every key in position order)."""
        return dict(zip(self.index, self.data, strict=True))


# Most rows have no failed cell: they share one empty set rather than allocate one each.
_NO_FAILURES: frozenset[str] = frozenset()


class ParsedRow:
    """One data row: typed values by column key, and which cells could not be read."""

    __slots__ = ("failed", "letters", "number", "values")

    def __init__(self, number: int, values: RowValues, letters: dict[str, str]):
        self.number = number
        self.values = values
        self.letters = letters  # key -> column letter, shared by the sheet's rows
        self.failed: frozenset[str] | set[str] = _NO_FAILURES

    def ref(self, key: str) -> str:
        return f"{self.letters.get(key, 'A')}{self.number}"

    def has(self, key: str) -> bool:
        return key in self.values and key not in self.failed

    def fail(self, key: str) -> None:
        if not self.failed:
            self.failed = set()
        self.failed.add(key)


@dataclass
class ParsedSheet:
    spec: SheetSpec
    name: str  # as spelt in the file
    header_row: int
    header: list[object]
    columns: dict[str, int]  # key -> 0-based column index
    index: dict[str, int]  # key -> position in each row's `values.data` (imported columns only)
    rows: list[ParsedRow]
    info: SheetInfo  # to read rows again (as they were) for the --errors-out workbook


@dataclass
class ParsedWorkbook:
    workbook: Workbook
    sheets: dict[str, ParsedSheet]
    problems: list[Problem]
    notices: list[str]
    row_count: int

    def release_rows(self) -> None:
        """Drop the parsed rows (a plan that is about to be written holds what it needs)."""
        for sheet in self.sheets.values():
            sheet.rows = []


class CellError(ValueError):
    pass


# --- cell converters -------------------------------------------------------------------------


def _raw_text(value: object) -> str:
    if type(value) is str:
        text = value.strip()
        if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES and text[1:2]:
            return text[1:]
        return text
    if isinstance(value, UncachedFormula):
        raise CellError(
            "is a formula saved without its calculated value; open the file in Excel, let it "
            "calculate, and save it again (or paste the values)"
        )
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    # Exports write text that a spreadsheet could run as a formula with a leading apostrophe.
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES and text[1:2]:
        text = text[1:]
    return text


def to_text(value: object, *, max_length: int, what: str = "value") -> str:
    text = _raw_text(value)
    if len(text) > max_length:
        raise CellError(f"{what} is {len(text)} characters long; the most allowed is {max_length}")
    return text


def to_identifier(value: object, *, what: str) -> str:
    """Position, assignment and employee numbers: text, leading zeros kept, no decimals."""
    if isinstance(value, float) and not value.is_integer():
        raise CellError(f"{what} '{value}' is not a whole number or code")
    text = to_text(value, max_length=30, what=what)
    if text.startswith("'"):
        text = text[1:]
    return text


def to_code(value: object) -> str:
    text = _raw_text(value).upper()
    if not text:
        return ""
    if not re.fullmatch(ODS_CODE_PATTERN, text):
        raise CellError(
            f"'{text}' is not an ODS code (3 or 5 letters and digits, for example 15N or QNQ)"
        )
    return text


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def to_date(value: object) -> dt.date | None:
    if isinstance(value, UncachedFormula):
        _raw_text(value)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(f"'{value}' is not a date")
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # an Excel serial that lost its date format
            return excel_serial_to_date(value)
        raise CellError(f"{value} is not a date")
    text = _raw_text(value)
    if not text:
        return None
    if m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _UK.match(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise CellError(f"'{text}' is not a date: use an Excel date, YYYY-MM-DD or DD/MM/YYYY")
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(f"'{text}' is not a real date ({exc})") from exc


def to_decimal(value: object, *, what: str) -> Decimal | None:
    if isinstance(value, UncachedFormula):
        _raw_text(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(f"'{value}' is not a number")
    if isinstance(value, float):
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    text = _raw_text(value).replace(",", "").replace("£", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(f"{what} '{_raw_text(value)}' is not a number") from exc
    if not number.is_finite():
        raise CellError(f"{what} '{_raw_text(value)}' is not a number")
    return number


def to_yes_no(value: object, *, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = _raw_text(value).lower()
    if not text:
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"'{_raw_text(value)}' is not Y or N")


def to_choice(value: object, spellings: dict[str, str], *, what: str, accepted: str) -> str:
    text = _raw_text(value)
    if not text:
        return ""
    try:
        return spellings[normalise(text)]
    except KeyError:
        raise CellError(
            f"'{text}' is not a{'n' if what[0] in 'aeiou' else ''} {what}: use {accepted}"
        ) from None


# --- column converters per sheet ------------------------------------------------------------
# One function per column; each takes the cell value and returns the typed value or raises
# CellError. Text cells (the common case at 100,000 rows) take the shortest path.


_today_cache: list[dt.date] = []


def _today() -> dt.date:
    """Today, read once per workbook (parse_workbook resets it): a clock read per cell is slow."""
    if not _today_cache:
        _today_cache.append(timezone.localdate())
    return _today_cache[0]


_shared: dict[str, str] = {}  # one copy of values repeated down a column (reset per workbook)


def _text(
    max_length: int, label: str, *, required: bool = False, repeated: bool = False
) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if type(value) is str:
            text = value.strip()
            if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES and text[1:2]:
                text = text[1:]
        else:
            text = _raw_text(value)
        if len(text) > max_length:
            raise CellError(
                f"{label} is {len(text)} characters long; the most allowed is {max_length}"
            )
        if required and not text:
            raise CellError(f"{label} is blank")
        if repeated:
            return _shared.setdefault(text, text)
        return text

    return convert


def _identifier(label: str, *, required: bool = False) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if type(value) is str:
            text = value.strip().lstrip("'")
            if len(text) > 30:
                raise CellError(f"{label} is {len(text)} characters long; the most allowed is 30")
        else:
            text = to_identifier(value, what=label)
        if required and not text:
            raise CellError(f"{label} is blank")
        return text

    return convert


def _code(label: str, *, required: bool = False) -> Callable[[object], str]:
    pattern = re.compile(ODS_CODE_PATTERN)

    def convert(value: object) -> str:
        text = _raw_text(value).upper()
        text = _shared.setdefault(text, text)
        if not text:
            if required:
                raise CellError(f"{label} is blank")
            return ""
        if not pattern.match(text):
            raise CellError(
                f"'{text}' is not an ODS code (3 or 5 letters and digits, for example 15N or QNQ)"
            )
        return text

    return convert


def _date(label: str, *, earliest: int | None = None, past: bool = False, required: bool = False):
    def convert(value: object) -> dt.date | None:
        date = to_date(value)
        if date is None:
            if required:
                raise CellError(f"{label} is blank")
            return None
        if past and date > _today():
            raise CellError(f"{label} {date:%d/%m/%Y} is in the future")
        if earliest and date.year < earliest:
            raise CellError(f"{label} {date:%d/%m/%Y} is not plausible (before {earliest})")
        return date

    return convert


def _choice(spellings: dict[str, str], what: str, accepted: str, label: str, *, required=False):
    def convert(value: object) -> str:
        choice = to_choice(value, spellings, what=what, accepted=accepted)
        if required and not choice:
            raise CellError(f"{label} is blank")
        return choice

    return convert


@functools.lru_cache(maxsize=1024)
def _band_cached(value: object) -> str:
    return normalise_band(value)


def _band(value: object) -> str:
    try:
        return _band_cached(value if isinstance(value, float) else _raw_text(value))
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _wte(value: object) -> Decimal:
    wte = to_decimal(value, what="WTE")
    if wte is None:
        raise CellError("WTE is blank")
    if not (0 < wte <= 1):
        raise CellError(f"WTE {wte} is outside (0, 1]: a full-time post is 1, half-time 0.5")
    return wte.quantize(WTE_PLACES, rounding=ROUND_HALF_UP)


def _salary(value: object) -> Decimal | None:
    salary = to_decimal(value, what="Annual Salary")
    if salary is None:
        return None
    if salary <= 0:
        raise CellError(f"Annual Salary {salary} is not positive")
    # Pennies, rounded once here, half up (as payroll rounds).
    salary = salary.quantize(PENNY, rounding=ROUND_HALF_UP)
    if salary >= Decimal("100000000"):
        raise CellError(f"Annual Salary {salary} is implausibly large")
    return salary


_email_text = _text(254, "Work Email")


# Addresses this strict pattern accepts, Django's validator accepts too; it is only a fast path.
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9_+'-]+(?:\.[A-Za-z0-9_+'-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)


def _email(value: object) -> str:
    email = _email_text(value)
    if email and not _PLAIN_EMAIL.match(email):
        try:
            validate_email(email)
        except ValidationError:
            raise CellError(f"'{email}' is not an email address") from None
    return email.lower()


def _yes_no(default: bool):
    return lambda value: to_yes_no(value, default=default)


def _successors(value: object) -> tuple[str, ...]:
    codes = [part.strip().upper() for part in re.split(r"[,;\s]+", _raw_text(value))]
    for code in codes:
        if code and not re.fullmatch(ODS_CODE_PATTERN, code):
            raise CellError(f"successor '{code}' is not an ODS code")
    return tuple(dict.fromkeys(c for c in codes if c))


def _optional(convert):
    return lambda value: None if value in ("", None) else convert(value)


_KINDS = "CCG, Sub-ICB location, ICB, NHS England, CSU, Trust or Other"
_ACTIONS = "Transfer unchanged, Transfer changed, Closed, New or Out of scope"
_CATEGORIES = "Permanent, Fixed Term, Secondment or Bank"

CONVERTERS: dict[str, dict[str, Callable[[object], object]]] = {
    "organisations": {
        "code": _code("Code", required=True),
        "name": _text(200, "Name", required=True),
        "kind": _choice(KIND_SPELLINGS, "organisation type", _KINDS, "Type", required=True),
        "region": _text(100, "Region"),
        "opened_on": _date("Opened", earliest=1948),
        "closed_on": _date("Closed", earliest=1948),
        "is_legal_employer": _yes_no(True),
        "successors": _successors,
        "succession_date": _date("Succession Date", earliest=1948),
    },
    "establishment": {
        "org_code": _code("Organisation Code", required=True),
        "position_number": _identifier("Position Number", required=True),
        "title": _text(200, "Position Title", required=True, repeated=True),
        "directorate": _text(200, "Directorate", repeated=True),
        "band": _band,
        "wte": _wte,
        "cost_centre": _text(30, "Cost Centre", repeated=True),
        "is_board_level": _yes_no(False),
        "status": _raw_text,
        "assignment_number": _identifier("Assignment Number"),
        "employee_number": _identifier("Employee Number"),
        "first_name": _text(100, "First Name", repeated=True),
        "last_name": _text(100, "Last Name"),
        "work_email": _email,
        "date_of_birth": _date("date of birth", earliest=1900, past=True),
        "nhs_service_start": _date("NHS start date", earliest=1948, past=True),
        "annual_salary": _salary,
        "category": _choice(
            CATEGORY_SPELLINGS, "assignment category", _CATEGORIES, "Assignment Category"
        ),
        "start_on": _date("Assignment Start Date", earliest=1948),
        "end_on": _date("Assignment End Date", earliest=1948),
    },
    "changes": {
        "programme": _text(200, "Programme", required=True),
        "org_code": _code("Organisation Code", required=True),
        "position_number": _identifier("Position Number", required=True),
        "action": _choice(ACTION_SPELLINGS, "action", _ACTIONS, "Action", required=True),
        "destination_code": _code("Destination Organisation Code"),
        "destination_position_number": _identifier("Destination Position Number"),
        "effective_on": _date("Effective Date", required=True),
        "reason": _text(5000, "Reason"),
        "title": _optional(_text(200, "Position Title")),
        "band": _optional(_band),
        "wte": _optional(_wte),
        "directorate": _optional(_text(200, "Directorate")),
    },
}


def _row_checks(spec: SheetSpec, row: ParsedRow, problems: list[Problem], sheet: str) -> None:
    """Checks across cells of one row."""
    v = row.values.as_dict()

    def add(key: str, message: str) -> None:
        problems.append(Problem(sheet, row.ref(key), message, row.number))

    if spec.key == "organisations":
        if (
            row.has("opened_on")
            and row.has("closed_on")
            and v["opened_on"]
            and v["closed_on"]
            and v["closed_on"] < v["opened_on"]
        ):
            add("closed_on", f"closed {v['closed_on']:%d/%m/%Y} before it opened")
        if row.has("successors") and v["successors"]:
            if row.has("code") and v["code"] in v["successors"]:
                add("successors", f"{v['code']} cannot be its own successor")
            if "succession_date" not in v or (
                row.has("succession_date") and not v["succession_date"]
            ):
                add("succession_date", "Succession Date is blank but Successors are given")
    elif spec.key == "establishment":
        person_keys = (
            "employee_number",
            "first_name",
            "last_name",
            "work_email",
            "date_of_birth",
            "nhs_service_start",
            "annual_salary",
            "category",
            "start_on",
            "end_on",
        )
        if not v.get("assignment_number") and "assignment_number" not in row.failed:
            filled = [k for k in person_keys if v.get(k) not in (None, "")]
            if filled:
                add(
                    "assignment_number",
                    "Assignment Number is blank but the row names a person "
                    f"({ESTABLISHMENT.column(filled[0]).label} is filled); "
                    "a vacant post leaves all person columns blank",
                )
            return
        if "assignment_number" in row.failed:
            return
        for key, label in (
            ("employee_number", "Employee Number"),
            ("last_name", "Last Name"),
            ("first_name", "First Name"),
        ):
            if key not in row.failed and not v.get(key):
                add(key, f"{label} is blank; every assignment needs one")
        born, started = v.get("date_of_birth"), v.get("nhs_service_start")
        if born and started:
            try:
                sixteenth = born.replace(year=born.year + 16)
            except ValueError:  # born on 29 February
                sixteenth = dt.date(born.year + 16, 3, 1)
            if started < sixteenth:
                add(
                    "nhs_service_start",
                    f"NHS start date {started:%d/%m/%Y} is before the person's 16th birthday "
                    f"({sixteenth:%d/%m/%Y})",
                )
        if v.get("start_on") and v.get("end_on") and v["end_on"] < v["start_on"]:
            add("end_on", f"assignment ends {v['end_on']:%d/%m/%Y} before it starts")
    elif spec.key == "changes":
        action = v.get("action")
        if (
            action in PlannedChange.TRANSFERS
            and "destination_code" not in row.failed
            and not v.get("destination_code")
        ):
            add(
                "destination_code",
                "Destination Organisation Code is blank; a transfer needs a destination",
            )


# --- sheets and headers -----------------------------------------------------------------------


def _match_spec(sheet_name: str) -> SheetSpec | None:
    wanted = normalise(sheet_name)
    for spec in SHEETS:
        if wanted in {normalise(n) for n in (spec.title, *spec.aliases)}:
            return spec
    return None


def _find_header(
    spec: SheetSpec, rows: list[tuple[int, list[object]]]
) -> tuple[int, list[object]] | None:
    by_name = {normalise(n) for c in spec.columns for n in c.names}
    best = None
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        hits = sum(1 for v in values if isinstance(v, str) and normalise(v) in by_name)
        if hits >= 2 and (best is None or hits > best[0]):
            best = (hits, number, values)
            required = {normalise(n) for c in spec.columns if c.required for n in c.names}
            if {normalise(v) for v in values if isinstance(v, str)} & required:
                break
    return (best[1], best[2]) if best else None


def parse_workbook(
    workbook: Workbook, *, progress: Callable[[int, int], None] | None = None
) -> ParsedWorkbook:
    """Read every known sheet of a checked workbook into typed rows and problems."""
    problems: list[Problem] = []
    notices: list[str] = []
    sheets: dict[str, ParsedSheet] = {}
    _today_cache.clear()
    _shared.clear()
    total_rows = 0
    for info in workbook.sheets:
        spec = _match_spec(info.name)
        if spec is None:
            notices.append(f"Sheet '{info.name}' is not one this import reads; it was ignored.")
            continue
        if not info.visible:
            notices.append(
                f"Sheet '{info.name}' is hidden; hidden sheets are ignored (unhide it to import "
                "it)."
            )
            continue
        if spec.key in sheets:
            problems.append(
                Problem(
                    info.name,
                    "A1",
                    f"a second '{spec.title}' sheet (the first is '{sheets[spec.key].name}'); "
                    "keep one",
                )
            )
            continue
        parsed = _parse_sheet(workbook, info, spec, problems, notices, progress)
        if parsed is not None:
            sheets[spec.key] = parsed
            total_rows += len(parsed.rows)
    if not sheets and not problems:
        problems.append(
            Problem(
                workbook.sheets[0].name,
                "A1",
                "no Organisations, Establishment or Changes sheet was found (sheet names are "
                "matched ignoring case, spaces and punctuation)",
            )
        )
    _shared.clear()
    return ParsedWorkbook(
        workbook=workbook, sheets=sheets, problems=problems, notices=notices, row_count=total_rows
    )


def _parse_sheet(workbook, info, spec, problems, notices, progress) -> ParsedSheet | None:
    rows_iter = workbook.rows(info)
    head = list(itertools.islice(rows_iter, HEADER_SEARCH_ROWS))
    header = _find_header(spec, head)
    if header is None:
        problems.append(
            Problem(
                info.name,
                "A1",
                "no header row found in the first "
                f"{HEADER_SEARCH_ROWS} rows; expected columns "
                + ", ".join(c.label for c in spec.columns if c.required),
            )
        )
        return None
    header_row, header_values = header
    by_name = {normalise(n): c for c in spec.columns for n in c.names}
    columns: dict[str, int] = {}
    ignored = []
    for index, value in enumerate(header_values):
        text = _raw_text(value) if not isinstance(value, UncachedFormula) else ""
        if not text:
            continue
        column = by_name.get(normalise(text))
        ref = f"{column_letter(index)}{header_row}"
        if column is None:
            ignored.append(f"'{text}' ({ref})")
            continue
        if column.key in columns:
            first = f"{column_letter(columns[column.key])}{header_row}"
            problems.append(
                Problem(
                    info.name, ref, f"'{text}' repeats the {column.label} column already at {first}"
                )
            )
            continue
        columns[column.key] = index
    if ignored:
        notices.append(f"{info.name}: ignored unknown column(s) " + ", ".join(ignored) + ".")
    missing = [c for c in spec.columns if c.required and c.key not in columns]
    for column in missing:
        also = f" (also accepted: {', '.join(column.aliases)})" if column.aliases else ""
        problems.append(
            Problem(info.name, f"A{header_row}", f"missing column '{column.label}'{also}")
        )
    if missing:
        return None

    converters = CONVERTERS[spec.key]
    letters = {key: column_letter(index) for key, index in columns.items()}
    wanted = [
        (key, index, converters[key])
        for key, index in columns.items()
        if not spec.column(key).informational
    ]
    width = max(index for _, index, _ in wanted) + 1 if wanted else 0
    total = max(info.declared_rows - header_row, 0)
    rows: list[ParsedRow] = []
    index = {key: position for position, (key, _, _) in enumerate(wanted)}
    # Most columns repeat a few values all the way down (organisation, title, band, WTE, dates):
    # each column remembers what its values converted to, so each distinct value is converted
    # once. A column of mostly distinct values (numbers, names) stops adding at MEMO_LIMIT.
    # Cells that fail are never remembered, so each is reported; and only str, float and date
    # cells are, because True == 1 == 1.0 in Python and a bool must not find a number's result.
    memos: list[dict] = [{} for _ in wanted]
    data_rows = itertools.chain((r for r in head if r[0] > header_row), rows_iter)
    for position, (number, values) in enumerate(data_rows, start=1):
        if progress and position % 10_000 == 0:
            progress(position, max(total, position))
        if len(values) < width:
            values = values + [""] * (width - len(values))
        if values.count("") + values.count(None) == len(values):
            continue  # blank rows, including trailing ones, are not data
        data: list[object] = []
        parsed = ParsedRow(number, None, letters)
        for (key, column, convert), memo in zip(wanted, memos, strict=True):
            value = values[column]
            remembered = value.__class__ in _MEMO_TYPES
            if remembered:
                converted = memo.get(value, _MISSING)
                if converted is not _MISSING:
                    data.append(converted)
                    continue
            try:
                converted = convert(value)
            except CellError as exc:
                parsed.fail(key)
                data.append(None)
                problems.append(Problem(info.name, parsed.ref(key), str(exc), number))
                continue
            if remembered and len(memo) < MEMO_LIMIT:
                memo[value] = converted
            data.append(converted)
        parsed.values = RowValues(index, tuple(data))
        _row_checks(spec, parsed, problems, info.name)
        rows.append(parsed)
    if progress:
        progress(len(rows), len(rows))
    return ParsedSheet(
        spec=spec,
        name=info.name,
        header_row=header_row,
        header=list(header_values),
        columns=columns,
        index=index,
        rows=rows,
        info=info,
    )
