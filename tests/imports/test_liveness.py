"""Runs whose worker stopped (killed part-way: out of memory, a restart): the run says so after
ten minutes without a word from its worker instead of "running" for ever, and the person who
uploaded the file (or asked for the export) starts it again. Who may not, per role and scope;
that a run still marked running wrote nothing; that the reports of a live worker keep it alive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from imports import liveness
from imports.engine import history, progress
from imports.engine import run as engine_run
from imports.engine.run import workbook_import
from imports.exports.models import ExportRun
from imports.models import ImportRun
from tests import factories
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, vacant_row, xlsx_bytes
from tracker import roles
from tracker.models import Post

MINUTE = dt.timedelta(minutes=1)


def _user(username, role, *organisations, **extra):
    return factories.UserFactory(
        username=username,
        groups=[Group.objects.get(name=role)] if role else [],
        organisations=list(organisations),
        **extra,
    )


@pytest.fixture
def world(db, client):
    """hr_qnq uploads a file for QNQ (previewed by the immediate task backend), and the run is
    then made to look as a worker killed part-way through its write leaves it: running, last
    heard from 11 minutes ago."""
    qnq = factories.OrganisationFactory(code="QNQ")
    rxx = factories.OrganisationFactory(code="RXX")
    people = {
        "hr_qnq": _user("hr_qnq", roles.HR_MANAGER, qnq),
        "colleague": _user("colleague", roles.HR_MANAGER, qnq),
        "hr_rxx": _user("hr_rxx", roles.HR_MANAGER, rxx),
        "auditor": _user("auditor", roles.AUDITOR),
        "rep": _user("rep", roles.UNION_REP, qnq),
        "superuser": _user("root", None, is_superuser=True),
    }
    client.force_login(people["hr_qnq"])
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("q.xlsx", data)})
    client.logout()
    run = ImportRun.objects.get()
    assert run.outcome == ImportRun.Outcome.PREVIEWED
    ImportRun.objects.filter(pk=run.pk).update(
        dry_run=False,
        outcome=ImportRun.Outcome.RUNNING,
        stage=ImportRun.Stage.WRITING,
        heartbeat_at=timezone.now() - 11 * MINUTE,
        finished_at=None,
    )
    run.refresh_from_db()
    return people, run


# -- telling a stopped run from one at work ---------------------------------------------------

# (outcome, minutes since its worker was last heard from) -> stalled, waiting long; by hand from
# the rule: a started run silent for 10 minutes or more has stopped; a run not started for as
# long is waiting for a worker; a finished run is neither, however old.
SILENCES = [
    (ImportRun.Outcome.RUNNING, 9, False, False),
    (ImportRun.Outcome.RUNNING, 10, True, False),
    (ImportRun.Outcome.RUNNING, 600, True, False),
    (ImportRun.Outcome.PENDING, 9, False, False),
    (ImportRun.Outcome.PENDING, 10, False, True),
    (ImportRun.Outcome.APPLIED, 600, False, False),
    (ImportRun.Outcome.PREVIEWED, 600, False, False),
    (ImportRun.Outcome.FAILED, 600, False, False),
]


@pytest.mark.parametrize(("outcome", "minutes", "stalled", "waiting"), SILENCES)
def test_a_run_has_stopped_after_ten_minutes_without_a_word(
    system_user, outcome, minutes, stalled, waiting
):
    now = timezone.now()
    run = ImportRun.objects.create(
        file_name="f.xlsx", sha256="0" * 64, user=system_user, outcome=outcome
    )
    run.heartbeat_at = now - minutes * MINUTE
    assert liveness.import_stalled(run, now) is stalled
    assert liveness.import_waiting_long(run, now) is waiting


def test_a_run_from_before_heartbeats_counts_from_when_it_was_made(system_user):
    run = ImportRun.objects.create(
        file_name="f.xlsx", sha256="0" * 64, user=system_user, outcome=ImportRun.Outcome.RUNNING
    )
    assert run.heartbeat_at is None
    assert not liveness.import_stalled(run, run.created_at + 9 * MINUTE)
    assert liveness.import_stalled(run, run.created_at + 10 * MINUTE)


class Clock:
    """timezone.now() for everything, moved on by hand."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now


