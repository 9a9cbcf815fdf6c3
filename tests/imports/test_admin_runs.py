"""The import screens per role: the list shows every import naming an organisation the user
covers (colleagues' too), auditors all and union reps none; the real stage; the rejected rows as
a download; and progress through the write phase while the write stays all or nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from imports.engine import history, progress
from imports.engine.run import workbook_import
from imports.models import ImportRun
from tests import factories
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, vacant_row, xlsx_bytes
from tracker import roles
from tracker.models import Post


def _user(username, role, *organisations):
    return factories.UserFactory(
        username=username,
        groups=[Group.objects.get(name=role)],
        organisations=list(organisations),
    )


def _upload(client, data: bytes, name="establishment.xlsx"):
    return client.post(
        reverse("imports:upload"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


@pytest.fixture
def world(db, client):
    qnq = factories.OrganisationFactory(code="QNQ")
    rxx = factories.OrganisationFactory(code="RXX")
    people = {
        "hr_qnq": _user("hr_qnq", roles.HR_MANAGER, qnq),
        "colleague": _user("colleague", roles.HR_MANAGER, qnq),
        "hr_rxx": _user("hr_rxx", roles.HR_MANAGER, rxx),
        "auditor": _user("auditor", roles.AUDITOR),
        "rep": _user("rep", roles.UNION_REP, qnq),
    }
    client.force_login(people["hr_qnq"])
    _upload(client, xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]}), "q.xlsx")
    client.force_login(people["hr_rxx"])
    bad = vacant_row(org="RXX", position="R1")
    bad[ESTABLISHMENT_HEADER.index("WTE")] = 2
    _upload(client, xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, bad]}), "r.xlsx")
    client.logout()
    runs = {r.file_name: r for r in ImportRun.objects.all()}
    return people, runs["q.xlsx"], runs["r.xlsx"]


def test_a_run_records_the_organisations_its_rows_name(world):
    _, q_run, r_run = world
    assert list(q_run.organisations.values_list("code", flat=True)) == ["QNQ"]
    assert list(r_run.organisations.values_list("code", flat=True)) == ["RXX"]


# Who sees which run in the list, typed out by hand: (q.xlsx by hr_qnq, r.xlsx by hr_rxx).
LIST = {
    "hr_qnq": {"q.xlsx"},
    "colleague": {"q.xlsx"},  # a colleague covering QNQ sees hr_qnq's import
    "hr_rxx": {"r.xlsx"},
    "auditor": {"q.xlsx", "r.xlsx"},
}


@pytest.mark.parametrize("who", sorted(LIST))
def test_the_list_shows_the_imports_of_the_organisations_covered(client, world, who):
    people, q_run, r_run = world
    client.force_login(people[who])
    response = client.get(reverse("imports:history"))
    assert response.status_code == 200
    page = response.content.decode()
    shown = {name for name in ("q.xlsx", "r.xlsx") if f": {name}</a>" in page}
    assert shown == LIST[who]
    for run in (q_run, r_run):
        opened = client.get(reverse("imports:run", args=[run.pk]))
        assert opened.status_code == (200 if run.file_name in LIST[who] else 404)


def test_a_file_naming_other_organisations_too_stays_with_its_uploader(client, world):
    people, q_run, _ = world
    both = ImportRun.objects.create(file_name="both.xlsx", sha256="0" * 64, user=people["hr_rxx"])
    both.organisations.set(q_run.organisations.all() | people["hr_rxx"].organisations.all())
    assert both.organisations.count() == 2
    expected = {"hr_qnq": 404, "colleague": 404, "hr_rxx": 200, "auditor": 200}
    for who, status in expected.items():
        client.force_login(people[who])
        assert client.get(reverse("imports:run", args=[both.pk])).status_code == status, who


def test_union_reps_see_no_imports(client, world):
    people, q_run, _ = world
    client.force_login(people["rep"])
    for url in (
        reverse("imports:history"),
        reverse("imports:run", args=[q_run.pk]),
        reverse("imports:run_status", args=[q_run.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert "q.xlsx" not in response.content.decode()


def test_the_list_makes_the_same_queries_for_three_runs_or_thirty(
    client, world, django_assert_max_num_queries
):
    people, q_run, _ = world
    client.force_login(people["colleague"])
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("imports:history"))
    for n in range(27):
        run = ImportRun.objects.create(file_name=f"more{n}.xlsx", sha256="0" * 64, user=q_run.user)
        run.organisations.set(q_run.organisations.all())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("imports:history")).content.decode()
    assert page.count("more") >= 27


def test_stages_shown(client, world):
    people, q_run, r_run = world
    assert (q_run.stage, r_run.stage) == (ImportRun.Stage.DONE, ImportRun.Stage.FAILED)
    client.force_login(people["auditor"])
    page = client.get(reverse("imports:history")).content.decode()
    assert "<td>Done</td>" in page and "<td>Failed</td>" in page
    queued = ImportRun.objects.create(file_name="w.xlsx", sha256="0" * 64, user=q_run.user)
    assert client.get(reverse("imports:run_status", args=[queued.pk])).json()["stage_label"] == (
        "Queued"
    )
    assert (
        'id="import-stage">Queued<'
        in client.get(reverse("imports:run", args=[queued.pk])).content.decode()
    )


def test_only_the_uploader_confirms_a_preview(client, world):
    people, q_run, _ = world
    client.force_login(people["colleague"])
    page = client.get(reverse("imports:run", args=[q_run.pk])).content.decode()
    assert "Confirm and import" not in page
    response = client.post(reverse("imports:confirm", args=[q_run.pk]))
    assert response.status_code in (302, 403)
    q_run.refresh_from_db()
    assert q_run.outcome == ImportRun.Outcome.PREVIEWED and Post.objects.count() == 0
    client.force_login(people["hr_qnq"])
    assert (
        "Confirm and import" in client.get(reverse("imports:run", args=[q_run.pk])).content.decode()
    )


def test_rejected_rows_download(client, world):
    people, q_run, r_run = world
    assert not q_run.rejects and r_run.rejects
    client.force_login(people["hr_rxx"])
    page = client.get(reverse("imports:run", args=[r_run.pk])).content.decode()
    url = reverse("imports:rejected_rows", args=[r_run.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Establishment"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Reason", "Row", "Organisation Code"]
    reason, row, code, position = (c.value for c in sheet[2][:4])
    assert (row, code, position) == (2, "RXX", "R1")
    assert reason == "F2: WTE 2 is outside (0, 1]: a full-time post is 1, half-time 0.5"
    # An auditor may download it too; HR for another organisation may not see it at all.
    client.force_login(people["auditor"])
    assert client.get(url).status_code == 200
    client.force_login(people["hr_qnq"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("imports:rejected_rows", args=[q_run.pk])).status_code == 404


# --- progress through the write phase -----------------------------------------------------------


def _observe(run_id: int) -> tuple[int, int | None]:
    """What another process would see now: the rows reported written, and (where a second
    connection can read during the write) how many posts are visible."""
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT progress_done FROM imports_importrun WHERE id = %s", [run_id]
                )
                done = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM tracker_post")
                posts = cursor.fetchone()[0]
        finally:
            other.close()
        return done, posts
    return progress.live_progress(run_id)[0], None


@pytest.mark.django_db(transaction=True)
def test_progress_moves_through_the_write_while_nothing_is_visible(monkeypatch, system_user):
    factories.OrganisationFactory(code="QNQ")
    rows = [
        person_row(position=f"P{n:03d}", assignment=f"A{n}", employee=f"E{n}") for n in range(7)
    ]
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    monkeypatch.setattr(history, "BATCH", 2)
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 4)
    seen: list[tuple[int, int | None]] = []
    publish = progress.WriteProgress.publish

    def publish_and_look(self):
        publish(self)
        seen.append(_observe(self.run_id))

    monkeypatch.setattr(progress.WriteProgress, "publish", publish_and_look)
    result = workbook_import(data=data, file_name="seven.xlsx", acting_user=system_user)
    assert result.ok, result.problems
    # 7 posts, then 7 staff, then 7 assignments = 21 rows, in batches of 2 per table, so the
    # running total after each batch is 2 4 6 7 | 9 11 13 14 | 16 18 20 21; it is published
    # when at least 4 rows were written since the last report, and at the end.
    assert [done for done, _ in seen] == [4, 9, 13, 18, 21]
    if connection.vendor == "postgresql":
        assert {posts for _, posts in seen} == {0}  # all or nothing: none visible until commit
    run = ImportRun.objects.get()
    assert (run.stage, run.progress_done, run.progress_total) == (ImportRun.Stage.DONE, 21, 21)
    assert Post.objects.count() == 7
    assert progress.live_progress(run.pk) is None  # cleared once the write ends


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection's reports")
@pytest.mark.django_db(transaction=True)
def test_a_progress_report_skips_the_disk_flush_for_itself_only(system_user):
    """Reports do not wait for their commit to reach the disk, but the setting stays inside
    each report's transaction: behind PgBouncer the server connection serves other clients
    next, and must not pass them an unflushed commit."""
    run = ImportRun.objects.create(file_name="big.xlsx", sha256="0" * 64, user=system_user)
    reporter = progress.WriteProgress(run.pk, 10, every=5)
    try:
        seen: list[str] = []

        def look(execute, sql, params, many, context):
            seen.append(sql.split()[0] + (" LOCAL" if sql.startswith("SET LOCAL") else ""))
            return execute(sql, params, many, context)

        reporter.add(5)
        with reporter._connection.execute_wrapper(look):
            reporter.add(5)
        assert seen == ["SET LOCAL", "UPDATE"]
        with reporter._connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            after = cursor.fetchone()[0]
        assert after == "on"
        run.refresh_from_db()
        assert (run.progress_done, run.progress_total) == (10, 10)  # committed, visible
    finally:
        reporter.close()
