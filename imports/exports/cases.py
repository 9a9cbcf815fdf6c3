"""Named cases: the at-risk list (open cases of affected people, with their dates) and the case
list (every case, with the case screen's filters).

Rows come from one query with the filters in SQL. Made for a user, they are the cases that user
may open (`employment.selectors.cases_visible_to`: HR for their organisations; a union
representative only where the member asked for representation; auditors all). Trade union
membership, representation requests and the statutory redeployment priority (pregnancy,
maternity) are special-category data and are never exported.
"""

from __future__ import annotations

from dataclasses import dataclass

from imports.exports.establishment import BAND_TEXT
from imports.exports.writer import Col, new_book
from tracker.models import Organisation, Programme, User

DATE_COLUMNS = [
    Col("Status", 26),
    Col("Status Since", 12, "date"),
    Col("At-risk Date", 12, "date"),
    Col("Consultation Ends", 12, "date"),
    Col("Proposed Dismissal", 12, "date"),
    Col("Trial Ends", 12, "date"),
    Col("Notice Starts", 12, "date"),
    Col("Notice Ends", 12, "date"),
    Col("Exit Date", 12, "date"),
    Col("Continuity of Service Date", 14, "date"),
]
COLUMNS = [
    Col("Employer Code", 10),
    Col("Employer", 28),
    Col("Establishment", 18),
    Col("Programme", 24),
    Col("Employee Number", 14),
    Col("Last Name", 18),
    Col("First Name", 16),
    Col("Position Number", 14),
    Col("Position Title", 30),
    Col("Band", 8),
    *DATE_COLUMNS,
]
CASE_LIST_COLUMNS = [Col("Case", 8, "number"), *COLUMNS, Col("Clawback Ends", 12, "date")]
_FIELDS = (
    "pk",
    "employer__code",
    "employer__name",
    "establishment",
    "programme__name",
    "staff_member__employee_number",
    "staff_member__last_name",
    "staff_member__first_name",
    "post__position_number",
    "post__title",
    "post__band",
    "status",
    "status_changed_on",
    "at_risk_on",
    "consultation_ends_on",
    "proposed_dismissal_on",
    "trial_extended_to",
    "trial_ends_on",
    "notice_starts_on",
    "notice_ends_on",
    "exit_on",
    "staff_member__nhs_service_start",
    "clawback_ends_on",
)


def cases_for_export(
    *,
    user: User | None,
    organisation: Organisation | None = None,
    programme: Programme | None = None,
    status: str | None = None,
    at_risk_only: bool = False,
):
    from employment.models import Case
    from employment.selectors import cases_visible_to

    cases = Case.objects.all() if user is None else cases_visible_to(user)
    if at_risk_only:
        cases = cases.open().exclude(status=Case.Status.PROTECTED)
    if organisation is not None:
        cases = cases.filter(employer=organisation)
    if programme is not None:
        cases = cases.filter(programme=programme)
    if status:
        cases = cases.filter(status=status)
    return cases.order_by(
        "employer__code", "staff_member__last_name", "staff_member__employee_number", "pk"
    )


@dataclass(frozen=True)
class CaseListing:
    """What tells the two named-case exports apart; everything else they share."""

    title: str
    columns: list[Col]
    about: str
    #: Open cases of affected people only (every open status but "protected").
    at_risk_only: bool
    #: The case number first and the clawback date last, as on the case list screen.
    with_id: bool


AT_RISK = CaseListing(
    title="At risk", columns=COLUMNS, about="At-risk list", at_risk_only=True, with_id=False
)
CASE_LIST = CaseListing(
    title="Cases", columns=CASE_LIST_COLUMNS, about="Case list", at_risk_only=False, with_id=True
)


def export_case_listing(
    stream,
    *,
    listing: CaseListing,
    organisation: Organisation | None = None,
    programme: Programme | None = None,
    status: str | None = None,
    user: User | None = None,
    fmt: str = "xlsx",
    progress=None,
) -> int:
    """Write one named-case listing (`AT_RISK` or `CASE_LIST`); returns the rows written."""
    from employment.models import Case

    cases = cases_for_export(
        user=user,
        organisation=organisation,
        programme=programme,
        status=status,
        at_risk_only=listing.at_risk_only,
    )
    statuses = dict(Case.Status.choices)
    book = new_book(stream, fmt, progress=progress)
    sheet = book.sheet(listing.title, listing.columns)
    for row in cases.values_list(*_FIELDS).iterator(chunk_size=5000):
        (
            pk,
            code,
            name,
            establishment,
            programme_name,
            employee,
            last,
            first,
            number,
            post_title,
            band,
            status_code,
            since,
            at_risk,
            consultation,
            dismissal,
            extended,
            trial,
            notice_start,
            notice_end,
            exit_on,
            service,
            clawback,
        ) = row
        values = [
            code,
            name,
            establishment,
            programme_name or "",
            employee,
            last,
            first,
            number or "",
            post_title or "",
            BAND_TEXT.get(band, band) if band else "",
            statuses.get(status_code, status_code),
            since,
            at_risk,
            consultation,
            dismissal,
            extended or trial,
            notice_start,
            notice_end,
            exit_on,
            service,
        ]
        sheet.append([pk, *values, clawback] if listing.with_id else values)
    sheet.finish()
    book.about(listing.about + (f": {organisation}" if organisation else ""))
    book.save()
    return sheet.rows


def export_at_risk(
    stream,
    *,
    organisation: Organisation | None = None,
    programme: Programme | None = None,
    user: User | None = None,
    fmt: str = "xlsx",
    progress=None,
) -> int:
    """Open cases of affected people (every open status but "protected"), with their dates."""
    return export_case_listing(
        stream,
        listing=AT_RISK,
        organisation=organisation,
        programme=programme,
        user=user,
        fmt=fmt,
        progress=progress,
    )


def export_cases(
    stream,
    *,
    organisation: Organisation | None = None,
    programme: Programme | None = None,
    status: str | None = None,
    user: User | None = None,
    fmt: str = "xlsx",
    progress=None,
) -> int:
    """Every case, open or closed, with the case list's filters (status, employer)."""
    return export_case_listing(
        stream,
        listing=CASE_LIST,
        organisation=organisation,
        programme=programme,
        status=status,
        user=user,
        fmt=fmt,
        progress=progress,
    )
