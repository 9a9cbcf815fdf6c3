"""`export_workbook KIND PATH [--organisation CODE] [--programme SLUG] [--as-of YYYY-MM-DD]
[--since YYYY-MM-DD] [--until YYYY-MM-DD] [--status STATUS]`

KIND: establishment (as of --as-of, default today; optionally one --organisation),
transfer-schedule (needs --programme; optionally --organisation: changes from or to it),
at-risk (optionally --organisation, --programme), consultation (optionally --organisation and
--programme), audit (optionally --organisation, --since, --until), cases (optionally
--organisation, --programme, --status), and template (the import template). A PATH ending in
.csv writes CSV (one-sheet kinds only); otherwise .xlsx. Exit 2 for bad arguments, with a
one-line message. The command line sees every organisation.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from imports import exports
from tracker.models import Organisation, Programme


def _date(option: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option}: '{value}' is not a date (YYYY-MM-DD).", returncode=2
        ) from None


class Command(BaseCommand):
    help = (
        "Export a workbook: establishment, transfer-schedule, at-risk, consultation, audit, "
        "cases or the import template."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[*exports.KINDS, "template"])
        parser.add_argument("path")
        parser.add_argument("--organisation", help="ODS code")
        parser.add_argument("--programme", help="programme slug")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--since", help="audit: from the start of YYYY-MM-DD")
        parser.add_argument("--until", help="audit: to the end of YYYY-MM-DD")
        parser.add_argument("--status", help="cases: one case status, e.g. at_risk")

    def handle(
        self,
        *args,
        kind,
        path,
        organisation=None,
        programme=None,
        as_of=None,
        since=None,
        until=None,
        status=None,
        **options,
    ):
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation.strip().upper()).first()
            if org is None:
                raise CommandError(
                    f"--organisation: no organisation '{organisation}'.", returncode=2
                )
        found = None
        if programme:
            found = Programme.objects.filter(slug=programme).first()
            if found is None:
                raise CommandError(f"--programme: no programme '{programme}'.", returncode=2)
        day = _date("--as-of", as_of) or timezone.localdate()
        start, end = _date("--since", since), _date("--until", until)
        if start and end and start > end:
            raise CommandError("--since must be on or before --until.", returncode=2)
        if status:
            from employment.models import Case

            if status not in Case.Status.values:
                raise CommandError(
                    f"--status: '{status}' is not one of {', '.join(Case.Status.values)}.",
                    returncode=2,
                )
        if kind == "transfer-schedule" and found is None:
            raise CommandError("transfer-schedule needs --programme SLUG.", returncode=2)
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        try:
            with open(path, "wb") as stream:
                if kind == "establishment":
                    rows = exports.export_establishment(
                        stream, as_of=day, organisation=org, fmt=fmt
                    )
                elif kind == "transfer-schedule":
                    rows = exports.export_transfer_schedule(
                        stream, programme=found, organisation=org, fmt=fmt
                    )
                elif kind == "at-risk":
                    rows = exports.export_at_risk(
                        stream, organisation=org, programme=found, fmt=fmt
                    )
                elif kind == "consultation":
                    rows = exports.export_consultation(
                        stream, organisation=org, programme=found, fmt=fmt
                    )
                elif kind == "audit":
                    rows = exports.export_audit(
                        stream, organisation=org, since=start, until=end, fmt=fmt
                    )
                elif kind == "cases":
                    rows = exports.export_cases(
                        stream, organisation=org, programme=found, status=status, fmt=fmt
                    )
                else:
                    exports.workbook_template(stream)
                    rows = 0
        except exports.ExportError as exc:
            raise CommandError(f"{kind}: {exc}", returncode=2) from exc
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=2) from exc
        self.stdout.write(f"{kind}: {rows:,} rows written to {path}")
