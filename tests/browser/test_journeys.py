"""The main journeys in a real browser, at desktop and phone width, with axe on each page."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from employment.models import Case
from tests import factories
from tests.browser.conftest import assert_accessible, screenshot
from tracker import roles
from tracker.models import PlannedChange, Post

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _user(role, organisations=(), **kwargs):
    return factories.UserFactory(
        groups=[Group.objects.get_or_create(name=role)[0]],
        organisations=list(organisations),
        **kwargs,
    )


@pytest.fixture
def lift_and_shift():
    ccg = factories.OrganisationFactory(code="01J", name="NHS Knowsley CCG")
    icb = factories.OrganisationFactory(
        code="QYG", kind="icb", name="NHS Cheshire and Merseyside ICB"
    )
    programme = factories.ProgrammeFactory(name="CCG to ICB transfer, 1 July 2022")
    programme.organisations.add(ccg, icb)
    author = _user(roles.HR_MANAGER, [ccg, icb], username="hr2")
    hr = _user(roles.HR_MANAGER, [ccg, icb], username="hr", first_name="Priya", last_name="Shah")
    approver = _user(roles.HR_MANAGER, [ccg, icb], username="hr3")
    for n in range(12):
        post = factories.PostFactory(organisation=ccg, title=f"Commissioning Manager {n}")
        if n % 4:
            factories.AssignmentFactory(
                post=post, staff_member=factories.StaffMemberFactory(first_name=f"Person{n}")
            )
        factories.PlannedChangeFactory(
            programme=programme,
            post=post,
            destination_organisation=icb,
            author=author,
            status=PlannedChange.Status.APPROVED,
            approved_by=approver,
            approved_at=timezone.now(),
        )
    return {"hr": hr, "ccg": ccg, "icb": icb, "programme": programme}


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_hr_reviews_then_confirms_a_lift_and_shift(open_page, lift_and_shift, width):
    page = open_page(lift_and_shift["hr"], width=width)
    page.goto("/admin/transition/bulk/")
    page.select_option("#id_programme", label=str(lift_and_shift["programme"]))
    page.select_option("#id_organisation", label=str(lift_and_shift["ccg"]))
    page.select_option("#id_action", "apply")
    page.fill("#id_reason", "Transfer scheme effective 1 July 2022")
    page.get_by_role("button", name="Review what will happen").click()
    page.get_by_role("heading", name="Review: apply 12 approved changes").wait_for()
    assert "9 people move with their posts" in page.inner_text("main")
    assert Post.objects.filter(organisation=lift_and_shift["icb"]).count() == 0
    assert_accessible(page, f"bulk-review-{width}")

    page.get_by_role("button", name="Confirm: apply 12 changes").click()
    page.get_by_text("Applied 12 changes for NHS Knowsley CCG").wait_for()
    screenshot(page, f"bulk-done-{width}")
    assert Post.objects.filter(organisation=lift_and_shift["icb"]).count() == 12


def test_rep_dashboard_shows_suppressed_figures_and_a_chart_with_its_table(open_page):
    org = factories.OrganisationFactory(code="QYG", name="NHS Cheshire and Merseyside ICB")
    rep = _user(roles.UNION_REP, [org], username="rep")
    today = timezone.localdate()
    for n in range(7):
        post = factories.PostFactory(organisation=org, band="6" if n < 5 else "8a")
        factories.CaseFactory(
            employer=org,
            post=post,
            status=Case.Status.AT_RISK,
            at_risk_on=today - dt.timedelta(days=40),
            status_changed_on=today - dt.timedelta(days=40),
        )
    page = open_page(rep)
    page.goto("/admin/")
    page.get_by_role("heading", name="The at-risk picture").wait_for()
    text = page.inner_text("main")
    assert "fewer than 5" in text
    assert page.locator("svg[role=img]").count() == 1
    assert_accessible(page, "rep-dashboard")


def test_hr_dashboard_is_accessible(open_page, lift_and_shift):
    page = open_page(lift_and_shift["hr"])
    page.goto("/admin/")
    page.get_by_role("heading", name="Where each programme stands").wait_for()
    assert_accessible(page, "hr-dashboard")


ADMIN_SCREENS = [
    "/admin/posts/",
    "/admin/planned_changes/",
    "/admin/employment/cases/",
    "/admin/transition/bulk/",
    "/admin/workbooks/",
]


@pytest.mark.parametrize("url", ADMIN_SCREENS)
def test_main_admin_screens_are_accessible(open_page, lift_and_shift, url):
    page = open_page(lift_and_shift["hr"])
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "admin" + url.replace("/", "-").rstrip("-"))


def test_hr_sees_where_an_organisation_is_used(open_page, lift_and_shift):
    """The CCG's Usage page: its 12 posts and its programme (the changes' destination is the
    ICB), each linking to its record."""
    page = open_page(lift_and_shift["hr"])
    page.goto(f"/admin/organisations/usage/{lift_and_shift['ccg'].pk}/")
    page.get_by_role("link", name="CCG to ICB transfer, 1 July 2022").wait_for()
    assert page.locator("td.title a").count() == 13
    assert page.get_by_text("13 items").is_visible()
    assert page.get_by_role("link", name=re.compile(r"Commissioning Manager 11$")).count() == 1
    assert_accessible(page, "admin-organisation-usage")


PUBLIC_PAGES = ["/", "/search/?query=guarantee", "/login/"]


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_are_accessible(open_page, url, width):
    page = open_page(width=width)
    response = page.goto(url)
    assert response.status == 200
    assert_accessible(page, "public" + url.replace("/", "-").replace("?", "-") + f"-{width}")


def test_hr_uploads_a_workbook_sees_the_preview_and_confirms(open_page, tmp_path):
    from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, vacant_row, xlsx_bytes

    qnq = factories.OrganisationFactory(code="QNQ", name="NHS Frimley ICB")
    hr = _user(roles.HR_MANAGER, [qnq], username="hr")
    factories.PostFactory(organisation=qnq, position_number="00099999", title="Old title")
    path = tmp_path / "establishment.xlsx"
    path.write_bytes(
        xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row(), vacant_row()]})
    )
    page = open_page(hr)
    page.goto("/admin/workbooks/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Confirm and import").wait_for()
    text = page.inner_text("main")
    assert "Old title" in text and "Commissioning Manager" in text
    assert Post.objects.get(position_number="00099999").title == "Old title"
    assert_accessible(page, "import-preview")
    page.get_by_role("button", name="Confirm and import").click()
    page.locator("#import-stage").get_by_text("Done").wait_for()
    screenshot(page, "import-done")
    assert Post.objects.get(position_number="00099999").title == "Commissioning Manager"


def test_hr_sees_why_an_import_failed_when_the_worker_could_not_read_the_upload(open_page):
    from imports import tasks
    from imports.models import ImportRun

    qnq = factories.OrganisationFactory(code="QNQ", name="NHS Frimley ICB")
    hr = _user(roles.HR_MANAGER, [qnq], username="hr")
    # Stored where this worker's storage does not look: as a worker on another host would find.
    run = ImportRun.objects.create(
        file_name="establishment.xlsx",
        user=hr,
        source=ImportRun.Source.ADMIN,
        upload="imports/2026/12/elsewhere.xlsx",
    )
    assert tasks._run(run.pk, dry_run=True) == ImportRun.Outcome.FAILED
    page = open_page(hr)
    page.goto(f"/admin/workbooks/runs/{run.pk}/")
    text = page.inner_text("main")
    assert "Failed" in text
    assert "the worker could not read the uploaded file from storage" in text
    assert "upload the file again" in text
    assert_accessible(page, "import-failed-storage")


def test_hr_sees_an_import_whose_worker_stopped_and_starts_it_again(open_page, tmp_path):
    from imports.models import ImportRun
    from tests.imports.conftest import ESTABLISHMENT_HEADER, vacant_row, xlsx_bytes

    qnq = factories.OrganisationFactory(code="QNQ", name="NHS Frimley ICB")
    hr = _user(roles.HR_MANAGER, [qnq], username="hr")
    path = tmp_path / "establishment.xlsx"
    path.write_bytes(xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]}))
    page = open_page(hr)
    page.goto("/admin/workbooks/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Confirm and import").wait_for()
    # As a worker killed part-way through the confirmed import leaves it.
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(
        dry_run=False,
        outcome=ImportRun.Outcome.RUNNING,
        stage=ImportRun.Stage.WRITING,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=25),
    )
    page.goto(f"/admin/workbooks/runs/{run.pk}/")
    text = page.inner_text("main")
    assert "This import has stopped" in text and "wrote nothing" in text
    assert_accessible(page, "import-stopped")
    screenshot(page, "import-stopped")
    page.get_by_role("button", name="Start this import again").click()
    page.get_by_role("button", name="Confirm and import").wait_for()
    assert "Started again as import" in page.inner_text("body")
    assert ImportRun.objects.count() == 2
    assert not Post.objects.filter(position_number="00099999").exists()


def test_hr_sees_an_export_whose_worker_stopped_and_asks_again(open_page):
    from imports.exports.models import ExportRun

    qnq = factories.OrganisationFactory(code="QNQ", name="NHS Frimley ICB")
    hr = _user(roles.HR_MANAGER, [qnq], username="hr")
    factories.PostFactory(organisation=qnq)
    # As a worker killed part-way through writing it leaves it.
    export = ExportRun.objects.create(
        kind="establishment",
        params={"organisation": qnq.pk, "as_of": "2099-01-01"},
        user=hr,
        status=ExportRun.Status.RUNNING,
        rows_done=1000,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=25),
    )
    page = open_page(hr)
    page.goto(f"/admin/exports/{export.pk}/")
    assert "This export has stopped after 1,000 rows" in page.inner_text("main")
    assert_accessible(page, "export-stopped")
    screenshot(page, "export-stopped")
    page.get_by_role("button", name="Ask for this export again").click()
    page.get_by_role("link", name="Download").wait_for()
    assert ExportRun.objects.get(pk=export.pk).status == ExportRun.Status.FAILED
    assert ExportRun.objects.exclude(pk=export.pk).get().status == ExportRun.Status.DONE


def test_hr_moves_a_case_to_at_risk_and_sees_its_clocks(open_page):
    org = factories.OrganisationFactory(code="QYG", name="NHS Cheshire and Merseyside ICB")
    hr = _user(roles.HR_MANAGER, [org], username="hr")
    post = factories.PostFactory(organisation=org, band="6")
    person = factories.StaffMemberFactory(first_name="Ahmed", last_name="Khan")
    factories.AssignmentFactory(staff_member=person, post=post)
    case = factories.CaseFactory(
        employer=org,
        post=post,
        staff_member=person,
        status=Case.Status.PROTECTED,
        at_risk_on=None,
        status_changed_on=timezone.localdate() - dt.timedelta(days=30),
    )
    page = open_page(hr)
    page.goto(f"/admin/employment/cases/inspect/{case.pk}/")
    page.select_option("#id_to", "at_risk")
    page.fill("#id_reason", "Post not in the merged ICB's structure")
    page.get_by_role("button", name="Move case").click()
    page.get_by_role("heading", name="Dates and clocks").wait_for()
    clocks = (
        page.inner_text("#case-clocks + table")
        if page.locator("#case-clocks + table").count()
        else page.inner_text("main")
    )
    assert "At-risk date" in clocks
    assert_accessible(page, "case-at-risk")
    case.refresh_from_db()
    assert case.status == Case.Status.AT_RISK and case.at_risk_on == timezone.localdate()


def test_hr_opens_a_case_choosing_the_person_and_post_from_choosers(open_page):
    """The case form's person and post are choosers (searchable, paged), as on the tracker's
    forms: at 100,000 people a select of everyone made a 12 MB page."""
    org = factories.OrganisationFactory(code="QYG", name="NHS Cheshire and Merseyside ICB")
    hr = _user(roles.HR_MANAGER, [org], username="hr")
    post = factories.PostFactory(organisation=org, band="7", title="Contracts Manager")
    person = factories.StaffMemberFactory(first_name="Ahmed", last_name="Khan")
    factories.AssignmentFactory(staff_member=person, post=post)
    for n in range(25):  # more than one page of the chooser
        factories.AssignmentFactory(
            staff_member=factories.StaffMemberFactory(last_name=f"Colleague{n}"),
            post=factories.PostFactory(organisation=org, title=f"Analyst {n}"),
        )
    page = open_page(hr)
    page.goto("/admin/employment/cases/new/")
    assert_accessible(page, "case-open-form")

    page.get_by_role("button", name="Choose a staff member").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_label("Search term").fill("Khan")
    modal.get_by_role("link", name=str(person)).wait_for()
    assert_accessible(page, "case-open-chooser")
    modal.get_by_role("link", name=str(person)).click()
    page.get_by_role("button", name="Choose a post").click()
    modal.get_by_label("Search term").fill("Contracts")
    modal.get_by_role("link", name=str(post)).click()
    page.select_option("#id_employer", label=str(org))
    page.fill("#id_change_reason", "Post not in the merged ICB's structure")
    page.locator(".modal-backdrop").wait_for(state="detached")
    screenshot(page, "case-open-chosen")
    page.get_by_role("button", name="Create").click()
    page.locator(".messages").wait_for()
    case = Case.objects.get(staff_member=person)
    assert (case.post, case.employer, case.status) == (post, org, Case.Status.AT_RISK)


def test_wagtails_page_chooser_opens_under_the_policy(open_page):
    """Wagtail's own page chooser (a redirect's target here; where a page is moved or copied
    to elsewhere) starts through the same stand-in as the tracker's choosers."""
    from wagtail.models import Page

    page_obj = Page.objects.filter(depth=2).first()
    admin = factories.UserFactory(is_superuser=True, username="admin")
    page = open_page(admin)
    page.goto("/admin/redirects/add/")
    page.get_by_role("button", name="Choose a page").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name=page_obj.title).first.wait_for()
    assert_accessible(page, "page-chooser-open")


