"""Cases for affected people, collective consultation and the redeployment register.

Every write goes through `employment.services` (cases, consultations, redeployment), which
stamps each history row with the acting user and a reason. The models hold data and the rules
the database can enforce; the rules that move a case live in `Case.TRANSITIONS` (read) and
`employment.services.case_transition` (write).

Trade union membership is special-category data: it is stored only on `Case.union_name`, and only
when the member asked for representation (`case_union_only_when_representation_requested`).
"""

from employment.models.alerts import (
    Alert,
    AlertRecipient,
)
from employment.models.cases import (
    CASE_STATUS_VALUES,
    CASE_TERMINAL_VALUES,
    DISMISSAL_STATUSES,
    NOT_DISMISSAL_STATUSES,
    Case,
    CaseQuerySet,
    case_counts_as_proposed_dismissal,
    proposed_dismissal_q,
)
from employment.models.consultation import (
    CollectiveConsultation,
    ConsultationDisclosure,
    ConsultationMeeting,
)
from employment.models.redeployment import (
    RedeploymentOffer,
)
from employment.models.view_log import (
    CaseViewLog,
)

__all__ = [
    "CASE_STATUS_VALUES",
    "CASE_TERMINAL_VALUES",
    "DISMISSAL_STATUSES",
    "NOT_DISMISSAL_STATUSES",
    "Alert",
    "AlertRecipient",
    "Case",
    "CaseQuerySet",
    "CaseViewLog",
    "CollectiveConsultation",
    "ConsultationDisclosure",
    "ConsultationMeeting",
    "RedeploymentOffer",
    "case_counts_as_proposed_dismissal",
    "proposed_dismissal_q",
]
