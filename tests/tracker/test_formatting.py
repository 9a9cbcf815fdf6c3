"""A WTE as people write it, wherever it is shown: the helper and its template filter."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from tracker.formatting import format_wte


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("69.4000000000000"), "69.4"),  # SQLite's SUM over the 4-place column
        (Decimal("69.4000"), "69.4"),  # PostgreSQL's
        (Decimal("100.0000"), "100"),  # not "1E+2"
        (Decimal("1E+2"), "100"),
        (Decimal("0.5000"), "0.5"),
        (Decimal("12.2500"), "12.25"),
        (Decimal("1.0000"), "1"),
        (Decimal("0.0001"), "0.0001"),  # the smallest WTE a post may have, not "1E-4"
        (Decimal("0"), "0"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.0"), "0"),
        (0, "0"),
        (3, "3"),
        (Decimal("1234.5000"), "1234.5"),
    ],
)
def test_format_wte(value, shown):
    assert format_wte(value) == shown


@pytest.mark.parametrize("value", [0.5, "0.5", True, Decimal("NaN"), Decimal("Infinity")])
def test_format_wte_refuses_what_is_not_an_exact_number(value):
    with pytest.raises((TypeError, ValueError)):
        format_wte(value)


def test_wte_template_filter():
    template = Template("{% load tracker_format %}[{{ a|wte }}] [{{ b|wte }}] [{{ c|wte }}]")
    shown = template.render(Context({"a": Decimal("69.4000000000000"), "b": Decimal("1.0000")}))
    assert shown == "[69.4] [1] []"
