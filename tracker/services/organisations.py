"""Organisations, their successions, and programmes: reference data that an administrator
adds (organisations) and HR managers maintain within the organisations they cover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from tracker import access
from tracker.audit import (
    UNSET,
    Unset,
    audited_save,
    given,
    model_update,
    stamp,
)
from tracker.models import (
    Organisation,
    Programme,
    Succession,
    User,
)


@transaction.atomic
def organisation_create(
    *,
    code: str,
    name: str,
    kind: str,
    region: str = "",
    opened_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    is_legal_employer: bool = True,
    acting_user: User,
    reason: str,
) -> Organisation:
    """A new organisation. ODS codes are national reference data and a new organisation is
    nobody's yet, so only a superuser creates one (and then assigns who covers it)."""
    access.require_may_change(acting_user)
    if not acting_user.is_superuser:
        raise access.OutOfScope(
            "Only an administrator adds an organisation, then assigns who covers it."
        )
    organisation = Organisation(
        code=str(code).strip().upper(),
        name=name,
        kind=kind,
        region=region,
        opened_on=opened_on,
        closed_on=closed_on,
        is_legal_employer=is_legal_employer,
    )
    return audited_save(organisation, acting_user=acting_user, reason=reason)


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    acting_user: User,
    reason: str,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    region: str | Unset = UNSET,
    opened_on: dt.date | Unset | None = UNSET,
    closed_on: dt.date | Unset | None = UNSET,
    is_legal_employer: bool | Unset = UNSET,
) -> Organisation:
    access.require_change(acting_user, [organisation])
    if code is not UNSET and code != organisation.code:
        raise ValidationError({"code": "ODS codes are never reused or changed."})
    model_update(
        organisation,
        data={
            "name": name,
            "kind": kind,
            "region": region,
            "opened_on": opened_on,
            "closed_on": closed_on,
            "is_legal_employer": is_legal_employer,
        },
        acting_user=acting_user,
        reason=reason,
    )
    return organisation


@transaction.atomic
def succession_create(
    *,
    predecessor: Organisation,
    successor: Organisation,
    effective_on: dt.date,
    acting_user: User,
    reason: str,
) -> Succession:
    access.require_change(acting_user, [predecessor, successor])
    return audited_save(
        Succession(predecessor=predecessor, successor=successor, effective_on=effective_on),
        acting_user=acting_user,
        reason=reason,
    )


@transaction.atomic
def succession_update(
    *,
    succession: Succession,
    acting_user: User,
    reason: str,
    predecessor: Organisation | Unset = UNSET,
    successor: Organisation | Unset = UNSET,
    effective_on: dt.date | Unset = UNSET,
) -> Succession:
    access.require_change(
        acting_user,
        [
            succession.predecessor_id,
            succession.successor_id,
            given(predecessor),
            given(successor),
        ],
    )
    model_update(
        succession,
        data={"predecessor": predecessor, "successor": successor, "effective_on": effective_on},
        acting_user=acting_user,
        reason=reason,
    )
    return succession


@transaction.atomic
def programme_create(
    *,
    slug: str,
    name: str,
    effective_on: dt.date,
    legal_basis: str = "",
    announced_on: dt.date | None = None,
    consultation_starts_on: dt.date | None = None,
    organisations: Iterable[Organisation] = (),
    acting_user: User,
    reason: str,
) -> Programme:
    organisations = list(organisations)
    access.require_change_organisations_of(acting_user, organisations)
    programme = audited_save(
        Programme(
            slug=slug,
            name=name,
            effective_on=effective_on,
            legal_basis=legal_basis,
            announced_on=announced_on,
            consultation_starts_on=consultation_starts_on,
        ),
        acting_user=acting_user,
        reason=reason,
    )
    if organisations:
        # The m2m history row is written by simple-history from the instance's stamp.
        stamp(programme, acting_user=acting_user, reason=reason)
        programme.organisations.add(*organisations)
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    acting_user: User,
    reason: str,
    slug: str | Unset = UNSET,
    name: str | Unset = UNSET,
    legal_basis: str | Unset = UNSET,
    announced_on: dt.date | Unset | None = UNSET,
    consultation_starts_on: dt.date | Unset | None = UNSET,
    effective_on: dt.date | Unset = UNSET,
    organisations: Iterable[Organisation] | None = None,
) -> Programme:
    access.require_change_programme(acting_user, programme)
    if organisations is not None:
        organisations = list(organisations)
        access.require_change_organisations_of(acting_user, organisations)
    model_update(
        programme,
        data={
            "slug": slug,
            "name": name,
            "legal_basis": legal_basis,
            "announced_on": announced_on,
            "consultation_starts_on": consultation_starts_on,
            "effective_on": effective_on,
        },
        acting_user=acting_user,
        reason=reason,
    )
    if organisations is not None:
        wanted = {o.pk for o in organisations}
        if wanted != set(programme.organisations.values_list("pk", flat=True)):
            stamp(programme, acting_user=acting_user, reason=reason)
            programme.organisations.set(wanted)
    return programme