def _as_another_host_sees_it(run_id: int) -> ImportRun:
    """The run as a status view reads it while the import writes: on PostgreSQL through a
    connection of its own (the import's is busy with a COPY, and sees its own transaction)."""
    if connection.vendor != "postgresql":
        return ImportRun.objects.get(pk=run_id)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT outcome, stage, heartbeat_at, created_at FROM imports_importrun "
                "WHERE id = %s",
                [run_id],
            )
            outcome, stage, heartbeat_at, created_at = cursor.fetchone()
    finally:
        other.close()
    return ImportRun(
        pk=run_id, outcome=outcome, stage=stage, heartbeat_at=heartbeat_at, created_at=created_at
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_writing_rows_is_heard_from_however_long_the_write(monkeypatch, system_user):
    """Each report of rows written says the worker is alive: with eleven minutes passing between
    reports, the run is never taken for stopped (on PostgreSQL the report updates the run's row
    from a second connection; on SQLite, whose write lock the import holds, the cache)."""
    factories.OrganisationFactory(code="QNQ")
    rows = [person_row(position=f"P{n}", assignment=f"A{n}", employee=f"E{n}") for n in range(5)]
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    monkeypatch.setattr(history, "BATCH", 2)
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 4)
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    publish = progress.WriteProgress.publish
    seen = []

    def publish_later(self):
        clock.now += 11 * MINUTE  # a long spell since the last report
        publish(self)
        seen.append(liveness.import_stalled(_as_another_host_sees_it(self.run_id), clock.now))

    monkeypatch.setattr(progress.WriteProgress, "publish", publish_later)
    result = workbook_import(data=data, file_name="five.xlsx", acting_user=system_user)
    assert result.ok, result.problems
    assert len(seen) >= 3
    assert seen == [False] * len(seen)


def test_each_stage_of_an_import_is_heard_from(monkeypatch, system_user):
    factories.OrganisationFactory(code="QNQ")
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    heard = []
    save_run = engine_run.save_run

    def save_and_look(run, **fields):
        save_run(run, **fields)
        if "stage" in fields and fields["stage"] != ImportRun.Stage.DONE:
            heard.append(liveness.import_stalled(ImportRun.objects.get(pk=run.pk), clock.now))
        clock.now += 11 * MINUTE  # a long spell before the next report

    monkeypatch.setattr(engine_run, "save_run", save_and_look)
    workbook_import(data=data, file_name="one.xlsx", acting_user=system_user)
    assert len(heard) >= 3  # checking the file, reading rows, comparing, writing
    assert heard == [False] * len(heard)


# -- a run marked running has written nothing ---------------------------------------------------


class Died(BaseException):
    """The worker killed (not an Exception: nothing of ours catches it)."""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_just_after_the_commit_leaves_the_run_applied(monkeypatch, system_user):
    """The outcome is written in the transaction that writes the rows: a worker killed straight
    after the commit, before anything else, leaves a run that says applied, so "running" can
    only ever mean "wrote nothing"."""
    factories.OrganisationFactory(code="QNQ")
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    committed = []
    write_plan = engine_run.write_plan

    def write_and_watch(plan, writer):
        write_plan(plan, writer)
        transaction.on_commit(lambda: committed.append(True))

    def die_after_commit(execute, sql, params, many, context):
        if committed:
            raise Died
        return execute(sql, params, many, context)

    monkeypatch.setattr(engine_run, "write_plan", write_and_watch)
    with connection.execute_wrapper(die_after_commit), pytest.raises(Died):
        workbook_import(data=data, file_name="one.xlsx", acting_user=system_user)
    run = ImportRun.objects.get()
    assert Post.objects.count() == 1
    assert run.outcome == ImportRun.Outcome.APPLIED
    assert run.counts["Establishment"]["created"] == 1
    assert not liveness.import_stalled(run, timezone.now() + 60 * MINUTE)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_before_the_commit_leaves_nothing_and_a_run_that_will_stop(
    monkeypatch, system_user
):
    factories.OrganisationFactory(code="QNQ")
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})

    def write_then_die(plan, writer):
        raise Died

    monkeypatch.setattr(engine_run, "write_plan", write_then_die)
    with pytest.raises(Died):
        workbook_import(data=data, file_name="one.xlsx", acting_user=system_user)
    run = ImportRun.objects.get()
    assert Post.objects.count() == 0
    assert run.outcome == ImportRun.Outcome.RUNNING
    assert liveness.import_stalled(run, timezone.now() + 10 * MINUTE)


