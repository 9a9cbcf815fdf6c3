"""Who and why on every history row.

Services stamp each instance with the acting user and a reason before saving (`stamp`), and
`install_guards` makes any history row simple-history writes without both an error, so a new
write path that forgets cannot silently lose the audit trail. The bulk writers (the import's,
`bulk_update_audited`) copy history rows in SQL (`copy_to_history`), which requires both.
User accounts are deactivated, never deleted, so a history row's who always resolves.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import ProtectedError
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from tracker.sql import one_parameter_in

SYSTEM_USERNAME = "system"


class MissingAuditContext(Exception):
    """A history row was about to be written without an acting user or a reason."""


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MissingAuditContext("Every change needs a reason for the audit history.")
    return reason


def require_user(user: Any) -> Any:
    """The acting user (or their id): every change needs one for its history row."""
    if user is None:
        raise MissingAuditContext("Every change needs an acting user for the audit history.")
    return user


def stamp(instance, *, acting_user, reason: str):
    """Attach who and why to an instance about to be saved; returns it for chaining."""
    instance._history_user = require_user(acting_user)
    instance._change_reason = require_reason(reason)
    return instance


def audited_save(instance, *, acting_user, reason: str, changed: list[str] | None = None):
    """Validate and save with who and why: the last step of every service write.

    `changed=None` means a new record; a list names the fields that changed, and an empty list
    means nothing did, so nothing is written and no history row appears.
    """
    if changed is not None and not changed:
        return instance
    instance.full_clean()
    stamp(instance, acting_user=acting_user, reason=reason)
    if changed is None:
        instance.save()
    else:
        instance.save(update_fields=changed)
    return instance


class Unset(enum.Enum):
    """The default of an update service's keyword arguments: "not given", which is not None
    (None is a value: a closing date cleared, a destination removed)."""

    UNSET = enum.auto()

    def __bool__(self) -> bool:
        return False


UNSET = Unset.UNSET

M = TypeVar("M")
T = TypeVar("T")


def given(value: T | Unset) -> T | None:
    """The value of an optional keyword argument, or None when it was not given."""
    return None if isinstance(value, Unset) else value


def set_changed_fields(instance: Any, data: Mapping[str, Any]) -> list[str]:
    """Set each given field (UNSET means not given) whose value differs; return their names."""
    changed = []
    for name, value in data.items():
        if value is UNSET:
            continue
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def model_update(
    instance: M, *, data: Mapping[str, Any], acting_user: Any, reason: str
) -> list[str]:
    """The one update helper (HackSoft's `model_update`): take the fields given (UNSET means
    not given), set those that differ, validate, `save(update_fields=changed)` with who and why,
    and return the names that changed. Nothing changed means nothing written, no history row."""
    changed = set_changed_fields(instance, data)
    audited_save(instance, acting_user=acting_user, reason=reason, changed=changed)
    return changed


_HISTORY_OWN_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}
# History rows one INSERT ... SELECT copies.
COPY_BATCH = 5_000


def copy_to_history(
    model: Any,
    ids: list[int],
    history_type: str,
    *,
    user_id: int,
    reason: str,
    when,
    using: str = "default",
) -> None:
    """One history row of `history_type` ("+" created, "~" changed) for each of the rows `ids`
    of `model`, copied by the database from the row as it now is (INSERT ... SELECT), stamped
    with who, why and when: the bulk writers (the import's, `bulk_update_audited`) record the
    whole record without building an instance per row. Such rows bypass django-simple-history's
    signals and so the guard below: the user and the reason are required here instead."""
    require_user(user_id)
    reason = require_reason(reason)
    connection = connections[using]
    history = model.history.model
    tracked = [
        f.attname for f in history._meta.concrete_fields if f.name not in _HISTORY_OWN_FIELDS
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in tracked)
    stamp = ", ".join(
        quote(c)
        for c in ("history_date", "history_change_reason", "history_type", "history_user_id")
    )
    head = (
        f"INSERT INTO {quote(history._meta.db_table)} ({names}, {stamp}) "  # noqa: S608
        f"SELECT {names}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} WHERE "
    )
    values = [connection.ops.adapt_datetimefield_value(when), reason, history_type, user_id]
    ids = sorted(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), COPY_BATCH):
            chunk = ids[start : start + COPY_BATCH]
            if chunk[-1] - chunk[0] + 1 == len(chunk):  # reserved ids: usually one run
                where, params = f"{quote('id')} BETWEEN %s AND %s", [chunk[0], chunk[-1]]
            else:
                where = f"{quote('id')} IN ({', '.join(['%s'] * len(chunk))})"
                params = chunk
            cursor.execute(f"{head}{where} ORDER BY {quote('id')}", [*values, *params])


# More distinct sets of new values than this and `bulk_update_audited` has Django write each row
# its own value (one CASE per field, batched), rather than one UPDATE per set.
GROUPS_LIMIT = 20


def bulk_update_audited(
    objects: list, model: Any, fields: list[str], *, acting_user: Any, reason: str, when=None
) -> None:
    """Write `fields` of many instances and a "changed" history row for each, naming who and
    why (what django-simple-history's `bulk_update_with_history` does, faster): rows that take
    the same new values are written by one UPDATE, and the history rows are copied from the
    rows by the database (`copy_to_history`). Approving or applying a whole organisation's
    changes sets the same status, stamps and destination on thousands of rows; Django's
    `bulk_update` writes a CASE over every row for each field (a statement per few dozen rows
    on SQLite), and simple-history builds a history instance per row: at 5,000 changes that
    was seconds of Python. Only with more than GROUPS_LIMIT distinct sets of values (posts
    each renumbered, say) is each row written its own value, by `bulk_update`."""
    if not objects:
        return
    user_id = require_user(getattr(acting_user, "pk", None))
    reason = require_reason(reason)
    attnames = [model._meta.get_field(name).attname for name in fields]
    groups: dict[tuple, list[int]] = {}
    for instance in objects:
        groups.setdefault(tuple(getattr(instance, a) for a in attnames), []).append(instance.pk)
    with transaction.atomic():
        if len(groups) > GROUPS_LIMIT:
            model._default_manager.bulk_update(objects, fields)
        else:
            for values, ids in groups.items():
                model._default_manager.filter(pk__in=one_parameter_in(ids, integers=True)).update(
                    **dict(zip(attnames, values, strict=True))
                )
        copy_to_history(
            model,
            [instance.pk for instance in objects],
            "~",
            user_id=user_id,
            reason=reason,
            when=when or timezone.now(),
        )


def system_user():
    """The account named on history written by scheduled jobs with no person behind them.
    It cannot sign in (unusable password, inactive)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "System", "last_name": "(scheduled jobs)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system_account(user: Any) -> bool:
    """Whether `user` is the account `system_user` makes: the name alone is not enough (an
    ordinary account could be called "system"); it must also be unable to sign in."""
    return bool(
        user is not None
        and user.get_username() == SYSTEM_USERNAME
        and not user.is_active
        and not user.has_usable_password()
    )


def _refuse_unaudited_history(sender, history_instance, **kwargs):
    if (
        history_instance.history_user_id is None
        or not (history_instance.history_change_reason or "").strip()
    ):
        raise MissingAuditContext(
            f"{sender.__name__} history row without "
            f"{'a user' if history_instance.history_user_id is None else 'a reason'}: "
            "write through a service that passes acting_user and reason."
        )


def _refuse_unstamped_save(sender, instance, raw=False, **kwargs):
    """Stop the write itself, not just its history row, so nothing is half-written."""
    if raw:  # loaddata
        return
    if getattr(instance, "_history_user", None) is None:
        raise MissingAuditContext(
            f"{sender.__name__} saved without a user: write through a service that passes "
            "acting_user and reason."
        )
    if not (getattr(instance, "_change_reason", None) or "").strip():
        raise MissingAuditContext(
            f"{sender.__name__} saved without a reason: write through a service that passes "
            "acting_user and reason."
        )


def _refuse_user_delete(sender, instance, **kwargs):
    raise ProtectedError(
        "User accounts are deactivated, never deleted, so the audit history keeps its who.",
        {instance},
    )


def install_guards() -> None:
    for model in apps.get_models():
        if getattr(model._meta, "simple_history_manager_attribute", None):
            pre_save.connect(
                _refuse_unstamped_save,
                sender=model,
                dispatch_uid=f"tracker.audit.refuse_unstamped_save.{model._meta.label}",
            )
    pre_create_historical_record.connect(
        _refuse_unaudited_history, dispatch_uid="tracker.audit.refuse_unaudited_history"
    )
    pre_delete.connect(
        _refuse_user_delete,
        sender=get_user_model(),
        dispatch_uid="tracker.audit.refuse_user_delete",
    )
