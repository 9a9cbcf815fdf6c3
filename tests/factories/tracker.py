"""Factories for tracker models. They write through the ORM with a stamped user and reason, the
same who-and-why the services give, so history rows made in tests look like real ones."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from tracker.audit import system_user
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)


class AuditedFactory(factory.django.DjangoModelFactory):
    """Stamps `_history_user` and `_change_reason` so the audit guard lets the row through."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        instance._history_user = system_user()
        instance._change_reason = "test fixture"
        instance.save()
        return instance


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nhs.uk")
    password = factory.django.Password("correct-horse-battery")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.add(*extracted)


def _ods_code(n: int) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"{n % 10}{alphabet[(n // 10) % 24]}{alphabet[(n // 240) % 24]}"


class OrganisationFactory(AuditedFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(_ods_code)
    name = factory.LazyAttribute(lambda o: f"Organisation {o.code}")
    kind = Organisation.Kind.CCG
    region = "North West"
    is_legal_employer = True


class SuccessionFactory(AuditedFactory):
    class Meta:
        model = Succession

    predecessor = factory.SubFactory(OrganisationFactory)
    successor = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.ICB)
    effective_on = dt.date(2022, 7, 1)


class ProgrammeFactory(AuditedFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    effective_on = dt.date(2022, 7, 1)


class PostFactory(AuditedFactory):
    class Meta:
        model = Post

    organisation = factory.SubFactory(OrganisationFactory)
    position_number = factory.Sequence(lambda n: f"{n:08d}")
    title = "Commissioning Manager"
    directorate = "Strategy"
    band = "7"
    wte = Decimal("1.0000")
    cost_centre = "CC100"


class StaffMemberFactory(AuditedFactory):
    class Meta:
        model = StaffMember

    employee_number = factory.Sequence(lambda n: f"E{n:07d}")
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = "Smith"
    work_email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.nhs.uk")
    date_of_birth = dt.date(1975, 3, 10)
    nhs_service_start = dt.date(2008, 9, 1)


class AssignmentFactory(AuditedFactory):
    class Meta:
        model = Assignment

    assignment_number = factory.Sequence(lambda n: f"A{n:08d}")
    staff_member = factory.SubFactory(StaffMemberFactory)
    post = factory.SubFactory(PostFactory)
    annual_salary = Decimal("50000.00")
    start_on = dt.date(2015, 4, 1)


class PlannedChangeFactory(AuditedFactory):
    class Meta:
        model = PlannedChange

    programme = factory.SubFactory(ProgrammeFactory)
    post = factory.SubFactory(PostFactory)
    action = PlannedChange.Action.TRANSFER_UNCHANGED
    destination_organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.ICB)
    effective_on = dt.date(2022, 7, 1)
    reason = "Lift and shift under the employment commitment"
    author = factory.SubFactory(UserFactory)


def held_post_transfers(n: int, *, programme, source, destination, author) -> list[PlannedChange]:
    """`n` draft transfers (lift and shift) of `source`'s posts, each held by someone, to
    `destination`: the shape of a CCG's changes in a programme."""
    return [
        PlannedChangeFactory(
            programme=programme,
            post=AssignmentFactory(post__organisation=source).post,
            destination_organisation=destination,
            author=author,
        )
        for _ in range(n)
    ]
