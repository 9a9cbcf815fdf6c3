"""The establishment and its changes: organisations, programmes, posts, people, planned changes.

Every model here keeps an audit history (django-simple-history). Writes go through
`tracker.services`, which stamps each history row with the acting user and a reason; the guard in
`tracker.audit` refuses any history row that lacks either.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from tracker.bands import Band
from tracker.formatting import format_wte
from tracker.unions import Union

ODS_CODE_PATTERN = r"^[A-Z0-9]{3}([A-Z0-9]{2})?$"
ods_code_validator = RegexValidator(
    ODS_CODE_PATTERN, "An ODS code is 3 or 5 upper-case letters and digits, for example 15N or QNQ."
)


def audited(**options) -> HistoricalRecords:
    """The audit history of a tracker model, without the history indexes nothing reads.

    django-simple-history indexes a history table's copy of the record's `id` and of every
    unique or indexed field. Every read of these tables goes by (id, history_date), which
    migration 0005 indexes, or by a foreign key (organisation, post, staff member); the copies
    of employee and assignment numbers and of the /my/ account are never looked up. Each index
    costs every history row written (an import of 100,000 people writes 300,000), so only the
    ones something reads are kept.
    """
    return HistoricalRecords(no_db_index=["id", *options.pop("no_db_index", [])], **options)


class User(AbstractUser):
    """A person who signs in. Accounts are deactivated, never deleted, so history keeps its who.

    `organisations` are the organisations this user's role covers: an HR manager sees and changes
    only these; a union representative sees the at-risk picture for these.
    """

    organisations = models.ManyToManyField(
        "tracker.Organisation",
        blank=True,
        related_name="users",
        help_text="Organisations this user's role covers.",
    )
    union = models.CharField(
        max_length=20,
        blank=True,
        choices=Union.choices,
        help_text="For a union representative: the union they represent. They see a named case "
        "only where its member asked for representation by this union.",
    )

    class Meta:
        verbose_name = "user"


class Organisation(models.Model):
    """An NHS body identified by its ODS code. Codes are never reused, so the code is the key
    people and spreadsheets use; succession links record what an organisation became."""

    class Kind(models.TextChoices):
        CCG = "ccg", "Clinical commissioning group"
        SUB_ICB = "sub_icb", "Sub-ICB location"
        ICB = "icb", "Integrated care board"
        NHS_ENGLAND = "nhse", "NHS England"
        CSU = "csu", "Commissioning support unit"
        TRUST = "trust", "Trust"
        OTHER = "other", "Other"

    code = models.CharField("ODS code", max_length=5, unique=True, validators=[ods_code_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    region = models.CharField(max_length=100, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    is_legal_employer = models.BooleanField(
        default=True,
        help_text="Employs staff in its own right (collective consultation is per employer).",
    )
    successors = models.ManyToManyField(
        "self",
        through="Succession",
        through_fields=("predecessor", "successor"),
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    history = audited()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=ODS_CODE_PATTERN), name="organisation_code_is_ods"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=F("opened_on")),
                name="organisation_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Succession(models.Model):
    """Predecessor became (part of) successor on a date. Many-to-many: organisations merge and
    split (Frimley ICB went to three successors in April 2026)."""

    predecessor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="successions_in"
    )
    effective_on = models.DateField()

    history = audited()

    class Meta:
        ordering = ["effective_on", "predecessor__code"]
        indexes = [models.Index(fields=["effective_on"], name="succession_effective_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="succession_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.code} → {self.successor.code} on {self.effective_on:%d %b %Y}"


class Programme(models.Model):
    """A change programme: "CCG to ICB transfer, 1 July 2022", "ICB merger, 1 April 2026"."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    legal_basis = models.TextField(
        blank=True, help_text="For example: transfer scheme under NHS Act 2006 s.14Z28, TUPE/COSOP."
    )
    announced_on = models.DateField(null=True, blank=True)
    consultation_starts_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(help_text="The date the change takes legal effect.")
    organisations = models.ManyToManyField(Organisation, related_name="programmes", blank=True)

    history = audited(m2m_fields=[organisations])

    class Meta:
        ordering = ["-effective_on", "name"]
        indexes = [models.Index(fields=["-effective_on", "name"], name="programme_list_order_idx")]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """An establishment seat. First-class even when vacant: a vacant post keeps its cost.

    A transfer moves the post record to its new organisation; it is never copied, so its
    history runs unbroken across the change of employer.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="posts")
    position_number = models.CharField(
        max_length=30, help_text="As in ESR; kept as text so leading zeros survive."
    )
    title = models.CharField(max_length=200)
    directorate = models.CharField(max_length=200, blank=True)
    band = models.CharField(max_length=10, choices=Band.choices)
    wte = models.DecimalField(
        "WTE",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0.0001), MaxValueValidator(1)],
    )
    cost_centre = models.CharField(max_length=30, blank=True)
    is_board_level = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    closed_on = models.DateField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["organisation__code", "position_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "position_number"], name="post_unique_position_per_org"
            ),
            models.CheckConstraint(
                condition=Q(wte__gt=0) & Q(wte__lte=1), name="post_wte_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="post_closed_on_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["band"], name="post_band_idx"),
            models.Index(fields=["status"], name="post_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.position_number} {self.title}"

    def get_wte_display(self) -> str:
        """The WTE as people write it ("0.6", "1"); Wagtail's post listing and inspect page show
        this in place of the stored "0.6000"."""
        return format_wte(self.wte) if self.wte is not None else ""


class StaffMember(models.Model):
    """A person. Continuity of NHS service belongs to the person and survives every change of
    employer: a transfer never creates a new person or resets this date."""

    employee_number = models.CharField(max_length=30, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    work_email = models.EmailField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_service_start = models.DateField("continuous NHS service start", null=True, blank=True)
    pension_return_date = models.DateField(
        "pension return date",
        null=True,
        blank=True,
        help_text="The day this person returned to NHS work after drawing an NHS pension (retire "
        "and return, partial retirement). Service before it does not count for redundancy pay.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_member",
        help_text="The sign-in account that lets this person see their own record at /my/.",
    )

    history = audited(no_db_index=["employee_number", "user"])

    class Meta:
        ordering = ["last_name", "first_name", "employee_number"]
        verbose_name = "staff member"
        indexes = [
            models.Index(
                fields=["last_name", "first_name", "employee_number"], name="staff_list_order_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_service_start__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(nhs_service_start__gt=F("date_of_birth")),
                name="staff_service_starts_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.employee_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Assignment(models.Model):
    """A person in a post, with dates: ESR's assignment. Ending an assignment sets `end_on`."""

    class Category(models.TextChoices):
        PERMANENT = "permanent", "Permanent"
        FIXED_TERM = "fixed_term", "Fixed term"
        SECONDMENT = "secondment", "Secondment"
        BANK = "bank", "Bank"

    assignment_number = models.CharField(max_length=30, unique=True)
    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="assignments"
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="assignments")
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.PERMANENT)
    annual_salary = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    start_on = models.DateField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)

    history = audited(no_db_index=["assignment_number"])

    class Meta:
        ordering = ["assignment_number"]
        indexes = [models.Index(fields=["category"], name="assignment_category_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True)
                | Q(start_on__isnull=True)
                | Q(end_on__gte=F("start_on")),
                name="assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(annual_salary__isnull=True) | Q(annual_salary__gt=0),
                name="assignment_salary_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.assignment_number


class PlannedChange(models.Model):
    """What a programme will do to one post. Drafted, approved by someone other than its author,
    then applied on or after its effective date by `tracker.services.planned_change_apply`."""

    class Action(models.TextChoices):
        TRANSFER_UNCHANGED = "transfer_unchanged", "Transfer unchanged"
        TRANSFER_CHANGED = "transfer_changed", "Transfer changed"
        CLOSED = "closed", "Closed"
        NEW = "new", "New"
        OUT_OF_SCOPE = "out_of_scope", "Out of scope"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        APPLIED = "applied", "Applied"
        CANCELLED = "cancelled", "Cancelled"

    TRANSFERS = (Action.TRANSFER_UNCHANGED, Action.TRANSFER_CHANGED)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="changes")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="planned_changes")
    action = models.CharField(max_length=20, choices=Action.choices)
    destination_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_changes",
    )
    destination_position_number = models.CharField(max_length=30, blank=True)
    effective_on = models.DateField()
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_changes"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_changes",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applied_changes",
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audited()

    class Meta:
        ordering = ["effective_on", "post__organisation__code", "post__position_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("author")),
                name="change_not_approved_by_author",
            ),
            models.CheckConstraint(
                condition=~Q(action__in=["transfer_unchanged", "transfer_changed"])
                | Q(destination_organisation__isnull=False),
                name="change_transfer_has_destination",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="change_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(status="applied")
                | Q(applied_by__isnull=False, applied_at__isnull=False),
                name="change_applied_has_applier",
            ),
            models.UniqueConstraint(
                fields=["programme", "post"],
                condition=~Q(status="cancelled"),
                name="change_one_live_per_post_per_programme",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "effective_on"], name="change_status_date_idx"),
            models.Index(fields=["effective_on"], name="change_effective_idx"),
            models.Index(fields=["action"], name="change_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.post} ({self.get_status_display()})"


class UserAccessChange(models.Model):
    """One change to what a user may reach: their role (groups), the organisations they cover,
    their union, administrator or active status. Append-only, written by
    `tracker.services.user_access_update` with who and why, so "who gave this person access to
    these records, and why" always has an answer. (User itself keeps no simple-history: every
    sign-in updates `last_login`, and the audit guard would refuse those saves.)"""

    class What(models.TextChoices):
        ROLES = "roles", "Roles"
        ORGANISATIONS = "organisations", "Organisations covered"
        UNION = "union", "Union"
        ADMINISTRATOR = "administrator", "Administrator"
        ACTIVE = "active", "Active"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_changes"
    )
    what = models.CharField(max_length=20, choices=What.choices)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_changes_made"
    )
    changed_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="user_access_change_has_reason"),
        ]
        indexes = [models.Index(fields=["user", "-changed_at"], name="user_access_change_user_idx")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_what_display()} {self.before!r} → {self.after!r}"


# Wagtail's reference index is kept by a task queued on each save, and the tracker's largest
# writes (imports, bulk approval and apply) are not saves: it would miss most references to a
# tracker record. Tracker records are left out of it (no task per save), and where they are
# used is asked of the relations themselves (tracker/usage.py).
for _model in (
    Organisation,
    Succession,
    Programme,
    Post,
    StaffMember,
    Assignment,
    PlannedChange,
    UserAccessChange,
):
    _model.wagtail_reference_index_ignore = True  # type: ignore[attr-defined]
del _model
