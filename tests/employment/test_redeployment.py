"""The redeployment register: vacancies, matching, statutory priority, offers and trials."""

import datetime as dt

import pytest

from employment import selectors, services
from employment.models import Case, RedeploymentOffer
from employment.services import CaseError
from tests.factories.employment import CaseFactory, RedeploymentOfferFactory
from tests.factories.tracker import (
    AssignmentFactory,
    OrganisationFactory,
    PostFactory,
    ProgrammeFactory,
    SuccessionFactory,
)

S = Case.Status
D = dt.date
ON = D(2026, 2, 2)


@pytest.mark.parametrize(
    ("band", "matches"),
    [("8a", ("7", "8a")), ("1", ("1",)), ("9", ("8d", "9")), ("5", ("4", "5")),
     ("VSM", ("VSM",)), ("medical", ("medical",))],
)
def test_same_band_or_one_below(band, matches):
    assert selectors.matching_bands(band) == matches


@pytest.mark.django_db
def test_vacant_posts_are_live_with_no_current_holder(employer):
    empty = PostFactory(organisation=employer)
    held = PostFactory(organisation=employer)
    AssignmentFactory(post=held)
    left = PostFactory(organisation=employer)
    AssignmentFactory(post=left, end_on=D(2026, 1, 31))
    leaving = PostFactory(organisation=employer)
    AssignmentFactory(post=leaving, end_on=D(2026, 3, 31))
    PostFactory(organisation=employer, status="closed", closed_on=D(2026, 1, 1))
    PostFactory(organisation=employer, status="proposed")

    assert set(selectors.vacant_posts(on=ON)) == {empty, left}


@pytest.mark.django_db
def test_matching_reaches_programme_and_succession_partners_only(employer):
    partner = OrganisationFactory(code="QYG")
    successor = OrganisationFactory(code="S0E4D")
    stranger = OrganisationFactory(code="QKK")
    programme = ProgrammeFactory()
    programme.organisations.add(employer, partner)
    SuccessionFactory(predecessor=employer, successor=successor)
    case = CaseFactory(employer=employer, post__band="7")

    own = PostFactory(organisation=employer, band="7")
    below = PostFactory(organisation=partner, band="6")
    at_successor = PostFactory(organisation=successor, band="7")
    PostFactory(organisation=partner, band="5")  # two below
    PostFactory(organisation=partner, band="8a")  # above
    PostFactory(organisation=stranger, band="7")  # unrelated employer

    assert set(selectors.redeployment_matches(case, on=ON)) == {own, below, at_successor}


@pytest.mark.django_db
def test_register_puts_statutory_priority_first_for_hr_only(employer):
    early = CaseFactory(employer=employer, at_risk_on=D(2025, 10, 1))
    priority = CaseFactory(employer=employer, at_risk_on=D(2026, 1, 5),
                           has_statutory_redeployment_priority=True)
    CaseFactory(employer=employer, status=S.VR_APPROVED)  # not looking for a post
    assert list(selectors.register_cases()) == [priority, early]
    # For anyone else the order would reveal the flag: at-risk date only.
    assert list(selectors.register_cases(priority_first=False)) == [early, priority]


@pytest.mark.django_db
def test_match_counts_from_the_database_agree_with_each_persons_matches(employer):
    partner = OrganisationFactory(code="QYG")
    successor = OrganisationFactory(code="S0E4D")
    predecessor = OrganisationFactory(code="01F")
    programme = ProgrammeFactory()
    programme.organisations.add(employer, partner)
    SuccessionFactory(predecessor=employer, successor=successor)
    SuccessionFactory(predecessor=predecessor, successor=employer)
    seven = CaseFactory(employer=employer, post__band="7")
    one = CaseFactory(employer=employer, post__band="1")
    vsm = CaseFactory(employer=employer, post__band="VSM")
    no_post = CaseFactory(employer=employer, post=None)
    # Counted by hand: band 7 takes 7 and 6 anywhere linked (own, partner, successor,
    # predecessor); band 1 takes only 1; VSM only VSM. Everyone's own post is vacant too (no
    # assignment) but never matches its holder.
    for org in (employer, partner, successor, predecessor):
        PostFactory(organisation=org, band="7")
        PostFactory(organisation=org, band="6")
    PostFactory(organisation=OrganisationFactory(code="QKK"), band="7")  # unlinked
    PostFactory(organisation=employer, band="1")
    PostFactory(organisation=partner, band="VSM")
    PostFactory(organisation=partner, band="8a")
    expected = {seven.pk: 8, one.pk: 1, vsm.pk: 1, no_post.pk: 0}
    counted = {c.pk: c.match_count for c in selectors.with_match_counts(
        selectors.register_cases(), on=ON)}
    assert counted == expected
    for case in (seven, one, vsm, no_post):
        assert selectors.redeployment_matches(case, on=ON).count() == expected[case.pk]
    paged = selectors.set_match_counts(list(selectors.register_cases()), on=ON)
    assert {c.pk: c.match_count for c in paged} == expected


