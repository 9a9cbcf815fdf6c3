"""The tracker's demo data: one user per role, four CCGs becoming one ICB on 1 July 2022 with a
few hundred posts and staff, the 2022 programme with planned changes in every status, and the
current programme (the ICB's merger and running-cost reduction) dated from the day it is loaded.

The organisations are four of the nine CCGs that became NHS Cheshire and Merseyside ICB; the
posts and people are invented. Composed with the employment and cms demo data by the
`seed_demo` command (cms, the app above the others).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
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
from tracker.unions import Union

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


@dataclass(frozen=True)
class DemoEstablishment:
    programme: Programme
    icb: Organisation
    ccgs: list[Organisation]


CURRENT_PROGRAMME_SLUG = "icb-merger-and-running-costs"


def first_of_month_after(today: dt.date, months: int) -> dt.date:
    years, month = divmod(today.month - 1 + months, 12)
    return dt.date(today.year + years, month + 1, 1)


def seed_current_programme(establishment: DemoEstablishment, users, *, today: dt.date) -> Programme:
    """The reorganisation under way now: the ICB merging with its neighbour and halving its
    running costs, announced two months ago, consultation begun three weeks ago, taking effect
    on the first of the month four months from now."""
    icb = establishment.icb
    return services.programme_create(
        slug=CURRENT_PROGRAMME_SLUG,
        name="ICB merger and running-cost reduction, " + _day(first_of_month_after(today, 4)),
        legal_basis=(
            "Statutory transfer on the merger of integrated care boards; national model "
            "voluntary redundancy scheme and the NHS Terms and Conditions (Section 16) for "
            "redundancies; collective consultation under TULRCA 1992 s.188."
        ),
        announced_on=today - dt.timedelta(days=61),
        consultation_starts_on=today - dt.timedelta(days=20),
        effective_on=first_of_month_after(today, 4),
        organisations=[icb],
        acting_user=users["hr2"],
        reason=REASON,
    )


def seed_users() -> dict[str, User]:
    """One account per role (created once; a second run changes nothing)."""
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


def print_users(write, *, site_url: str = "http://127.0.0.1:8000") -> None:
    write(f"\nDemo users (password for all: {DEMO_PASSWORD})")
    for username, role, full_name, superuser in USERS:
        what = "superuser" if superuser else role
        write(f"  {username:<9} {what:<22} {full_name}")
    write(
        f"Sign in at {site_url}/admin/ (every role but staff) or {site_url}/login/ (staff); "
        f"the public site is {site_url}/.\n"
        "Every role but staff is then asked for an authenticator code: "
        "`python manage.py demo_totp USERNAME` prints the current one.\n"
    )


def seed_establishment(users: dict[str, User]) -> DemoEstablishment:
    """The 2022 transfer: four CCGs, 300 posts and their people, the programme and its
    changes (Halton applied, Knowsley approved, Liverpool drafted, Warrington mixed)."""
    rng = random.Random(2022)  # noqa: S311 - repeatable demo names, not security
    actor = users["hr2"]
    # Organisations are reference data: an administrator adds them and assigns who covers them;
    # the HR manager then writes everything inside them.
    icb = services.organisation_create(
        code=ICB[0],
        name=ICB[1],
        kind=Organisation.Kind.ICB,
        region="North West",
        opened_on=EFFECTIVE,
        is_legal_employer=True,
        acting_user=users["admin"],
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
        ccgs.append(audited_save(ccg, acting_user=users["admin"], reason=REASON))
    for username in ("hr", "hr2", "rep"):
        services.user_access_update(
            user=users[username],
            organisations=[icb, *ccgs],
            # The demo member's case asks for UNISON, so the demo rep sees it named.
            **({"union": Union.UNISON} if username == "rep" else {}),
            acting_user=users["admin"],
            reason=REASON,
        )
    for ccg in ccgs:
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
            born = dt.date(1962 + rng.randrange(38), 1 + rng.randrange(12), 1 + rng.randrange(28))
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
    _changes(programme, icb, ccgs, users)
    return DemoEstablishment(programme=programme, icb=icb, ccgs=ccgs)


def _changes(programme, icb, ccgs, users):
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


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"
