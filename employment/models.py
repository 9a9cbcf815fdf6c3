"""Cases for affected people, collective consultation and the redeployment register.

Every write goes through `employment.services` (cases, consultations, redeployment), which
stamps each history row with the acting user and a reason. The models hold data and the rules
the database can enforce; the rules that move a case live in `Case.TRANSITIONS` (read) and
`employment.services.case_transition` (write).

Trade union membership is special-category data: it is stored only on `Case.union_name`, and only
when the member asked for representation (`case_union_only_when_representation_requested`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from tracker.models import Organisation
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


class CaseViewLog(models.Model):
    """One screen view of named cases by a union representative or an auditor: who, in which
    role, which screen, when, and every case the screen showed (a list page logs the cases on
    that page). Written by `employment.selectors.access.log_case_views` in two bulk inserts
    however many cases were shown; append-only, never edited, so it keeps no history of its own.
    Auditors read it in the admin (a read-only list)."""

    class Screen(models.TextChoices):
        CASE_LIST = "case_list", "Case list"
        CASE_INSPECT = "case_inspect", "Case record"
        REGISTER = "register", "Redeployment register"
        REGISTER_MATCHES = "register_matches", "Matching vacancies for a person"
        OFFER_LIST = "offer_list", "Redeployment offers"
        OFFER_INSPECT = "offer_inspect", "Redeployment offer"
        EXPORT = "export", "Export (at-risk list or case list)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_views"
    )
    role = models.CharField(max_length=40)
    screen = models.CharField(max_length=40, choices=Screen.choices)
    path = models.CharField(max_length=500, blank=True, help_text="The address requested.")
    viewed_at = models.DateTimeField(auto_now_add=True)
    cases = models.ManyToManyField(Case, related_name="view_logs", blank=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = "case view"
        indexes = [models.Index(fields=["viewed_at"], name="case_view_viewed_at_idx")]

    def __str__(self) -> str:
        return f"{self.user} viewed {self.get_screen_display()} at {self.viewed_at:%Y-%m-%d %H:%M}"


class CollectiveConsultation(models.Model):
    """Collective consultation (TULRCA 1992 s.188, s.193) for one legal employer at one
    establishment.

    The duty falls on each legal employer separately, so a consultation never spans employers and
    its counts come only from cases with the same employer and establishment (see
    `employment.consultation`). The establishment is a named site or unit, or blank for the
    employer as a whole, matching `Case.establishment`.
    """

    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="collective_consultations",
        limit_choices_to={"is_legal_employer": True},
    )
    establishment = models.CharField(
        max_length=200, blank=True, help_text="Blank means the employer as a whole."
    )
    programme = models.ForeignKey(
        "tracker.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_consultations",
    )
    starts_on = models.DateField(
        "consultation started", null=True, blank=True,
        help_text="The day consultation with the representatives began.",
    )
    hr1_submitted_on = models.DateField("HR1 submitted", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["employer__code", "establishment"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "establishment"],
                name="consultation_one_per_employer_establishment",
            ),
        ]

    def __str__(self) -> str:
        where = self.establishment or "whole organisation"
        return f"{self.employer.name} ({self.employer.code}), {where}"


class ConsultationDisclosure(models.Model):
    """One of the written disclosures to representatives required by TULRCA s.188(4)."""

    class Item(models.TextChoices):
        REASONS = "reasons", "Reasons for the proposals"
        NUMBERS_AND_DESCRIPTIONS = (
            "numbers_and_descriptions",
            "Numbers and descriptions of employees proposed for dismissal",
        )
        TOTALS_BY_DESCRIPTION = (
            "totals_by_description",
            "Total number of employees of each description at the establishment",
        )
        SELECTION_METHOD = "selection_method", "Proposed method of selection"
        METHOD_AND_TIMING = "method_and_timing", "Proposed method and timing of dismissals"
        PAY_CALCULATION = "pay_calculation", "Method of calculating pay above statutory"
        AGENCY_WORKERS = "agency_workers", "Agency workers"

    consultation = models.ForeignKey(
        CollectiveConsultation, on_delete=models.PROTECT, related_name="disclosures"
    )
    item = models.CharField(max_length=30, choices=Item.choices)
    content = models.TextField()
    disclosed_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["consultation", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "item"], name="disclosure_one_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} ({self.disclosed_on:%d %b %Y})"


class ConsultationMeeting(models.Model):
    """The meetings log: when, who was there, what was disclosed, what the representatives said."""

    consultation = models.ForeignKey(
        CollectiveConsultation, on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField()
    attendees = models.TextField(help_text="Names and roles of everyone present.")
    disclosed = models.TextField(blank=True, help_text="What was disclosed at the meeting.")
    responses = models.TextField(blank=True, help_text="The representatives' responses.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["consultation", "held_on", "pk"]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on:%d %b %Y}"


class RedeploymentOffer(models.Model):
    """An offer of a vacant post to a person on the redeployment register, and what came of it:
    accepted (which starts the statutory trial), refused, withdrawn; then the trial's outcome."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn by the employer"

    class TrialOutcome(models.TextChoices):
        NONE = "", "Not yet known"
        SUCCESSFUL = "successful", "Successful (redeployed)"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="redeployment_offers")
    post = models.ForeignKey(
        "tracker.Post", on_delete=models.PROTECT, related_name="redeployment_offers"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    offered_on = models.DateField()
    responded_on = models.DateField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    trial_outcome = models.CharField(
        max_length=12, choices=TrialOutcome.choices, blank=True, default=""
    )
    trial_outcome_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "post"],
                condition=Q(status__in=["offered", "accepted"]),
                name="offer_one_live_per_case_and_post",
            ),
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(status="accepted") & ~Q(trial_outcome="unsuccessful"),
                name="offer_one_acceptance_per_post",
            ),
            models.CheckConstraint(
                condition=Q(status="offered") | Q(responded_on__isnull=False),
                name="offer_response_dated",
            ),
            models.CheckConstraint(
                condition=Q(trial_outcome="")
                | Q(status="accepted", trial_outcome_on__isnull=False),
                name="offer_trial_outcome_only_when_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} offered to case {self.case_id} ({self.get_status_display()})"


class Alert(models.Model):
    """Something HR and union representatives must hear about: a case entering a status that can
    end employment, a clock approaching or passing, a collective-consultation threshold crossed.

    Raised only by `employment.alerts`, once: `dedupe_key` names the event (for example
    ``case:123:entered:at_risk:2026-05-01``) and is unique, so a second sweep or a repeated task
    finds the row and raises nothing. `subject` and `body` here are the anonymised wording (safe
    for anyone); what each person sees is rendered for their audience on `AlertRecipient`.
    Operational rather than a record of the establishment, so it keeps no audit history.
    """

    class Kind(models.TextChoices):
        CASE_STATUS = "case_status", "Case status"
        CLOCK_APPROACHING = "clock_approaching", "Date approaching"
        CLOCK_PASSED = "clock_passed", "Date reached"
        CONSULTATION_THRESHOLD = "consultation_threshold", "Collective consultation threshold"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    organisation = models.ForeignKey(
        "tracker.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        help_text="The employer whose HR managers and union representatives are told (none for "
        "a guarantee page's review date, which goes to the page's editors).",
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    consultation = models.ForeignKey(
        CollectiveConsultation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The guarantee page whose review date this alert is about.",
    )
    action = models.TextField(
        blank=True, help_text="What the people told should do next (the same for everyone)."
    )
    due_on = models.DateField(null=True, blank=True, help_text="By when it should be done.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="alert_dedupe_key_unique"),
        ]

    def __str__(self) -> str:
        return self.subject


class AlertRecipient(models.Model):
    """One person's copy of an alert: their inbox row and their email.

    `named` says whether this person may see who the alert is about (HR for the organisation, or
    the union representative of a member who asked for representation); the subject and body are
    rendered for that audience and stored here, so an anonymised row never holds the name.
    Delivery claims rows in a batch by writing a fresh `email_claim` where there is none, sends,
    then sets `emailed_at` and clears the claim; a failed send clears the claim so the next sweep
    retries, and a claimed row is never claimed again, so two sweeps never both send it.
    """

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_rows"
    )
    named = models.BooleanField(default=False)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claim = models.UUIDField(null=True, blank=True, editable=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "user"], name="alert_recipient_one_per_user"),
        ]
        indexes = [
            models.Index(fields=["user", "acknowledged_at"], name="alert_recipient_inbox_idx"),
            models.Index(fields=["emailed_at"], name="alert_recipient_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.user})"
