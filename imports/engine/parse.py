"""Reading a checked workbook into typed rows: find each known sheet, its header row and columns
(`imports.engine.sheets`), convert every data row (`imports.engine.cells`, a chunk of rows at a
time, column by column) and run the checks across cells of one row (`imports.engine.checks`),
collecting each problem as `Sheet!CELL: message`. Checks that need the database or other rows
are the planners' (`imports.engine.plan`); both report through the same `Problem`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from imports.engine.cells import CONVERTERS, _shared, _today_cache
from imports.engine.checks import row_checks
from imports.engine.rows import (
    CellError,
    ParsedRow,
    ParsedSheet,
    ParsedWorkbook,
    Problem,
    RowValues,
)
from imports.engine.sheets import known_sheets, no_sheet_problem, read_header
from imports.engine.spec import _MEMO_TYPES, _MISSING, MEMO_LIMIT
from imports.readers import Workbook, column_letter


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
    for info, spec in known_sheets(workbook, problems, notices, names):
        parsed = _parse_sheet(workbook, info, spec, problems, notices, progress)
        if parsed is not None:
            sheets[spec.key] = parsed
            names[spec.key] = info.name
            total_rows += len(parsed.rows)
    if not sheets and not problems:
        problems.append(no_sheet_problem(workbook))
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
    for info, spec in known_sheets(workbook, problems, notices, names):
        header = read_header(workbook, info, spec, problems, notices)
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
    header = read_header(workbook, info, spec, problems, notices)
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
        # The same bytes as one `update(repr(values).encode())` per row (`Header.digest`).
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
