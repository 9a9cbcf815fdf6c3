"""The changes over a window of dates, oldest first (`ChangeLog`, `changes_between`): what the
as-of screen lists under "changes from ... to" and pages through, read in SQL a page at a time
whatever the window holds. Each row becomes an entry as a record's timeline does
(`tracker.selectors.history`)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import IntegerField, Model, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    StaffMember,
)
from tracker.selectors.history import TimelineEntry, _entries, history_filter, start_of_day
from tracker.sql import one_parameter_in

HISTORY_MODELS: tuple[type[Model], ...] = (
    Organisation,
    Post,
    StaffMember,
    Assignment,
    PlannedChange,
)


def changes_between(
    *,
    start: dt.date,
    end: dt.date,
    organisation: Organisation | None = None,
    models: tuple[type[Model], ...] = HISTORY_MODELS,
) -> list[TimelineEntry]:
    """Every recorded change from the start of `start` to the end of `end` (local dates),
    oldest first. With `organisation`, only records that belonged to it at any point.
    For a screen, page `ChangeLog` instead: it reads only the page's rows."""
    return ChangeLog(start=start, end=end, organisation=organisation, models=models)[:]


_KEY_ORDER = ("history_date", "model_rank", "id", "history_id")
_LAST_PAGE_ASKABLE = 10**9


class ChangeLog(Sequence):
    """The changes between two dates as a sequence that reads only what is sliced: what a
    `Paginator` needs. The window's rows of every model are one `UNION ALL` of (when, which)
    keys, counted and ordered in SQL: its length is one count; a slice is one query for its
    keys, then, per model on it, the sliced rows and each one's row before (so every change has
    its "before"), then one query per related model for labels. Nothing grows with the window.
    `get_page` reads a page and the count in one query, so a screen reads the window once.

    With an organisation, the records that were ever in it (its posts, and the people who held
    them) are read first as lists of ids and bound as one parameter each (`one_parameter_in`):
    PostgreSQL then knows how many records it looks for and reads their history through the
    record-and-time index, where a subquery led it to read the whole history table. A window
    since 2022 of a 5,000-post organisation (65,000 changes) took 1.3-1.7 s a page that way.

    Ordered oldest first, then by record type and record. A history row that changed no
    tracked field (the audit guard means the tracker writes none) is counted but not shown, so
    such a page would show one entry fewer."""

    def __init__(
        self,
        *,
        start: dt.date,
        end: dt.date,
        organisation: Organisation | None = None,
        models: tuple[type[Model], ...] = HISTORY_MODELS,
    ):
        since, until = start_of_day(start), start_of_day(end + dt.timedelta(days=1))
        records = _RecordsOf([organisation.pk]) if organisation is not None else None
        # Each model's rank is its place in the order of their names, the second sort key.
        by_name = sorted(models, key=lambda m: str(m._meta.verbose_name))
        self._models = dict(enumerate(by_name))
        parts = []
        for rank, model in self._models.items():
            history = model.history.model  # type: ignore[attr-defined]
            in_window = history.objects.filter(history_date__gte=since, history_date__lt=until)
            if records is not None:
                in_window = in_window.filter(records.filter(model))
            parts.append(
                in_window.order_by()
                .annotate(model_rank=Value(rank, output_field=IntegerField()))
                .values_list("history_date", "model_rank", "id", "history_id")
            )
        self._union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        self._keys = self._union.order_by(*_KEY_ORDER)
        self._length: int | None = None
        self._read: tuple[int, int, list[tuple[int, int]]] | None = None  # start, limit, keys

    def __len__(self) -> int:
        if self._length is None:
            self._length = self._keys.count()
        return self._length

    def count(self, value=None) -> int:
        """`Paginator` asks for `count()`: the number of changes (no argument)."""
        return len(self) if value is None else super().count(value)

    def get_page(self, number, per_page: int) -> Page:
        """`Paginator(self, per_page).get_page(number)` (a number that is not one gives the
        first page, one past the end the last), with the count read in the same query as the
        page's rows: the window is read once, not once to count and again for the page."""
        paginator = Paginator(self, per_page)
        try:
            # Capped so that a forged number far past any end cannot overflow the OFFSET.
            wanted = min(max(int(number), 1), _LAST_PAGE_ASKABLE)
        except (TypeError, ValueError):
            wanted = 1
        start = (wanted - 1) * per_page
        keys, total = self._read_with_total(start, per_page)
        if not keys and wanted > 1:  # past the end: the last page
            total = len(self)
            wanted = max((total + per_page - 1) // per_page, 1)
            start = (wanted - 1) * per_page
            keys, _ = self._read_with_total(start, per_page)
        if total is not None:
            self._length = total
        self._read = (start, per_page, keys)
        return paginator.page(wanted)

    def _read_with_total(self, start: int, limit: int) -> tuple[list[tuple[int, int]], int | None]:
        """The (model rank, history id) keys of rows start..start+limit in order, and how many
        rows the window holds: 0 when a slice from the start is empty (the window is), None
        when a later one is (past the end, which carries no count)."""
        sql, params = self._union.query.sql_with_params()
        order = ", ".join(_KEY_ORDER)
        with connections[self._union.db].cursor() as cursor:
            cursor.execute(
                f"SELECT model_rank, history_id, COUNT(*) OVER () FROM ({sql}) AS changes "  # noqa: S608 - our own compiled query
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, limit, start],
            )
            rows = cursor.fetchall()
        if not rows:
            return [], 0 if start == 0 else None
        return [(rank, history_id) for rank, history_id, _ in rows], rows[0][2]

    def _already_read(self, index: slice) -> list[tuple[int, int]] | None:
        """The keys of a slice within the page `get_page` read (the paginator asks for the last
        page up to the count, not the page size), or None."""
        if self._read is None or index.stop is None:
            return None
        start, limit, keys = self._read
        if (index.start or 0) != start or not 0 <= index.stop - start <= limit:
            return None
        return keys[: index.stop - start]

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1 or None][0]
        if index.step not in (None, 1):
            raise ValueError("A ChangeLog is sliced in order, without a step.")
        read = self._already_read(index)
        if read is None:
            read = [(rank, history_id) for _, rank, _, history_id in self._keys[index]]
        keys = [(self._models[rank], history_id) for rank, history_id in read]
        by_model: dict[type[Model], list[int]] = {}
        for model, history_id in keys:
            by_model.setdefault(model, []).append(history_id)
        entries: dict[tuple[type[Model], int], TimelineEntry] = {}
        for model, history_ids in by_model.items():
            for entry, history_id in _entries_for_rows(model, history_ids):
                entries[(model, history_id)] = entry
        return [entries[key] for key in keys if key in entries]


