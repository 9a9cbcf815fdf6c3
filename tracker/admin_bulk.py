"""Approve or apply a programme's changes for one organisation in one go, after seeing what
will happen.

Three steps, as an HR manager expects of an action that moves a whole CCG and cannot be undone:

1. choose the programme, the organisation, approve or apply, and the reason;
2. review: counts by action, the posts and the people they move, and anything that blocks. The
   review runs the real service as a dry run (every check it makes, each before its first
   write, and no write), so it reports exactly the refusals the real run would;
3. confirm: the service runs for real, provided the set of changes is still the one reviewed (a
   fingerprint of the change ids and statuses travels with the confirmation), and one summary
   says what was done. Nothing to do is a warning, never a green "0 done".
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.widgets.button import HeaderButton

from tracker import services
from tracker.models import Assignment, Organisation, PlannedChange, Programme, User
from tracker.selectors import scoped, visible_organisations

#: How many of the posts to be moved the review lists by name (the counts cover them all).
LISTED = 100

APPROVE, APPLY = "approve", "apply"


class BulkChangesForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none())
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), help_text="The organisation whose posts change."
    )
    action = forms.ChoiceField(
        choices=[
            (APPROVE, "Approve every draft change"),
            (APPLY, "Apply every approved change"),
        ]
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit history of every change and post, with your name.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = scoped(Programme, user)
        self.fields["organisation"].queryset = visible_organisations(user)


@dataclass
class Review:
    action: str
    changes: list[PlannedChange]
    by_action: list[tuple[str, int]]
    moving: list[tuple[PlannedChange, list[str]]]
    people: int
    blockers: list[str] = field(default_factory=list)
    others: dict[str, int] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def count(self) -> int:
        return len(self.changes)

    @property
    def unlisted(self) -> int:
        return max(0, self.count - len(self.moving))


def _targets(action: str, programme: Programme, organisation: Organisation) -> QuerySet:
    status = PlannedChange.Status.DRAFT if action == APPROVE else PlannedChange.Status.APPROVED
    return PlannedChange.objects.filter(
        programme=programme, post__organisation=organisation, status=status
    )


def _fingerprint(changes: list[PlannedChange]) -> str:
    text = ",".join(f"{c.pk}:{c.status}" for c in sorted(changes, key=lambda c: c.pk))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _run(action: str, *, user: User, programme, organisation, reason, changes, dry_run=False):
    if action == APPROVE:
        return services.planned_changes_approve(
            changes=changes, acting_user=user, reason=reason, dry_run=dry_run
        )
    # Exactly the changes reviewed: one approved since is not applied unseen.
    return services.programme_apply_changes(
        programme=programme,
        organisation=organisation,
        acting_user=user,
        reason=reason,
        changes=changes,
        dry_run=dry_run,
    )


def review(
    *, user: User, action: str, programme, organisation, reason: str, rehearse: bool = True
) -> Review:
    """What the action would do. With `rehearse`, the real service is run as a dry run (every
    check, no write), so `blockers` holds the refusals the real run would meet; a confirmation
    that matches the review it confirms skips that, since the real run meets the same refusals
    itself."""
    targets = _targets(action, programme, organisation).order_by("post__position_number")
    # Every change as far as counting and the fingerprint need it; the ones listed in full.
    # (At 5,000 changes, three model instances each were a third of a second.)
    changes = list(targets.only("id", "status", "action", "post_id"))
    listed = list(targets.select_related("post", "destination_organisation")[:LISTED])
    labels = dict(PlannedChange.Action.choices)
    by_action = sorted(Counter(labels[c.action] for c in changes).items())
    today = timezone.localdate()
    holders: dict[int, list[str]] = {}
    for post_id, first, last in (
        Assignment.objects.filter(post_id__in=targets.values("post_id"))
        .filter(start_on__lte=today)
        .exclude(end_on__lt=today)
        .values_list("post_id", "staff_member__first_name", "staff_member__last_name")
    ):
        holders.setdefault(post_id, []).append(f"{first} {last}")
    result = Review(
        action=action,
        changes=changes,
        by_action=by_action,
        moving=[(c, holders.get(c.post_id, [])) for c in listed],
        people=sum(len(holders.get(c.post_id, [])) for c in changes),
        fingerprint=_fingerprint(changes),
    )
    others = Counter(
        PlannedChange.objects.filter(programme=programme, post__organisation=organisation)
        .exclude(pk__in=targets.values("pk"))
        .values_list("status", flat=True)
    )
    status_labels = dict(PlannedChange.Status.choices)
    result.others = {status_labels[s]: n for s, n in sorted(others.items())}
    if changes and rehearse:
        try:
            _run(
                action,
                user=user,
                programme=programme,
                organisation=organisation,
                reason=reason or "review",
                changes=changes,
                dry_run=True,
            )
        except ValidationError as exc:
            result.blockers = list(exc.messages)
    return result


def _summary(action: str, done: list[PlannedChange], organisation: Organisation, people: int):
    labels = dict(PlannedChange.Action.choices)
    counts = Counter(labels[c.action] for c in done)
    parts = ", ".join(f"{n} {label.lower()}" for label, n in sorted(counts.items()))
    if action == APPROVE:
        return f"Approved {len(done)} changes for {organisation} ({parts})."
    return (
        f"Applied {len(done)} changes for {organisation} ({parts}); "
        f"{people} people moved with their posts, their service dates unchanged."
    )


def bulk_changes(request):
    """Approve or apply a programme's changes for one organisation: a whole CCG's lift and shift
    is one action, atomic, each history row naming who and why, reviewed before it runs."""
    if not request.user.has_perm("tracker.change_plannedchange"):
        raise PermissionDenied
    form = BulkChangesForm(request.POST or None, user=request.user, initial=request.GET.dict())
    context: dict = {"form": form, "review": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action, programme, organisation = data["action"], data["programme"], data["organisation"]
        asked = {
            "user": request.user,
            "action": action,
            "programme": programme,
            "organisation": organisation,
            "reason": data["reason"],
        }
        # A confirmation runs the service once, for real; anything else is reviewed by a dry
        # run of it.
        confirm = request.POST.get("confirm")
        current = review(**asked, rehearse=not confirm)
        confirmed = confirm == current.fingerprint and current.count
        if confirm and not confirmed and current.count:
            current = review(**asked)  # stale: shown again, with what would block it
        if not current.count:
            waiting = current.others
            detail = "; ".join(f"{label}: {n}" for label, n in waiting.items()) or "none at all"
            messages.warning(
                request,
                f"Nothing to {action}: {organisation} has no "
                f"{'draft' if action == APPROVE else 'approved'} changes in {programme} "
                f"(its other changes: {detail}).",
            )
        elif confirm and not confirmed:
            messages.warning(
                request,
                "The changes have changed since you reviewed them (someone else approved, "
                "applied or edited one). Review them again before confirming.",
            )
        elif confirmed and not current.blockers:
            try:
                with transaction.atomic():
                    done = _run(**asked, changes=current.changes)
            except ValidationError as exc:
                current.blockers = list(exc.messages)
            else:
                messages.success(request, _summary(action, done, organisation, current.people))
                return redirect(
                    f"{reverse('tracker_bulk_changes')}?programme={programme.pk}"
                    f"&organisation={organisation.pk}&action={action}"
                )
        context["review"] = current
    return TemplateResponse(
        request,
        "tracker/admin/bulk_changes.html",
        {
            **context,
            "page_title": "Approve or apply a programme's changes",
            "header_buttons": [
                HeaderButton(
                    "Planned changes", url=reverse("planned_changes:index"), icon_name="list-ul"
                )
            ],
        },
    )
