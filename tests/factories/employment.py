"""Factories for employment models, stamped with who and why like the tracker factories.

They create records in a given state directly (a case "already at notice"), which is what a test
of the next step needs; tests of how a case gets there drive `employment.services` instead.
"""

import datetime as dt

import factory

from employment.models import (
    Alert,
    AlertRecipient,
    Case,
    CollectiveConsultation,
    ConsultationDisclosure,
    ConsultationMeeting,
    RedeploymentOffer,
)
from tests.factories.tracker import (
    AuditedFactory,
    OrganisationFactory,
    PostFactory,
    StaffMemberFactory,
    UserFactory,
)


class CaseFactory(AuditedFactory):
    class Meta:
        model = Case

    staff_member = factory.SubFactory(StaffMemberFactory)
    employer = factory.SubFactory(OrganisationFactory)
    post = factory.SubFactory(PostFactory, organisation=factory.SelfAttribute("..employer"))
    status = Case.Status.AT_RISK
    status_changed_on = dt.date(2026, 1, 5)
    at_risk_on = factory.LazyAttribute(
        lambda o: o.status_changed_on if o.status == Case.Status.AT_RISK else None
    )


class CollectiveConsultationFactory(AuditedFactory):
    class Meta:
        model = CollectiveConsultation

    employer = factory.SubFactory(OrganisationFactory)
    establishment = ""


class ConsultationDisclosureFactory(AuditedFactory):
    class Meta:
        model = ConsultationDisclosure

    consultation = factory.SubFactory(CollectiveConsultationFactory)
    item = ConsultationDisclosure.Item.REASONS
    content = "Running costs are to be reduced by half by March 2028."
    disclosed_on = dt.date(2026, 1, 12)


class ConsultationMeetingFactory(AuditedFactory):
    class Meta:
        model = ConsultationMeeting

    consultation = factory.SubFactory(CollectiveConsultationFactory)
    held_on = dt.date(2026, 1, 19)
    attendees = "HR director; UNISON and Unite representatives"
    disclosed = "Reasons and numbers"
    responses = "Asked for the selection criteria in writing"


class RedeploymentOfferFactory(AuditedFactory):
    class Meta:
        model = RedeploymentOffer

    case = factory.SubFactory(CaseFactory)
    post = factory.SubFactory(
        PostFactory, organisation=factory.SelfAttribute("..case.employer")
    )
    offered_on = dt.date(2026, 2, 2)


class AlertFactory(factory.django.DjangoModelFactory):
    """Alerts keep no history (they are raised by `employment.alerts`), so no stamping."""

    class Meta:
        model = Alert

    kind = Alert.Kind.CASE_STATUS
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    subject = factory.Sequence(lambda n: f"Alert number {n}")
    body = "Something happened."
    organisation = factory.SubFactory(OrganisationFactory)


class AlertRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertRecipient

    alert = factory.SubFactory(AlertFactory)
    user = factory.SubFactory(UserFactory)
    named = True
    subject = factory.SelfAttribute("alert.subject")
    body = factory.SelfAttribute("alert.body")
