"""Demo data: four CCGs becoming one ICB on 1 July 2022, a few hundred posts and staff, a
programme with planned changes in every status, and one user per role. Idempotent: running it
again changes nothing and only re-prints the users.

The organisations are four of the nine CCGs that became NHS Cheshire and Merseyside ICB; the
posts and people are invented.
"""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from tracker import roles, services
from tracker.audit import audited_save, system_user
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    User,
)

PROGRAMME_SLUG = "ccg-to-icb-2022"
DEMO_PASSWORD = "transition-demo"  # noqa: S105 - demo accounts only; refused outside DEBUG
REASON = "Demo data (seed_demo)"

ICB = ("QYG", "NHS Cheshire and Merseyside Integrated Care Board")
CCGS = [
    ("01F", "NHS Halton CCG"),
    ("01J", "NHS Knowsley CCG"),
    ("99A", "NHS Liverpool CCG"),
    ("02E", "NHS Warrington CCG"),
]
POSTS_PER_CCG = 75

USERS = [
    # username, role, full name, superuser
    ("hr", roles.HR_MANAGER, "Priya Shah", False),
    ("hr2", roles.HR_MANAGER, "Tom Walsh", False),
    ("rep", roles.UNION_REP, "Megan Jones", False),
    ("approver", roles.PARTNERSHIP_APPROVER, "Sam Okafor", False),
    ("editor", roles.CMS_EDITOR, "Lucy Chen", False),
    ("auditor", roles.AUDITOR, "David Evans", False),
    ("staff", roles.STAFF, "Jordan Reid", False),
    ("admin", None, "Site Administrator", True),
]

TITLES = [
    ("Commissioning Manager", "7", "Strategy and Transformation"),
    ("Senior Commissioning Manager", "8a", "Strategy and Transformation"),
    ("Contracts Officer", "5", "Finance"),
    ("Finance Manager", "8b", "Finance"),
    ("Business Support Officer", "3", "Corporate Services"),
    ("Personal Assistant", "4", "Corporate Services"),
    ("Quality Lead", "8a", "Nursing and Quality"),
    ("Safeguarding Nurse", "7", "Nursing and Quality"),
    ("Data Analyst", "6", "Business Intelligence"),
    ("Head of Business Intelligence", "8c", "Business Intelligence"),
    ("Medicines Optimisation Pharmacist", "8a", "Medicines Management"),
    ("Communications Officer", "5", "Communications and Engagement"),
]
FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Farid",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Laura",
    "Mohammed",
    "Nina",
    "Oliver",
    "Ruth",
    "Sanjay",
    "Zoe",
]
LAST = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Edwards",
    "Fletcher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jackson",
    "Khan",
    "Lewis",
    "Murphy",
    "Patel",
    "Roberts",
    "Taylor",
    "Wilson",
]

RECORDED = dt.datetime(2022, 4, 1, 8, 0, tzinfo=dt.UTC)
TRANSFERRED = dt.datetime(2022, 7, 1, 8, 0, tzinfo=dt.UTC)
EFFECTIVE = dt.date(2022, 7, 1)


