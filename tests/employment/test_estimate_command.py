"""The `estimate` command: text with the breakdown, JSON with the documented keys, and a
one-line error with exit code 2 for bad input."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

WORKED_EXAMPLE = [
    "--salary", "50000",
    "--date-of-birth", "1975-03-10",
    "--service-start", "2008-09-01",
    "--exit-date", "2026-03-31",
    "--band", "7",
]  # fmt: skip
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = StringIO()
    call_command("estimate", *args, stdout=out)
    return out.getvalue()


def test_text_output_carries_the_breakdown():
    text = run(*WORKED_EXAMPLE)
    # Route (b) 17 x 50,000 x 4.35 / 52 = £71,105.77 beats route (a) 17 x 50,000 / 12 = £70,833.33
    # (domain-rules.md worked example); both are printed.
    assert "AfC Section 16 redundancy pay: eligible, 17 months, £71,105.77" in text
    assert "Counted: 1 September 2008 to 31 March 2026, 17 complete years" in text
    assert "Route (a): 17 x £50,000.00 / 12 = £70,833.33." in text
    assert "Route (b): 17 x 4.35 x £50,000.00 / 52 = £71,105.77." in text
    assert "22.0 x £719.00 = £15,818.00" in text
    assert "Payable: the AfC contractual payment, £71,105.77." in text
    assert "MARS (ESTIMATE)" in text
    assert "Rule sets used (applied on 31 March 2026):" in text
    assert "Statutory redundancy pay, weekly cap £719 (2025/26)" in text


def test_json_output_keys_and_values():
    data = json.loads(run(*WORKED_EXAMPLE, "--pension-scheme", "1995", "--json"))
    assert data["afc_redundancy"]["eligible"] is True
    assert data["afc_redundancy"]["months"] == 17
    assert data["afc_redundancy"]["total"] == "71105.77"
    assert data["afc_redundancy"]["route_used"] == "b"
    # a: 50,000 / 12 = 4,166.666... -> 4,166.67 a month, x 17 = £70,833.33;
    # b: 50,000 / 52 = 961.538... a week, x 4.35 = 4,182.692... -> 4,182.69 a month.
    assert data["afc_redundancy"]["routes"]["a"] == {
        **data["afc_redundancy"]["routes"]["a"],
        "month_pay": "4166.67",
        "total": "70833.33",
    }
    assert data["afc_redundancy"]["routes"]["b"] == {
        **data["afc_redundancy"]["routes"]["b"],
        "weeks_per_month": "4.35",
        "week_pay": "961.54",
        "weekly_cap_applied": False,
        "month_pay": "4182.69",
        "total": "71105.77",
    }
    assert data["statutory_redundancy"]["weeks"] == "22.0"
    assert data["statutory_redundancy"]["weekly_pay"] == "719.00"
    assert data["statutory_redundancy"]["total"] == "15818.00"
    assert data["voluntary_redundancy"]["total"] == "71105.77"
    assert data["voluntary_redundancy"]["clawback_end"] == "2026-09-30"
    assert data["mars"] == {**data["mars"], "eligible": True, "months": "8.5", "total": "35416.67"}
    assert data["early_retirement"]["eligible"] is False
    assert data["early_retirement"]["minimum_pension_age"] == 55
    assert data["notice"] == {
        **data["notice"],
        "statutory_weeks": 12,
        "contractual_weeks": 13,
        "due_weeks": 13,
    }
    assert data["redundancy_payable"]["payable"] == "afc_redundancy"
    assert data["rule_set"]["applied_on"] == "2026-03-31"
    assert {used["topic"] for used in data["rule_set"]["used"]} >= {
        "AfC Section 16",
        "statutory redundancy",
    }
    assert data["afc_redundancy"]["breakdown"]


def test_previous_service_paid_out_and_part_time_options():
    # Earlier 1 Apr 2005 .. 31 Mar 2015 paid out; current 1 Apr 2016 .. 31 Mar 2026 = 10 years;
    # 18,000 at 0.6 (floor 13,800 pro rata) -> 10 x 18,000 x 4.35 / 52 = 783,000 / 52
    # = 15,057.69 (route (a) 10 x 18,000 / 12 = 15,000.00).
    args = [
        "--salary", "18000", "--fte", "0.6",
        "--date-of-birth", "1975-03-10",
        "--service-start", "2016-04-01",
        "--exit-date", "2026-03-31",
        "--previous-service", "2005-04-01:2015-03-31:paid",
        "--json",
    ]  # fmt: skip
    data = json.loads(run(*args))
    assert data["afc_redundancy"]["total"] == "15057.69"
    assert data["afc_redundancy"]["routes"]["a"]["total"] == "15000.00"
    reasons = [segment["reason"] for segment in data["service"]["segments"]]
    assert reasons[0] == "already paid out in an earlier NHS redundancy"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--date-of-birth", "1975-13-10"), "--date-of-birth '1975-13-10' is not a date"),
        (("--exit-date", "2008-08-31"), "is before the service start"),
        (("--salary", "lots"), "--salary 'lots' is not an amount of money"),
        (("--band", "12"), "'12' is not a band"),
        (("--previous-service", "2001-01-01"), "should be START:END"),
        (("--exit-date", "2024-04-05"), "no statutory redundancy rules on file"),
    ],
)
def test_bad_arguments_exit_with_code_2(change, message):
    args = list(WORKED_EXAMPLE)
    option, value = change
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    with pytest.raises(CommandError, match=message) as error:
        run(*args)
    assert error.value.returncode == 2


def test_exit_code_2_and_one_line_from_the_shell():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    args = list(WORKED_EXAMPLE)
    args[args.index("--exit-date") + 1] = "2008-08-31"
    completed = subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", "estimate", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert lines == [
        "CommandError: the exit date 2008-08-31 is before the service start 2008-09-01"
    ]


def test_for_staff_prints_the_plain_english_wording():
    # The worked example as /my/ words it: £71,105.77 for 17 months, no markers or citations.
    text = run(*WORKED_EXAMPLE, "--for-staff")
    assert "NHS redundancy pay: About £71,105.77, for 17 months." in text
    assert "Statutory redundancy pay: About £15,818.00, for 22.0 weeks' pay." in text
    assert "[" not in text and "s.162" not in text and "domain-rules" not in text
