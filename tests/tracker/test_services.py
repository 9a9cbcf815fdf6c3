"""tracker/services.py: every write, its refusals, and the who-and-why on its history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tracker import services
from tracker.audit import MissingAuditContext
from tracker.models import Organisation, PlannedChange, Post

pytestmark = pytest.mark.django_db

LONG_REASON = (
    "Transfer under the scheme made on 27 June 2022 under s.14Z28 of the NHS Act 2006; "
    "staff below board level transfer on unchanged terms with continuity of service, in line "
    "with the employment commitment of June 2021 and the HR framework for developing ICBs "
    "(August 2021). Confirmed with staff side at the joint partnership forum on 14 June 2022."
)


# The rules here hold for whoever writes; scope (which organisations) is tested in
# test_access_services.py, so these writers are administrators.
@pytest.fixture
def hr():
    return factories.UserFactory(username="hr", is_superuser=True)


@pytest.fixture
def approver():
    return factories.UserFactory(username="approver", is_superuser=True)


@pytest.fixture
def icb():
    return factories.OrganisationFactory(code="QYG", kind=Organisation.Kind.ICB)


@pytest.fixture
def ccg():
    return factories.OrganisationFactory(code="01F")


def _approved(change, approver):
    return services.planned_change_approve(change=change, acting_user=approver, reason="ok")


class TestPostWrites:
    def test_create_normalises_band_and_records_who_and_why(self, hr, ccg):
        post = services.post_create(
            organisation=ccg,
            position_number=" 00012345 ",
            title="Analyst",
            band="Band 8A",
            wte=Decimal("1"),
            acting_user=hr,
            reason=LONG_REASON,
        )
        assert post.band == "8a"
        assert post.position_number == "00012345"  # leading zeros kept, spaces trimmed
        record = post.history.get()
        assert record.history_user == hr
        assert record.history_change_reason == LONG_REASON  # a few hundred characters fit

    def test_bad_band_is_refused_naming_the_field(self, hr, ccg):
        with pytest.raises(ValidationError) as exc:
            services.post_create(
                organisation=ccg,
                position_number="1",
                title="Analyst",
                band="8e",
                wte=Decimal("1"),
                acting_user=hr,
                reason="new post",
            )
        assert "band" in exc.value.message_dict

    def test_update_that_changes_nothing_writes_no_history(self, hr):
        post = factories.PostFactory(title="Analyst")
        services.post_update(post=post, title="Analyst", band="7", acting_user=hr, reason="x")
        assert post.history.count() == 1

    def test_update_writes_one_row_with_the_changed_field(self, hr):
        post = factories.PostFactory(title="Analyst")
        services.post_update(post=post, title="Senior Analyst", acting_user=hr, reason="regrade")
        latest = post.history.first()
        assert post.history.count() == 2
        assert latest.title == "Senior Analyst"
        assert (latest.history_user, latest.history_change_reason) == (hr, "regrade")

    def test_a_write_without_a_reason_is_refused(self, hr):
        post = factories.PostFactory()
        with pytest.raises(MissingAuditContext):
            services.post_update(post=post, title="Other", acting_user=hr, reason="  ")
        post.refresh_from_db()
        assert post.title != "Other"

    def test_wte_outside_zero_to_one_is_refused(self, hr, ccg):
        with pytest.raises(ValidationError):
            services.post_create(
                organisation=ccg,
                position_number="2",
                title="A",
                band="5",
                wte=Decimal("1.2"),
                acting_user=hr,
                reason="x",
            )

    def test_ods_code_cannot_change(self, hr, ccg):
        with pytest.raises(ValidationError):
            services.organisation_update(organisation=ccg, code="01G", acting_user=hr, reason="x")


class TestApproval:
    def test_author_cannot_approve_their_own_change(self, hr):
        change = factories.PlannedChangeFactory(author=hr)
        with pytest.raises(services.ChangeRefused, match="someone other than its author"):
            services.planned_change_approve(change=change, acting_user=hr, reason="ok")
        change.refresh_from_db()
        assert change.status == PlannedChange.Status.DRAFT

    def test_someone_else_approves_and_history_says_who(self, hr, approver):
        change = factories.PlannedChangeFactory(author=hr)
        services.planned_change_approve(change=change, acting_user=approver, reason="Board")
        change.refresh_from_db()
        assert change.status == PlannedChange.Status.APPROVED
        assert change.approved_by == approver
        record = change.history.first()
        assert (record.history_user, record.history_change_reason) == (approver, "Board")

    def test_approving_twice_is_refused_naming_what_may_be_approved(self, hr, approver):
        change = _approved(factories.PlannedChangeFactory(author=hr), approver)
        with pytest.raises(services.ChangeRefused, match="only draft changes can be approved"):
            services.planned_change_approve(change=change, acting_user=approver, reason="again")

    def test_bulk_approval_is_all_or_nothing(self, hr, approver):
        theirs = factories.PlannedChangeFactory.create_batch(3, author=hr)
        own = factories.PlannedChangeFactory(author=approver)
        with pytest.raises(services.ChangeRefused, match=own.post.position_number):
            services.planned_changes_approve(
                changes=[*theirs, own], acting_user=approver, reason="Board"
            )
        assert not PlannedChange.objects.filter(status=PlannedChange.Status.APPROVED).exists()

    def test_approved_change_cannot_be_edited(self, hr, approver):
        change = _approved(factories.PlannedChangeFactory(author=hr), approver)
        with pytest.raises(services.ChangeRefused, match="Only draft"):
            services.planned_change_update(
                change=change, effective_on=dt.date(2022, 8, 1), acting_user=hr, reason="move"
            )

    def test_cancel(self, hr):
        change = factories.PlannedChangeFactory(author=hr)
        services.planned_change_cancel(change=change, acting_user=hr, reason="wrong post")
        change.refresh_from_db()
        assert change.status == PlannedChange.Status.CANCELLED
        with pytest.raises(services.ChangeRefused):
            services.planned_change_cancel(change=change, acting_user=hr, reason="again")

    def test_a_transfer_needs_a_destination(self, hr):
        post = factories.PostFactory()
        with pytest.raises(ValidationError):
            services.planned_change_create(
                programme=factories.ProgrammeFactory(),
                post=post,
                action=PlannedChange.Action.TRANSFER_UNCHANGED,
                effective_on=dt.date(2022, 7, 1),
                acting_user=hr,
                reason="lift and shift",
            )


class TestApply:
    def test_transfer_keeps_the_post_person_and_continuity(self, hr, approver, ccg, icb):
        assignment = factories.AssignmentFactory(post__organisation=ccg)
        person = assignment.staff_member
        change = _approved(
            factories.PlannedChangeFactory(
                post=assignment.post, destination_organisation=icb, author=hr
            ),
            approver,
        )
        services.planned_change_apply(change=change, acting_user=hr, reason="Scheme day")

        post = Post.objects.get(pk=assignment.post_id)
        assert post.organisation == icb
        assignment.refresh_from_db()
        person.refresh_from_db()
        assert assignment.post_id == post.pk and assignment.staff_member_id == person.pk
        assert person.nhs_service_start == dt.date(2008, 9, 1)
        assert person.history.count() == 1  # the person was not touched
        change.refresh_from_db()
        assert change.status == PlannedChange.Status.APPLIED and change.applied_by == hr

    def test_not_before_the_effective_date(self, hr, approver):
        change = _approved(
            factories.PlannedChangeFactory(author=hr, effective_on=dt.date(2027, 4, 1)), approver
        )
        with pytest.raises(services.ChangeRefused, match="1 April 2027"):
            services.planned_change_apply(
                change=change, acting_user=hr, reason="early", today=dt.date(2027, 3, 31)
            )
        services.planned_change_apply(
            change=change, acting_user=hr, reason="on the day", today=dt.date(2027, 4, 1)
        )

    def test_a_draft_cannot_be_applied(self, hr):
        change = factories.PlannedChangeFactory(author=hr)
        with pytest.raises(services.ChangeRefused, match="only approved changes can be applied"):
            services.planned_change_apply(change=change, acting_user=hr, reason="x")

    def test_closing_a_post_dates_it(self, hr, approver):
        change = _approved(
            factories.PlannedChangeFactory(
                author=hr, action=PlannedChange.Action.CLOSED, destination_organisation=None
            ),
            approver,
        )
        services.planned_change_apply(change=change, acting_user=hr, reason="Board role ends")
        post = Post.objects.get(pk=change.post_id)
        assert (post.status, post.closed_on) == (Post.Status.CLOSED, dt.date(2022, 7, 1))

    def test_new_post_goes_live(self, hr, approver):
        post = factories.PostFactory(status=Post.Status.PROPOSED)
        change = _approved(
            factories.PlannedChangeFactory(
                author=hr, post=post, action=PlannedChange.Action.NEW, destination_organisation=None
            ),
            approver,
        )
        services.planned_change_apply(change=change, acting_user=hr, reason="New structure")
        post.refresh_from_db()
        assert post.status == Post.Status.LIVE

    def test_position_number_clash_at_destination_is_refused(self, hr, approver, ccg, icb):
        factories.PostFactory(organisation=icb, position_number="00000001")
        change = _approved(
            factories.PlannedChangeFactory(
                author=hr,
                post=factories.PostFactory(organisation=ccg, position_number="00000001"),
                destination_organisation=icb,
            ),
            approver,
        )
        with pytest.raises(services.ChangeRefused) as exc:
            services.planned_change_apply(change=change, acting_user=hr, reason="x")
        assert exc.value.messages == [
            f"{icb.code} already has a post numbered 00000001; "
            "give the change a different destination position number."
        ]


class TestProgrammeApply:
    def _lift_and_shift(self, n, *, hr, approver, ccg, icb, programme):
        changes = factories.held_post_transfers(
            n, programme=programme, source=ccg, destination=icb, author=hr
        )
        services.planned_changes_approve(changes=changes, acting_user=approver, reason="Board")
        return changes

    def test_applies_every_approved_change_of_the_organisation_in_one_call(
        self, hr, approver, ccg, icb
    ):
        programme = factories.ProgrammeFactory()
        changes = self._lift_and_shift(
            12, hr=hr, approver=approver, ccg=ccg, icb=icb, programme=programme
        )
        other_ccg_change = factories.PlannedChangeFactory(
            programme=programme, destination_organisation=icb, author=hr
        )
        draft = factories.PlannedChangeFactory(
            programme=programme, post__organisation=ccg, destination_organisation=icb, author=hr
        )

        applied = services.programme_apply_changes(
            programme=programme, organisation=ccg, acting_user=hr, reason=LONG_REASON
        )

        assert {c.pk for c in applied} == {c.pk for c in changes}
        assert Post.objects.filter(organisation=icb).count() == 12
        assert Post.objects.get(pk=draft.post_id).organisation == ccg
        assert Post.objects.get(pk=other_ccg_change.post_id).organisation != icb
        # Every history row written by the bulk path names who and why.
        post_rows = Post.history.filter(organisation_id=icb.pk)
        change_rows = PlannedChange.history.filter(status=PlannedChange.Status.APPLIED)
        assert post_rows.count() == 12 and change_rows.count() == 12
        for row in [*post_rows, *change_rows]:
            assert (row.history_user_id, row.history_change_reason) == (hr.pk, LONG_REASON)

    def test_query_count_does_not_grow_with_the_number_of_posts(self, hr, approver, ccg, icb):
        counts = []
        for n in (5, 40):
            programme = factories.ProgrammeFactory()
            org = factories.OrganisationFactory()
            self._lift_and_shift(n, hr=hr, approver=approver, ccg=org, icb=icb, programme=programme)
            with CaptureQueriesContext(connection) as queries:
                services.programme_apply_changes(
                    programme=programme, organisation=org, acting_user=hr, reason="Scheme"
                )
            counts.append(len(queries))
        assert counts[0] == counts[1], counts

    def test_one_change_not_yet_effective_means_nothing_is_applied(self, hr, approver, ccg, icb):
        programme = factories.ProgrammeFactory()
        self._lift_and_shift(3, hr=hr, approver=approver, ccg=ccg, icb=icb, programme=programme)
        late = factories.PlannedChangeFactory(
            programme=programme,
            post__organisation=ccg,
            destination_organisation=icb,
            author=hr,
            effective_on=dt.date(2030, 1, 1),
        )
        _approved(late, approver)
        history_before = Post.history.count()

        with pytest.raises(services.ChangeRefused) as exc:
            services.programme_apply_changes(
                programme=programme, organisation=ccg, acting_user=hr, reason="Scheme"
            )

        assert late.post.position_number in " ".join(exc.value.messages)
        assert not Post.objects.filter(organisation=icb).exists()
        assert Post.history.count() == history_before
        assert not PlannedChange.objects.filter(status=PlannedChange.Status.APPLIED).exists()

    def test_two_posts_landing_on_one_number_are_refused(self, hr, approver, ccg, icb):
        programme = factories.ProgrammeFactory()
        for _ in range(2):
            _approved(
                factories.PlannedChangeFactory(
                    programme=programme,
                    post__organisation=ccg,
                    destination_organisation=icb,
                    destination_position_number="77",
                    author=hr,
                ),
                approver,
            )
        with pytest.raises(services.ChangeRefused, match=f"would both become 77 at {icb.code}."):
            services.programme_apply_changes(
                programme=programme, organisation=ccg, acting_user=hr, reason="Scheme"
            )
