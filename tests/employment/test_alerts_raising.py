"""Alerts raised by case status changes: which transitions, only after commit, who receives
them, in what words (named or anonymised), and emailed exactly once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from employment import alerts, services
from employment.models import Alert, AlertRecipient, Case
from tests.employment.conftest import case_in, user_in
from tests.factories.tracker import OrganisationFactory, PostFactory, StaffMemberFactory
from tracker import roles

S = Case.Status
ALERTED = {
    S.AT_RISK, S.VR_REQUESTED, S.VR_APPROVED, S.MARS_REQUESTED, S.MARS_APPROVED, S.NOTICE_ISSUED,
}
ALLOWED = [(a, b) for a in S.values for b in Case.TRANSITIONS[a]]
ON = dt.date(2026, 5, 1)


def _move(case, to, user, capture):
    with capture(execute=True):
        services.case_transition(case=case, to=to, acting_user=user, reason="Test", on=ON)


@pytest.mark.parametrize(("current", "to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_alert_raised_exactly_on_the_listed_statuses(
    current, to, system_user, django_capture_on_commit_callbacks
):
    case = case_in(current)
    _move(case, to, system_user, django_capture_on_commit_callbacks)
    keys = list(Alert.objects.values_list("dedupe_key", flat=True))
    if to in ALERTED:
        assert keys == [f"case:{case.pk}:entered:{to}:2026-05-01"]
        assert Alert.objects.get().case == case
    else:
        assert keys == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [(S.AT_RISK, 1), (S.VR_REQUESTED, 1), (S.MARS_REQUESTED, 1), (S.PROTECTED, 0)],
)
def test_opening_a_case_raises_for_alerted_statuses(
    status, expected, employer, system_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_open(
            staff_member=StaffMemberFactory(), employer=employer, acting_user=system_user,
            reason="Restructure", on=ON, status=status,
        )
    assert Alert.objects.filter(case=case).count() == expected


def test_nothing_is_raised_when_the_transaction_rolls_back(
    system_user, django_capture_on_commit_callbacks
):
    case = case_in(S.AT_RISK)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.case_transition(
            case=case, to=S.NOTICE_ISSUED, acting_user=system_user, reason="Test", on=ON
        )
        raise RuntimeError("something later in the request failed")
    assert callbacks == []
    assert Alert.objects.count() == 0
    assert len(mail.outbox) == 0


def test_nothing_is_raised_before_commit(system_user, django_capture_on_commit_callbacks):
    case = case_in(S.AT_RISK)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_transition(
            case=case, to=S.VR_REQUESTED, acting_user=system_user, reason="Test", on=ON
        )
        assert Alert.objects.count() == 0
    assert len(callbacks) == 1


def test_a_refused_transition_raises_nothing(system_user, django_capture_on_commit_callbacks):
    case = case_in(S.SLOTTED_IN)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(
        services.TransitionRefused
    ):
        services.case_transition(
            case=case, to=S.NOTICE_ISSUED, acting_user=system_user, reason="Test", on=ON
        )
    assert Alert.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_committed_transition_raises_and_emails_through_the_task_backend():
    """A real commit (no test transaction around it): on_commit runs the immediate task."""
    from tracker.audit import system_user

    employer = OrganisationFactory(code="02E", name="NHS Warrington CCG")
    user_in(roles.HR_MANAGER, organisations=[employer], username="hr-commit")
    case = case_in(S.AT_RISK, employer=employer)
    services.case_transition(
        case=case, to=S.VR_REQUESTED, acting_user=system_user(), reason="Volunteered", on=ON
    )
    assert Alert.objects.filter(case=case).count() == 1
    assert [m.to for m in mail.outbox] == [["hr-commit@example.nhs.uk"]]

    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_transition(
            case=case, to=S.VR_APPROVED, acting_user=system_user(), reason="Approved", on=ON
        )
        raise RuntimeError("rolled back")
    assert Alert.objects.filter(case=case).count() == 1
    assert len(mail.outbox) == 1


# --- recipients and wording ----------------------------------------------------------------


@pytest.fixture
def audience(employer):
    elsewhere = OrganisationFactory(code="QYG", name="Cheshire and Merseyside ICB")
    return {
        "hr": user_in(roles.HR_MANAGER, organisations=[employer], username="hr"),
        "rep": user_in(roles.UNION_REP, organisations=[employer], username="rep"),
        "hr_elsewhere": user_in(roles.HR_MANAGER, organisations=[elsewhere], username="hr-qyg"),
        "rep_elsewhere": user_in(roles.UNION_REP, organisations=[elsewhere], username="rep-qyg"),
        "hr_inactive": user_in(
            roles.HR_MANAGER, organisations=[employer], username="hr-gone", is_active=False
        ),
        "auditor": user_in(roles.AUDITOR, organisations=[employer], username="auditor"),
        "staff": user_in(roles.STAFF, organisations=[employer], username="staffer"),
        "cms": user_in(roles.CMS_EDITOR, organisations=[employer], username="editor"),
    }


def _person_case(employer, **kwargs):
    return case_in(
        S.AT_RISK,
        employer=employer,
        post=PostFactory(organisation=employer, band="6", title="Contracts Manager"),
        staff_member=StaffMemberFactory(
            first_name="Priya", last_name="Quartermaine", employee_number="E7654321"
        ),
        **kwargs,
    )


def _rows(case):
    return {
        (row.user.username, row.named): row
        for row in AlertRecipient.objects.filter(alert__case=case).select_related("user")
    }


def test_hr_of_the_organisation_named_rep_anonymised_without_representation(
    employer, audience, system_user, django_capture_on_commit_callbacks
):
    case = _person_case(employer)
    _move(case, S.NOTICE_ISSUED, system_user, django_capture_on_commit_callbacks)
    rows = _rows(case)
    assert set(rows) == {("hr", True), ("rep", False)}

    named = rows[("hr", True)]
    assert named.subject == (
        "Priya Quartermaine (E7654321), Contracts Manager, Greater Manchester ICB (QOP) "
        "has been given notice of compulsory redundancy"
    )
    anonymised = rows[("rep", False)]
    assert anonymised.subject == (
        "A Band 6 post-holder in Greater Manchester ICB (QOP) "
        "has been given notice of compulsory redundancy"
    )
    alert = Alert.objects.get(case=case)
    for text in (anonymised.subject, anonymised.body, alert.subject, alert.body):
        for secret in ("Priya", "Quartermaine", "E7654321", "Contracts Manager",
                       f"/cases/{case.pk}/"):
            assert secret not in text


def test_rep_named_only_where_the_member_asked_for_representation(
    employer, audience, system_user, django_capture_on_commit_callbacks
):
    case = _person_case(employer, requested_representation=True, union_name="UNISON")
    _move(case, S.VR_REQUESTED, system_user, django_capture_on_commit_callbacks)
    rows = _rows(case)
    assert set(rows) == {("hr", True), ("rep", True)}
    assert rows[("rep", True)].subject.startswith("Priya Quartermaine (E7654321)")
    for row in rows.values():
        for text in (row.subject, row.body):
            assert "UNISON" not in text
            assert "union" not in text.lower().replace("union representatives", "")


def test_hr_covering_the_posts_organisation_is_told(
    employer, system_user, django_capture_on_commit_callbacks
):
    """A case whose post sits in another organisation than its employer reaches both HRs."""
    host = OrganisationFactory(code="01F", name="NHS Halton CCG")
    user_in(roles.HR_MANAGER, organisations=[host], username="hr-host")
    user_in(roles.HR_MANAGER, organisations=[employer], username="hr-employer")
    case = case_in(S.AT_RISK, employer=employer, post=PostFactory(organisation=host))
    _move(case, S.MARS_REQUESTED, system_user, django_capture_on_commit_callbacks)
    assert sorted(AlertRecipient.objects.values_list("user__username", flat=True)) == [
        "hr-employer", "hr-host",
    ]


def test_a_user_who_is_hr_and_rep_gets_one_named_row(
    employer, system_user, django_capture_on_commit_callbacks
):
    both = user_in(roles.HR_MANAGER, organisations=[employer], username="both")
    both.groups.add(*user_in(roles.UNION_REP, username="x").groups.all())
    case = _person_case(employer)
    _move(case, S.VR_REQUESTED, system_user, django_capture_on_commit_callbacks)
    assert list(AlertRecipient.objects.values_list("user__username", "named")) == [("both", True)]


# --- delivery ----------------------------------------------------------------------------------


def test_each_recipient_is_emailed_once_across_sweeps(
    employer, audience, system_user, django_capture_on_commit_callbacks
):
    case = _person_case(employer)
    _move(case, S.VR_REQUESTED, system_user, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "hr@example.nhs.uk", "rep@example.nhs.uk",
    ]
    rep_mail = next(m for m in mail.outbox if m.to == ["rep@example.nhs.uk"])
    assert "Quartermaine" not in rep_mail.subject + rep_mail.body

    call_command("run_alerts", "--today", "2026-05-01", stdout=None)
    call_command("run_alerts", "--today", "2026-05-01", stdout=None)
    assert len(mail.outbox) == 2
    assert AlertRecipient.objects.filter(emailed_at__isnull=True).count() == 0


def test_the_sweep_delivers_what_the_task_did_not_and_only_once(employer, audience, capsys):
    case = _person_case(employer)
    alert = alerts.raise_case_status_alert(case=case, status=S.AT_RISK, on=ON)
    assert alert is not None
    assert alerts.raise_case_status_alert(case=case, status=S.AT_RISK, on=ON) is None
    assert len(mail.outbox) == 0

    call_command("run_alerts", "--today", "2026-05-01")
    call_command("run_alerts", "--today", "2026-05-01")
    out = capsys.readouterr().out.splitlines()
    assert out == ["raised 0, delivered 2", "raised 0, delivered 0"]
    assert len(mail.outbox) == 2


def test_a_row_claimed_by_another_sweep_is_not_sent_again(employer, audience):
    case = _person_case(employer)
    alerts.raise_case_status_alert(case=case, status=S.AT_RISK, on=ON)
    pending = list(alerts._pending())
    # Another sweep claims the HR row between this sweep's read and its claim.
    AlertRecipient.objects.filter(user__username="hr").update(emailed_at=dt.datetime.now(dt.UTC))
    assert len(pending) == 2
    assert alerts.deliver_pending() == 1
    assert [m.to for m in mail.outbox] == [["rep@example.nhs.uk"]]


def test_a_failed_send_is_retried_by_the_next_sweep(employer, audience, monkeypatch):
    case = _person_case(employer)
    alerts.raise_case_status_alert(case=case, status=S.AT_RISK, on=ON)

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(alerts, "send_mail", broken)
    assert alerts.deliver_pending() == 0
    assert AlertRecipient.objects.filter(emailed_at__isnull=True).count() == 2
    monkeypatch.undo()
    assert alerts.deliver_pending() == 2
    assert alerts.deliver_pending() == 0
    assert len(mail.outbox) == 2


def test_users_without_an_email_keep_the_inbox_row_only(employer, system_user,
                                                        django_capture_on_commit_callbacks):
    user_in(roles.HR_MANAGER, organisations=[employer], username="no-mail", email="")
    case = _person_case(employer)
    _move(case, S.VR_REQUESTED, system_user, django_capture_on_commit_callbacks)
    assert AlertRecipient.objects.filter(user__username="no-mail").count() == 1
    assert len(mail.outbox) == 0
