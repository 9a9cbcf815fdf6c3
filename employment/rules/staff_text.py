"""The estimate in plain English for the member of staff it is about (the public `/my/` page).

The admin and JSON breakdowns (`report`) are for HR and representatives checking a figure: they
cite sections, carry confidence marks ("[assumed]") and name sources. A member of staff needs the
same figures told to them in sentences: what they would get, how it was worked out, what could
lose it, and which rules were used, by name and date in words. Nothing here may show an internal
marker, a file name or a rule-set code; `tests/employment/test_rules_staff_text.py` checks that.

Every sentence is built from the results' fields, not from their breakdown lines, so a change to
the admin wording never leaks into the staff page.
"""

from dataclasses import dataclass, replace

from employment.rules.dates import long_date, period_text
from employment.rules.money import halves, pounds
from employment.rules.redundancy import Entitlements
from employment.rules.rule_sets import RuleSetUsed

# The rule sets by what they are about, in words a member of staff would use.
TOPIC_WORDS = {
    "AfC Section 16": "NHS redundancy pay (Agenda for Change, Section 16, England)",
    "statutory redundancy": "Statutory redundancy pay and its weekly limit",
    "voluntary redundancy": "The national voluntary redundancy scheme (2025)",
    "MARS": "The mutually agreed resignation scheme (Agenda for Change, Section 20)",
    "early retirement": "Early retirement instead of a redundancy payment (NHS Pension Scheme)",
    "statutory notice": "Minimum notice set by law",
    "termination payment tax": "Tax on payments when employment ends",
}


@dataclass(frozen=True)
class StaffSection:
    """One part of the estimate for the member of staff: a heading, a one-line answer and the
    sentences that explain it."""

    title: str
    summary: str
    lines: tuple[str, ...]


def _years(count: int) -> str:
    return f"{count} complete year{'s' if count != 1 else ''}"


def _months(count: object) -> str:
    return f"{count} month{'s' if str(count) not in ('1', '1.0') else ''}"


def _weeks(count: int) -> str:
    return f"{count} week{'s' if count != 1 else ''}"


def _afc(e: Entitlements) -> StaffSection:
    afc = e.afc_redundancy
    service = e.service
    lines: list[str] = []
    if not afc.eligible:
        lines.append(
            "You need at least 2 complete years of continuous NHS service to get NHS "
            f"redundancy pay. Your continuous NHS service from "
            f"{long_date(service.nhs_continuous_start)} is {_years(afc.continuous_years)}."
        )
        return StaffSection(
            title="NHS redundancy pay",
            summary="You would not get NHS redundancy pay.",
            lines=tuple(lines),
        )
    lines.append(
        f"You get one month's pay for each complete year of NHS service that counts, up to 24. "
        f"{_years(afc.reckonable_years).capitalize()} count"
        + (", so 24 months are paid." if afc.reckonable_years > afc.months else ".")
    )
    for segment in service.segments:
        if not segment.counted:
            lines.append(
                f"Your service from {period_text(segment.start, segment.end)} does not count: "
                f"it was {SEGMENT_WORDS.get(segment.kind, 'not linked to your later service')}."
            )
    if service.nhs_continuous_start != service.continuous_start:
        lines.append(
            "A short break in your NHS service (no more than one full week) does not break "
            "your continuous service for NHS redundancy pay."
        )
    limit = {
        "floor": f"Your pay is counted as {pounds(afc.annual_pay_used)} a year, the lowest "
        "yearly pay the scheme uses" + (" for your hours" if e.fte != 1 else "") + ".",
        "cap": f"Your pay is counted as {pounds(afc.annual_pay_used)} a year, the highest "
        "yearly pay the scheme uses" + (" for your hours" if e.fte != 1 else "") + ".",
        "": f"Your pay is counted as {pounds(afc.annual_pay_used)} a year.",
    }[afc.pay_limit_applied]
    lines.append(limit)
    higher = "4.35 weeks' pay" if afc.route_used == "b" else "a twelfth of your yearly pay"
    lines.append(
        "A month's pay is the higher of two amounts: a twelfth of your yearly pay "
        f"({pounds(afc.route_a_month_pay)}), or 4.35 weeks' pay ({pounds(afc.route_b_month_pay)}). "
        f"For you the higher is {higher}."
    )
    lines.append(
        f"If you start work for an NHS employer on or before {long_date(afc.reemployment_cutoff)}, "
        "you would lose this payment."
    )
    return StaffSection(
        title="NHS redundancy pay",
        summary=f"About {pounds(afc.total)}, for {_months(afc.months)}.",
        lines=tuple(lines),
    )