class Command(BaseCommand):
    help = "Load the demo organisations, programme, posts, staff, changes and users (idempotent)."

    def handle(self, *args, **options):
        if not getattr(settings, "TRANSITION_ALLOW_DEMO_DATA", False):
            raise CommandError(
                "Demo data (with known passwords) is only loaded where "
                "TRANSITION_ALLOW_DEMO_DATA is on (dev and test settings), never in production."
            )
        roles.sync_roles()
        with transaction.atomic():
            users = self._users()
            if Programme.objects.filter(slug=PROGRAMME_SLUG).exists():
                self.stdout.write("Demo data already loaded; nothing changed.")
            else:
                self._establishment(users)
                self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        # Pages made by migrations are not in the search index until it is rebuilt.
        call_command("update_index", verbosity=0)
        self._print_users()

    # --- users ---------------------------------------------------------------------------------

    def _users(self) -> dict[str, User]:
        users = {}
        for username, role, full_name, superuser in USERS:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.nhs.uk",
                    "is_staff": role not in (None, roles.STAFF),
                    "is_superuser": superuser,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                if role:
                    user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    def _print_users(self):
        self.stdout.write(f"\nDemo users (password for all: {DEMO_PASSWORD})")
        for username, role, full_name, superuser in USERS:
            what = "superuser" if superuser else role
            self.stdout.write(f"  {username:<9} {what:<22} {full_name}")
        self.stdout.write(
            "Sign in at http://127.0.0.1:8000/admin/ (every role but staff); the public site is "
            "http://127.0.0.1:8000/.\n"
        )

    # --- establishment -------------------------------------------------------------------------

    def _establishment(self, users):
        rng = random.Random(2022)  # noqa: S311 - repeatable demo names, not security
        actor = users["hr2"]
        icb = services.organisation_create(
            code=ICB[0],
            name=ICB[1],
            kind=Organisation.Kind.ICB,
            region="North West",
            opened_on=EFFECTIVE,
            is_legal_employer=True,
            acting_user=actor,
            reason=REASON,
        )
        ccgs = []
        for code, name in CCGS:
            ccg = Organisation(
                code=code,
                name=name,
                kind=Organisation.Kind.CCG,
                region="North West",
                opened_on=dt.date(2013, 4, 1),
                is_legal_employer=True,
            )
            ccg._history_date = RECORDED
            ccgs.append(audited_save(ccg, acting_user=actor, reason=REASON))
            services.succession_create(
                predecessor=ccg,
                successor=icb,
                effective_on=EFFECTIVE,
                acting_user=actor,
                reason=REASON,
            )
        programme = services.programme_create(
            slug=PROGRAMME_SLUG,
            name="CCG to ICB transfer, 1 July 2022",
            legal_basis=(
                "Transfer schemes under the NHS Act 2006 s.14Z28, run in line with TUPE and the "
                "Cabinet Office Statement of Practice; employment commitment for staff below "
                "board level."
            ),
            announced_on=dt.date(2021, 6, 1),
            consultation_starts_on=dt.date(2022, 3, 1),
            effective_on=EFFECTIVE,
            organisations=[icb, *ccgs],
            acting_user=actor,
            reason=REASON,
        )
        for user in users.values():
            if user.username in ("hr", "hr2", "rep"):
                user.organisations.add(icb, *ccgs)
            if user.username == "rep" and not user.union:
                # The demo member's case asks for UNISON, so the demo rep sees it named.
                user.union = "UNISON"
                user.save(update_fields=["union"])

        posts, people, assignments = [], [], []
        serial = 0
        for ccg in ccgs:
            for i in range(POSTS_PER_CCG):
                serial += 1
                title, band, directorate = TITLES[i % len(TITLES)]
                board = i == 0
                if board:
                    title, band, directorate = "Accountable Officer", "VSM", "Executive"
                post = Post(
                    organisation=ccg,
                    position_number=f"{serial:08d}",
                    title=title,
                    directorate=directorate,
                    band=band,
                    wte=Decimal("1.0000") if i % 5 else Decimal("0.6000"),
                    cost_centre=f"{ccg.code}{100 + i % 9}",
                    is_board_level=board,
                )
                posts.append(post)
                if i % 10 == 9:
                    continue  # every tenth post is vacant
                born = dt.date(
                    1962 + rng.randrange(38), 1 + rng.randrange(12), 1 + rng.randrange(28)
                )
                earliest = max(born.replace(year=born.year + 18), dt.date(1985, 4, 1))
                latest = dt.date(2021, 9, 1)
                start = earliest + dt.timedelta(days=rng.randrange((latest - earliest).days))
                person = StaffMember(
                    employee_number=f"2{serial:07d}",
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    date_of_birth=born,
                    nhs_service_start=start,
                )
                person.work_email = (
                    f"{person.first_name}.{person.last_name}{serial}@demo.nhs.uk".lower()
                )
                people.append(person)
                assignments.append((post, person, band, start))
        history = {"default_user": actor, "default_change_reason": REASON, "default_date": RECORDED}
        bulk_create_with_history(posts, Post, **history)
        bulk_create_with_history(people, StaffMember, **history)
        by_number = {p.position_number: p for p in Post.objects.filter(organisation__in=ccgs)}
        by_employee = {s.employee_number: s for s in StaffMember.objects.all()}
        salary = {
            "3": 24937,
            "4": 27485,
            "5": 33000,
            "6": 41000,
            "7": 50000,
            "8a": 58000,
            "8b": 68000,
            "8c": 80000,
            "VSM": 145000,
        }
        rows = [
            Assignment(
                assignment_number=f"3{int(post.position_number):07d}",
                staff_member=by_employee[person.employee_number],
                post=by_number[post.position_number],
                annual_salary=Decimal(salary[band]) * post.wte,
                start_on=max(start, dt.date(2013, 4, 1)),
            )
            for post, person, band, start in assignments
        ]
        bulk_create_with_history(rows, Assignment, **history)

        # The demo staff account is one of Liverpool's people.
        liverpool_person = StaffMember.objects.filter(
            assignments__post__organisation__code="99A"
        ).order_by("employee_number")[1]
        services.staff_member_update(
            staff_member=liverpool_person,
            user=users["staff"],
            first_name="Jordan",
            last_name="Reid",
            acting_user=actor,
            reason=REASON,
        )
        self._changes(programme, icb, ccgs, users)
        self._cases(programme, ccgs, users)
        self._pages(programme)

    def _changes(self, programme, icb, ccgs, users):
        """Halton applied; Knowsley approved and ready; Liverpool drafted; Warrington a mix of
        every status, so each status and action appears."""
        author, approver = users["hr2"], users["admin"]
        halton, knowsley, _liverpool, warrington = ccgs
        for ccg in ccgs:
            for post in Post.objects.filter(organisation=ccg).order_by("position_number"):
                action = (
                    PlannedChange.Action.CLOSED
                    if post.is_board_level
                    else PlannedChange.Action.TRANSFER_UNCHANGED
                )
                services.planned_change_create(
                    programme=programme,
                    post=post,
                    action=action,
                    destination_organisation=None if post.is_board_level else icb,
                    effective_on=EFFECTIVE,
                    acting_user=author,
                    reason=(
                        "Board-level role not covered by the employment commitment"
                        if post.is_board_level
                        else "Lift and shift under the employment commitment"
                    ),
                )
        drafts = PlannedChange.objects.filter(programme=programme)
        services.planned_changes_approve(
            changes=list(drafts.filter(post__organisation__in=[halton, knowsley])),
            acting_user=approver,
            reason="Approved at the transition board, 14 June 2022",
        )
        services.programme_apply_changes(
            programme=programme,
            organisation=halton,
            acting_user=author,
            reason="Transfer scheme effective 1 July 2022",
            recorded_at=TRANSFERRED,
        )
        mixed = list(drafts.filter(post__organisation=warrington).order_by("post__position_number"))
        services.planned_change_update(
            change=mixed[1],
            action=PlannedChange.Action.TRANSFER_CHANGED,
            acting_user=author,
            reason="Role redesigned in the ICB structure; consultation on changed terms",
        )
        services.planned_change_update(
            change=mixed[2],
            action=PlannedChange.Action.OUT_OF_SCOPE,
            destination_organisation=None,
            acting_user=author,
            reason="Hosted service staying with the local authority partnership",
        )
        services.planned_change_cancel(
            change=mixed[3], acting_user=author, reason="Drafted against the wrong post"
        )
        services.planned_changes_approve(
            changes=mixed[4:10], acting_user=approver, reason="Approved at the transition board"
        )
        services.planned_change_apply(
            change=mixed[4], acting_user=author, reason="Transfer scheme effective 1 July 2022"
        )
        new_post = services.post_create(
            organisation=icb,
            position_number="90000001",
            title="Director of Place (Warrington)",
            directorate="Place",
            band="9",
            wte=Decimal("1.0000"),
            status=Post.Status.PROPOSED,
            acting_user=author,
            reason="New ICB structure",
        )
        services.planned_change_create(
            programme=programme,
            post=new_post,
            action=PlannedChange.Action.NEW,
            effective_on=EFFECTIVE,
            acting_user=author,
            reason="New ICB structure",
        )
        system_user()  # make sure scheduled jobs have their named account

    def _pages(self, programme):
        """The promises staff were made in 2021-22, as published pages linked to the programme.
        Demo pages are published directly; real ones go through partnership approval."""
        from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage

        home = HomePage.objects.first()
        if home is None or GuaranteeIndexPage.objects.exists():
            return
        index = home.add_child(
            instance=GuaranteeIndexPage(
                title="Guarantees and frameworks",
                slug="guarantees",
                intro="The commitments made to staff affected by the changes, and who they cover.",
            )
        )
        pages = [
            (
                "Employment commitment",
                GuaranteePage.Kind.GUARANTEE,
                GuaranteePage.Covers.BELOW_BOARD,
                "Staff below board level transfer to the ICB on their existing terms and "
                "conditions, with continuity of service, and are offered continued employment.",
                "NHS England, employment commitment (June 2021); HR framework for developing "
                "ICBs (August 2021)",
            ),
            (
                "Board-level roles",
                GuaranteePage.Kind.FRAMEWORK,
                GuaranteePage.Covers.BOARD,
                "Board-level roles are not covered by the employment commitment: they are "
                "designated or displaced roles, otherwise redundancy on contractual terms.",
                "HR framework for developing ICBs (August 2021)",
            ),
            (
                "Your questions about the transfer",
                GuaranteePage.Kind.FAQ,
                GuaranteePage.Covers.EVERYONE,
                "What moving to the ICB means for your pay, pension, service and union "
                "representation.",
                "",
            ),
        ]
        for title, kind, covers, summary, source in pages:
            page = index.add_child(
                instance=GuaranteePage(
                    title=title,
                    slug=title.lower().replace(" ", "-").replace(",", ""),
                    kind=kind,
                    covers=covers,
                    summary=summary,
                    source=source,
                )
            )
            page.programmes.set([programme])
            page.save_revision().publish()

    def _cases(self, programme, ccgs, users):
        """Cases in Warrington (whose transfer is still being worked out) in several states,
        a board-level case in Halton, the demo staff member's protected case with a request for
        representation, and Warrington's collective consultation."""
        # Imported here: the employment app builds on the tracker, not the other way round.
        from employment.models import Case
        from employment.services import (
            case_open,
            case_representation_record,
            case_transition,
            consultation_open,
        )

        hr = users["hr"]
        halton, _knowsley, _liverpool, warrington = ccgs
        S = Case.Status
        holders = list(
            Assignment.objects.filter(post__organisation=warrington, end_on__isnull=True)
            .select_related("staff_member", "post")
            .order_by("assignment_number")
        )
        paths = [
            [S.AT_RISK],
            [S.AT_RISK, S.SLOTTED_IN],
            [S.AT_RISK, S.RING_FENCED],
            [S.AT_RISK, S.REDEPLOYMENT_TRIAL],
            [S.VR_REQUESTED],
            [S.VR_REQUESTED, S.VR_APPROVED],
            [S.MARS_REQUESTED],
            [S.AT_RISK, S.NOTICE_ISSUED],
            [S.PROTECTED],
        ]
        opened_on = dt.date(2022, 5, 3)
        for assignment, path in zip(holders[10:], paths * 3, strict=False):
            case = case_open(
                staff_member=assignment.staff_member,
                employer=warrington,
                post=assignment.post,
                programme=programme,
                status=path[0],
                on=opened_on,
                acting_user=hr,
                reason="Post affected by the ICB structure (demo)",
                proposed_dismissal_on=dt.date(2022, 9, 30) if path[0] != S.PROTECTED else None,
            )
            for step, status in enumerate(path[1:], start=1):
                case_transition(
                    case=case,
                    to=status,
                    on=opened_on + dt.timedelta(days=14 * step),
                    acting_user=hr,
                    reason=f"Demo: moved to {status.label.lower()}",
                )
        board = Assignment.objects.filter(post__organisation=halton, post__is_board_level=True)
        for assignment in board.select_related("staff_member", "post"):
            case_open(
                staff_member=assignment.staff_member,
                employer=halton,
                post=assignment.post,
                programme=programme,
                on=dt.date(2022, 4, 20),
                acting_user=hr,
                reason="Board-level role not covered by the employment commitment",
                is_very_senior=True,
            )
        me = users["staff"].staff_member
        mine = case_open(
            staff_member=me,
            employer=me.assignments.get().post.organisation,
            post=me.assignments.get().post,
            programme=programme,
            status=S.PROTECTED,
            on=dt.date(2022, 4, 20),
            acting_user=hr,
            reason="Below board level: covered by the employment commitment",
        )
        case_representation_record(
            case=mine,
            requested=True,
            union_name="UNISON",
            acting_user=hr,
            reason="Member asked for representation",
        )
        consultation_open(
            employer=warrington,
            programme=programme,
            starts_on=dt.date(2022, 5, 3),
            acting_user=hr,
            reason="Proposed redundancies in the Warrington structure (demo)",
        )
