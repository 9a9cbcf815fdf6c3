"""Two people move the same case at once: exactly one succeeds, the other gets a conflict.

Each thread has its own database connection, reads the case, waits for the other at a barrier,
then calls `case_transition`. The service is slowed inside its critical section (after the
status check, before the save) so that without the row lock both threads would pass the check:
the last test proves that on PostgreSQL by swapping the lock for a plain read.
"""

import threading
import time

import pytest
from django.db import connection, connections

from employment import services
from employment.models import Case
from employment.services import CaseConflict, TransitionRefused
from employment.services import cases as case_services
from tests.employment.conftest import user_in
from tests.factories.employment import CaseFactory
from tracker import audit, roles

pytestmark = pytest.mark.django_db(transaction=True)

S = Case.Status


@pytest.fixture
def slow_critical_section(monkeypatch):
    """Hold each caller inside the transaction for a moment after its status check."""
    real_stamp = audit.stamp

    def slow_stamp(instance, **kwargs):
        time.sleep(0.4)
        return real_stamp(instance, **kwargs)

    monkeypatch.setattr(audit, "stamp", slow_stamp)


def _race(case_pk, moves):
    """Run one `case_transition` per (user, to) in its own thread; return the outcomes."""
    barrier = threading.Barrier(len(moves))
    outcomes = [None] * len(moves)

    def worker(index, user, to):
        try:
            case = Case.objects.get(pk=case_pk)  # each thread reads the case first
            barrier.wait(timeout=10)
            services.case_transition(
                case=case, to=to, acting_user=user, reason=f"{user.username}: {to}", on=case.
                status_changed_on,
            )
            outcomes[index] = "ok"
        except (CaseConflict, TransitionRefused) as exc:
            outcomes[index] = exc
        except Exception as exc:  # surfaced by the assertions below
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(i, user, to)) for i, (user, to) in enumerate(moves)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (S.VR_REQUESTED, S.VR_REQUESTED),  # the same move twice: only one history row
        (S.VR_REQUESTED, S.RING_FENCED),  # different moves: the loser learns where it went
    ],
)
def test_exactly_one_of_two_simultaneous_moves_succeeds(first, second, slow_critical_section):
    case = CaseFactory(status=S.AT_RISK)
    alice = user_in(roles.HR_MANAGER, organisations=[case.employer], username="alice")
    bob = user_in(roles.HR_MANAGER, organisations=[case.employer], username="bob")
    rows_before = case.history.count()

    outcomes = _race(case.pk, [(alice, first), (bob, second)])

    winners = [i for i, outcome in enumerate(outcomes) if outcome == "ok"]
    losers = [outcome for outcome in outcomes if outcome != "ok"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], CaseConflict), outcomes
    won_with = (first, second)[winners[0]]
    assert losers[0].actual == won_with
    assert f"({won_with})" in losers[0].messages[0]

    case.refresh_from_db()
    assert case.status == won_with
    assert case.history.count() == rows_before + 1
    assert case.history.latest().history_user == (alice, bob)[winners[0]]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="shows the hazard the lock prevents; SQLite's IMMEDIATE mode serialises even this",
)
def test_without_the_row_lock_both_would_succeed_on_postgresql(
    slow_critical_section, monkeypatch
):
    """The control: a naive read-check-save lets both through, so the test above has teeth."""
    monkeypatch.setattr(
        case_services,
        "_lock",
        lambda case: Case.objects.select_related("staff_member", "post").get(pk=case.pk),
    )
    case = CaseFactory(status=S.AT_RISK)
    alice = user_in(roles.HR_MANAGER, organisations=[case.employer], username="alice")
    bob = user_in(roles.HR_MANAGER, organisations=[case.employer], username="bob")
    rows_before = case.history.count()

    outcomes = _race(case.pk, [(alice, S.VR_REQUESTED), (bob, S.VR_REQUESTED)])

    assert outcomes == ["ok", "ok"]
    assert case.history.count() == rows_before + 2
