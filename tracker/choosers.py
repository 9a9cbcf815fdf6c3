"""Choosers for organisations, posts and staff members: searchable, paged modals that list only
the rows the signed-in user may link to (`tracker.access.changeable`), so a form never renders
a 40,000-option select and a chosen id from another organisation is refused.

Each viewset registers its widget for the foreign keys to its model on the forms Wagtail makes
for its viewsets (`register_widget`). A form class written out in a module (the employment
case forms) is made when the module is imported, before that registration, so it names the
widget itself: `OrganisationChooserWidget`, `PostChooserWidget`, `StaffMemberChooserWidget`.
The widgets start through signin/admin-csp.js, not an inline script (`tracker.signin.choosers`).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import (
    ChooseResultsView,
    ChooseView,
    ChosenMultipleView,
    ChosenView,
)
from wagtail.admin.viewsets.chooser import ChooserViewSet

from tracker import access
from tracker.models import Organisation, Post, StaffMember

#: The database fields each chooser's search box looks in (case-insensitive, contains).
SEARCH_FIELDS: dict[type, tuple[str, ...]] = {
    Organisation: ("code", "name"),
    Post: ("position_number", "title", "organisation__code"),
    StaffMember: ("employee_number", "last_name", "first_name"),
}
SELECT_RELATED: dict[type, tuple[str, ...]] = {Post: ("organisation",)}


def choosable(model: type, user) -> QuerySet:
    queryset = access.changeable(model, user)
    if related := SELECT_RELATED.get(model):
        queryset = queryset.select_related(*related)
    return queryset


class SearchForm(BaseFilterForm):
    q = forms.CharField(
        label="Search term",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Search"}),
    )

    def __init__(self, *args, search_fields: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.search_fields = search_fields

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query and self.search_fields:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(
                reduce(or_, (Q(**{f"{name}__icontains": query}) for name in self.search_fields))
            )
        return objects


class ScopedChooseMixin:
    def get_object_list(self):
        return choosable(self.model_class, self.request.user)

    def get_filter_form(self):
        return SearchForm(self.request.GET, search_fields=SEARCH_FIELDS[self.model_class])


class ScopedChooseView(ScopedChooseMixin, ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooseMixin, ChooseResultsView):
    pass


class ScopedChosenView(ChosenView):
    """The chosen-item endpoint names the record, so it answers 404 outside scope too."""

    def get_object(self, pk):
        found = choosable(self.model_class, self.request.user).filter(pk=pk).first()
        if found is None:
            raise Http404
        return found


class ScopedChosenMultipleView(ChosenMultipleView):
    def get_objects(self, pks):
        return choosable(self.model_class, self.request.user).filter(pk__in=pks)


class ScopedChooserViewSet(ChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    per_page = 20
    icon = "list-ul"


organisation_chooser_viewset = ScopedChooserViewSet(
    "organisation_chooser",
    model=Organisation,
    icon="site",
    choose_one_text="Choose an organisation",
    choose_another_text="Choose another organisation",
)
post_chooser_viewset = ScopedChooserViewSet(
    "post_chooser",
    model=Post,
    icon="user",
    choose_one_text="Choose a post",
    choose_another_text="Choose another post",
)
staff_member_chooser_viewset = ScopedChooserViewSet(
    "staff_member_chooser",
    model=StaffMember,
    icon="group",
    choose_one_text="Choose a staff member",
    choose_another_text="Choose another staff member",
)

OrganisationChooserWidget = organisation_chooser_viewset.widget_class
PostChooserWidget = post_chooser_viewset.widget_class
StaffMemberChooserWidget = staff_member_chooser_viewset.widget_class
