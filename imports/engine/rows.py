"""Parsed rows and the problems found in them, as the planner and the error workbook read them."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from imports.engine.spec import SheetSpec
from imports.readers import SheetInfo, Workbook


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


def picker(positions: list[int | None]) -> Callable[[tuple], tuple]:
    """`operator.itemgetter`, but always returning a tuple (also for one or no positions), and
    None for a position that is None (a column the sheet does not have)."""
    if None in positions:
        if len(positions) == 1:
            return lambda row: (None,)
        # A position that is None picks the None appended after the row's last value.
        padded = operator.itemgetter(*(-1 if at is None else at for at in positions))
        return lambda row: padded((*row, None))
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    if positions:
        only = positions[0]
        return lambda row: (row[only],)
    return lambda row: ()


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
    digest: str = ""  # of the sheet's columns and raw cell values: its content, not its bytes


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