# Why a part of someone's service does not count, as the end of "it was ...".
SEGMENT_WORDS = {
    "before_pension": "before you drew your NHS pension",
    "paid_out": "already paid for in an earlier NHS redundancy",
    "before_paid_out": "before service already paid for in an earlier NHS redundancy",
    "long_break": "followed by a break of more than 12 months",
    "before_long_break": "before a break of more than 12 months",
}


def _statutory(e: Entitlements) -> StaffSection:
    statutory = e.statutory_redundancy
    lines: list[str] = []
    if statutory.relevant_date_moved:
        why = (
            "your notice is paid rather than worked"
            if e.relevant_date.pay_in_lieu
            else "your notice is shorter than the legal minimum"
        )
        lines.append(
            f"Because {why}, the law works this payment out as if you left on "
            f"{long_date(statutory.relevant_date)}, when the legal minimum notice would have "
            "ended."
        )
    if not statutory.eligible:
        lines.append(
            "You need at least 2 complete years of continuous employment to get statutory "
            f"redundancy pay; you have {_years(statutory.continuous_years)}."
        )
        return StaffSection(
            title="Statutory redundancy pay",
            summary="You would not get statutory redundancy pay.",
            lines=tuple(lines),
        )
    lines.append(
        f"It counts back up to 20 years from {long_date(statutory.relevant_date)}: half a week's "
        "pay for each year you were under 22, one week for each year aged 22 to 40, and one and "
        "a half weeks for each year aged 41 or over. A year counts at an age only if you were "
        f"that age for all of it. For you that is {halves(statutory.weeks)} weeks."
    )
    if statutory.cap_applied:
        lines.append(
            f"A week's pay is limited by law to {pounds(statutory.weekly_pay)} for someone "
            f"leaving on {long_date(statutory.relevant_date)}."
        )
    else:
        lines.append(f"A week's pay for you is {pounds(statutory.weekly_pay)}.")
    return StaffSection(
        title="Statutory redundancy pay",
        summary=f"About {pounds(statutory.total)}, for {halves(statutory.weeks)} weeks' pay.",
        lines=tuple(lines),
    )


def _payable(e: Entitlements) -> StaffSection:
    payable = e.redundancy_payable
    lines = ["You are paid the higher of the NHS and statutory redundancy payments, not both."]
    if payable.payable is None:
        summary = "No redundancy payment would be due."
    else:
        which = "NHS redundancy pay" if payable.payable == "afc_redundancy" else "statutory pay"
        summary = f"About {pounds(payable.amount)} ({which})."
        allowance = pounds(payable.tax_free_allowance)
        lines.append(
            f"The first {allowance} of a redundancy payment is usually free of income tax and "
            "National Insurance; the rest is taxed."
            if payable.taxable
            else f"A redundancy payment of up to {allowance} is usually free of income tax and "
            "National Insurance, so all of this would be."
        )
    return StaffSection(title="Redundancy payment due", summary=summary, lines=tuple(lines))


def _voluntary(e: Entitlements) -> StaffSection:
    vr = e.voluntary_redundancy
    if not vr.eligible:
        return StaffSection(
            title="Voluntary redundancy",
            summary="You would not get a voluntary redundancy payment.",
            lines=(
                "The national scheme pays the same as NHS redundancy pay, so it needs the same "
                "2 years of continuous NHS service.",
            ),
        )
    assert vr.clawback_end is not None
    return StaffSection(
        title="Voluntary redundancy",
        summary=f"About {pounds(vr.total)}, the same as NHS redundancy pay.",
        lines=(
            "Your employer decides whether to accept a request, and you would sign a settlement "
            "agreement.",
            "You would have to pay it back if you start work for an NHS employer, an arm's-length "
            f"body or a government department on or before {long_date(vr.clawback_end)}.",
        ),
    )


