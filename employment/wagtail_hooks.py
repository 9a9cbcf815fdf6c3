"""The "Employment" menu in the Wagtail admin: cases, collective consultations, the redeployment
register and offers, and the at-risk figures. Views live in the `employment.admin_views` package
(cases, consultations, register, view_log); who sees what is decided in `employment.selectors`
through the permission policies registered here."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from employment import admin_views, alert_views, alerts
from employment.models import Case, CaseViewLog, CollectiveConsultation, RedeploymentOffer

register_permission_policy(Case, admin_views.case_policy)
register_permission_policy(CollectiveConsultation, admin_views.consultation_policy)
register_permission_policy(RedeploymentOffer, admin_views.offer_policy)
register_permission_policy(CaseViewLog, admin_views.view_log_policy)


class EmploymentViewSet(ModelViewSet):
    """Shared wiring: inspect is the record's page, no copying, no deleting, no Wagtail log
    history (the case page shows the audit timeline from django-simple-history)."""

    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None
    list_per_page = 50

    def get_urlpatterns(self):
        # Deleting is never offered (records are withdrawn or closed), and Wagtail's log-entry
        # history would be empty beside the audit history shown on each record's page.
        return [
            p for p in super().get_urlpatterns()
            if p.name not in ("delete", "history", "history_results", "usage")
        ]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("delete_url_name", "history_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs


def _inspect_link(url_name):
    return lambda instance: reverse(url_name, args=[instance.pk])


class CaseViewSet(EmploymentViewSet):
    model = Case
    name = "employment_cases"
    url_prefix = "employment/cases"
    icon = "user"
    menu_label = "Cases"
    index_view_class = admin_views.CaseIndexView
    add_view_class = admin_views.CaseCreateView
    edit_view_class = admin_views.CaseEditView
    inspect_view_class = admin_views.CaseInspectView
    # Listed explicitly: the union's name and the priority flag are shown by the template only
    # to those entitled to them, never by the generic field list.
    inspect_view_fields = [
        "staff_member", "employer", "establishment", "post", "programme", "status",
        "status_changed_on", "is_very_senior", "package_total",
    ]
    list_filter = ["status", "employer"]
    # No union or sensitive fields on the list, ever.
    list_display = [
        TitleColumn(
            "staff_member", label="Person", get_url=_inspect_link("employment_cases:inspect")
        ),
        Column("employer", label="Employer"),
        Column("get_status_display", label="Status", sort_key="status"),
        Column("status_changed_on", label="Since", sort_key="status_changed_on"),
        Column("at_risk_on", label="At risk from", sort_key="at_risk_on"),
    ]

    def get_form_class(self, for_update=False):
        return admin_views.CaseEditForm if for_update else admin_views.CaseOpenForm


class ConsultationViewSet(EmploymentViewSet):
    model = CollectiveConsultation
    name = "employment_consultations"
    url_prefix = "employment/consultations"
    icon = "group"
    menu_label = "Collective consultations"
    index_view_class = admin_views.ConsultationIndexView
    add_view_class = admin_views.ConsultationCreateView
    edit_view_class = admin_views.ConsultationEditView
    inspect_view_class = admin_views.ConsultationInspectView
    inspect_view_fields = ["employer", "establishment", "programme", "starts_on",
                           "hr1_submitted_on"]
    list_display = [
        TitleColumn(
            "__str__", label="Employer and establishment",
            get_url=_inspect_link("employment_consultations:inspect"),
        ),
        Column("starts_on", label="Started"),
        Column("peak_in_90_days", label="Most in 90 days"),
        Column("threshold_text", label="Threshold"),
        Column("hr1_due", label="HR1 due"),
        Column("hr1_submitted_on", label="HR1 sent"),
    ]

    def get_form_class(self, for_update=False):
        return admin_views.ConsultationForm


class OfferViewSet(EmploymentViewSet):
    model = RedeploymentOffer
    name = "employment_offers"
    url_prefix = "employment/offers"
    icon = "resubmit"
    menu_label = "Redeployment offers"
    index_view_class = admin_views.OfferIndexView
    inspect_view_class = admin_views.OfferInspectView
    inspect_view_fields = ["case", "post", "status", "offered_on", "responded_on",
                           "refusal_reason", "trial_outcome", "trial_outcome_on"]
    list_display = [
        TitleColumn("post", label="Post", get_url=_inspect_link("employment_offers:inspect")),
        Column("case", label="Case"),
        Column("get_status_display", label="Status", sort_key="status"),
        Column("offered_on", label="Offered"),
        Column("get_trial_outcome_display", label="Trial"),
    ]
    # Offers are made from the register, so there is no blank "add" form.
    exclude_form_fields = []

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name not in ("add", "edit")]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs.update(add_url_name=None, edit_url_name=None)
        return view_kwargs


class CaseViewLogViewSet(EmploymentViewSet):
    """The log of named-case views by union representatives and auditors: read-only, for
    auditors (and superusers)."""

    model = CaseViewLog
    name = "employment_case_views"
    url_prefix = "employment/case-views"
    icon = "view"
    menu_label = "Case view log"
    inspect_view_enabled = False
    index_view_class = admin_views.CaseViewLogIndexView
    exclude_form_fields = []  # no add or edit screen is served
    list_filter = ["role", "screen"]
    list_display = [
        Column("viewed_at", label="When", sort_key="viewed_at"),
        Column("user", label="Who"),
        Column("role", label="Role"),
        Column("get_screen_display", label="Screen", sort_key="screen"),
        Column("case_count", label="Cases shown"),
        Column("case_numbers", label="Case numbers"),
    ]

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in ("index", "index_results")]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs.update(add_url_name=None, edit_url_name=None, inspect_url_name=None)
        return view_kwargs


class EmploymentGroup(ViewSetGroup):
    menu_label = "Employment"
    menu_icon = "group"
    menu_order = 210
    items = (CaseViewSet, ConsultationViewSet, OfferViewSet, CaseViewLogViewSet)


@hooks.register("register_admin_viewset")
def register_employment_viewsets():
    return EmploymentGroup()


@hooks.register("register_admin_urls")
def register_employment_urls():
    return [
        path(
            "employment/cases/<int:pk>/transition/",
            admin_views.case_transition_view,
            name="employment_case_transition",
        ),
        path(
            "employment/consultations/<int:pk>/record/<str:what>/",
            admin_views.consultation_record_view,
            name="employment_consultation_record",
        ),
        path(
            "employment/register/",
            admin_views.redeployment_register_view,
            name="employment_redeployment_register",
        ),
        path(
            "employment/register/<int:pk>/",
            admin_views.redeployment_matches_view,
            name="employment_redeployment_matches",
        ),
        path(
            "employment/register/<int:pk>/offer/<int:post_pk>/",
            admin_views.redeployment_offer_view,
            name="employment_redeployment_offer",
        ),
        path(
            "employment/offers/<int:pk>/<str:verb>/",
            admin_views.redeployment_offer_action_view,
            name="employment_offer_action",
        ),
        path(
            "employment/at-risk/",
            admin_views.at_risk_summary_view,
            name="employment_at_risk_summary",
        ),
        path("alerts/", alert_views.alert_inbox_view, name="employment_alert_inbox"),
        path(
            "alerts/<int:pk>/acknowledge/",
            alert_views.alert_acknowledge_view,
            name="employment_alert_acknowledge",
        ),
    ]


class RegisterMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.offer_policy.user_has_permission(request.user, "view")


class SummaryMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.case_policy.user_has_permission(request.user, "view")


@hooks.register("register_admin_menu_item")
def register_register_menu_item():
    return RegisterMenuItem(
        "Redeployment register", reverse("employment_redeployment_register"),
        icon_name="resubmit", order=211,
    )


@hooks.register("register_admin_menu_item")
def register_summary_menu_item():
    return SummaryMenuItem(
        "At-risk figures", reverse("employment_at_risk_summary"), icon_name="table", order=212,
    )


class AlertsMenuItem(MenuItem):
    """Everyone who can reach the admin has an inbox; the label carries their unacknowledged
    count (one COUNT query per page)."""

    def render_component(self, request):
        count = alerts.unacknowledged_count(request.user)
        label = f"{self.label} ({count})" if count else self.label
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname,
            attrs=self.attrs,
        )


@hooks.register("register_admin_menu_item")
def register_alerts_menu_item():
    return AlertsMenuItem(
        "Alerts", reverse("employment_alert_inbox"), name="alerts", icon_name="warning", order=205,
    )


@hooks.register("construct_homepage_panels")
def add_employment_dashboard_panels(request, panels):
    from employment.dashboard import AtRiskPanel, CaseworkPanel

    for panel_class in (AtRiskPanel, CaseworkPanel):
        if panel_class.shown_to(request.user):
            panels.append(panel_class(request.user))


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    from employment.dashboard_views import at_risk_figures_download

    return [
        path(
            "employment/at-risk-figures.csv",
            at_risk_figures_download,
            name="employment_at_risk_figures_download",
        )
    ]
