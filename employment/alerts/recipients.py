"""Who is told, and how each of them may see the person an alert is about.

* HR managers (active) covering the case's employer or its post's organisation: named.
* Union representatives (active) covering those organisations: named only where the member asked
  for representation *by that representative's own union* (`User.union` equals the case's union
  code); every other representative gets the anonymised text. Someone in both roles gets one
  named row. Auditors, staff, CMS editors and superusers are not told about cases.
* A guarantee page's review date goes to its owner and to the CMS editors (active), named (there
  is no person in it).

Anonymised text never singles anyone out: it names the organisation, and a band and directorate
only when at least `SMALL_NUMBER` people in that organisation hold that band, that directorate,
and (when both are named) both. Otherwise the detail is dropped, down to "a member of staff in
<organisation>". Post titles are never used: a title is usually held by one or two people. The
counts are of people with an assignment current on the day, read in three grouped queries for
every organisation the alerts concern.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from employment.alerts.events import Event
from employment.models import Case
from tracker.models import Assignment
from tracker.roles import CMS_EDITOR, HR_MANAGER, UNION_REP
from tracker.selectors import current_on

#: Groups smaller than this are never described (product.md: "fewer than 5").
SMALL_NUMBER = 5


@dataclass(frozen=True)
class Recipient:
    user_id: int
    named: bool


def recipients_for_events(events: Iterable[Event]) -> dict[str, list[Recipient]]:
    """dedupe key -> recipients, for every event, in at most two queries."""
    events = list(events)
    organisation_ids = set().union(*(e.organisation_ids for e in events)) if events else set()
    by_org: dict[int, dict[int, tuple[set[str], str]]] = defaultdict(dict)
    if organisation_ids:
        rows = (
            get_user_model()
            .objects.filter(
                is_active=True,
                organisations__in=organisation_ids,
                groups__name__in=[HR_MANAGER, UNION_REP],
            )
            .values_list("pk", "organisations", "groups__name", "union")
        )
        for pk, org_id, group, union in rows:
            roles, _ = by_org[org_id].get(pk, (set(), union))
            roles.add(group)
            by_org[org_id][pk] = (roles, union or "")

    page_events = [e for e in events if e.page_id is not None]
    editors: set[int] = set()
    active_owners: set[int] = set()
    if page_events:
        owner_ids = {e.page_owner_id for e in page_events if e.page_owner_id}
        rows = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(groups__name=CMS_EDITOR) | Q(pk__in=owner_ids))
            .values_list("pk", "groups__name")
        )
        for pk, group in rows:
            if group == CMS_EDITOR:
                editors.add(pk)
            if pk in owner_ids:
                active_owners.add(pk)

    result: dict[str, list[Recipient]] = {}
    for event in events:
        if event.page_id is not None:
            people = editors | ({event.page_owner_id} & active_owners)
            result[event.dedupe_key] = [Recipient(pk, True) for pk in sorted(people)]
            continue
        named: dict[int, bool] = {}
        for org_id in event.organisation_ids:
            for pk, (roles, union) in by_org.get(org_id, {}).items():
                sees_name = HR_MANAGER in roles or (
                    event.representing_union is not None and union == event.representing_union
                )
                named[pk] = named.get(pk, False) or sees_name
        result[event.dedupe_key] = [Recipient(pk, named[pk]) for pk in sorted(named)]
    return result


# --- anonymised descriptions -------------------------------------------------------------------


@dataclass(frozen=True)
class HolderCounts:
    """How many people hold each band, directorate and band-in-directorate, per organisation."""

    band: dict[tuple[int, str], int]
    directorate: dict[tuple[int, str], int]
    band_directorate: dict[tuple[int, str, str], int]

    def describe(self, case: Case) -> str:
        """'a Band 6 post-holder in Finance', 'a Band 6 post-holder', 'a member of staff in
        Finance' or 'a member of staff', whichever is the most specific that is held by at least
        `SMALL_NUMBER` people in the post's organisation; then the organisation."""
        org = case.post.organisation if case.post_id else case.employer
        where = f"{org.name} ({org.code})"
        if not case.post_id:
            return f"a member of staff in {where}"
        band, directorate = case.post.band, case.post.directorate
        band_label = case.post.get_band_display()
        many_band = self.band.get((org.pk, band), 0) >= SMALL_NUMBER
        many_dir = bool(directorate) and (
            self.directorate.get((org.pk, directorate), 0) >= SMALL_NUMBER
        )
        many_both = (
            many_band
            and many_dir
            and (self.band_directorate.get((org.pk, band, directorate), 0) >= SMALL_NUMBER)
        )
        if many_both:
            return f"a {band_label} post-holder in {directorate}, {where}"
        if many_band:
            return f"a {band_label} post-holder in {where}"
        if many_dir:
            return f"a member of staff in {directorate}, {where}"
        return f"a member of staff in {where}"


def holder_counts(organisation_ids: Iterable[int], *, on: dt.date) -> HolderCounts:
    """Three grouped queries, however many organisations and people."""
    ids = set(organisation_ids)
    if not ids:
        return HolderCounts({}, {}, {})
    current = Assignment.objects.filter(current_on(on), post__organisation_id__in=ids)

    def grouped(*fields: str) -> dict:
        rows = current.values(*fields).annotate(n=Count("staff_member", distinct=True))
        return {tuple(row[f] for f in fields): row["n"] for row in rows.order_by()}

    return HolderCounts(
        band=grouped("post__organisation_id", "post__band"),
        directorate=grouped("post__organisation_id", "post__directorate"),
        band_directorate=grouped("post__organisation_id", "post__band", "post__directorate"),
    )


def named_description(case: Case) -> str:
    person = case.staff_member
    org = case.post.organisation if case.post_id else case.employer
    where = f"{org.name} ({org.code})"
    if case.post_id:
        return f"{person.full_name} ({person.employee_number}), {case.post.title}, {where}"
    return f"{person.full_name} ({person.employee_number}), {where}"
