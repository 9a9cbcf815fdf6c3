"""The admin's side of signing in: the script that stands in for Wagtail's inline scripts under
the admin Content-Security-Policy, and a link to the user's own second-factor settings."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def csp_safe_initialisers():
    return format_html('<script src="{}"></script>', static("signin/admin-csp.js"))
