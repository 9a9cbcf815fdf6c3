"""One form per export kind, offering only the organisations and programmes the user may see,
with the filters of the screen each export mirrors."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tracker.models import Programme, User
from tracker.selectors import scoped, visible_organisations

_DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
# kind -> (fields, formats)
SHAPES = {
    "establishment": (("organisation", "as_of"), ("xlsx", "csv")),
    "transfer-schedule": (("programme", "organisation"), ("xlsx", "csv")),
    "at-risk": (("organisation", "programme"), ("xlsx", "csv")),
    "consultation": (("organisation", "programme"), ("xlsx",)),
    "audit": (("organisation", "since", "until"), ("xlsx", "csv")),
    "cases": (("organisation", "status", "programme"), ("xlsx", "csv")),
}


class ExportForm(forms.Form):
    def __init__(self, *args, kind: str, user: User, **kwargs):
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        names, formats = SHAPES[kind]
        for name in names:
            self.fields[name] = self._field(name, user)
        self.fields["fmt"] = forms.ChoiceField(
            label="Format",
            choices=[(f, {"xlsx": "Excel (.xlsx)", "csv": "CSV"}[f]) for f in formats],
            help_text="CSV has no row limit; an Excel audit trail continues on further sheets.",
        )

    def _field(self, name: str, user: User) -> forms.Field:
        if name == "organisation":
            label = "Employer" if self.kind in ("at-risk", "cases", "consultation") else None
            return forms.ModelChoiceField(
                queryset=visible_organisations(user),
                required=False,
                empty_label="Every organisation you cover",
                label=label or "Organisation",
            )
        if name == "programme":
            queryset = scoped(Programme, user)
            return forms.ModelChoiceField(
                queryset=queryset,
                required=self.kind == "transfer-schedule",
                empty_label=None if self.kind == "transfer-schedule" else "Any programme",
            )
        if name == "as_of":
            return forms.DateField(label="As at the end of", initial=timezone.localdate, **_DATE)
        if name == "since":
            return forms.DateField(label="From", required=False, **_DATE)
        if name == "until":
            return forms.DateField(label="To", required=False, **_DATE)
        if name == "status":
            from employment.models import Case

            return forms.ChoiceField(
                choices=[("", "Any status"), *Case.Status.choices], required=False
            )
        raise KeyError(name)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("since", "Must be on or before the 'To' date.")
        return cleaned

    def params(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            if name == "fmt" or value in (None, ""):
                continue
            out[name] = (
                value.pk
                if hasattr(value, "pk")
                else (value.isoformat() if hasattr(value, "isoformat") else value)
            )
        return out
