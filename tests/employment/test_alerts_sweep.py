"""`manage.py run_alerts`: clock alerts approaching and passed, collective-consultation
thresholds, exact counts, and nothing raised or sent twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from employment import services
from employment.models import Alert, AlertRecipient, Case
from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory, CollectiveConsultationFactory
from tests.factories.tracker import OrganisationFactory
from tracker import roles

S = Case.Status


@pytest.fixture
def hr(employer):
    return user_in(roles.HR_MANAGER, organisations=[employer], username="hr")


def sweep(today, capsys, *extra):
    call_command("run_alerts", "--today", today, *extra)
    return capsys.readouterr().out.strip()


def keys():
    return sorted(Alert.objects.values_list("dedupe_key", flat=True))


@pytest.fixture
def trial_case(employer):
    return CaseFactory(
        employer=employer, status=S.REDEPLOYMENT_TRIAL,
        trial_starts_on=dt.date(2026, 5, 1), trial_ends_on=dt.date(2026, 5, 28),
    )


def test_trial_end_outside_the_lead_raises_nothing(trial_case, hr, capsys):
    assert sweep("2026-05-20", capsys) == "raised 0, delivered 0"
    assert keys() == []


def test_trial_end_approaching_then_passed_each_once(trial_case, hr, capsys):
    pk = trial_case.pk
    assert sweep("2026-05-21", capsys) == "raised 1, delivered 1"
    assert keys() == [f"clock:case:{pk}:trial_end:approaching:2026-05-28"]
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.CLOCK_APPROACHING
    assert alert.subject == (
        "Redeployment trial ends in 7 days, on 28 May 2026: "
        "a Band 7 post-holder in Greater Manchester ICB (QOP)"
    )
    assert sweep("2026-05-21", capsys) == "raised 0, delivered 0"
    assert sweep("2026-05-27", capsys) == "raised 0, delivered 0"

    assert sweep("2026-05-28", capsys) == "raised 1, delivered 1"
    assert keys() == [
        f"clock:case:{pk}:trial_end:approaching:2026-05-28",
        f"clock:case:{pk}:trial_end:passed:2026-05-28",
    ]
    assert sweep("2026-05-29", capsys) == "raised 0, delivered 0"
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Redeployment trial ends today, 28 May 2026")


def test_an_extended_trial_alerts_on_its_extension(employer, hr, capsys):
    case = CaseFactory(
        employer=employer, status=S.REDEPLOYMENT_TRIAL,
        trial_starts_on=dt.date(2026, 5, 1), trial_ends_on=dt.date(2026, 5, 28),
        trial_extension_agreed_in_writing_on=dt.date(2026, 4, 30),
        trial_extended_to=dt.date(2026, 7, 31),
    )
    assert sweep("2026-05-28", capsys) == "raised 0, delivered 0"
    assert sweep("2026-07-25", capsys) == "raised 1, delivered 1"
    assert keys() == [f"clock:case:{case.pk}:trial_end:approaching:2026-07-31"]


def test_lead_days_option(trial_case, hr, capsys):
    assert sweep("2026-05-14", capsys, "--lead-days", "14") == "raised 1, delivered 1"
    assert sweep("2026-05-14", capsys) == "raised 0, delivered 0"


def test_notice_end(employer, hr, capsys):
    case = CaseFactory(
        employer=employer, status=S.NOTICE_ISSUED, route=Case.Route.COMPULSORY_REDUNDANCY,
        notice_starts_on=dt.date(2026, 3, 1), notice_ends_on=dt.date(2026, 6, 1),
        exit_on=dt.date(2026, 6, 1),
    )
    assert sweep("2026-05-26", capsys) == "raised 1, delivered 1"
    assert sweep("2026-06-02", capsys) == "raised 1, delivered 1"
    assert keys() == [
        f"clock:case:{case.pk}:notice_end:approaching:2026-06-01",
        f"clock:case:{case.pk}:notice_end:passed:2026-06-01",
    ]
    assert Alert.objects.get(kind=Alert.Kind.CLOCK_PASSED).subject.startswith(
        "Notice period ended on 1 June 2026"
    )


def test_clawback_end_on_a_closed_case(employer, hr, capsys):
    case = CaseFactory(
        employer=employer, status=S.LEFT, route=Case.Route.VOLUNTARY_REDUNDANCY,
        exit_on=dt.date(2026, 1, 31), clawback_ends_on=dt.date(2026, 7, 31),
        package_total=Decimal("40000.00"),
    )
    assert sweep("2026-07-24", capsys) == "raised 1, delivered 1"
    assert sweep("2026-07-31", capsys) == "raised 1, delivered 1"
    assert keys() == [
        f"clock:case:{case.pk}:clawback_end:approaching:2026-07-31",
        f"clock:case:{case.pk}:clawback_end:passed:2026-07-31",
    ]


def test_a_date_long_past_is_not_raised_on_the_first_sweep(employer, hr, capsys):
    CaseFactory(
        employer=employer, status=S.LEFT, route=Case.Route.VOLUNTARY_REDUNDANCY,
        exit_on=dt.date(2025, 1, 31), clawback_ends_on=dt.date(2025, 7, 31),
    )
    assert sweep("2026-05-01", capsys) == "raised 0, delivered 0"


def test_case_consultation_end(employer, hr, capsys):
    case = CaseFactory(employer=employer, consultation_ends_on=dt.date(2026, 3, 2))
    assert sweep("2026-02-28", capsys) == "raised 1, delivered 1"
    assert keys() == [f"clock:case:{case.pk}:consultation_end:approaching:2026-03-02"]


def _dismissals(employer, n, on=dt.date(2026, 6, 1), **kwargs):
    return [
        CaseFactory(
            employer=employer, post=None, status=S.VR_REQUESTED,
            route=Case.Route.VOLUNTARY_REDUNDANCY, proposed_dismissal_on=on, **kwargs,
        )
        for _ in range(n)
    ]


def test_consultation_minimum_and_hr1_due(employer, hr, capsys):
    """20 dismissals on 1 June: 30 days' consultation, so it must start (and the HR1 is due)
    by 2 May; started 1 March, the minimum runs to 31 March."""
    consultation = CollectiveConsultationFactory(
        employer=employer, starts_on=dt.date(2026, 3, 1)
    )
    _dismissals(employer, 20)
    pk = consultation.pk
    assert sweep("2026-03-25", capsys) == "raised 2, delivered 2"
    assert keys() == [
        f"clock:consultation:{pk}:consultation_minimum:approaching:2026-03-31",
        f"threshold:{employer.pk}:e3b0c44298fc1c14:20",
    ]
    assert sweep("2026-04-28", capsys) == "raised 2, delivered 2"
    assert f"clock:consultation:{pk}:hr1_due:approaching:2026-05-02" in keys()
    assert f"clock:consultation:{pk}:consultation_minimum:passed:2026-03-31" in keys()
    hr1 = Alert.objects.get(dedupe_key__contains="hr1_due")
    assert hr1.subject == (
        "HR1 notification due in 4 days, on 2 May 2026: "
        "Greater Manchester ICB (QOP), whole organisation"
    )
    assert hr1.consultation == consultation


def test_hr1_submitted_raises_no_hr1_alert(employer, hr, capsys):
    CollectiveConsultationFactory(
        employer=employer, starts_on=dt.date(2026, 3, 1), hr1_submitted_on=dt.date(2026, 3, 1)
    )
    _dismissals(employer, 20)
    sweep("2026-04-28", capsys)
    assert not Alert.objects.filter(dedupe_key__contains="hr1_due").exists()


def test_threshold_crossed_at_twenty_within_ninety_days_raises_once(employer, hr, capsys):
    other = OrganisationFactory(code="QYG", name="Cheshire and Merseyside ICB")
    user_in(roles.HR_MANAGER, organisations=[other], username="hr-qyg")
    _dismissals(other, 19)
    _dismissals(employer, 10, on=dt.date(2026, 6, 1))
    _dismissals(employer, 9, on=dt.date(2026, 8, 29))  # day 90 of the window: inside
    _dismissals(employer, 5, on=dt.date(2026, 8, 30), establishment="Runcorn")
    assert sweep("2026-05-01", capsys) == "raised 0, delivered 0"

    _dismissals(employer, 1, on=dt.date(2026, 8, 30))  # day 91: outside the first window
    assert sweep("2026-05-01", capsys) == "raised 0, delivered 0"

    _dismissals(employer, 1, on=dt.date(2026, 7, 1))
    assert sweep("2026-05-01", capsys) == "raised 1, delivered 1"
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.CONSULTATION_THRESHOLD
    assert alert.organisation == employer
    assert alert.subject == (
        "Collective consultation threshold reached: 20+ proposed dismissals within 90 days "
        "at Greater Manchester ICB (QOP), whole organisation"
    )
    assert list(AlertRecipient.objects.values_list("user__username", flat=True)) == ["hr"]
    assert sweep("2026-05-01", capsys) == "raised 0, delivered 0"
    assert sweep("2026-05-02", capsys) == "raised 0, delivered 0"


def test_threshold_crossed_by_a_transition_raises_with_the_status_alert(
    employer, hr, system_user, django_capture_on_commit_callbacks
):
    _dismissals(employer, 19)
    case = CaseFactory(employer=employer, proposed_dismissal_on=dt.date(2026, 6, 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(
            case=case, to=S.VR_REQUESTED, acting_user=system_user, reason="Volunteered",
            on=dt.date(2026, 5, 1),
        )
    assert sorted(Alert.objects.values_list("kind", flat=True)) == [
        Alert.Kind.CASE_STATUS, Alert.Kind.CONSULTATION_THRESHOLD,
    ]
    assert len(mail.outbox) == 2


def test_bad_today_is_a_usage_error(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_alerts", "--today", "01/05/2026")


def test_a_status_alert_whose_task_never_ran_is_raised_by_the_sweep_once(employer, hr, capsys):
    # Opened without running the on-commit callbacks: as if the process stopped between the
    # commit and the enqueue of the background task.
    case = CaseFactory(employer=employer, status=S.AT_RISK, status_changed_on=dt.date(2026, 5, 1))
    assert keys() == []
    assert sweep("2026-05-02", capsys) == "raised 1, delivered 1"
    assert keys() == [f"case:{case.pk}:entered:at_risk:2026-05-01"]
    assert sweep("2026-05-02", capsys) == "raised 0, delivered 0"
    # Older than the look-back (30 days): left alone rather than flooding inboxes.
    CaseFactory(employer=employer, status=S.AT_RISK, status_changed_on=dt.date(2026, 3, 1))
    assert sweep("2026-05-02", capsys) == "raised 0, delivered 0"