@pytest.mark.django_db
def test_register_query_count_is_flat(employer, django_assert_max_num_queries):
    def build(n):
        for _ in range(n):
            CaseFactory(employer=employer)
            PostFactory(organisation=employer)

    build(5)
    with django_assert_max_num_queries(4):  # the page, 2 for linked organisations, the counts
        small = selectors.set_match_counts(list(selectors.register_cases()), on=ON)
    build(20)
    with django_assert_max_num_queries(4):
        large = selectors.set_match_counts(list(selectors.register_cases()), on=ON)
    assert len(small) == 5 and len(large) == 25
    # 50 vacant band-7 posts (25 built vacant, 25 cases' own posts with no assignment), and
    # nobody is matched to their own post.
    assert all(c.match_count == 49 for c in large)
    with django_assert_max_num_queries(1):
        correlated = list(selectors.with_match_counts(selectors.register_cases(), on=ON))
    assert all(c.match_count == 49 for c in correlated)
    assert all(
        c.post not in selectors.redeployment_matches(c, on=ON) for c in large[:3]
    )


@pytest.mark.django_db
def test_priority_people_are_offered_first(employer, hr_user):
    post = PostFactory(organisation=employer, band="6")
    ordinary = CaseFactory(employer=employer, post__band="6")
    priority = CaseFactory(employer=employer, post__band="6",
                           has_statutory_redeployment_priority=True)

    with pytest.raises(CaseError, match="statutory redeployment priority"):
        services.redeployment_offer_record(case=ordinary, post=post, offered_on=ON,
                                     acting_user=hr_user, reason="Good fit")

    offer = services.redeployment_offer_record(
        case=ordinary, post=post, offered_on=ON, acting_user=hr_user, reason="Good fit",
        unsuitable_for_priority_reason="Needs a finance qualification the other person lacks",
    )
    assert "priority considered" in offer.history.get().history_change_reason

    other = PostFactory(organisation=employer, band="6")
    services.redeployment_offer_record(case=priority, post=other, offered_on=ON,
                                 acting_user=hr_user, reason="Priority offer")
    # Once the priority person has been offered the post, others may be offered it too.
    assert services.redeployment_offer_record(case=ordinary, post=other, offered_on=ON,
                                        acting_user=hr_user, reason="Second")


@pytest.mark.django_db
def test_offers_need_a_vacant_post_and_a_person_on_the_register(employer, hr_user):
    held = PostFactory(organisation=employer)
    AssignmentFactory(post=held)
    case = CaseFactory(employer=employer)
    with pytest.raises(CaseError, match="not a vacant live post"):
        services.redeployment_offer_record(case=case, post=held, offered_on=ON,
                                     acting_user=hr_user, reason="x")
    leaving = CaseFactory(employer=employer, status=S.VR_APPROVED)
    with pytest.raises(CaseError, match="redeployment register"):
        services.redeployment_offer_record(case=leaving, post=PostFactory(organisation=employer),
                                     offered_on=ON, acting_user=hr_user, reason="x")


