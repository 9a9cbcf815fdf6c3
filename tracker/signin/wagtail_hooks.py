"""The admin's side of signing in: the script that stands in for Wagtail's inline scripts under
the admin Content-Security-Policy, and the screen where a superuser unlocks a locked account."""

from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem


@hooks.register("insert_global_admin_js")
def csp_safe_initialisers():
    return format_html('<script src="{}"></script>', static("signin/admin-csp.js"))


@hooks.register("register_admin_urls")
def lockout_urls():
    from django.urls import path

    from tracker.signin import admin_views

    return [path("sign-in-locks/", admin_views.lockouts, name="signin_lockouts")]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def lockouts_menu_item():
    return SuperuserMenuItem("Sign-in locks", reverse("signin_lockouts"), icon_name="lock")


@hooks.register("register_account_menu_item")
def second_factor_settings(request):
    return {
        "url": reverse("mfa_index"),
        "label": "Authenticator app and recovery codes",
        "help_text": "Replace your authenticator app or make new recovery codes.",
    }
