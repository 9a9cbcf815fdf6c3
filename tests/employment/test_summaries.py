"""Aggregated figures never single anyone out: small-number suppression, worked by hand."""

import pytest
from django.urls import reverse

from employment.models import Case
from employment.selectors import at_risk_summary_for_rep, shown_count, suppress_group
from employment.selectors.summaries import threshold_band
from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory
from tests.factories.tracker import OrganisationFactory
from tracker import roles

S = Case.Status
F5, W = "fewer than 5", "withheld"


@pytest.mark.parametrize(("count", "shown"), [
    (0, "0"), (1, F5), (2, F5), (3, F5), (4, F5), (5, "5"), (6, "6"), (120, "120"),
])
def test_a_count_of_one_to_four_is_fewer_than_5(count, shown):
    assert shown_count(count) == shown


@pytest.mark.parametrize(("counts", "shown"), [
    ([3], [F5]),                        # nothing else to withhold
    ([3, 10], [F5, W]),                 # 10 would give the 3 away from a known total of 13
    ([3, 10, 7], [F5, "10", W]),        # the smallest cell of 5 or more goes
    ([2, 3, 10], [F5, F5, W]),          # two small cells: their sum still hidden
    ([5, 12], ["5", "12"]),             # nothing small, nothing withheld
    ([4, 5], [F5, W]),
    ([4, 6, 6], [F5, W, "6"]),          # a tie: the first in the table's order
    ([1, 2], [F5, F5]),
])
def test_complementary_suppression_within_an_organisation(counts, shown):
    assert suppress_group(counts) == shown


@pytest.mark.parametrize(("count", "band"), [
    (0, "below 20"), (19, "below 20"), (20, "20 or more"), (99, "20 or more"),
    (100, "100 or more"),
])
def test_consultation_counts_shown_to_reps_as_statutory_bands(count, band):
    assert threshold_band(count) == band


@pytest.mark.django_db
def test_the_rep_summary_suppresses_per_organisation(employer):
    other = OrganisationFactory(code="QYG", name="Cheshire and Merseyside ICB")
    for _ in range(3):
        CaseFactory(employer=employer, status=S.AT_RISK)
    for _ in range(6):
        CaseFactory(employer=employer, status=S.VR_REQUESTED,
                    route=Case.Route.VOLUNTARY_REDUNDANCY)
    for _ in range(5):
        CaseFactory(employer=other, status=S.AT_RISK)
    CaseFactory(employer=employer, status=S.LEFT)  # closed: not counted
    rep = user_in(roles.UNION_REP, organisations=[employer, other], username="rep",
                  union="UNISON")
    rows = {(f.organisation, f.status): f.shown for f in at_risk_summary_for_rep(rep)}
    assert rows == {
        ("Greater Manchester ICB (QOP)", "at_risk"): F5,
        ("Greater Manchester ICB (QOP)", "vr_requested"): W,
        ("Cheshire and Merseyside ICB (QYG)", "at_risk"): "5",
    }


@pytest.mark.django_db
def test_the_summary_screen_prints_the_suppressed_values(client, employer):
    CaseFactory(employer=employer, status=S.AT_RISK)
    rep = user_in(roles.UNION_REP, organisations=[employer], username="rep", union="UNISON")
    client.force_login(rep)
    body = client.get(reverse("employment_at_risk_summary")).content.decode()
    assert "<td>fewer than 5</td>" in body
    assert "<td>1</td>" not in body