@pytest.mark.django_db
def test_acceptance_starts_the_trial_and_success_redeploys(employer, hr_user):
    offer = RedeploymentOfferFactory(case__employer=employer)
    services.redeployment_offer_respond(offer=offer, accepted=True, responded_on=D(2026, 2, 9),
                                  trial_starts_on=D(2026, 3, 2), acting_user=hr_user,
                                  reason="Accepted in writing")
    case = Case.objects.get(pk=offer.case_id)
    assert case.status == S.REDEPLOYMENT_TRIAL
    assert (case.trial_starts_on, case.trial_ends_on) == (D(2026, 3, 2), D(2026, 3, 29))
    assert case.history.latest().history_user == hr_user
    assert offer.post not in selectors.vacant_posts(on=D(2026, 3, 2))

    services.redeployment_trial_outcome_record(offer=offer, successful=True, on=D(2026, 3, 29),
                                         acting_user=hr_user, reason="Trial successful")
    case.refresh_from_db()
    offer.refresh_from_db()
    assert case.status == S.REDEPLOYED
    assert offer.trial_outcome == RedeploymentOffer.TrialOutcome.SUCCESSFUL


@pytest.mark.django_db
def test_a_failed_trial_returns_the_person_and_frees_the_post(employer, hr_user):
    offer = RedeploymentOfferFactory(case__employer=employer)
    services.redeployment_offer_respond(offer=offer, accepted=True, responded_on=ON,
                                  acting_user=hr_user, reason="Accepted")
    services.redeployment_trial_outcome_record(offer=offer, successful=False, on=D(2026, 2, 20),
                                         acting_user=hr_user, reason="Not suitable after all")
    assert Case.objects.get(pk=offer.case_id).status == S.AT_RISK
    assert offer.post in selectors.vacant_posts(on=D(2026, 2, 21))
    with pytest.raises(CaseError, match="recorded once"):
        services.redeployment_trial_outcome_record(offer=offer, successful=True, on=D(2026, 2, 21),
                                             acting_user=hr_user, reason="again")


@pytest.mark.django_db
def test_a_failed_trial_during_notice_returns_to_notice(employer, hr_user):
    case = CaseFactory(employer=employer, status=S.NOTICE_ISSUED,
                       route=Case.Route.COMPULSORY_REDUNDANCY, notice_starts_on=D(2026, 1, 5),
                       notice_ends_on=D(2026, 4, 5), exit_on=D(2026, 4, 5))
    offer = RedeploymentOfferFactory(case=case)
    services.redeployment_offer_respond(offer=offer, accepted=True, responded_on=ON,
                                  acting_user=hr_user, reason="Accepted")
    services.redeployment_trial_outcome_record(offer=offer, successful=False, on=D(2026, 2, 20),
                                         acting_user=hr_user, reason="Trial ended")
    case.refresh_from_db()
    assert case.status == S.NOTICE_ISSUED
    assert case.notice_ends_on == D(2026, 4, 5)


@pytest.mark.django_db
def test_refusal_needs_a_reason_and_is_final(employer, hr_user):
    offer = RedeploymentOfferFactory(case__employer=employer)
    with pytest.raises(CaseError, match="reason for refusing"):
        services.redeployment_offer_respond(offer=offer, accepted=False, responded_on=ON,
                                      acting_user=hr_user, reason="Refused")
    services.redeployment_offer_respond(offer=offer, accepted=False, responded_on=ON,
                                  refusal_reason="Travel of 90 minutes each way",
                                  acting_user=hr_user, reason="Refused by letter")
    offer.refresh_from_db()
    assert offer.status == RedeploymentOffer.Status.REFUSED
    assert Case.objects.get(pk=offer.case_id).status == S.AT_RISK
    with pytest.raises(CaseError, match="already been refused"):
        services.redeployment_offer_respond(offer=offer, accepted=True, responded_on=ON,
                                      acting_user=hr_user, reason="Changed mind")


@pytest.mark.django_db
def test_withdrawn_offer(employer, hr_user):
    offer = RedeploymentOfferFactory(case__employer=employer)
    services.redeployment_offer_withdraw(offer=offer, on=ON, acting_user=hr_user,
                                   reason="Post frozen")
    offer.refresh_from_db()
    assert offer.status == RedeploymentOffer.Status.WITHDRAWN