def _mars(e: Entitlements) -> StaffSection:
    mars = e.mars
    lines = [
        "This is a rough guide only: the scheme's details are local and are not yet settled. "
        "It is a resignation, not a redundancy.",
    ]
    if not mars.eligible:
        return StaffSection(
            title="Mutually agreed resignation (MARS)",
            summary="You would not get a MARS payment.",
            lines=(*lines, "It needs at least 12 months of NHS service."),
        )
    lines.append(
        "It is taken as half a month's pay for each complete year of service, at least 3 and at "
        "most 12 months."
    )
    if mars.clawback_end is not None:
        lines.append(
            "You would have to pay it back if you rejoin the NHS on or before "
            f"{long_date(mars.clawback_end)}."
        )
    return StaffSection(
        title="Mutually agreed resignation (MARS)",
        summary=f"About {pounds(mars.total)}, for {_months(halves(mars.months))}.",
        lines=tuple(lines),
    )


def _notice(e: Entitlements) -> StaffSection:
    notice = e.notice
    lines = [f"The legal minimum for you is {_weeks(notice.statutory_weeks)}."]
    if notice.contractual_weeks:
        lines.append(
            f"Your contract gives {_months(notice.contractual_months)}, counted as "
            f"{_weeks(notice.contractual_weeks)}."
        )
    lines.append("You are due the longer of the two.")
    return StaffSection(title="Notice", summary=f"{_weeks(notice.due_weeks)}.", lines=tuple(lines))


def rule_set_words(rule_set: RuleSetUsed) -> str:
    """A rule set by name and date in words: "Minimum notice set by law, in force from
    22 August 1996"."""
    name = TOPIC_WORDS.get(rule_set.topic, rule_set.topic.capitalize())
    return f"{name}, rules in force from {long_date(rule_set.effective_from)}"


def as_staff_lines(entitlements: Entitlements) -> tuple[StaffSection, ...]:
    """The estimate for the member of staff: a section per entitlement, then the rules used."""
    e = entitlements
    rules = StaffSection(
        title="Rules used",
        summary=f"Worked out for leaving on {long_date(e.applied_on)}, with these rules.",
        lines=tuple(rule_set_words(rule_set) for rule_set in e.rule_sets),
    )
    return (
        _afc(e),
        _statutory(e),
        _payable(e),
        _voluntary(e),
        _mars(e),
        _notice(e),
        rules,
    )


def _rule_line(rule_set: RuleSetUsed | None) -> tuple[str, ...]:
    if rule_set is None:
        return ()
    return (f"Worked out with: {rule_set_words(rule_set)}.",)


def with_staff_wording(entitlements: Entitlements) -> Entitlements:
    """The same estimate, every figure unchanged, with each result's `breakdown` replaced by its
    staff wording and the rule set it used, in words.

    For pages written against the breakdown fields (the `/my/` template loops over
    `e.afc_redundancy.breakdown` and its siblings): handed this, they show plain English. The
    admin screens and `estimate` keep the real breakdowns.
    """
    e = entitlements
    afc, statutory, payable, voluntary, mars_, notice_, _rules = as_staff_lines(e)
    return replace(
        e,
        afc_redundancy=replace(
            e.afc_redundancy, breakdown=(*afc.lines, *_rule_line(e.afc_redundancy.rule_set))
        ),
        statutory_redundancy=replace(
            e.statutory_redundancy,
            breakdown=(*statutory.lines, *_rule_line(e.statutory_redundancy.rule_set)),
        ),
        redundancy_payable=replace(
            e.redundancy_payable,
            breakdown=(*payable.lines, *_rule_line(e.redundancy_payable.rule_set)),
        ),
        voluntary_redundancy=replace(
            e.voluntary_redundancy,
            breakdown=(*voluntary.lines, *_rule_line(e.voluntary_redundancy.rule_set)),
        ),
        mars=replace(e.mars, breakdown=(*mars_.lines, *_rule_line(e.mars.rule_set))),
        notice=replace(e.notice, breakdown=(*notice_.lines, *_rule_line(e.notice.rule_set))),
        early_retirement=replace(
            e.early_retirement, breakdown=_rule_line(e.early_retirement.rule_set)
        ),
    )
