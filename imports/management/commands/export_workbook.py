"""`export_workbook KIND PATH [--organisation CODE] [--programme SLUG] [--as-of YYYY-MM-DD]`

KIND: establishment (as of --as-of, default today; optionally one --organisation),
transfer-schedule (needs --programme), at-risk (optionally --organisation), consultation
(optionally --organisation and --programme), audit, and template (the import template).
Exit 2 for bad arguments, with a one-line message.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from imports import exports
from tracker.models import Organisation, Programme


class Command(BaseCommand):
    help = "Export a workbook: establishment, transfer-schedule, audit or the import template."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[*exports.KINDS, "template"])
        parser.add_argument("path")
        parser.add_argument("--organisation", help="ODS code")
        parser.add_argument("--programme", help="programme slug")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default today)")

    def handle(self, *args, kind, path, organisation=None, programme=None, as_of=None, **options):
        if kind in exports.NOT_YET:
            raise CommandError(
                f"export '{kind}' is not available yet: it needs the employment cases and "
                "consultation records, which this export does not read yet.",
                returncode=2,
            )
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation.strip().upper()).first()
            if org is None:
                raise CommandError(
                    f"--organisation: no organisation '{organisation}'.", returncode=2
                )
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"--as-of: '{as_of}' is not a date (YYYY-MM-DD).", returncode=2
            ) from None
        try:
            with open(path, "wb") as stream:
                if kind == "establishment":
                    rows = exports.export_establishment(stream, as_of=day, organisation=org)
                elif kind == "transfer-schedule":
                    if not programme:
                        raise CommandError(
                            "transfer-schedule needs --programme SLUG.", returncode=2
                        )
                    found = Programme.objects.filter(slug=programme).first()
                    if found is None:
                        raise CommandError(
                            f"--programme: no programme '{programme}'.", returncode=2
                        )
                    rows = exports.export_transfer_schedule(stream, programme=found)
                elif kind == "at-risk":
                    rows = exports.export_at_risk(stream, organisation=org)
                elif kind == "consultation":
                    found = None
                    if programme:
                        found = Programme.objects.filter(slug=programme).first()
                        if found is None:
                            raise CommandError(
                                f"--programme: no programme '{programme}'.", returncode=2
                            )
                    rows = exports.export_consultation(stream, organisation=org, programme=found)
                elif kind == "audit":
                    rows = exports.export_audit(stream)
                else:
                    exports.workbook_template(stream)
                    rows = 0
        except exports.ExportError as exc:
            raise CommandError(f"{kind}: {exc}", returncode=2) from exc
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from exc
        self.stdout.write(f"{kind}: {rows:,} rows written to {path}")
