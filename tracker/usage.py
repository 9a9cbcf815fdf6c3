"""Where a tracker record is used: the rows that refer to it, read from the relations themselves.

Wagtail answers a record's Usage page (and the "Used N times" of its edit page, and the count
on its delete page) from its reference index, a table kept by a task queued on every model
save. The tracker's largest writes are not saves: an import loads 300,000 rows in bulk, and a
programme's changes are approved and applied in bulk, so the index missed most of what refers to
a tracker record (an organisation's page listed none of its imported posts). Writing index rows
for every bulk-written row would cost an import more than it has left to spend, so tracker
records are not indexed at all (`wagtail_reference_index_ignore` on the models) and their usage
is asked of the database: for each relation that can refer to the record (every foreign key,
one-to-one and many-to-many field of any model that points at its model, history tables
aside), the referring rows, one count and at most one page query per relation however many
rows there are.

Only what the user may see is listed or counted: a referring tracker record by its model's
permission policy (a rep, who may not view posts, sees none on an organisation's page); any
other referrer (a case, a page, a user account, an import run) to administrators only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import models
from django.db.models import Model, QuerySet
from simple_history.models import HistoricalChanges
from wagtail.permissions import policy_registry


@dataclass(frozen=True)
class Relation:
    """A field of `model` that refers to another model's rows."""

    model: type[Model]
    field: models.Field

    @property
    def label(self) -> str:
        return str(self.field.verbose_name).capitalize()

    @property
    def on_delete(self) -> str:
        """What deleting the referred record would do to the referring row (the delete page's
        wording)."""
        if self.field.many_to_many:
            return "The link would be removed"
        if self.protects:
            return "Prevents deletion"
        action = self.field.remote_field.on_delete
        if action is models.CASCADE:
            return "Would be deleted too"
        if action is models.SET_NULL:
            return "Would be left without it"
        return "Would be changed"

    @property
    def protects(self) -> bool:
        return not self.field.many_to_many and self.field.remote_field.on_delete in (
            models.PROTECT,
            models.RESTRICT,
        )


@functools.cache
def relations_to(model: type[Model]) -> tuple[Relation, ...]:
    """Every relation that can refer to a row of `model`, in a fixed order (the record's own
    app's models first, then by the referring models' names, then the fields'). History
    tables' copies are left out (they record the reference, they do not make it), as is a
    many-to-many kept by a model of its own (that model's foreign keys are listed instead)."""
    found = []
    for relation in model._meta.related_objects:
        referring, field = relation.related_model, relation.field
        if issubclass(referring, HistoricalChanges):
            continue
        if field.many_to_many and not field.remote_field.through._meta.auto_created:
            continue
        found.append(Relation(referring, field))
    # The record's own app's models first (a post's assignments before its cases).
    own = model._meta.app_label
    found.sort(
        key=lambda r: (
            r.model._meta.app_label != own,
            str(r.model._meta.verbose_name),
            r.field.name,
        )
    )
    return tuple(found)


def _visible(model: type[Model], user, tracker_models) -> QuerySet | None:
    """The rows of `model` `user` may see (every row for None), or None if none of them may
    be listed."""
    if user is None or user.is_superuser:
        return model._default_manager.all()
    if model in tracker_models:
        return policy_registry.get_by_type(model).instances_user_has_any_permission_for(
            user, ["view"]
        )
    return None


class Usage:
    """The rows referring to `obj` that `user` may see, relation by relation: counted with
    `count()`, listed a slice at a time (`usage[0:20]`: (row, Relation) pairs), as Django's
    Paginator asks. `tracker_models` are the models whose rows are listed by their policy;
    with `user` None, every row (what the database would weigh in a deletion)."""

    def __init__(self, obj: Model, user, tracker_models) -> None:
        self.parts: list[tuple[Relation, QuerySet]] = []
        for relation in relations_to(type(obj)):
            visible = _visible(relation.model, user, tracker_models)
            if visible is None:
                continue
            rows = visible.filter(**{relation.field.name: obj}).order_by("pk")
            self.parts.append((relation, rows))

    @functools.cached_property
    def counts(self) -> list[int]:
        return [rows.count() for _relation, rows in self.parts]

    def count(self) -> int:
        return sum(self.counts)

    def __len__(self) -> int:
        return self.count()

    @property
    def is_protected(self) -> bool:
        """Whether a referring row would stop the record being deleted."""
        pairs = zip(self.parts, self.counts, strict=True)
        return any(relation.protects and n for (relation, _rows), n in pairs)

    def __getitem__(self, window: slice) -> list[tuple[Model, Relation]]:
        start, stop = window.start or 0, window.stop
        found: list[tuple[Model, Relation]] = []
        offset = 0
        for (relation, rows), n in zip(self.parts, self.counts, strict=True):
            low, high = max(start - offset, 0), min(stop - offset, n)
            if low < high:
                # What a row's name may read (a succession's organisations, a change's post).
                related = [
                    f.name
                    for f in relation.model._meta.concrete_fields
                    if f.many_to_one and not f.null
                ]
                page = rows.select_related(*related)[low:high]
                found.extend((row, relation) for row in page)
            offset += n
            if offset >= stop:
                break
        return found
