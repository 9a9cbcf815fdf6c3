"""tracker/selectors.py: the establishment as it stood, changes between dates, who sees what."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests import factories
from tracker import roles, services
from tracker.models import Assignment, Organisation, Post, StaffMember
from tracker.selectors import changes_between, establishment_as_of, record_timeline, scoped

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2022, 6, 30)


def _backdate_all_history(to: dt.date):
    """Make everything recorded so far look as if it was recorded on `to` (test set-up only)."""
    moment = timezone.make_aware(dt.datetime.combine(to, dt.time(9)))
    for model in (Organisation, Post, StaffMember, Assignment):
        model.history.update(history_date=moment)


@pytest.fixture
def transferred():
    """A CCG with two filled posts and one vacant one, recorded on 1 April 2022, then lifted
    and shifted into an ICB today."""
    hr = factories.UserFactory(is_superuser=True)
    approver = factories.UserFactory(is_superuser=True)
    ccg = factories.OrganisationFactory(code="01F", name="NHS Halton CCG")
    icb = factories.OrganisationFactory(code="QYG", name="NHS C&M ICB", kind="icb")
    filled = [factories.AssignmentFactory(post__organisation=ccg) for _ in range(2)]
    vacant = factories.PostFactory(organisation=ccg, title="Vacant analyst")
    ended = factories.AssignmentFactory(
        post__organisation=ccg, start_on=dt.date(2015, 1, 1), end_on=dt.date(2022, 5, 31)
    )
    _backdate_all_history(dt.date(2022, 4, 1))
    programme = factories.ProgrammeFactory()
    changes = [
        factories.PlannedChangeFactory(
            programme=programme, post=post, destination_organisation=icb, author=hr
        )
        for post in [a.post for a in filled] + [vacant, ended.post]
    ]
    services.planned_changes_approve(changes=changes, acting_user=approver, reason="Board")
    services.programme_apply_changes(
        programme=programme, organisation=ccg, acting_user=hr, reason="Scheme day"
    )
    return {"ccg": ccg, "icb": icb, "filled": filled, "vacant": vacant, "ended": ended}


def test_establishment_before_the_transfer_is_read_from_history(transferred):
    ccg, icb = transferred["ccg"], transferred["icb"]
    before = establishment_as_of(organisation=ccg, as_of=BEFORE)
    assert len(before) == 4
    assert {s.organisation_code for s in before} == {"01F"}
    assert establishment_as_of(organisation=icb, as_of=BEFORE) == []

    holders = {s.position_number: s.holders for s in before}
    for assignment in transferred["filled"]:
        (holder,) = holders[assignment.post.position_number]
        assert holder.employee_number == assignment.staff_member.employee_number
        assert holder.nhs_service_start == dt.date(2008, 9, 1)
    assert holders[transferred["vacant"].position_number] == ()  # vacant posts still count
    assert holders[transferred["ended"].post.position_number] == ()  # left on 31 May 2022


def test_establishment_today_is_the_icb(transferred):
    today = timezone.localdate()
    assert establishment_as_of(organisation=transferred["ccg"], as_of=today) == []
    after = establishment_as_of(organisation=transferred["icb"], as_of=today)
    assert len(after) == 4
    assert {s.organisation_name for s in after} == {"NHS C&M ICB"}


def test_holder_counted_on_the_day_their_assignment_ends(transferred):
    on_last_day = establishment_as_of(organisation=transferred["ccg"], as_of=dt.date(2022, 5, 31))
    ended_number = transferred["ended"].post.position_number
    assert next(s.holders for s in on_last_day if s.position_number == ended_number)


def test_nothing_before_anything_was_recorded(transferred):
    assert establishment_as_of(as_of=dt.date(2022, 3, 31)) == []


def test_changes_between_dates_show_the_transfer_with_who_and_why(transferred):
    today = timezone.localdate()
    entries = changes_between(start=today, end=today, organisation=transferred["ccg"])
    post_moves = [e for e in entries if e.model == "post"]
    assert len(post_moves) == 4
    move = post_moves[0]
    assert move.why == "Scheme day"
    org_change = next(c for c in move.changes if c.field == "organisation")
    assert (org_change.before, org_change.after) == ("01F", "QYG")
    # The earlier load is outside the window.
    assert not [e for e in entries if e.kind == "Created" and e.model == "post"]


def test_record_timeline_newest_first_with_before_and_after():
    hr = factories.UserFactory(first_name="Priya", last_name="Shah", is_superuser=True)
    post = factories.PostFactory(title="Analyst", band="6")
    services.post_update(post=post, band="Band 7", acting_user=hr, reason="Regraded on appeal")
    latest, created = record_timeline(post)
    assert (latest.who, latest.why, latest.kind) == ("Priya Shah", "Regraded on appeal", "Changed")
    assert [(c.label, c.before, c.after) for c in latest.changes] == [("Band", "Band 6", "Band 7")]
    assert created.kind == "Created"


class TestScoping:
    def test_hr_manager_sees_only_their_organisations(self):
        mine, theirs = factories.OrganisationFactory(), factories.OrganisationFactory()
        hr = factories.UserFactory(
            groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[mine]
        )
        my_post = factories.AssignmentFactory(post__organisation=mine)
        factories.AssignmentFactory(post__organisation=theirs)
        assert list(scoped(Organisation, hr)) == [mine]
        assert list(scoped(Post, hr)) == [my_post.post]
        assert list(scoped(StaffMember, hr)) == [my_post.staff_member]
        assert list(scoped(Assignment, hr)) == [my_post]

    def test_auditor_and_superuser_see_everything(self):
        factories.PostFactory.create_batch(3)
        auditor = factories.UserFactory(groups=[Group.objects.get(name=roles.AUDITOR)])
        admin = factories.UserFactory(is_superuser=True)
        assert scoped(Post, auditor).count() == 3
        assert scoped(Post, admin).count() == 3

    def test_user_with_no_organisations_sees_nothing(self):
        factories.PostFactory.create_batch(2)
        nobody = factories.UserFactory(groups=[Group.objects.get(name=roles.HR_MANAGER)])
        assert not scoped(Post, nobody).exists()