# -- the run's page, status and the history list ------------------------------------------------


def test_the_uploader_sees_it_stopped_and_may_start_it_again(client, world):
    people, run = world
    client.force_login(people["hr_qnq"])
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "This import has stopped" in page
    assert "this one wrote nothing" in page
    assert reverse("imports:restart", args=[run.pk]) in page
    assert 'id="import-progress"' not in page  # no progress bar polling for ever
    status = client.get(reverse("imports:run_status", args=[run.pk])).json()
    assert status["stalled"] is True and status["finished"] is False
    listing = client.get(reverse("imports:history")).content.decode()
    assert "Stopped: its worker stopped" in listing


def test_a_colleague_sees_it_stopped_but_not_the_button(client, world):
    people, run = world
    client.force_login(people["colleague"])
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "This import has stopped" in page
    assert reverse("imports:restart", args=[run.pk]) not in page
    assert "who uploaded it, or an administrator can start it again" in page


def test_a_run_at_work_shows_no_stop(client, world):
    people, run = world
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - MINUTE)
    client.force_login(people["hr_qnq"])
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "This import has stopped" not in page
    assert 'id="import-progress"' in page
    assert client.get(reverse("imports:run_status", args=[run.pk])).json()["stalled"] is False


def test_a_run_waiting_long_for_a_worker_says_so_and_keeps_watching(client, world):
    people, run = world
    ImportRun.objects.filter(pk=run.pk).update(
        outcome=ImportRun.Outcome.PENDING, stage=ImportRun.Stage.QUEUED
    )
    client.force_login(people["hr_qnq"])
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "No task worker has started this import" in page
    assert 'id="import-progress"' in page  # it starts when a worker takes it
    assert reverse("imports:restart", args=[run.pk]) not in page


# -- starting it again --------------------------------------------------------------------------


def _restart(client, run):
    return client.post(reverse("imports:restart", args=[run.pk]))


