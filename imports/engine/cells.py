"""Turning one cell into a typed value, or a `CellError` a person can act on.

One converter per column and sheet (`CONVERTERS`); each takes the cell value and returns the
typed value or raises. Text cells (the common case at 100,000 rows) take the shortest path.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from imports.engine.rows import CellError
from imports.engine.spec import (
    ACTION_SPELLINGS,
    CATEGORY_SPELLINGS,
    FORMULA_PREFIXES,
    KIND_SPELLINGS,
    NO,
    PENNY,
    WTE_PLACES,
    YES,
    normalise,
)
from imports.readers import UncachedFormula, excel_serial_to_date
from tracker.bands import normalise_band
from tracker.models import ODS_CODE_PATTERN

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
        "pension_return_date": _date("Pension Return Date", earliest=1948),
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
