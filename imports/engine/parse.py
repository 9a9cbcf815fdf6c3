"""Reading a checked workbook into typed rows: find each known sheet, its header row and columns,
convert every data row (`imports.engine.cells`) and run the checks across cells of one row,
collecting each problem as `Sheet!CELL: message`. Checks that need the database or other rows
are the planners' (`imports.engine.plan`); both report through the same `Problem`."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from imports.engine.cells import CONVERTERS, _raw_text, _shared, _today_cache
from imports.engine.rows import (
    CellError,
    ParsedRow,
    ParsedSheet,
    ParsedWorkbook,
    Problem,
    RowValues,
    picker,
)
from imports.engine.spec import (
    _MEMO_TYPES,
    _MISSING,
    ESTABLISHMENT,
    HEADER_SEARCH_ROWS,
    MEMO_LIMIT,
    SHEETS,
    SheetSpec,
    normalise,
)
from imports.readers import UncachedFormula, Workbook, column_letter
from tracker.models import PlannedChange

# The Establishment sheet's person columns: a row without an assignment must leave them blank.
_PERSON_KEYS = (
    "employee_number",
    "first_name",
    "last_name",
    "work_email",
    "date_of_birth",
    "nhs_service_start",
    "pension_return_date",
    "annual_salary",
    "category",
    "start_on",
    "end_on",
)
_NAMES = (
    ("employee_number", "Employee Number"),
    ("last_name", "Last Name"),
    ("first_name", "First Name"),
)

# What the checks of a row with an assignment read: the names first, in `_NAMES` order.
_CHECKED = (*(key for key, _ in _NAMES), "date_of_birth", "nhs_service_start", "start_on", "end_on")

RowChecks = Callable[[ParsedRow, list[Problem]], None]


def row_checks(spec: SheetSpec, index: dict[str, int], sheet: str) -> RowChecks:
    """The checks across cells of one row of a sheet (its columns at `index`)."""
    if spec.key == "establishment":
        return _establishment_checks(index, sheet)

    def check(row: ParsedRow, problems: list[Problem]) -> None:
        _other_checks(spec, row, problems, sheet)

    return check


def _establishment_checks(index: dict[str, int], sheet: str) -> RowChecks:
    # Each row's values are picked out in one call per check (None for a column the sheet does
    # not have, as `RowValues.get` gives): at 100,000 rows a dict per row costs a quarter second.
    assignment_at = index.get("assignment_number")
    person = picker([index.get(key) for key in _PERSON_KEYS])
    checked = picker([index.get(key) for key in _CHECKED])

    def check(row: ParsedRow, problems: list[Problem]) -> None:
        def add(key: str, message: str) -> None:
            problems.append(Problem(sheet, row.ref(key), message, row.number))

        data = row.values.data
        failed = row.failed
        if "assignment_number" in failed:
            return
        if assignment_at is None or not data[assignment_at]:
            filled = [
                key
                for key, value in zip(_PERSON_KEYS, person(data), strict=True)
                if value not in (None, "")
            ]
            if filled:
                add(
                    "assignment_number",
                    "Assignment Number is blank but the row names a person "
                    f"({ESTABLISHMENT.column(filled[0]).label} is filled); "
                    "a vacant post leaves all person columns blank",
                )
            return
        *names, born, started, start_on, end_on = checked(data)
        for (key, label), value in zip(_NAMES, names, strict=True):
            if key not in failed and not value:
                add(key, f"{label} is blank; every assignment needs one")
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
        if start_on and end_on and end_on < start_on:
            add("end_on", f"assignment ends {end_on:%d/%m/%Y} before it starts")

    return check


def _other_checks(spec: SheetSpec, row: ParsedRow, problems: list[Problem], sheet: str) -> None:
    """Checks across cells of one row of the Organisations and Changes sheets."""
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


def _known_sheets(
    workbook: Workbook, problems: list[Problem], notices: list[str], read: dict[str, str]
):
    """The sheets this import reads, in file order, with their specs: unknown and hidden sheets
    are noted, and a sheet of a kind already read (`read`: key -> sheet name, which the caller
    fills as it reads each sheet) is a problem."""
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
        if spec.key in read:
            problems.append(
                Problem(
                    info.name,
                    "A1",
                    f"a second '{spec.title}' sheet (the first is '{read[spec.key]}'); keep one",
                )
            )
            continue
        yield info, spec


def _no_sheet_problem(workbook: Workbook) -> Problem:
    return Problem(
        workbook.sheets[0].name,
        "A1",
        "no Organisations, Establishment or Changes sheet was found (sheet names are "
        "matched ignoring case, spaces and punctuation)",
    )


def parse_workbook(
    workbook: Workbook, *, progress: Callable[[int, int], None] | None = None
) -> ParsedWorkbook:
    """Read every known sheet of a checked workbook into typed rows and problems."""
    problems: list[Problem] = []
    notices: list[str] = []
    sheets: dict[str, ParsedSheet] = {}
    _today_cache.clear()
    _shared.clear()
    names: dict[str, str] = {}
    total_rows = 0
    for info, spec in _known_sheets(workbook, problems, notices, names):
        parsed = _parse_sheet(workbook, info, spec, problems, notices, progress)
        if parsed is not None:
            sheets[spec.key] = parsed
            names[spec.key] = info.name
            total_rows += len(parsed.rows)
    if not sheets and not problems:
        problems.append(_no_sheet_problem(workbook))
    _shared.clear()
    return ParsedWorkbook(
        workbook=workbook, sheets=sheets, problems=problems, notices=notices, row_count=total_rows
    )


@dataclass(frozen=True)
class SheetContent:
    """A sheet's content digest and how many data rows it has, read without converting a cell."""

    title: str
    digest: str
    rows: int


