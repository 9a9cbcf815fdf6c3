"""The "Transition" menu in the Wagtail admin: organisations, programmes, posts, staff and planned
changes, for HR managers (change) and auditors (view). Views live in `tracker.admin_views`."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from tracker import admin_bulk, admin_views, choosers
from tracker.admin_kit import PermissionMenuItem, TrackerPermissionPolicy
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)

TRACKER_MODELS = (Organisation, Succession, Programme, Post, StaffMember, Assignment, PlannedChange)

# Registered before any viewset asks, so every screen, chooser and generic view of these models
# decides rows by `tracker.access`.
for _model in TRACKER_MODELS:
    register_permission_policy(_model, TrackerPermissionPolicy(_model))


def _panels(*names: str) -> ObjectList:
    return ObjectList(
        [FieldPanel(name) for name in names] + [FieldPanel("change_reason")],
        base_form_class=admin_views.ReasonForm,
    )


class TrackerViewSet(ModelViewSet):
    """Shared wiring: scoped lists and records, saves through services, one audit history,
    no copying and no deleting (records are closed or cancelled, never deleted)."""

    index_view_class = admin_views.ScopedIndexView
    add_view_class = admin_views.ServiceCreateView
    edit_view_class = admin_views.ServiceEditView
    inspect_view_class = admin_views.ScopedInspectView
    history_view_class = admin_views.AuditHistoryView
    usage_view_class = admin_views.ScopedUsageView
    delete_view_class = admin_views.ScopedDeleteView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None  # plain database search over search_fields
    list_per_page = 50
    list_select_related: tuple[str, ...] = ()

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_select_related=self.list_select_related, **kwargs)


class OrganisationViewSet(TrackerViewSet):
    model = Organisation
    icon = "site"
    menu_label = "Organisations"
    name = "organisations"
    list_display = ["code", "name", "kind", "region", "is_legal_employer", "closed_on"]
    list_filter = ["kind", "region", "is_legal_employer"]
    search_fields = ["code", "name"]
    list_export = [
        "code",
        "name",
        "get_kind_display",
        "region",
        "opened_on",
        "closed_on",
        "is_legal_employer",
    ]
    export_headings = {"get_kind_display": "Type", "code": "ODS code"}
    edit_handler = _panels(
        "code", "name", "kind", "region", "opened_on", "closed_on", "is_legal_employer"
    )


class SuccessionViewSet(TrackerViewSet):
    model = Succession
    icon = "arrow-right"
    menu_label = "Successions"
    name = "successions"
    list_display = ["predecessor", "successor", "effective_on"]
    list_filter = ["effective_on"]
    list_select_related = ("predecessor", "successor")
    list_export = ["predecessor.code", "successor.code", "effective_on"]
    export_headings = {"predecessor.code": "Predecessor", "successor.code": "Successor"}
    edit_handler = _panels("predecessor", "successor", "effective_on")


class ProgrammeViewSet(TrackerViewSet):
    model = Programme
    icon = "calendar-alt"
    menu_label = "Programmes"
    name = "programmes"
    list_display = ["name", "effective_on", "announced_on"]
    search_fields = ["name", "slug"]
    list_export = ["slug", "name", "effective_on", "announced_on", "legal_basis"]
    edit_handler = _panels(
        "name",
        "slug",
        "legal_basis",
        "announced_on",
        "consultation_starts_on",
        "effective_on",
        "organisations",
    )


class PostViewSet(TrackerViewSet):
    model = Post
    icon = "user"
    menu_label = "Posts"
    name = "posts"
    list_display = ["position_number", "title", "organisation", "band", "wte", "status"]
    list_filter = ["organisation", "band", "status", "is_board_level"]
    list_select_related = ("organisation",)
    search_fields = ["position_number", "title", "directorate", "cost_centre"]
    list_export = [
        "organisation.code",
        "position_number",
        "title",
        "directorate",
        "get_band_display",
        "wte",
        "cost_centre",
        "is_board_level",
        "get_status_display",
        "closed_on",
    ]
    export_headings = {
        "organisation.code": "Organisation code",
        "get_band_display": "Band",
        "get_status_display": "Status",
        "wte": "WTE",
    }
    edit_handler = _panels(
        "organisation",
        "position_number",
        "title",
        "directorate",
        "band",
        "wte",
        "cost_centre",
        "is_board_level",
    )


class StaffMemberViewSet(TrackerViewSet):
    model = StaffMember
    icon = "group"
    menu_label = "Staff"
    name = "staff"
    list_display = ["employee_number", "last_name", "first_name", "work_email", "nhs_service_start"]
    search_fields = ["employee_number", "last_name", "first_name", "work_email"]
    list_export = ["employee_number", "last_name", "first_name", "work_email", "nhs_service_start"]
    edit_handler = _panels(
        "employee_number",
        "first_name",
        "last_name",
        "work_email",
        "date_of_birth",
        "nhs_service_start",
        "pension_return_date",
    )


class AssignmentViewSet(TrackerViewSet):
    model = Assignment
    icon = "link"
    menu_label = "Assignments"
    name = "assignments"
    list_display = ["assignment_number", "staff_member", "post", "category", "start_on", "end_on"]
    list_filter = ["category", "post__organisation", "post__band"]
    list_select_related = ("staff_member", "post")
    search_fields = [
        "assignment_number",
        "staff_member__last_name",
        "staff_member__employee_number",
        "post__position_number",
    ]
    list_export = [
        "assignment_number",
        "staff_member.employee_number",
        "staff_member.last_name",
        "staff_member.first_name",
        "post.organisation.code",
        "post.position_number",
        "get_category_display",
        "annual_salary",
        "start_on",
        "end_on",
    ]
    export_headings = {
        "staff_member.employee_number": "Employee number",
        "staff_member.last_name": "Last name",
        "staff_member.first_name": "First name",
        "post.organisation.code": "Organisation code",
        "post.position_number": "Position number",
        "get_category_display": "Category",
    }
    edit_handler = _panels(
        "assignment_number",
        "staff_member",
        "post",
        "category",
        "annual_salary",
        "start_on",
        "end_on",
    )


class PlannedChangeViewSet(TrackerViewSet):
    model = PlannedChange
    icon = "tasks"
    menu_label = "Planned changes"
    name = "planned_changes"
    inspect_view_class = admin_views.PlannedChangeInspectView
    list_display = [
        "post",
        "action",
        "destination_organisation",
        "effective_on",
        "status",
        "programme",
    ]
    list_filter = ["programme", "status", "action", "post__organisation", "post__band"]
    list_select_related = ("post", "post__organisation", "destination_organisation", "programme")
    search_fields = ["post__position_number", "post__title", "reason"]
    list_export = [
        "programme.name",
        "post.organisation.code",
        "post.position_number",
        "post.title",
        "get_action_display",
        "destination_organisation.code",
        "destination_position_number",
        "effective_on",
        "get_status_display",
        "reason",
        "author",
        "approved_by",
        "applied_at",
    ]
    export_headings = {
        "programme.name": "Programme",
        "post.organisation.code": "Organisation code",
        "post.position_number": "Position number",
        "post.title": "Position title",
        "get_action_display": "Action",
        "destination_organisation.code": "Destination code",
        "get_status_display": "Status",
    }
    edit_handler = _panels(
        "programme",
        "post",
        "action",
        "destination_organisation",
        "destination_position_number",
        "effective_on",
    )


class TransitionGroup(ViewSetGroup):
    menu_label = "Transition"
    menu_icon = "list-ul"
    menu_order = 200
    items = (
        OrganisationViewSet,
        SuccessionViewSet,
        ProgrammeViewSet,
        PostViewSet,
        StaffMemberViewSet,
        AssignmentViewSet,
        PlannedChangeViewSet,
    )


@hooks.register("register_admin_viewset")
def register_transition_viewsets():
    return TransitionGroup()


@hooks.register("register_admin_viewset")
def register_tracker_choosers():
    return [
        choosers.organisation_chooser_viewset,
        choosers.post_chooser_viewset,
        choosers.staff_member_chooser_viewset,
    ]


@hooks.register("register_admin_urls")
def register_tracker_urls():
    return [
        path("transition/bulk/", admin_bulk.bulk_changes, name="tracker_bulk_changes"),
        path("transition/as-of/", admin_views.establishment_view, name="tracker_establishment"),
        path(
            "transition/changes/<int:pk>/<str:verb>/",
            admin_views.planned_change_action,
            name="tracker_planned_change_action",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_establishment_menu_item():
    return PermissionMenuItem(
        "Establishment as at a date",
        reverse("tracker_establishment"),
        icon_name="date",
        order=202,
        permission="tracker.view_post",
    )


@hooks.register("register_admin_menu_item")
def register_bulk_menu_item():
    return PermissionMenuItem(
        "Approve / apply in bulk",
        reverse("tracker_bulk_changes"),
        icon_name="check",
        order=201,
        permission="tracker.change_plannedchange",
    )


@hooks.register("before_delete_user")
def refuse_user_deletion(request, user):
    """Accounts are deactivated, never deleted, so the audit history keeps its who."""
    messages.error(
        request,
        f"{user.get_username()} was not deleted: accounts are deactivated instead (untick "
        "'Active' on the account), so the audit history keeps their name.",
    )
    return redirect("wagtailusers_users:edit", user.pk)


@hooks.register("construct_homepage_panels")
def add_programme_panel(request, panels):
    from tracker.dashboard import ProgrammePanel

    if ProgrammePanel.shown_to(request.user):
        panels.append(ProgrammePanel(request.user))
