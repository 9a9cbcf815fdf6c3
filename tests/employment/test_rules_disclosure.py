"""Small-number suppression (`employment.rules.disclosure`), worked by hand."""

from employment.rules.disclosure import SUPPRESSED_TEXT, breakdown, shown


def _text(cells):
    return {key: str(value) for key, value in cells.items()}


def test_a_single_count_below_five_is_suppressed_and_zero_is_not():
    assert [str(shown(n)) for n in (0, 1, 4, 5, 1234)] == [
        "0",
        SUPPRESSED_TEXT,
        SUPPRESSED_TEXT,
        "5",
        "1,234",
    ]


def test_no_small_cell_leaves_everything_shown():
    cells, total = breakdown({"at_risk": 12, "vr_requested": 7, "protected": 0})
    assert _text(cells) == {"at_risk": "12", "vr_requested": "7", "protected": "0"}
    assert str(total) == "19"


def test_one_small_cell_takes_the_next_smallest_with_it():
    # 3 alone would be 21 - 12 - 6 = 3 from the total; hiding 6 as well leaves 9 split two ways.
    cells, total = breakdown({"at_risk": 12, "vr_requested": 6, "mars_requested": 3})
    assert _text(cells) == {
        "at_risk": "12",
        "vr_requested": SUPPRESSED_TEXT,
        "mars_requested": SUPPRESSED_TEXT,
    }
    assert str(total) == "21"


def test_two_small_cells_need_nothing_more():
    cells, total = breakdown({"at_risk": 12, "vr_requested": 2, "mars_requested": 1})
    assert _text(cells) == {
        "at_risk": "12",
        "vr_requested": SUPPRESSED_TEXT,
        "mars_requested": SUPPRESSED_TEXT,
    }
    assert str(total) == "15"


def test_a_small_total_hides_the_whole_breakdown():
    cells, total = breakdown({"at_risk": 3, "vr_requested": 1, "protected": 0})
    assert _text(cells) == {
        "at_risk": SUPPRESSED_TEXT,
        "vr_requested": SUPPRESSED_TEXT,
        "protected": "0",
    }
    assert str(total) == SUPPRESSED_TEXT
