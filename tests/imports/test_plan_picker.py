"""`picker` picks a row's values by position into a tuple, None where the sheet has no such
column; the planners compare and build rows with it (imports/engine/plan/base.py)."""

from collections import namedtuple

import pytest

from imports.engine.rows import picker

ROW = ("QNQ", "00012345", "A0001", "E0001")


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ([0, 2], ("QNQ", "A0001")),
        ([3, 0], ("E0001", "QNQ")),  # in the order asked, not the row's
        ([1], ("00012345",)),  # one position: still a tuple
        ([], ()),
        ([0, None, 3], ("QNQ", None, "E0001")),  # a column the sheet does not have
        ([None], (None,)),
        ([None, 1, None], (None, "00012345", None)),
    ],
)
def test_picks_by_position_with_none_for_a_missing_column(positions, expected):
    assert picker(positions)(ROW) == expected


def test_a_missing_column_is_none_even_when_the_row_ends_in_a_value():
    # The last value of the row must never be taken for a missing column's.
    assert picker([None, 0])(("last",)) == (None, "last")


def test_state_tuples_are_picked_the_same_way():
    State = namedtuple("State", "id title band")
    assert picker([2, None, 1])(State(7, "Analyst", "5")) == ("5", None, "Analyst")
