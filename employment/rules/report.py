"""Entitlements as JSON-ready data and as readable text, for the `estimate` command and the
case screens, so both show the same figures with the same breakdown.

JSON carries money as strings of pounds and pence ("70833.33"), weeks and months that may be a
half as strings with one decimal place ("25.5"), and dates as ISO strings.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from employment.rules.dates import long_date
from employment.rules.money import halves, plain_pounds, pounds
from employment.rules.redundancy import Entitlements
from employment.rules.rule_sets import RuleSetUsed
from employment.rules.staff_text import StaffSection, as_staff_lines
from tracker.formatting import format_wte

__all__ = ["StaffSection", "as_json_data", "as_staff_lines", "as_staff_text", "as_text"]

PAYABLE_NAMES = {"afc_redundancy": "AfC contractual", "statutory_redundancy": "statutory"}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _money(amount: Decimal | None) -> str | None:
    return plain_pounds(amount) if amount is not None else None


def _rule_set(rule_set: RuleSetUsed | None) -> dict[str, Any] | None:
    if rule_set is None:
        return None
    return {
        "topic": rule_set.topic,
        "name": rule_set.name,
        "effective_from": rule_set.effective_from.isoformat(),
        "applied_on": rule_set.applied_on.isoformat(),
        "source": rule_set.source,
        "confidence": rule_set.confidence,
    }


def as_json_data(entitlements: Entitlements) -> dict[str, Any]:
    """The estimate as plain JSON types; every result keeps its breakdown and rule set beside it."""
    e = entitlements
    service = e.service
    afc = e.afc_redundancy
    statutory = e.statutory_redundancy
    vr = e.voluntary_redundancy
    mars = e.mars
    pension = e.early_retirement
    notice = e.notice
    payable = e.redundancy_payable
    return {
        "inputs": {
            "salary": _money(e.salary),
            "fte": str(e.fte),
            "band": e.band,
            "date_of_birth": _iso(e.date_of_birth),
            "exit_date": _iso(e.applied_on),
            "age_at_exit": e.age_at_exit,
            "notice_given_on": _iso(e.notice.notice_given_on),
            "pay_in_lieu": e.pay_in_lieu,
        },
        "relevant_date": {
            "exit_date": _iso(e.relevant_date.exit_date),
            "relevant_date": _iso(e.relevant_date.relevant_date),
            "moved": e.relevant_date.moved,
            "pay_in_lieu": e.relevant_date.pay_in_lieu,
            "material_date": _iso(e.relevant_date.material_date),
            "statutory_notice_weeks": e.relevant_date.statutory_notice_weeks,
            "notice_would_expire": _iso(e.relevant_date.notice_would_expire),
            "breakdown": list(e.relevant_date.breakdown),
        },
        "service": {
            "continuous_start": _iso(service.continuous_start),
            "continuous_years": service.continuous_years,
            "nhs_continuous_start": _iso(service.nhs_continuous_start),
            "nhs_continuous_years": service.nhs_continuous_years,
            "reckonable_years": service.reckonable_years,
            "reckonable_extra_days": service.reckonable_extra_days,
            "retire_and_return": _iso(service.retire_and_return),
            "segments": [
                {
                    "start": _iso(segment.start),
                    "end": _iso(segment.end),
                    "counted": segment.counted,
                    "reason": segment.reason,
                    "kind": segment.kind,
                    "years": segment.years,
                    "extra_days": segment.extra_days,
                }
                for segment in service.segments
            ],
            "notes": list(service.notes),
        },
        "afc_redundancy": {
            "eligible": afc.eligible,
            "months": afc.months,
            "total": _money(afc.total),
            "continuous_years": afc.continuous_years,
            "reckonable_years": afc.reckonable_years,
            "annual_salary": _money(afc.annual_salary),
            "annual_pay_used": _money(afc.annual_pay_used),
            "pay_limit_applied": afc.pay_limit_applied or None,
            "route_used": afc.route_used,
            "month_pay": _money(afc.month_pay),
            "routes": {
                "a": {
                    "description": "annual pay / 12",
                    "month_pay": _money(afc.route_a_month_pay),
                    "total": _money(afc.route_a_total),
                },
                "b": {
                    "description": "weeks_per_month x a week's pay (ERA 1996 ss.221-229)",
                    "weeks_per_month": str(afc.weeks_per_month),
                    "week_pay": _money(afc.route_b_week_pay),
                    "weekly_cap_applied": afc.route_b_weekly_cap_applied,
                    "month_pay": _money(afc.route_b_month_pay),
                    "total": _money(afc.route_b_total),
                },
            },
            "reemployment_cutoff": _iso(afc.reemployment_cutoff),
            "rule_set": _rule_set(afc.rule_set),
            "breakdown": list(afc.breakdown),
        },
        "statutory_redundancy": {
            "eligible": statutory.eligible,
            "relevant_date": _iso(statutory.relevant_date),
            "relevant_date_moved": statutory.relevant_date_moved,
            "continuous_years": statutory.continuous_years,
            "weeks": halves(statutory.weeks),
            "weekly_pay": _money(statutory.weekly_pay),
            "weekly_pay_actual": _money(statutory.weekly_pay_actual),
            "cap_applied": statutory.cap_applied,
            "total": _money(statutory.total),
            "years_counted": statutory.years_counted,
            "years": [
                {
                    "number": year.number,
                    "start": _iso(year.start),
                    "end": _iso(year.end),
                    "age_at_start": year.age_at_start,
                    "weeks": halves(year.weeks),
                }
                for year in statutory.years
            ],
            "rule_set": _rule_set(statutory.rule_set),
            "breakdown": list(statutory.breakdown),
        },
        "redundancy_payable": {
            "payable": payable.payable,
            "amount": _money(payable.amount),
            "tax_free": _money(payable.tax_free),
            "taxable": _money(payable.taxable),
            "tax_free_allowance": _money(payable.tax_free_allowance),
            "rule_set": _rule_set(payable.rule_set),
            "breakdown": list(payable.breakdown),
        },
        "voluntary_redundancy": {
            "eligible": vr.eligible,
            "total": _money(vr.total),
            "months": vr.months,
            "clawback_end": _iso(vr.clawback_end),
            "clawback_months": vr.clawback_months,
            "very_senior": vr.very_senior,
            "large_package": vr.large_package,
            "large_package_threshold": _money(vr.large_package_threshold),
            "rule_set": _rule_set(vr.rule_set),
            "breakdown": list(vr.breakdown),
        },
        "mars": {
            "eligible": mars.eligible,
            "estimate": mars.estimate,
            "months": halves(mars.months),
            "total": _money(mars.total),
            "annual_pay_used": _money(mars.annual_pay_used),
            "cap_applied": mars.cap_applied,
            "clawback_end": _iso(mars.clawback_end),
            "rule_set": _rule_set(mars.rule_set),
            "breakdown": list(mars.breakdown),
        },
        "early_retirement": {
            "eligible": pension.eligible,
            "minimum_pension_age": pension.minimum_pension_age,
            "scheme": pension.scheme,
            "joined_on": _iso(pension.joined_on),
            "age_at_exit": pension.age_at_exit,
            "membership_years": pension.membership_years,
            "continuous_years": pension.continuous_years,
            "rule_set": _rule_set(pension.rule_set),
            "breakdown": list(pension.breakdown),
        },
        "notice": {
            "statutory_weeks": notice.statutory_weeks,
            "contractual_weeks": notice.contractual_weeks,
            "contractual_months": notice.contractual_months,
            "due_weeks": notice.due_weeks,
            "longer": notice.longer,
            "notice_given_on": _iso(notice.notice_given_on),
            "rule_set": _rule_set(notice.rule_set),
            "breakdown": list(notice.breakdown),
        },
        "rule_set": {
            "applied_on": _iso(e.applied_on),
            "used": [_rule_set(rule_set) for rule_set in e.rule_sets],
        },
    }


def as_text(entitlements: Entitlements) -> str:
    """The estimate as plain text: a heading per entitlement, its headline, then its breakdown."""
    e = entitlements
    afc = e.afc_redundancy
    statutory = e.statutory_redundancy
    vr = e.voluntary_redundancy
    mars = e.mars
    pension = e.early_retirement
    notice = e.notice
    payable = e.redundancy_payable

    def yes_no(flag: bool) -> str:
        return "eligible" if flag else "not eligible"

    sections = [
        (
            f"Entitlements for someone leaving on {long_date(e.applied_on)} "
            f"(aged {e.age_at_exit}), salary {pounds(e.salary)}"
            + (f" at {format_wte(e.fte)} of full time" if e.fte != 1 else "")
            + (f", band {e.band}" if e.band else "")
            + (", with pay in lieu of notice" if e.pay_in_lieu else "")
            + ".",
            (),
        ),
        (
            f"AfC Section 16 redundancy pay: {yes_no(afc.eligible)}, {afc.months} months, "
            f"{pounds(afc.total)}"
            + (f" (route ({afc.route_used}), the more beneficial)" if afc.eligible else ""),
            afc.breakdown,
        ),
        (
            f"Statutory redundancy pay: {yes_no(statutory.eligible)}, {halves(statutory.weeks)} "
            f"weeks at {pounds(statutory.weekly_pay)}, {pounds(statutory.total)}"
            + (
                f" (relevant date {long_date(statutory.relevant_date)}, ERA s.145(5))"
                if statutory.relevant_date_moved
                else ""
            ),
            statutory.breakdown,
        ),
        (
            "Redundancy payment due: "
            + (
                f"{pounds(payable.amount)} ({PAYABLE_NAMES[payable.payable]})"
                if payable.payable
                else "none"
            ),
            payable.breakdown,
        ),
        (
            f"Voluntary redundancy (national scheme): {yes_no(vr.eligible)}, {pounds(vr.total)}"
            + (
                f", repayable if re-employed by {long_date(vr.clawback_end)}"
                if vr.clawback_end
                else ""
            ),
            vr.breakdown,
        ),
        (
            f"MARS (ESTIMATE): {yes_no(mars.eligible)}, {halves(mars.months)} months, "
            f"{pounds(mars.total)}",
            mars.breakdown,
        ),
        (
            f"Early retirement in lieu: {yes_no(pension.eligible)}"
            + (
                f", minimum pension age {pension.minimum_pension_age}"
                if pension.minimum_pension_age is not None
                else ""
            ),
            pension.breakdown,
        ),
        (
            f"Notice: statutory {notice.statutory_weeks} weeks, contractual "
            + (
                f"{notice.contractual_weeks} weeks"
                if notice.contractual_weeks is not None
                else "not known"
            )
            + f", due {notice.due_weeks} weeks",
            notice.breakdown,
        ),
    ]
    out: list[str] = []
    for heading, lines in sections:
        out.append(heading)
        out.extend(f"  {line}" for line in lines)
        out.append("")
    out.append(f"Rule sets used (applied on {long_date(e.applied_on)}):")
    for rule_set in e.rule_sets:
        out.append(
            f"  {rule_set.name}, in force from {long_date(rule_set.effective_from)} "
            f"[{rule_set.confidence}; {rule_set.source}]"
        )
    return "\n".join(out) + "\n"


def as_staff_text(entitlements: Entitlements) -> str:
    """The staff-facing rendering (`as_staff_lines`) as plain text, as `/my/` words it."""
    out: list[str] = []
    for section in as_staff_lines(entitlements):
        out.append(f"{section.title}: {section.summary}")
        out.extend(f"  {line}" for line in section.lines)
        out.append("")
    return "\n".join(out)