def _entries_for_rows(model: type[Model], history_ids: list[int]):
    """(entry, history_id) for the given history rows of `model`, each compared with the row
    before it for the same record (read alongside, whether or not it is in the window). The
    ids are bound as one parameter, so the whole window (`changes_between`) is as many queries
    as a page."""
    history = model.history.model  # type: ignore[attr-defined]
    before = (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        history.objects.filter(history_id__in=one_parameter_in(history_ids, integers=True))
        .annotate(before_history_id=Subquery(before))
        .order_by("history_date", "history_id")
    )
    wanted = {r.before_history_id for r in rows} - {None}
    previous = (
        {
            r.history_id: r
            for r in history.objects.filter(
                history_id__in=one_parameter_in(sorted(wanted), integers=True)
            )
        }
        if wanted
        else {}
    )
    sequence = []
    for row in rows:
        context = previous.get(row.before_history_id)
        if context is not None:
            context = copy.copy(context)
            context._context_only = True
            sequence.append(context)
        sequence.append(row)
    return _entries(model, sequence, keep_ids=True)


class _RecordsOf:
    """The posts that were ever in some organisations and the people who ever held one, each
    read once (one query, when first needed) as a list of ids and bound as one parameter: the
    rows `history_filter` selects with subqueries. (With the people left a subquery over the
    bound posts, PostgreSQL still read the whole person history: 98 ms against 38 ms.)"""

    def __init__(self, organisation_ids: list[int]):
        self.organisation_ids = organisation_ids

    @cached_property
    def posts(self) -> RawSQL:
        ids = Post.history.filter(organisation_id__in=self.organisation_ids)
        return _bound(ids.values_list("id", flat=True))

    @cached_property
    def staff(self) -> RawSQL:
        held = Assignment.history.filter(post_id__in=self.posts)
        return _bound(held.values_list("staff_member_id", flat=True))

    def filter(self, model: type[Model]) -> Q:
        by_post = model in (Post, Assignment, PlannedChange, StaffMember)
        return history_filter(
            model,
            self.organisation_ids,
            post_ids=self.posts if by_post else None,
            staff_ids=self.staff if model is StaffMember else None,
        )


def _bound(ids) -> RawSQL:
    return one_parameter_in(sorted(set(ids.order_by())), integers=True)
