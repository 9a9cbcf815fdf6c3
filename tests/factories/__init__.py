"""Every factory in the suite, importable as `from tests import factories`.

One module per app; this package re-exports them so tests have one place to look.
"""

from tests.factories.tracker import (
    AssignmentFactory,
    OrganisationFactory,
    PlannedChangeFactory,
    PostFactory,
    ProgrammeFactory,
    StaffMemberFactory,
    SuccessionFactory,
    UserFactory,
)

__all__ = [
    "AssignmentFactory",
    "OrganisationFactory",
    "PlannedChangeFactory",
    "PostFactory",
    "ProgrammeFactory",
    "StaffMemberFactory",
    "SuccessionFactory",
    "UserFactory",
]