# The columns naming organisations: whose HR colleagues may see an import (imports.engine.run).
CODE_KEYS = ("code", "org_code", "destination_code")


def content_digests(
    workbook: Workbook,
) -> tuple[dict[str, SheetContent], list[str], set[str]] | None:
    """Each known sheet's content digest (as `parse_workbook` computes it) and row count, the
    file's notices and the organisation codes its rows name, from one pass over the raw cells
    converting only the few distinct codes; None if reading the headers found any problem (then
    only a full parse can report it) or a code cannot be read.

    This lets a re-saved copy of a file that an earlier import applied be recognised in about
    the time the spreadsheet reader takes (`imports.engine.run`): converting every cell costs
    more than reading it."""
    problems: list[Problem] = []
    notices: list[str] = []
    found: dict[str, SheetContent] = {}
    names: dict[str, str] = {}
    codes: set = set()
    for info, spec in _known_sheets(workbook, problems, notices, names):
        header = _read_header(workbook, info, spec, problems, notices)
        if header is None:
            return None
        names[spec.key] = info.name
        digest = header.digest()
        at = [header.columns[key] for key in CODE_KEYS if key in header.columns]
        raw_codes: dict[str, set] = {key: set() for key in CODE_KEYS if key in header.columns}
        rows = 0
        for chunk in _chunks(header.data_rows()):
            raws = [values for _number, values in chunk]
            digest.update("".join(map(repr, raws)).encode())  # as `_parse_sheet` does
            rows += len(raws)
            for key, column in zip(raw_codes, at, strict=True):
                raw_codes[key].update([values[column] for values in raws])
        found[spec.key] = SheetContent(spec.title, digest.hexdigest(), rows)
        converters = CONVERTERS[spec.key]
        for key, raw in raw_codes.items():
            for value in raw:
                try:
                    codes.add(converters[key](value))
                except CellError:
                    return None
    if problems or not found:
        return None
    codes.discard("")
    codes.discard(None)
    return found, notices, codes


@dataclass
class _Header:
    """A sheet's header row, the columns it maps, and its data rows still to be read."""

    spec: SheetSpec
    row: int
    values: list[object]
    columns: dict[str, int]  # key -> 0-based column index
    width: int  # cells each data row is padded to (past the last imported column)
    head: list[tuple[int, list[object]]]  # the rows read while looking for the header
    rest: Iterator[tuple[int, list[object]]]

    def digest(self):
        """The sheet's content digest, started with its columns; each data row's raw values are
        added with `update(repr(values).encode())`."""
        return hashlib.blake2b(
            repr((self.spec.key, sorted(self.columns.items()))).encode(), digest_size=16
        )

    def data_rows(self) -> Iterator[tuple[int, list[object]]]:
        """(row number, raw values padded to `width`) of every non-blank row under the header."""
        width = self.width
        for number, values in itertools.chain((r for r in self.head if r[0] > self.row), self.rest):
            if len(values) < width:
                values = values + [""] * (width - len(values))
            if values.count("") + values.count(None) == len(values):
                continue  # blank rows, including trailing ones, are not data
            yield number, values


def _read_header(workbook, info, spec, problems, notices) -> _Header | None:
    """Find the header row and map its columns, or report why not (problems) and return None."""
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
    imported = [i for key, i in columns.items() if not spec.column(key).informational]
    width = max(imported) + 1 if imported else 0
    return _Header(spec, header_row, list(header_values), columns, width, head, rows_iter)


# Rows converted at a time: enough that the per-column work runs in C, few enough that the raw
# cells of a chunk stay in the processor's cache (2,000 to 10,000 rows were no faster, and each
# 10,000 held 10 MB more at the peak of a 100,000-row import).
CHUNK_ROWS = 1_000


