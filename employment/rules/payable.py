"""Which redundancy payment is paid: the NHS contractual payment includes the statutory one, so
the higher, not both (domain-rules.md [assumed]); with the tax-free allowance as information."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from employment.rules.money import ZERO, pounds, to_pennies
from employment.rules.rule_sets import TERMINATION_TAX, RuleSetUsed, in_force, used
from employment.rules.section16 import AfcRedundancyResult
from employment.rules.statutory import StatutoryRedundancyResult


@dataclass(frozen=True)
class RedundancyPayable:
    """Which redundancy payment is actually paid (the higher, never both), with the tax note."""

    # "afc_redundancy", "statutory_redundancy" or None when neither is due.
    payable: str | None
    amount: Decimal
    tax_free: Decimal
    taxable: Decimal
    # The tax-free allowance in force (the first £30,000), whatever the amount.
    tax_free_allowance: Decimal
    rule_set: RuleSetUsed
    breakdown: tuple[str, ...]


def redundancy_payable(
    *, afc: AfcRedundancyResult, statutory: StatutoryRedundancyResult, exit_date: date
) -> RedundancyPayable:
    """The NHS contractual payment includes the statutory one: the higher is paid, not both
    (domain-rules.md [assumed]). The tax-free first £30,000 is shown as information."""
    tax = in_force(TERMINATION_TAX, on=exit_date, topic="termination payment tax")
    lines = [
        f"AfC contractual: {pounds(afc.total)}; statutory: {pounds(statutory.total)}. The "
        "contractual payment includes the statutory one, so the higher is paid, not both "
        "[assumed]."
    ]
    if afc.eligible and afc.total >= statutory.total:
        payable, amount = "afc_redundancy", afc.total
        lines.append(f"Payable: the AfC contractual payment, {pounds(amount)}.")
    elif statutory.eligible:
        payable, amount = "statutory_redundancy", statutory.total
        lines.append(f"Payable: the statutory payment, {pounds(amount)}.")
    else:
        payable, amount = None, to_pennies(ZERO)
        lines.append("No redundancy payment is due.")
    tax_free = min(amount, tax.tax_free_amount)
    taxable = amount - tax_free
    if amount:
        lines.append(
            f"For information: the first {pounds(tax.tax_free_amount)} of a genuine termination "
            f"payment is free of income tax and NICs, here {pounds(tax_free)}; "
            f"{pounds(taxable)} is taxable [reported]."
        )
    return RedundancyPayable(
        payable=payable,
        amount=amount,
        tax_free=tax_free,
        taxable=taxable,
        tax_free_allowance=tax.tax_free_amount,
        rule_set=used(tax, topic="termination payment tax", on=exit_date),
        breakdown=tuple(lines),
    )
