"""Every write in the employment app: cases, collective consultations, the redeployment register.

Each service is keyword-only, atomic, takes the acting user and a reason, refuses an acting user
outside its scope with `tracker.access.OutOfScope`, and saves only what changed with who and why
on the history row.

- `cases`: `case_open`, `case_transition` (the only way a case changes status),
  `case_trial_extend`, `case_update`, `case_representation_record`;
- `consultations`: `consultation_open`, `consultation_update`, `consultation_record_disclosure`,
  `consultation_record_meeting`;
- `redeployment`: `redeployment_offer_record`, `redeployment_offer_respond`,
  `redeployment_offer_withdraw`, `redeployment_trial_outcome_record`.
"""

from employment.services.cases import (
    CASE_EDITABLE_FIELDS,
    CLAWBACK_MONTHS,
    CLAWBACK_MONTHS_SENIOR_OR_LARGE,
    VR_CLAWBACK_PACKAGE_THRESHOLD,
    case_open,
    case_representation_record,
    case_transition,
    case_trial_extend,
    case_update,
    clawback_months,
    clawback_package_threshold,
)
from employment.services.common import (
    UNSET,
    CaseConflict,
    CaseError,
    TransitionRefused,
    set_changed,
)
from employment.services.consultations import (
    consultation_open,
    consultation_record_disclosure,
    consultation_record_meeting,
    consultation_update,
)
from employment.services.redeployment import (
    redeployment_offer_record,
    redeployment_offer_respond,
    redeployment_offer_withdraw,
    redeployment_trial_outcome_record,
)

__all__ = [
    "CASE_EDITABLE_FIELDS",
    "CLAWBACK_MONTHS",
    "CLAWBACK_MONTHS_SENIOR_OR_LARGE",
    "UNSET",
    "VR_CLAWBACK_PACKAGE_THRESHOLD",
    "CaseConflict",
    "CaseError",
    "TransitionRefused",
    "case_open",
    "case_representation_record",
    "case_transition",
    "case_trial_extend",
    "case_update",
    "clawback_months",
    "clawback_package_threshold",
    "consultation_open",
    "consultation_record_disclosure",
    "consultation_record_meeting",
    "consultation_update",
    "redeployment_offer_record",
    "redeployment_offer_respond",
    "redeployment_offer_withdraw",
    "redeployment_trial_outcome_record",
    "set_changed",
]
