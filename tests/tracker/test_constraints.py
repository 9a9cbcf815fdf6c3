"""Rules the database itself holds, by constraint name, even when validation is bypassed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests import factories
from tracker.audit import stamp
from tracker.models import Assignment, Organisation, PlannedChange, Post, StaffMember, Succession

pytestmark = pytest.mark.django_db


def _raw_save(instance):
    """Save without full_clean, as a careless code path would, so only the database stops it."""
    stamp(instance, acting_user=factories.UserFactory(username="raw"), reason="constraint test")
    with transaction.atomic():
        instance.save()


@pytest.mark.parametrize("code", ["1f", "01", "0123", "01F!", "ABCD", "a1b2c", ""])
def test_ods_code_shape(code):
    with pytest.raises(IntegrityError, match=r"organisation_code_is_ods|CHECK"):
        _raw_save(Organisation(code=code, name="x", kind="ccg"))


@pytest.mark.parametrize("code", ["01F", "QYG", "S0E4D"])
def test_valid_ods_codes(code):
    _raw_save(Organisation(code=code, name="x", kind="icb"))


def test_position_number_unique_within_an_organisation_only():
    post = factories.PostFactory(position_number="00000001")
    factories.PostFactory(position_number="00000001")  # another organisation: fine
    with pytest.raises(IntegrityError):
        _raw_save(
            Post(
                organisation=post.organisation,
                position_number="00000001",
                title="x",
                band="5",
                wte=Decimal("1"),
            )
        )


@pytest.mark.parametrize("wte", [Decimal("0"), Decimal("1.0001"), Decimal("-0.5")])
def test_wte_between_zero_and_one(wte):
    with pytest.raises(IntegrityError):
        _raw_save(
            Post(
                organisation=factories.OrganisationFactory(),
                position_number="1",
                title="x",
                band="5",
                wte=wte,
            )
        )


def test_closed_post_needs_a_closing_date():
    with pytest.raises(IntegrityError):
        _raw_save(
            Post(
                organisation=factories.OrganisationFactory(),
                position_number="1",
                title="x",
                band="5",
                wte=Decimal("1"),
                status="closed",
            )
        )


def test_succession_not_to_itself_and_unique():
    org = factories.OrganisationFactory()
    with pytest.raises(IntegrityError):
        _raw_save(Succession(predecessor=org, successor=org, effective_on=dt.date(2022, 7, 1)))
    succession = factories.SuccessionFactory()
    with pytest.raises(IntegrityError):
        _raw_save(
            Succession(
                predecessor=succession.predecessor,
                successor=succession.successor,
                effective_on=dt.date(2023, 1, 1),
            )
        )


def test_change_cannot_be_approved_by_its_author():
    change = factories.PlannedChangeFactory()
    change.status = PlannedChange.Status.APPROVED
    change.approved_by = change.author
    change.approved_at = dt.datetime(2022, 6, 1, tzinfo=dt.UTC)
    with pytest.raises(IntegrityError):
        _raw_save(change)


def test_transfer_needs_a_destination_in_the_database_too():
    with pytest.raises(IntegrityError):
        _raw_save(
            PlannedChange(
                programme=factories.ProgrammeFactory(),
                post=factories.PostFactory(),
                action=PlannedChange.Action.TRANSFER_UNCHANGED,
                effective_on=dt.date(2022, 7, 1),
                author=factories.UserFactory(),
            )
        )


def test_one_live_change_per_post_per_programme():
    change = factories.PlannedChangeFactory()
    with pytest.raises(IntegrityError):
        _raw_save(
            PlannedChange(
                programme=change.programme,
                post=change.post,
                action="closed",
                effective_on=dt.date(2022, 7, 1),
                author=change.author,
            )
        )


def test_assignment_dates_and_salary():
    assignment = factories.AssignmentFactory()
    assignment.end_on = assignment.start_on - dt.timedelta(days=1)
    with pytest.raises(IntegrityError):
        _raw_save(assignment)
    assignment.refresh_from_db()
    assignment.annual_salary = Decimal("0")
    with pytest.raises(IntegrityError):
        _raw_save(assignment)
    assert Assignment.objects.get(pk=assignment.pk).annual_salary == Decimal("50000.00")


def test_service_cannot_start_before_birth():
    person = factories.StaffMemberFactory()
    person.nhs_service_start = person.date_of_birth
    with pytest.raises(IntegrityError):
        _raw_save(person)
    assert StaffMember.objects.get(pk=person.pk).nhs_service_start == dt.date(2008, 9, 1)
