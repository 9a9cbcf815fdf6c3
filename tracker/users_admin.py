"""The Wagtail user screens, extended: a user's role (groups), the organisations they cover and,
for a union representative, their union, all set through `tracker.services.user_access_update`
with a required reason, so each change is logged with who and why (`UserAccessChange`, shown on
the edit screen). Name, e-mail and password are saved by Wagtail as before.

Who manages users: administrators only. Wagtail's user screens need the `auth.*_user`
permissions, which no role carries, and the service refuses anyone else.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users

from tracker import services
from tracker.admin_kit import ReasonFormMixin, ServiceFormMixin
from tracker.models import Organisation, UserAccessChange
from tracker.unions import Union

User = get_user_model()

#: The form fields that decide what a user may reach: they go through the service, never
#: straight onto the account.
ACCESS_FIELDS = ("groups", "organisations", "union", "is_superuser", "is_active")


class AccessFieldsMixin(ReasonFormMixin):
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An HR manager sees and changes only these; a union representative sees "
        "the at-risk picture for these.",
    )
    union = forms.ChoiceField(
        choices=[("", "None"), *Union.choices],
        required=False,
        help_text="For a union representative: the union they represent.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_reason"].help_text = (
            "Why this person's access is being set or changed; recorded with your name."
        )
        if self.instance.pk:
            self.fields["organisations"].initial = list(
                self.instance.organisations.values_list("pk", flat=True)
            )
            self.fields["union"].initial = self.instance.union


class TrackerUserCreationForm(AccessFieldsMixin, UserCreationForm):
    pass


class TrackerUserEditForm(AccessFieldsMixin, UserEditForm):
    pass


@transaction.atomic
def _save_with_access(view) -> User:
    """Save the account fields as Wagtail does, then the access fields through the service."""
    form = view.form
    existing = User.objects.filter(pk=form.instance.pk).first() if form.instance.pk else None
    user = form.save(commit=False)
    for name in ("is_superuser", "is_active"):
        # Restored from the stored account (or the new account's default) so only the service
        # changes them, and logs it.
        new_account_default = name == "is_active"
        setattr(user, name, getattr(existing, name) if existing else new_account_default)
    user.save()
    data = {
        name: form.cleaned_data[name] for name in ACCESS_FIELDS if name in form.cleaned_data
    }
    services.user_access_update(
        user=user,
        acting_user=view.request.user,
        reason=form.cleaned_data["change_reason"],
        **data,
    )
    return user


class UserCreateView(ServiceFormMixin, wagtail_users.CreateView):
    def save_instance(self):
        return _save_with_access(self)


class UserEditView(ServiceFormMixin, wagtail_users.EditView):
    def save_instance(self):
        user = _save_with_access(self)
        if user == self.request.user and "password1" in self.form.changed_data:
            update_session_auth_hash(self.request, user)  # as Wagtail's own edit view does
        return user

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["access_changes"] = UserAccessChange.objects.filter(
            user=self.object
        ).select_related("changed_by")[:50]
        return context


class TrackerUserViewSet(wagtail_users.UserViewSet):
    add_view_class = UserCreateView
    edit_view_class = UserEditView

    def get_form_class(self, for_update=False):
        return TrackerUserEditForm if for_update else TrackerUserCreationForm
