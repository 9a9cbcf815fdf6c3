"""Collective consultations: the statutory figures (TULRCA s.188, s.193) per employer and
establishment, the s.188(4) disclosures made to representatives, and the meetings log; three
sheets, so .xlsx only. Made for a user: the consultations that user may see."""

from __future__ import annotations

from imports.exports.writer import Col, new_book
from tracker.models import Organisation, Programme, User

COLUMNS = [
    Col("Employer Code", 10),
    Col("Employer", 28),
    Col("Establishment", 18),
    Col("Programme", 24),
    Col("Proposed Dismissals", 11, "number"),
    Col("Most in 90 Days", 11, "number"),
    Col("Threshold", 10, "number"),
    Col("Minimum Consultation Days", 13, "number"),
    Col("Consultation Started", 12, "date"),
    Col("Must Start By", 12, "date"),
    Col("Starts Late", 8),
    Col("First Dismissal", 12, "date"),
    Col("Minimum Consultation Ends", 12, "date"),
    Col("HR1 Due", 12, "date"),
    Col("HR1 Submitted", 12, "date"),
    Col("Disclosures Missing", 40),
]
DISCLOSURE_COLUMNS = [
    Col("Employer Code", 10),
    Col("Establishment", 18),
    Col("Item", 40),
    Col("Disclosed On", 12, "date"),
    Col("Content", 80),
]
MEETING_COLUMNS = [
    Col("Employer Code", 10),
    Col("Establishment", 18),
    Col("Held On", 12, "date"),
    Col("Attendees", 40),
    Col("Disclosed", 50),
    Col("Responses", 50),
]


def export_consultation(
    stream,
    *,
    organisation: Organisation | None = None,
    programme: Programme | None = None,
    user: User | None = None,
    fmt: str = "xlsx",
    progress=None,
) -> int:
    from employment.consultation import consultation_figures_for
    from employment.models import CollectiveConsultation, ConsultationDisclosure
    from employment.selectors import consultations_visible_to

    consultations = (
        CollectiveConsultation.objects.all() if user is None else consultations_visible_to(user)
    )
    if organisation is not None:
        consultations = consultations.filter(employer=organisation)
    if programme is not None:
        consultations = consultations.filter(programme=programme)
    consultations = list(
        consultations.select_related("employer", "programme")
        .prefetch_related("disclosures", "meetings")
        .order_by("employer__code", "establishment", "pk")
    )
    figures = consultation_figures_for(consultations)
    book = new_book(stream, fmt, progress=progress)
    summary = book.sheet("Consultation", COLUMNS)
    disclosures = book.sheet("Disclosures", DISCLOSURE_COLUMNS)
    meetings = book.sheet("Meetings", MEETING_COLUMNS)
    for c in consultations:
        f = figures[c.pk]
        done = {d.item for d in c.disclosures.all()}
        missing = [item.label for item in ConsultationDisclosure.Item if item not in done]
        summary.append(
            [
                c.employer.code,
                c.employer.name,
                c.establishment,
                c.programme.name if c.programme else "",
                f.proposed,
                f.peak.count,
                f.threshold,
                f.minimum_days,
                f.starts_on,
                f.latest_start_on,
                "Y" if f.starts_late else "N",
                f.first_dismissal_on,
                f.minimum_ends_on,
                f.hr1_due_on,
                c.hr1_submitted_on,
                "; ".join(missing),
            ]
        )
        for d in c.disclosures.all():
            disclosures.append(
                [c.employer.code, c.establishment, d.get_item_display(), d.disclosed_on, d.content]
            )
        for m in c.meetings.all():
            meetings.append(
                [c.employer.code, c.establishment, m.held_on, m.attendees, m.disclosed, m.responses]
            )
    for sheet in (summary, disclosures, meetings):
        sheet.finish()
    book.about("Collective consultation: statutory figures and disclosures")
    book.save()
    return summary.rows