@pytest.mark.parametrize("who", ["hr_qnq", "superuser"])
def test_starting_again_previews_the_same_file_and_ends_the_stopped_run(
    client, world, who, django_capture_on_commit_callbacks
):
    people, run = world
    client.force_login(people[who])
    with django_capture_on_commit_callbacks(execute=True):
        response = _restart(client, run)
    new = ImportRun.objects.exclude(pk=run.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("imports:run", args=[new.pk])
    # The new run: a preview of the same stored file, by whoever started it again.
    assert (new.file_name, new.sha256, new.upload.name) == (
        run.file_name,
        run.sha256,
        run.upload.name,
    )
    assert new.user == people[who] and new.dry_run
    assert new.outcome == ImportRun.Outcome.PREVIEWED
    assert new.counts["Establishment"]["created"] == 1
    assert Post.objects.count() == 0  # a preview writes nothing; confirming it does
    # The stopped run: failed, saying why and naming the new one.
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.FAILED and run.finished_at
    assert "nothing was written" in run.message
    assert f"Started again as import #{new.pk}" in run.message
    assert not liveness.import_stalled(run)


# Who may not start hr_qnq's stopped import again, by hand: a colleague may see it but the new
# preview would be theirs to confirm in hr_qnq's name; an auditor only reads; hr_rxx does not
# cover QNQ and cannot see it (404); a rep has no imports at all. The admin answers a refusal by
# sending the person to its home page with "Sorry, you do not have permission".
REFUSED = {"colleague": "denied", "auditor": "denied", "hr_rxx": 404, "rep": "denied"}


def _refused(response, how) -> bool:
    if how == 404:
        return response.status_code == 404
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


@pytest.mark.parametrize("who", sorted(REFUSED))
def test_nobody_else_starts_it_again(client, world, who):
    people, run = world
    client.force_login(people[who])
    assert _refused(_restart(client, run), REFUSED[who])
    assert ImportRun.objects.count() == 1
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.RUNNING


def test_signed_out_nobody_starts_it_again(client, world):
    _, run = world
    response = _restart(client, run)
    assert response.status_code == 302 and "login" in response.url
    assert ImportRun.objects.count() == 1


def test_the_service_refuses_whoever_the_view_would(world):
    people, run = world
    with pytest.raises(PermissionError):
        liveness.import_run_restart(run_id=run.pk, acting_user=people["colleague"])
    assert ImportRun.objects.count() == 1


def test_a_get_starts_nothing(client, world):
    people, run = world
    client.force_login(people["hr_qnq"])
    assert client.get(reverse("imports:restart", args=[run.pk])).status_code == 405
    assert ImportRun.objects.count() == 1


@pytest.mark.parametrize(
    ("outcome", "minutes"),
    [
        (ImportRun.Outcome.RUNNING, 5),
        (ImportRun.Outcome.APPLIED, 60),
        (ImportRun.Outcome.PENDING, 60),
    ],
)
def test_a_run_that_has_not_stopped_is_not_started_again(client, world, outcome, minutes):
    people, run = world
    ImportRun.objects.filter(pk=run.pk).update(
        outcome=outcome, heartbeat_at=timezone.now() - minutes * MINUTE
    )
    client.force_login(people["hr_qnq"])
    response = _restart(client, run)
    assert response.status_code == 302 and response.url == reverse("imports:run", args=[run.pk])
    assert ImportRun.objects.count() == 1
    assert ImportRun.objects.get().outcome == outcome
    with pytest.raises(liveness.NotStopped):
        liveness.import_run_restart(run_id=run.pk, acting_user=people["hr_qnq"])


def test_started_again_twice_makes_one_new_run(client, world, django_capture_on_commit_callbacks):
    people, run = world
    client.force_login(people["hr_qnq"])
    with django_capture_on_commit_callbacks(execute=True):
        _restart(client, run)
        second = _restart(client, run)
    assert second.url == reverse("imports:run", args=[run.pk])
    assert ImportRun.objects.count() == 2


def test_a_command_run_that_stopped_is_run_again_by_the_command(client, world):
    people, run = world
    ImportRun.objects.filter(pk=run.pk).update(upload="", source=ImportRun.Source.COMMAND)
    client.force_login(people["hr_qnq"])
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "run the command again" in page
    assert _refused(_restart(client, run), "denied")
    assert ImportRun.objects.count() == 1


# -- exports ------------------------------------------------------------------------------------


@pytest.fixture
def stopped_export(world, client):
    """hr_qnq's establishment export, made to look as a killed worker leaves it."""
    people, _ = world
    client.force_login(people["hr_qnq"])
    client.post(
        reverse("exports:start", args=["establishment"]),
        {"establishment-fmt": "xlsx", "establishment-as_of": "2099-01-01"},
    )
    client.logout()
    export = ExportRun.objects.get()
    assert export.status == ExportRun.Status.DONE
    ExportRun.objects.filter(pk=export.pk).update(
        status=ExportRun.Status.RUNNING,
        heartbeat_at=timezone.now() - 11 * MINUTE,
        file="",
        finished_at=None,
    )
    export.refresh_from_db()
    return people, export


def test_the_requester_sees_the_export_stopped_and_asks_again(
    client, stopped_export, django_capture_on_commit_callbacks
):
    people, export = stopped_export
    client.force_login(people["hr_qnq"])
    page = client.get(reverse("exports:run", args=[export.pk])).content.decode()
    assert "This export has stopped" in page
    assert 'http-equiv="refresh"' not in page
    assert "Stopped: its worker stopped" in client.get(reverse("exports:index")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exports:restart", args=[export.pk]))
    new = ExportRun.objects.exclude(pk=export.pk).get()
    assert response.url == reverse("exports:run", args=[new.pk])
    assert (new.kind, new.params, new.fmt, new.user) == (
        export.kind,
        export.params,
        export.fmt,
        people["hr_qnq"],
    )
    assert new.status == ExportRun.Status.DONE
    export.refresh_from_db()
    assert export.status == ExportRun.Status.FAILED
    assert f"Asked for again as export #{new.pk}" in export.message


@pytest.mark.parametrize("who", ["colleague", "superuser", "auditor"])
def test_nobody_else_asks_again_for_an_export(client, stopped_export, who):
    people, export = stopped_export
    client.force_login(people[who])
    assert client.post(reverse("exports:restart", args=[export.pk])).status_code == 404
    assert ExportRun.objects.count() == 1
    assert ExportRun.objects.get().status == ExportRun.Status.RUNNING


def test_an_export_the_requester_may_no_longer_make_is_not_asked_again(client, stopped_export):
    people, export = stopped_export
    qnq, rxx = (
        factories.OrganisationFactory._meta.model.objects.get(code=c) for c in ("QNQ", "RXX")
    )
    ExportRun.objects.filter(pk=export.pk).update(params={**export.params, "organisation": qnq.pk})
    people["hr_qnq"].organisations.set([rxx])  # moved to another organisation's HR
    client.force_login(people["hr_qnq"])
    assert client.post(reverse("exports:restart", args=[export.pk])).status_code == 404
    assert ExportRun.objects.count() == 1
    assert ExportRun.objects.get().status == ExportRun.Status.RUNNING


def test_an_export_at_work_is_not_asked_again(client, stopped_export):
    people, export = stopped_export
    ExportRun.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - MINUTE)
    client.force_login(people["hr_qnq"])
    page = client.get(reverse("exports:run", args=[export.pk])).content.decode()
    assert "This export has stopped" not in page and 'http-equiv="refresh"' in page
    response = client.post(reverse("exports:restart", args=[export.pk]))
    assert response.url == reverse("exports:run", args=[export.pk])
    assert ExportRun.objects.count() == 1


def test_an_export_reports_its_rows_as_a_sign_of_life(monkeypatch, client, world):
    """Every progress report of an export moves its heartbeat on: with eleven minutes between
    reports (the writer reports every 1,000 rows; here every row), it is never taken for
    stopped."""
    from imports.exports import tasks as export_tasks
    from imports.exports import writer

    people, _ = world
    for n in range(3):
        factories.PostFactory(position_number=f"X{n}")
    monkeypatch.setattr(writer, "PROGRESS_EVERY", 1)
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    export_establishment = export_tasks._FUNCTIONS["establishment"]
    seen = []

    def export_slowly(stream, *, progress, **arguments):
        def report_later(rows):
            clock.now += 11 * MINUTE
            progress(rows)
            seen.append(liveness.export_stalled(ExportRun.objects.get(), clock.now))

        return export_establishment(stream, progress=report_later, **arguments)

    monkeypatch.setitem(export_tasks._FUNCTIONS, "establishment", export_slowly)
    client.force_login(people["superuser"])
    client.post(
        reverse("exports:start", args=["establishment"]),
        {"establishment-fmt": "xlsx", "establishment-as_of": "2099-01-01"},
    )
    assert ExportRun.objects.get().status == ExportRun.Status.DONE
    assert len(seen) >= 3
    assert seen == [False] * len(seen)


def test_an_export_waiting_long_for_a_worker_says_so_and_keeps_refreshing(client, stopped_export):
    people, export = stopped_export
    ExportRun.objects.filter(pk=export.pk).update(status=ExportRun.Status.PENDING)
    client.force_login(people["hr_qnq"])
    page = client.get(reverse("exports:run", args=[export.pk])).content.decode()
    assert "No task worker has started this export" in page
    assert 'http-equiv="refresh"' in page and "This export has stopped" not in page
    assert client.post(reverse("exports:restart", args=[export.pk])).url == reverse(
        "exports:run", args=[export.pk]
    )
    assert ExportRun.objects.count() == 1


def test_another_site_cannot_start_it_again_for_the_uploader(world):
    """A form on another site posting to the restart URL with the uploader's session: refused
    for want of the CSRF token, and nothing changes."""
    from django.test import Client

    people, run = world
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["hr_qnq"])
    assert browser.post(reverse("imports:restart", args=[run.pk])).status_code == 403
    assert ImportRun.objects.count() == 1
    assert ImportRun.objects.get().outcome == ImportRun.Outcome.RUNNING
