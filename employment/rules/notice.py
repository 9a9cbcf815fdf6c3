"""Notice: the statutory minimum, the local contractual table by band, and which is due.

Contractual notice is local policy, so the table is configuration:
`DEFAULT_CONTRACTUAL_NOTICE_MONTHS` below is the common NHS pattern, and an optional Django
setting `EMPLOYMENT_CONTRACTUAL_NOTICE` (a dict of band to whole months, for example
``{"8a": 3, "VSM": 6, "medical": 3}``) overrides any of its entries; bands it does not mention
keep the default. Keys may be written as people type bands ("Band 8a"); they are normalised
like imported data.

Months as weeks: a contract gives notice in months, the statute in weeks, and the two are compared
to find which is longer. A month is taken as 52/12 weeks and the result rounded down to whole
weeks (1 month = 4 weeks, 2 = 8, 3 = 13, 6 = 26): whole weeks because that is how statutory notice
is counted, and rounding down so the figure never promises more notice than an average month
holds. The notice itself still ends on the calendar date the contract gives (`add_months`).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from employment.rules.dates import complete_months, complete_years, long_date
from employment.rules.rule_sets import (
    STATUTORY_NOTICE,
    RuleSetUsed,
    in_force,
    used,
)
from tracker.bands import Band, normalise_band

NOTICE_SETTING = "EMPLOYMENT_CONTRACTUAL_NOTICE"

# Weeks in a year and months in a year, for converting contractual months to weeks.
WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12

# The common local pattern [reported]: bands 1-4 one month, 5-6 two months, 7-9 three months;
# very and executive senior managers three months. Medical and "other" staff are on other
# contracts with no national default, so they have none here (0: the statutory minimum applies)
# until a local setting gives one.
DEFAULT_CONTRACTUAL_NOTICE_MONTHS: dict[str, int] = {
    Band.AFC_1: 1,
    Band.AFC_2: 1,
    Band.AFC_3: 1,
    Band.AFC_4: 1,
    Band.AFC_5: 2,
    Band.AFC_6: 2,
    Band.AFC_7: 3,
    Band.AFC_8A: 3,
    Band.AFC_8B: 3,
    Band.AFC_8C: 3,
    Band.AFC_8D: 3,
    Band.AFC_9: 3,
    Band.VSM: 3,
    Band.ESM_1: 3,
    Band.ESM_2: 3,
    Band.ESM_3: 3,
    Band.ESM_4: 3,
    Band.MEDICAL: 0,
    Band.OTHER: 0,
}


@dataclass(frozen=True)
class NoticeResult:
    """Statutory and contractual notice side by side, and the longer one, which is due."""

    notice_given_on: date
    band: str | None
    statutory_weeks: int
    contractual_months: int | None
    contractual_weeks: int | None
    due_weeks: int
    # "statutory", "contractual" or "equal".
    longer: str
    rule_set: RuleSetUsed
    breakdown: tuple[str, ...]


def contractual_notice_table() -> dict[str, int]:
    """The contractual notice table in force: the default with the optional setting on top.

    Read on every call (not at import) so a settings override in a test or a deployment change
    takes effect without a restart of anything that imported this module.
    """
    table = {str(band): months for band, months in DEFAULT_CONTRACTUAL_NOTICE_MONTHS.items()}
    override = getattr(settings, NOTICE_SETTING, None)
    if override is None:
        return table
    if not isinstance(override, dict):
        raise ImproperlyConfigured(f"{NOTICE_SETTING} must be a dict of band to whole months")
    for key, months in override.items():
        try:
            band = normalise_band(key)
        except ValueError as error:
            raise ImproperlyConfigured(f"{NOTICE_SETTING}: {error}") from error
        if isinstance(months, bool) or not isinstance(months, int) or months < 0:
            raise ImproperlyConfigured(
                f"{NOTICE_SETTING}[{key!r}] must be a whole number of months (0 or more)"
            )
        table[band] = months
    return table


def contractual_notice_months(band: str) -> int:
    """Months of contractual notice for a band (stored value, e.g. "8a", "VSM", "medical").

    Raises ValueError for a value that is not a band.
    """
    return contractual_notice_table()[normalise_band(band)]


def months_as_weeks(months: int) -> int:
    """Whole weeks in `months` months at 52/12 weeks a month, rounded down (module docstring)."""
    return months * WEEKS_PER_YEAR // MONTHS_PER_YEAR


def contractual_notice_weeks(band: str) -> int:
    """Weeks of contractual notice for a band, from the local table (months converted to weeks
    as the module docstring explains). 0 means the table gives none and the statute applies."""
    return months_as_weeks(contractual_notice_months(band))


def statutory_notice_weeks(*, service_start: date, notice_given_on: date) -> int:
    """Minimum notice the employer must give (ERA 1996 s.86(1)), in weeks.

    Service is the continuous employment from `service_start` to the day notice is given, both
    included: under a month, none; a month up to two years, 1 week; then 1 week per complete
    year, at most 12.
    """
    rules = in_force(STATUTORY_NOTICE, on=notice_given_on, topic="statutory notice")
    years = complete_years(service_start, notice_given_on)
    if years >= 2:
        return min(years, rules.max_weeks)
    if complete_months(service_start, notice_given_on) >= 1:
        return 1
    return 0


def notice_due_weeks(*, band: str, service_start: date, notice_given_on: date) -> int:
    """Weeks of notice due: the longer of the statutory minimum and the contractual notice."""
    return max(
        statutory_notice_weeks(service_start=service_start, notice_given_on=notice_given_on),
        contractual_notice_weeks(band),
    )


def notice(*, band: str | None, service_start: date, notice_given_on: date) -> NoticeResult:
    """Statutory and contractual notice with a breakdown; `band` None means no contractual
    figure is known, so the statutory minimum is what is due."""
    rules = in_force(STATUTORY_NOTICE, on=notice_given_on, topic="statutory notice")
    years = complete_years(service_start, notice_given_on)
    statutory = statutory_notice_weeks(service_start=service_start, notice_given_on=notice_given_on)
    lines = [
        f"Continuous service on {long_date(notice_given_on)}, when notice is taken as given: "
        f"{years} complete year{'s' if years != 1 else ''} from {long_date(service_start)}.",
        f"Statutory minimum: {statutory} week{'s' if statutory != 1 else ''} (1 week after a "
        "month's service, then 1 week per complete year from 2 years, at most "
        f"{rules.max_weeks}; ERA 1996 s.86).",
    ]
    months: int | None = None
    weeks: int | None = None
    if band is None:
        lines.append(
            "No band given, so no contractual notice is known; the statutory minimum is due."
        )
    else:
        band = normalise_band(band)
        months = contractual_notice_months(band)
        weeks = months_as_weeks(months)
        if months:
            lines.append(
                f"Contractual notice for band {band}: {months} month{'s' if months != 1 else ''} "
                f"(local table) = {months} x 52 / 12 weeks, rounded down to {weeks} whole weeks."
            )
        else:
            lines.append(
                f"The local table gives no contractual notice for band {band}; the statutory "
                "minimum applies."
            )
    contractual = weeks or 0
    due = max(statutory, contractual)
    if contractual > statutory:
        longer = "contractual"
    elif statutory > contractual:
        longer = "statutory"
    else:
        longer = "equal"
    lines.append(f"Notice due: the longer of the two, {due} weeks ({longer}).")
    return NoticeResult(
        notice_given_on=notice_given_on,
        band=band,
        statutory_weeks=statutory,
        contractual_months=months,
        contractual_weeks=weeks,
        due_weeks=due,
        longer=longer,
        rule_set=used(rules, topic="statutory notice", on=notice_given_on),
        breakdown=tuple(lines),
    )
