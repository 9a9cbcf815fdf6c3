"""The "Workbooks" menu in the Wagtail admin: import a workbook, the import history, exports and
the template. Shown only to people who may change the establishment (see `imports.views`)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from imports import access, views
from imports.exports import admin as export_admin
from imports.exports import listing
from tracker.admin_kit import LISTING_EXPORT_HOOK

export_admin.register()  # the Exports screens (/admin/exports/), owned by the exports package

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("history/", views.history, name="history"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("runs/<int:pk>/restart/", views.restart, name="restart"),
    path("runs/<int:pk>/rejected-rows/", views.rejected_rows, name="rejected_rows"),
    path("exports/", views.exports_view, name="exports"),
    path("template/", views.template_download, name="template"),
]


@hooks.register(LISTING_EXPORT_HOOK)
def write_listing_export(view):
    """The tracker lists' export buttons write through the exports (`imports.exports.listing`)."""
    return listing.respond(view)


@hooks.register("register_admin_urls")
def register_urls():
    return [path("workbooks/", include((urlpatterns, "imports"), namespace="imports"))]


class WorkbooksMenuItem(MenuItem):
    def is_shown(self, request):
        return access.may_use_workbooks(request.user)


class ImportHistoryMenuItem(MenuItem):
    def is_shown(self, request):
        return access.may_view_imports(request.user)


class WorkbooksSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return access.may_use_workbooks(request.user) or access.may_view_imports(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    menu = Menu(
        items=[
            WorkbooksMenuItem(
                "Import workbook", reverse("imports:upload"), icon_name="upload", order=100
            ),
            ImportHistoryMenuItem(
                "Import history", reverse("imports:history"), icon_name="history", order=200
            ),
            WorkbooksMenuItem("Exports", reverse("exports:index"), icon_name="download", order=300),
            WorkbooksMenuItem(
                "Download template", reverse("imports:template"), icon_name="doc-empty", order=400
            ),
        ]
    )
    return WorkbooksSubmenu("Workbooks", menu, icon_name="table", order=400)
