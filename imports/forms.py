"""Forms for the Workbooks screens in the Wagtail admin."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from imports.readers import MAX_FILE_BYTES
from tracker.models import Organisation, Programme


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Workbook (.xlsx)",
        help_text="Organisations, Establishment and/or Changes sheets, as in the template.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.0f} MB; the limit is "
                f"MAX_FILE_BYTES = {MAX_FILE_BYTES // 1048576} MB."
            )
        return upload


class EstablishmentExportForm(forms.Form):
    as_of = forms.DateField(label="As at", initial=timezone.localdate)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if not getattr(organisations, "_all_allowed", False):
            self.fields["organisation"].required = True
            self.fields["organisation"].empty_label = None


class TransferScheduleForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.all(), to_field_name="slug")
