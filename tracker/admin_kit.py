"""The admin pieces every app's screens share, written once.

- Permission policies (Wagtail `ModelPermissionPolicy`, instance-aware): which screens a role
  may open comes from its groups' model permissions; which rows, from `tracker.access` (tracker
  models) or the app's own selectors (`RolePermissionPolicy`, used by employment).
- `ScopedObjectMixin`: record pages (edit, inspect, history, usage, delete) answer 404 for a row
  the user may not see, 403 for one they may see but not change, whatever id the URL guesses.
- `ReasonFormMixin`, `ScopedFormMixin`, `ServiceFormMixin`: every form asks why; foreign-key
  fields offer only rows the user may change (a forged id fails validation like a typo); a
  service's refusal becomes a form error, writing nothing.
- `PermissionMenuItem`: a menu entry shown to holders of one permission.
- `SafeExportMixin`: list exports (CSV and XLSX) pass every cell through `safe_cell` and write a
  blank for a dotted path through an empty relation instead of failing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.coreutils import multigetattr
from wagtail.permission_policies.base import BasePermissionPolicy, ModelPermissionPolicy

from tracker import access
from tracker.models import Organisation, Post, Programme, StaffMember
from tracker.roles import has_role
from tracker.spreadsheets import safe_cell

# --- permission policies -----------------------------------------------------------------------


class TrackerPermissionPolicy(ModelPermissionPolicy):
    """A tracker model: the role groups' model permissions say which screens; `tracker.access`
    says which rows (`visible` to view, `changeable` to change or delete)."""

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        if set(actions) <= {"view"}:
            return access.visible(self.model, user)
        return access.changeable(self.model, user)

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return (
            self.instances_user_has_any_permission_for(user, [action])
            .filter(pk=instance.pk)
            .exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return (
            self.instances_user_has_any_permission_for(user, actions)
            .filter(pk=instance.pk)
            .exists()
        )


class RolePermissionPolicy(BasePermissionPolicy):
    """Model-level permissions from named roles; which records, from the app's selectors
    (`visible` for viewing, `changeable` for changing; defaults to `visible`).

    Nobody but a superuser deletes: records are withdrawn or closed, never deleted."""

    def __init__(
        self,
        model,
        *,
        view_roles,
        change_roles,
        visible: Callable[[Any], QuerySet],
        changeable: Callable[[Any], QuerySet] | None = None,
    ):
        super().__init__(model)
        self.view_roles = tuple(view_roles)
        self.change_roles = tuple(change_roles)
        self.visible = visible
        self.changeable = changeable or visible

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        if action == "view":
            return any(has_role(user, role) for role in self.view_roles + self.change_roles)
        if action in ("add", "change"):
            return any(has_role(user, role) for role in self.change_roles)
        return False

    def users_with_any_permission(self, actions):
        roles = self.change_roles + (self.view_roles if "view" in actions else ())
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name__in=roles))
            .distinct()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        if set(actions) <= {"view"}:
            return self.visible(user)
        return self.changeable(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.instances_user_has_any_permission_for(user, [action])
            .filter(pk=instance.pk)
            .exists()
        )


# --- record pages ------------------------------------------------------------------------------

#: The views whose action changes the record: out of change scope they answer 403.
CHANGE_ACTIONS = ("change", "delete")


class ScopedObjectMixin:
    """404 for a record outside what the user may see (guessed ids learn nothing), 403 for one
    they may see but not change, on a page that changes it. Needs `permission_policy` (the
    viewset passes it) and `scope_action` ("view" for inspect, history and usage)."""

    scope_action = "view"

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        policy = self.permission_policy
        user = self.request.user
        if not policy.user_has_permission_for_instance(user, "view", obj):
            raise Http404
        if self.scope_action in CHANGE_ACTIONS and not policy.user_has_permission_for_instance(
            user, self.scope_action, obj
        ):
            raise PermissionDenied
        return obj


# --- forms -------------------------------------------------------------------------------------


class ReasonFormMixin(forms.Form):
    """Every admin form asks why: the answer is the reason on the history row."""

    change_reason = forms.CharField(
        label="Reason for this change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit history with your name.",
    )


def offered(model: type[Model], user) -> QuerySet | None:
    """The rows of a tracker model a form may offer `user` to link to: those they may change,
    except programmes, which a change is planned *in* (the ones they may see)."""
    if model is Programme:
        return access.visible(Programme, user)
    if model in (Organisation, Post, StaffMember):
        return access.changeable(model, user)
    return None


class ScopedFormMixin:
    """Narrows every foreign-key and many-to-many field to the rows `offered` to the form's user
    (Wagtail passes `for_user`), so neither the page nor a forged POST can name another
    organisation's post, person or organisation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None) or kwargs.get("for_user")
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            narrowed = offered(queryset.model, user) if user is not None else None
            if narrowed is not None:
                field.queryset = narrowed


class ServiceFormMixin:
    """Turn a service's refusal (a ValidationError such as `OutOfScope` for a forged choice)
    into a form error, writing nothing: Wagtail's save runs in a transaction the refusal rolls
    back."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            # Wagtail's form_invalid reads what `is_valid` would have set on failure.
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


# --- menus -------------------------------------------------------------------------------------


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users holding one model permission."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


# --- list exports ------------------------------------------------------------------------------


#: The hook that writes a list's export (`?export=xlsx` or `csv` on an admin list). The imports
#: app, which owns the exports, registers it: it streams the rows through the exports' writer,
#: and a large list becomes a background export with progress and a download link
#: (`imports.exports.listing`). Without it, Wagtail's own export runs.
LISTING_EXPORT_HOOK = "write_listing_export"


class SafeExportMixin:
    """For `IndexView` subclasses with `list_export`: every cell through `safe_cell` after
    Wagtail's own formatting, CSV and XLSX alike; a dotted path through an empty relation
    (a change without a destination) is a blank cell. The export itself is written by the
    `LISTING_EXPORT_HOOK`, without building the list's page (Wagtail's export holds every row
    in memory first)."""

    def get(self, request, *args, **kwargs):
        if self.is_export:
            for write in hooks.get_hooks(LISTING_EXPORT_HOOK):
                return write(self)
        return super().get(request, *args, **kwargs)

    def to_row_dict(self, item):
        row = OrderedDict()
        for field in self.list_export:
            try:
                row[field] = multigetattr(item, field)
            except AttributeError:
                row[field] = None
        return row

    def preprocess_field_value(self, field, value, export_format):
        if value is None:
            return ""
        return safe_cell(super().preprocess_field_value(field, value, export_format))


# --- record pages as a person reads them -------------------------------------------------------


class ReadableInspectMixin:
    """Inspect pages say "Yes"/"No" for a flag and a dash for nothing recorded, never Python's
    `True`, `False` or `None`."""

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if value is None or value == "":
            return "—"
        return super().get_field_display_value(field_name, field)