def _chunks(rows: Iterator[tuple[int, list[object]]]) -> Iterator[list[tuple[int, list[object]]]]:
    """A sheet's data rows, CHUNK_ROWS at a time."""
    return iter(lambda: list(itertools.islice(rows, CHUNK_ROWS)), [])


# Rows read between two progress reports (each is a write to the import's record).
PROGRESS_ROWS = 10_000


def _convert_column(
    cells: list[object],
    key: str,
    convert: Callable[[object], object],
    memo: dict,
    failures: dict[int, list[tuple[str, str]]],
) -> list[object]:
    """One column of a chunk of rows converted: each cell's value, or None where it cannot be
    read, with (key, message) added to `failures[offset in chunk]`.

    `memo` (value -> converted, kept across the sheet's chunks) holds only str, float and date
    values, and at most MEMO_LIMIT of them: cells that fail are never remembered, so each is
    reported; and a bool or int must not find a float's result (True == 1 == 1.0 in Python).
    When every cell is one of those types (which never equal one another) the lookups and the
    conversions of the values not yet seen run as `map`s, each distinct value converted once."""
    if set(map(type, cells)) <= _MEMO_TYPES:
        out = list(map(memo.get, cells, itertools.repeat(_MISSING)))
        misses: Sequence[int] = [at for at, value in enumerate(out) if value is _MISSING]
        if not misses:
            return out
        new = list(dict.fromkeys([cells[at] for at in misses]))
        try:
            converted = dict(zip(new, map(convert, new), strict=True))
        except CellError:
            pass  # some cell cannot be read: convert one by one to report each
        else:
            memo.update(itertools.islice(converted.items(), max(MEMO_LIMIT - len(memo), 0)))
            if len(misses) == len(cells):
                return list(map(converted.__getitem__, cells))
            for at in misses:
                out[at] = converted[cells[at]]
            return out
    else:
        out = [_MISSING] * len(cells)
        misses = range(len(cells))
    for at in misses:
        value = cells[at]
        remembered = value.__class__ in _MEMO_TYPES
        if remembered:
            result = memo.get(value, _MISSING)
            if result is not _MISSING:
                out[at] = result
                continue
        try:
            result = convert(value)
        except CellError as exc:
            out[at] = None
            failures.setdefault(at, []).append((key, str(exc)))
            continue
        if remembered and len(memo) < MEMO_LIMIT:
            memo[value] = result
        out[at] = result
    return out


def _parse_sheet(workbook, info, spec, problems, notices, progress) -> ParsedSheet | None:
    header = _read_header(workbook, info, spec, problems, notices)
    if header is None:
        return None
    header_row, columns = header.row, header.columns
    converters = CONVERTERS[spec.key]
    letters = {key: column_letter(index) for key, index in columns.items()}
    wanted = [
        (key, index, converters[key])
        for key, index in columns.items()
        if not spec.column(key).informational
    ]
    total = max(info.declared_rows - header_row, 0)
    rows: list[ParsedRow] = []
    index = {key: position for position, (key, _, _) in enumerate(wanted)}
    # Most columns repeat a few values all the way down (organisation, title, band, WTE, dates):
    # each column remembers what its values converted to, so each distinct value is converted
    # once (`_convert_column`). The rows are converted a chunk at a time, column by column.
    memos: list[dict] = [{} for _ in wanted]
    # The sheet's content (its columns and every raw cell), so a re-saved copy of a file that
    # changed nothing can be recognised without planning it again (see imports.engine.run).
    digest = header.digest()
    check = row_checks(spec, index, info.name)
    done = 0
    for chunk in _chunks(header.data_rows()):
        numbers, raws = zip(*chunk, strict=True)
        # The same bytes as one `update(repr(values).encode())` per row (`_Header.digest`).
        digest.update("".join(map(repr, raws)).encode())
        failures: dict[int, list[tuple[str, str]]] = {}
        converted = [
            _convert_column([values[column] for values in raws], key, convert, memo, failures)
            for (key, column, convert), memo in zip(wanted, memos, strict=True)
        ]
        typed = zip(*converted, strict=True) if converted else [()] * len(numbers)
        for offset, (number, data) in enumerate(zip(numbers, typed, strict=True)):
            parsed = ParsedRow(number, RowValues(index, data), letters)
            for key, message in failures.get(offset, ()):
                parsed.fail(key)
                problems.append(Problem(info.name, parsed.ref(key), message, number))
            check(parsed, problems)
            rows.append(parsed)
        done += len(chunk)
        if progress and done // PROGRESS_ROWS > (done - len(chunk)) // PROGRESS_ROWS:
            progress(done, max(total, done))
    if progress:
        progress(done, done)
    return ParsedSheet(
        spec=spec,
        name=info.name,
        header_row=header_row,
        header=header.values,
        columns=columns,
        index=index,
        rows=rows,
        info=info,
        digest=digest.hexdigest(),
    )
