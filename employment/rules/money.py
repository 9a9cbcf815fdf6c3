"""Money for the entitlement calculators: exact Decimals throughout, pennies once at the end.

Every calculator keeps full precision (for example 50,000 / 12 is never rounded to 4,166.67
before it is multiplied by the years) and calls `to_pennies` exactly once on the figure it
reports, so a total agrees with the formula printed beside it.
"""

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
ZERO = Decimal(0)


def to_pennies(amount: Decimal) -> Decimal:
    """Round to whole pennies, halves away from zero (ROUND_HALF_UP: 0.005 -> 0.01), the way
    payroll and the GOV.UK redundancy calculator round; the one rounding step of any figure."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def pounds(amount: Decimal) -> str:
    """A figure for people to read: "£70,833.33". Rounds for display only (same rule as
    `to_pennies`), so it may be passed an exact intermediate figure."""
    return f"£{to_pennies(amount):,.2f}"


def plain_pounds(amount: Decimal) -> str:
    """A figure for machines: "70833.33" (JSON carries money as strings of pounds and pence)."""
    return f"{to_pennies(amount):.2f}"


def halves(value: Decimal) -> str:
    """Weeks or months that may be a half ("25.5", "22.0"), always with one decimal place."""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):.1f}"
