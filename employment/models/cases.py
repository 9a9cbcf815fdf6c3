"""Cases for affected people: the status machine, its dates, and which cases count as
proposed dismissals for collective consultation."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from tracker.unions import Union

# Spelled out for the constraints in Case.Meta (which cannot see Case.Status); a test keeps them
# equal to Case.Status and Case.TERMINAL_STATUSES.
CASE_STATUS_VALUES = (
    "protected", "at_risk", "slotted_in", "ring_fenced", "redeployment_trial", "redeployed",
    "vr_requested", "vr_approved", "mars_requested", "mars_approved", "notice_issued", "left",
    "retired", "withdrawn",
)
CASE_TERMINAL_VALUES = ("redeployed", "left", "retired", "withdrawn")


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Case.TERMINAL_STATUSES)


class Case(models.Model):
    """One affected person's journey through a reorganisation.

    A case belongs to a staff member (continuity of service is theirs, not the case's), names the
    legal employer whose duties apply (collective consultation is counted per employer), the post
    held when the case opened, and optionally the programme that caused it. Its status moves only
    through `employment.services.case_transition`, which checks `TRANSITIONS`, records who, when
    and why in the history, and sets the dates each step starts (the clocks).
    """

    class Status(models.TextChoices):
        PROTECTED = "protected", "Protected (employment guarantee applies)"
        AT_RISK = "at_risk", "At risk"
        SLOTTED_IN = "slotted_in", "Slotted in"
        RING_FENCED = "ring_fenced", "Ring-fenced (competitive process)"
        REDEPLOYMENT_TRIAL = "redeployment_trial", "Redeployment trial"
        REDEPLOYED = "redeployed", "Redeployed"
        VR_REQUESTED = "vr_requested", "Voluntary redundancy requested"
        VR_APPROVED = "vr_approved", "Voluntary redundancy approved"
        MARS_REQUESTED = "mars_requested", "MARS requested"
        MARS_APPROVED = "mars_approved", "MARS approved"
        NOTICE_ISSUED = "notice_issued", "Notice of redundancy issued"
        LEFT = "left", "Left"
        RETIRED = "retired", "Retired (early retirement in lieu)"
        WITHDRAWN = "withdrawn", "Withdrawn (no longer affected)"

    S = Status
    #: The allowed moves, and the only place they are written down.
    #:
    #: Read as an NHS HR professional would run a case under Agenda for Change and the national
    #: frameworks:
    #:
    #: * protected: an employment guarantee covers the person. It can stop covering them
    #:   (at_risk); national VR and MARS schemes are open to staff who are not at risk, so a
    #:   protected person may volunteer (vr_requested, mars_requested); or the case closes
    #:   (withdrawn).
    #: * at_risk: the hub. From here a person is slotted in to a matching post, enters a
    #:   ring-fenced competition, starts a statutory trial in a suitable alternative post,
    #:   volunteers for VR or MARS, or is given notice of compulsory redundancy once consultation
    #:   is done. A guarantee may be extended to them (protected), the proposal may be dropped
    #:   (withdrawn), or they may resign for a job elsewhere before any notice (left).
    #: * slotted_in: an outcome, but slotting can be overturned on appeal or when the new
    #:   structure changes, which puts the person back at risk.
    #: * ring_fenced: success means appointment, either with a statutory trial (the new post
    #:   differs) or straight in (redeployed); failure returns the person to at_risk; people in a
    #:   ring-fence may still volunteer for VR or MARS; the competition may be cancelled
    #:   (withdrawn).
    #: * redeployment_trial: 4 calendar weeks by law. Success confirms the post (redeployed); a
    #:   failed trial keeps redundancy rights and returns the person to at_risk, or to
    #:   notice_issued when the trial was taken during notice.
    #: * vr_requested / mars_requested: the employer approves, or declines (back to at_risk, or
    #:   to protected for a volunteer who was never at risk), or the volunteer withdraws and is
    #:   no longer affected (withdrawn).
    #: * vr_approved / mars_approved: the person leaves (left) once the settlement agreement is
    #:   signed; if it is not signed or approval is rescinded before the exit date they return to
    #:   at_risk, or the case closes (withdrawn) for a volunteer who was never at risk.
    #: * notice_issued: compulsory redundancy. The notice runs out (left), or ends in early
    #:   retirement in lieu (retired); a suitable alternative found during notice starts a trial
    #:   (redeployment_trial) or is taken without one (redeployed); notice can be rescinded when
    #:   the proposal is withdrawn (withdrawn).
    #: * left, retired, redeployed, withdrawn: terminal. A person affected again later gets a new
    #:   case, so each case's history tells one story.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        S.PROTECTED: (S.AT_RISK, S.VR_REQUESTED, S.MARS_REQUESTED, S.WITHDRAWN),
        S.AT_RISK: (
            S.PROTECTED,
            S.SLOTTED_IN,
            S.RING_FENCED,
            S.REDEPLOYMENT_TRIAL,
            S.VR_REQUESTED,
            S.MARS_REQUESTED,
            S.NOTICE_ISSUED,
            S.LEFT,
            S.WITHDRAWN,
        ),
        S.SLOTTED_IN: (S.AT_RISK,),
        S.RING_FENCED: (
            S.REDEPLOYMENT_TRIAL,
            S.REDEPLOYED,
            S.AT_RISK,
            S.VR_REQUESTED,
            S.MARS_REQUESTED,
            S.WITHDRAWN,
        ),
        S.REDEPLOYMENT_TRIAL: (S.REDEPLOYED, S.AT_RISK, S.NOTICE_ISSUED),
        S.REDEPLOYED: (),
        S.VR_REQUESTED: (S.VR_APPROVED, S.AT_RISK, S.PROTECTED, S.WITHDRAWN),
        S.VR_APPROVED: (S.LEFT, S.AT_RISK, S.WITHDRAWN),
        S.MARS_REQUESTED: (S.MARS_APPROVED, S.AT_RISK, S.PROTECTED, S.WITHDRAWN),
        S.MARS_APPROVED: (S.LEFT, S.AT_RISK, S.WITHDRAWN),
        S.NOTICE_ISSUED: (S.LEFT, S.RETIRED, S.REDEPLOYMENT_TRIAL, S.REDEPLOYED, S.WITHDRAWN),
        S.LEFT: (),
        S.RETIRED: (),
        S.WITHDRAWN: (),
    }
    del S

    #: Statuses a case may be opened in: affected (at_risk), covered by a guarantee (protected),
    #: or a volunteer for a national scheme who was never at risk.
    OPENING_STATUSES = (
        Status.AT_RISK,
        Status.PROTECTED,
        Status.VR_REQUESTED,
        Status.MARS_REQUESTED,
    )
    TERMINAL_STATUSES = tuple(s for s, moves in TRANSITIONS.items() if not moves)
    #: Statuses on the redeployment register: the person still needs a post.
    REDEPLOYMENT_STATUSES = (Status.AT_RISK, Status.RING_FENCED, Status.NOTICE_ISSUED)

    class Route(models.TextChoices):
        """How a case is heading out, set by the transitions; it decides whether the exit is a
        dismissal for collective consultation and whether a clawback clock runs."""

        NONE = "", "None"
        VOLUNTARY_REDUNDANCY = "vr", "Voluntary redundancy"
        MARS = "mars", "Mutually agreed resignation (MARS)"
        COMPULSORY_REDUNDANCY = "compulsory", "Compulsory redundancy"
        RESIGNATION = "resignation", "Resignation"

    staff_member = models.ForeignKey(
        "tracker.StaffMember", on_delete=models.PROTECT, related_name="cases"
    )
    post = models.ForeignKey(
        "tracker.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="The post held when the case opened.",
    )
    employer = models.ForeignKey(
        "tracker.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        limit_choices_to={"is_legal_employer": True},
        help_text="The legal employer whose duties apply (consultation is counted per employer).",
    )
    establishment = models.CharField(
        max_length=200,
        blank=True,
        help_text="The establishment (site or unit) for collective consultation; "
        "blank means the employer as a whole.",
    )
    programme = models.ForeignKey(
        "tracker.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AT_RISK)
    status_changed_on = models.DateField(help_text="The date the current status took effect.")
    route = models.CharField(max_length=12, choices=Route.choices, blank=True, default="")

    # Dates and clocks. Legal dates are dates, not instants.
    at_risk_on = models.DateField("at-risk date", null=True, blank=True)
    consultation_ends_on = models.DateField("consultation ends", null=True, blank=True)
    proposed_dismissal_on = models.DateField(
        "proposed dismissal date",
        null=True,
        blank=True,
        help_text="When the employer proposes this person's dismissal would take effect; "
        "counted for collective consultation.",
    )
    trial_starts_on = models.DateField(null=True, blank=True)
    trial_ends_on = models.DateField(null=True, blank=True)
    trial_extended_to = models.DateField(null=True, blank=True)
    trial_extension_agreed_in_writing_on = models.DateField(
        null=True,
        blank=True,
        help_text="The date of the written agreement to extend the trial (for retraining).",
    )
    notice_starts_on = models.DateField(
        "notice given on",
        null=True,
        blank=True,
        help_text="The day notice is given; the notice period runs from the next day.",
    )
    notice_ends_on = models.DateField(null=True, blank=True)
    exit_on = models.DateField("exit date", null=True, blank=True)
    clawback_ends_on = models.DateField("clawback ends", null=True, blank=True)

    is_very_senior = models.BooleanField(
        "very senior manager",
        default=False,
        help_text="Very senior managers have a 12-month clawback on VR and MARS payments.",
    )
    package_total = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The exit package; over the configured threshold the clawback is 12 months.",
    )

    # Sensitive: shown to HR only, never on union or export screens.
    has_statutory_redeployment_priority = models.BooleanField(
        default=False,
        help_text="Pregnancy, or maternity/adoption/shared parental leave: first call on "
        "suitable vacancies (sensitive).",
    )
    # Special-category data: stored only when the member asks for representation.
    requested_representation = models.BooleanField(
        default=False, help_text="The member asked for union representation on this case."
    )
    union_name = models.CharField(
        "union",
        max_length=20,
        blank=True,
        choices=Union.choices,
        help_text="The union the member asked to represent them; only when representation is "
        "requested. Never shown on selection or matching screens or in exports.",
    )

    opened_at = models.DateTimeField(auto_now_add=True)

    # The union's name stays on the case only: history rows are read by auditors and exports.
    history = HistoricalRecords(excluded_fields=["union_name"])
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_representation=True) | Q(union_name=""),
                name="case_union_only_when_representation_requested",
            ),
            models.CheckConstraint(
                condition=Q(trial_extended_to__isnull=True)
                | Q(trial_extension_agreed_in_writing_on__isnull=False),
                name="case_trial_extension_agreed_in_writing",
            ),
            models.CheckConstraint(
                condition=Q(trial_extended_to__isnull=True)
                | Q(trial_ends_on__isnull=False, trial_extended_to__gt=F("trial_ends_on")),
                name="case_trial_extension_after_trial_end",
            ),
            models.CheckConstraint(
                condition=Q(trial_ends_on__isnull=True)
                | Q(trial_starts_on__isnull=False, trial_ends_on__gte=F("trial_starts_on")),
                name="case_trial_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(notice_ends_on__isnull=True)
                | Q(notice_starts_on__isnull=False, notice_ends_on__gte=F("notice_starts_on")),
                name="case_notice_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CASE_STATUS_VALUES),
                name="case_status_known",
            ),
            models.UniqueConstraint(
                fields=["staff_member"],
                condition=~Q(status__in=CASE_TERMINAL_VALUES),
                name="case_one_open_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "status"], name="case_employer_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member.full_name}: {self.get_status_display()}"

    @classmethod
    def allowed_from(cls, status: str) -> tuple[str, ...]:
        return tuple(cls.TRANSITIONS[status])

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return self.allowed_from(self.status)

    @property
    def trial_last_day(self):
        """The trial's last day: the written extension when there is one."""
        return self.trial_extended_to or self.trial_ends_on

    @property
    def is_proposed_dismissal(self) -> bool:
        """Whether this case counts as a proposed dismissal for collective consultation.

        Voluntary and compulsory redundancies count (TULRCA s.195: a dismissal for a reason not
        related to the individual); MARS is a resignation and does not; a case resolved without
        leaving (redeployed, slotted in, protected, withdrawn) is no longer a proposal.
        """
        return case_counts_as_proposed_dismissal(self)


DISMISSAL_STATUSES = (
    Case.Status.VR_REQUESTED,
    Case.Status.VR_APPROVED,
    Case.Status.NOTICE_ISSUED,
)
NOT_DISMISSAL_STATUSES = (
    Case.Status.PROTECTED,
    Case.Status.SLOTTED_IN,
    Case.Status.REDEPLOYED,
    Case.Status.WITHDRAWN,
    Case.Status.MARS_REQUESTED,
    Case.Status.MARS_APPROVED,
)


def proposed_dismissal_q() -> Q:
    """The database form of `Case.is_proposed_dismissal` (kept beside it, tested together)."""
    return (
        Q(status__in=DISMISSAL_STATUSES)
        | Q(
            status__in=[Case.Status.LEFT, Case.Status.RETIRED],
            route__in=[Case.Route.VOLUNTARY_REDUNDANCY, Case.Route.COMPULSORY_REDUNDANCY],
        )
        | (
            Q(proposed_dismissal_on__isnull=False)
            & ~Q(status__in=[*NOT_DISMISSAL_STATUSES, Case.Status.LEFT, Case.Status.RETIRED])
        )
    )


def case_counts_as_proposed_dismissal(case: Case) -> bool:
    if case.status in DISMISSAL_STATUSES:
        return True
    if case.status in (Case.Status.LEFT, Case.Status.RETIRED):
        return case.route in (Case.Route.VOLUNTARY_REDUNDANCY, Case.Route.COMPULSORY_REDUNDANCY)
    return case.proposed_dismissal_on is not None and case.status not in NOT_DISMISSAL_STATUSES
