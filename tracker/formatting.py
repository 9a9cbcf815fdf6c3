"""Figures as people write them. Plain Python (no Django, no database), so the admin screens,
the staff pages and the entitlement text all show a WTE the same way."""

from decimal import Decimal


def format_wte(value: Decimal | int) -> str:
    """A whole-time equivalent for reading: "69.4", "1", "0.5", "12.25".

    Trailing zeros go, whatever the places the database returned (SQLite's SUM gives
    69.4000000000000, PostgreSQL's 69.4000). Exact: never through float, and never scientific
    notation (Decimal("100.0000") is "100", not "1E+2"). Display only; exports keep the number."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"a WTE is a Decimal or an int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"a WTE is a finite number, not {number}")
    text = format(number, "f")  # fixed point: every digit, no exponent
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
