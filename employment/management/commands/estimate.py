"""`manage.py estimate`: every entitlement for one person, with its breakdown, as text or JSON.

For HR, union representatives and staff to check a figure by hand before a case exists; it runs
`employment.rules.estimate_entitlements`, the same code the case screens use, and touches no
database. Bad input is a one-line error and exit code 2, like any command-line usage error.
"""

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from employment.rules import ServicePeriod, estimate_entitlements
from employment.rules.pension import PENSION_SCHEMES
from employment.rules.report import as_json_data, as_staff_text, as_text

USAGE_ERROR = 2
_PERIOD = re.compile(r"^(?P<start>[^:]+):(?P<end>[^:]+)(?::(?P<flag>[^:]+))?$")
PAID_OUT_FLAG = "paid"


def _usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def _date(value: str | None, *, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _usage_error(f"{option} '{value}' is not a date: use YYYY-MM-DD") from None


def _money(value: str | None, *, option: str) -> Decimal | None:
    if value is None:
        return None
    cleaned = value.strip().replace(",", "").removeprefix("£")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise _usage_error(f"{option} '{value}' is not an amount of money, e.g. 50000") from None
    if not amount.is_finite() or amount < 0:
        raise _usage_error(f"{option} '{value}' must be zero or more")
    return amount


def _period(value: str) -> ServicePeriod:
    match = _PERIOD.match(value.strip())
    if not match:
        raise _usage_error(
            f"--previous-service '{value}' should be START:END or START:END:paid "
            "(dates as YYYY-MM-DD)"
        )
    flag = match.group("flag")
    if flag is not None and flag.lower() != PAID_OUT_FLAG:
        raise _usage_error(
            f"--previous-service '{value}': the only marker after END is ':{PAID_OUT_FLAG}'"
        )
    start = _date(match.group("start"), option="--previous-service start")
    end = _date(match.group("end"), option="--previous-service end")
    # Both groups always match, so neither date is None.
    assert start is not None and end is not None
    return ServicePeriod(start=start, end=end, paid_out=flag is not None)


class Command(BaseCommand):
    help = (
        "Estimate every NHS exit entitlement for one person (AfC Section 16 and statutory "
        "redundancy pay, the national voluntary redundancy scheme, MARS, early retirement in "
        "lieu, notice), each with a line-by-line breakdown and the rule set used. Dates are "
        "YYYY-MM-DD; money is in pounds."
    )
    # Pure arithmetic: no models, so no system checks or database are needed to run it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--salary",
            required=True,
            metavar="POUNDS",
            help="Actual annual salary in pounds (for part-time staff, what they are paid).",
        )
        parser.add_argument("--date-of-birth", required=True, metavar="DATE", help="Date of birth.")
        parser.add_argument(
            "--service-start",
            required=True,
            metavar="DATE",
            help="First day of the current, continuous NHS employment.",
        )
        parser.add_argument(
            "--exit-date",
            required=True,
            metavar="DATE",
            help="Last day of employment (the dismissal date); picks the rule set used.",
        )
        parser.add_argument(
            "--band",
            help="Pay band (1-9, 8a-8d, VSM, ESM1-4, medical, other); sets contractual notice.",
        )
        parser.add_argument(
            "--very-senior",
            action="store_true",
            help="A very or executive senior manager (12-month VR clawback); implied by a "
            "VSM or ESM band.",
        )
        parser.add_argument(
            "--previous-service",
            action="extend",
            nargs="+",
            default=[],
            metavar="START:END",
            help="Earlier NHS service, one or more periods. Add ':paid' (START:END:paid) to "
            "mark service already paid out in an earlier NHS redundancy.",
        )
        parser.add_argument(
            "--retire-and-return",
            "--pension-return",
            dest="retire_and_return",
            metavar="DATE",
            help="Pension return date: the first day of NHS service after drawing an NHS "
            "pension (retire and return or partial retirement), as recorded on the person. "
            "Service before it does not count for the AfC, VR and MARS payments; statutory "
            "continuity is not affected.",
        )
        parser.add_argument(
            "--pension-scheme",
            choices=PENSION_SCHEMES,
            help="NHS Pension Scheme section: 1995, 2008, 2015 or none.",
        )
        parser.add_argument(
            "--pension-joined",
            metavar="DATE",
            help="Date the person joined the pension scheme (default: the service start).",
        )
        parser.add_argument(
            "--fte",
            default="1",
            metavar="FRACTION",
            help="Fraction of whole time worked, e.g. 0.6 (default 1); the AfC floor and cap "
            "are pro rata.",
        )
        parser.add_argument(
            "--notice-given",
            metavar="DATE",
            help="Date the employer gives notice (default: the exit date). Sets the statutory "
            "and contractual notice due. If the exit date is earlier than the day the statutory "
            "minimum notice (ERA s.86) given on this date would expire, the statutory relevant "
            "date becomes that later day (ERA s.145(5)).",
        )
        parser.add_argument(
            "--pay-in-lieu",
            action="store_true",
            help="Employment ends on the exit date with pay in lieu of notice. Under ERA "
            "s.145(5) statutory redundancy pay is then worked out on the day statutory notice "
            "given on --notice-given (or, without it, on the exit date) would have expired: "
            "that later date decides the two-year test, the years counted back and the weekly "
            "pay cap. The AfC payment still uses the exit date.",
        )
        parser.add_argument(
            "--package-threshold",
            metavar="POUNDS",
            help="VR packages over this get the 12-month clawback (default £100,000).",
        )
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        output.add_argument(
            "--for-staff",
            action="store_true",
            help="Print the plain-English wording the member of staff sees at /my/.",
        )

    def handle(self, *args, **options):
        salary = _money(options["salary"], option="--salary")
        fte = _money(options["fte"], option="--fte")
        try:
            entitlements = estimate_entitlements(
                salary=salary,
                date_of_birth=_date(options["date_of_birth"], option="--date-of-birth"),
                service_start=_date(options["service_start"], option="--service-start"),
                exit_date=_date(options["exit_date"], option="--exit-date"),
                band=options["band"],
                very_senior=options["very_senior"],
                previous_service=[_period(value) for value in options["previous_service"]],
                retire_and_return=_date(options["retire_and_return"], option="--retire-and-return"),
                pension_scheme=options["pension_scheme"],
                pension_joined=_date(options["pension_joined"], option="--pension-joined"),
                fte=fte,
                notice_given_on=_date(options["notice_given"], option="--notice-given"),
                pay_in_lieu=options["pay_in_lieu"],
                package_threshold=_money(
                    options["package_threshold"], option="--package-threshold"
                ),
            )
        except ValueError as error:  # includes NoRuleSetInForce and unknown bands
            raise _usage_error(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(as_json_data(entitlements), indent=2, ensure_ascii=False))
        elif options["for_staff"]:
            self.stdout.write(as_staff_text(entitlements), ending="")
        else:
            self.stdout.write(as_text(entitlements), ending="")
