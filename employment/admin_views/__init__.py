"""Wagtail admin views for cases, collective consultation and the redeployment register.

The generic views are narrowed so that
- who sees which record is decided by `employment.selectors` (never by the URL);
- every write goes through the services with the acting user and a stated reason;
- every screen showing named cases to a union representative or an auditor logs one entry
  naming the cases shown (`selectors.log_case_views`): case list and record, the redeployment
  register and a person's matches, offer list and record;
- the union's name appears only on the case page, to HR and the member's representative: never
  on lists, the register or exports; the statutory-priority flag only to HR;
- forms offer only the staff, posts and employers the user may change (the services refuse the
  rest anyway, with `tracker.access.OutOfScope`, shown as a form error).
"""

from employment.admin_views.cases import (
    CaseCreateView,
    CaseEditForm,
    CaseEditView,
    CaseIndexView,
    CaseInspectView,
    CaseOpenForm,
    at_risk_summary_view,
    case_transition_view,
)
from employment.admin_views.common import (
    case_policy,
    consultation_policy,
    offer_policy,
    view_log_policy,
)
from employment.admin_views.consultations import (
    ConsultationCreateView,
    ConsultationEditView,
    ConsultationForm,
    ConsultationIndexView,
    ConsultationInspectView,
    consultation_record_view,
)
from employment.admin_views.register import (
    OfferIndexView,
    OfferInspectView,
    redeployment_matches_view,
    redeployment_offer_action_view,
    redeployment_offer_view,
    redeployment_register_view,
)
from employment.admin_views.view_log import (
    CaseViewLogIndexView,
)

__all__ = [
    "CaseCreateView",
    "CaseEditForm",
    "CaseEditView",
    "CaseIndexView",
    "CaseInspectView",
    "CaseOpenForm",
    "CaseViewLogIndexView",
    "ConsultationCreateView",
    "ConsultationEditView",
    "ConsultationForm",
    "ConsultationIndexView",
    "ConsultationInspectView",
    "OfferIndexView",
    "OfferInspectView",
    "at_risk_summary_view",
    "case_policy",
    "case_transition_view",
    "consultation_policy",
    "consultation_record_view",
    "offer_policy",
    "redeployment_matches_view",
    "redeployment_offer_action_view",
    "redeployment_offer_view",
    "redeployment_register_view",
    "view_log_policy",
]
