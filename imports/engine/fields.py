"""The tracker fields each sheet writes, their column labels (for previews and messages) and how a
value is shown to a person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

ORG_FIELDS = ("name", "kind", "region", "opened_on", "closed_on", "is_legal_employer")
POST_FIELDS = ("title", "directorate", "band", "wte", "cost_centre", "is_board_level")
STAFF_FIELDS = (
    "first_name",
    "last_name",
    "work_email",
    "date_of_birth",
    "nhs_service_start",
    "pension_return_date",
)
ASSIGNMENT_FIELDS = ("category", "annual_salary", "start_on", "end_on")
CHANGE_FIELDS = (
    "action",
    "destination_organisation_id",
    "destination_position_number",
    "effective_on",
    "reason",
)
LABELS = {
    "name": "Name",
    "kind": "Type",
    "region": "Region",
    "opened_on": "Opened",
    "closed_on": "Closed",
    "is_legal_employer": "Legal Employer",
    "effective_on": "Effective Date",
    "title": "Position Title",
    "directorate": "Directorate",
    "band": "Band",
    "wte": "WTE",
    "cost_centre": "Cost Centre",
    "is_board_level": "Board Level",
    "first_name": "First Name",
    "last_name": "Last Name",
    "work_email": "Work Email",
    "date_of_birth": "Date of Birth",
    "nhs_service_start": "NHS Start Date",
    "pension_return_date": "Pension Return Date",
    "category": "Assignment Category",
    "annual_salary": "Annual Salary",
    "start_on": "Assignment Start Date",
    "end_on": "Assignment End Date",
    "post_id": "Position Number",
    "action": "Action",
    "destination_organisation_id": "Destination Organisation Code",
    "destination_position_number": "Destination Position Number",
    "reason": "Reason",
    "successor": "Successor",
}


def display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
