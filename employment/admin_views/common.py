"""What every employment admin screen shares: the permission policies (who may reach which
records, from the selectors), the scoped choices for forms, and the logging of named-case
lists for union representatives and auditors."""

from __future__ import annotations

from employment import selectors
from employment.models import (
    Case,
    CaseViewLog,
    CollectiveConsultation,
    RedeploymentOffer,
)
from tracker.access import changeable_organisation_ids
from tracker.admin_kit import RolePermissionPolicy
from tracker.models import Assignment, Organisation, Post, StaffMember
from tracker.roles import AUDITOR, HR_MANAGER, UNION_REP

# --- permissions -------------------------------------------------------------------------------
# The policy class and the form mixins are shared with the tracker screens (tracker.admin_kit).

case_policy = RolePermissionPolicy(
    Case,
    view_roles=(UNION_REP, AUDITOR),
    change_roles=(HR_MANAGER,),
    visible=selectors.cases_visible_to,
    changeable=selectors.cases_changeable_by,
)
consultation_policy = RolePermissionPolicy(
    CollectiveConsultation,
    view_roles=(UNION_REP, AUDITOR),
    change_roles=(HR_MANAGER,),
    visible=selectors.consultations_visible_to,
    changeable=selectors.consultations_changeable_by,
)
offer_policy = RolePermissionPolicy(
    RedeploymentOffer,
    view_roles=(AUDITOR,),
    change_roles=(HR_MANAGER,),
    visible=selectors.offers_visible_to,
    changeable=selectors.offers_changeable_by,
)
view_log_policy = RolePermissionPolicy(
    CaseViewLog,
    view_roles=(AUDITOR,),
    change_roles=(),
    visible=lambda user: CaseViewLog.objects.all(),
    changeable=lambda user: CaseViewLog.objects.none(),
)


# --- shared form plumbing ----------------------------------------------------------------------


def _employers_for(user):
    employers = Organisation.objects.filter(is_legal_employer=True)
    allowed = changeable_organisation_ids(user)
    return employers if allowed is None else employers.filter(pk__in=allowed)


def _posts_for(user):
    allowed = changeable_organisation_ids(user)
    posts = Post.objects.select_related("organisation")
    return posts if allowed is None else posts.filter(organisation__in=allowed)


def _staff_for(user):
    """People holding, or who held, a post in the organisations the user may change."""
    allowed = changeable_organisation_ids(user)
    if allowed is None:
        return StaffMember.objects.all()
    return StaffMember.objects.filter(
        pk__in=Assignment.objects.filter(post__organisation__in=allowed).values("staff_member")
    )



class LoggedListMixin:
    """Log the named cases on the page shown to a union representative or an auditor."""

    view_log_screen = ""

    def cases_on_page(self, object_list):
        return object_list

    def get_table(self, object_list):
        object_list = list(object_list)
        selectors.log_case_views(
            self.request.user,
            self.cases_on_page(object_list),
            screen=self.view_log_screen,
            path=self.request.get_full_path(),
        )
        return super().get_table(object_list)