def test_wagtails_workflow_task_chooser_opens_under_the_policy(open_page):
    """Wagtail's workflow task chooser (an administrator adding a step to an approval workflow)
    starts with a call of its own (`createTaskChooser(id)`), not the standard chooser start; it
    is carried for admin-csp.js too, so "Choose a task" opens its modal and a task is chosen."""
    from wagtail.models import Task, Workflow

    task = Task.objects.filter(active=True).first()
    admin = factories.UserFactory(is_superuser=True, username="admin")
    page = open_page(admin)
    page.goto("/admin/workflows/add/")
    page.fill("#id_name", "Guarantee pages: HR then partnership")
    page.get_by_role("button", name="Add task").first.click()
    page.get_by_role("button", name="Choose a task").first.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("tab", name="Existing").click()
    modal.get_by_role("link", name=task.name).wait_for()
    screenshot(page, "task-chooser-open")
    assert_accessible(page, "task-chooser-open")
    modal.get_by_role("link", name=task.name).click()
    page.locator(".modal-backdrop").wait_for(state="detached")
    page.get_by_role("button", name="Create").click()
    page.locator(".messages").wait_for()
    workflow = Workflow.objects.get(name="Guarantee pages: HR then partnership")
    assert [t.pk for t in workflow.tasks] == [task.pk]


def test_hr_exports_a_long_list_and_downloads_it_when_written(
    open_page, lift_and_shift, monkeypatch
):
    """The list's own "Download XLSX" button: past the inline threshold (here 5 rows, so the
    fixture's 12 changes are a long list) the export is written in the background and its page
    gives the download link."""
    from imports.exports import listing
    from imports.exports.models import ExportRun

    monkeypatch.setattr(listing, "INLINE_ROWS", 5)
    page = open_page(lift_and_shift["hr"])
    page.goto("/admin/planned_changes/?status=approved")
    page.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("link", name="Download XLSX").click()
    page.get_by_role("link", name="Download").wait_for()
    run = ExportRun.objects.get()
    assert (run.kind, run.status, run.rows_done) == ("listing", ExportRun.Status.DONE, 12)
    main = page.inner_text("main")
    assert "12 rows are being written in the background" in page.inner_text("body")
    assert "Planned changes list export" in page.inner_text("body") and "12 rows" in main
    assert_accessible(page, "list-export-background")
    screenshot(page, "list-export-background")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.startswith("planned-changes-")
