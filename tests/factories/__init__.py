"""Every factory in the suite, importable as `from tests import factories`.

One module per app; this package re-exports them so tests have one place to look.
"""

from tests.factories.employment import (
    AlertFactory,
    AlertRecipientFactory,
    CaseFactory,
    CollectiveConsultationFactory,
    ConsultationDisclosureFactory,
    ConsultationMeetingFactory,
    RedeploymentOfferFactory,
)
from tests.factories.tracker import (
    AssignmentFactory,
    OrganisationFactory,
    PlannedChangeFactory,
    PostFactory,
    ProgrammeFactory,
    StaffMemberFactory,
    SuccessionFactory,
    UserFactory,
    held_post_transfers,
)

__all__ = [
    "AlertFactory",
    "AlertRecipientFactory",
    "AssignmentFactory",
    "CaseFactory",
    "CollectiveConsultationFactory",
    "ConsultationDisclosureFactory",
    "ConsultationMeetingFactory",
    "OrganisationFactory",
    "PlannedChangeFactory",
    "PostFactory",
    "ProgrammeFactory",
    "RedeploymentOfferFactory",
    "StaffMemberFactory",
    "SuccessionFactory",
    "UserFactory",
    "held_post_transfers",
]
