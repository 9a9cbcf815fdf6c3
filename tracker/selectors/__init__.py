"""Reads that several screens, exports and commands share: `scope` (who sees what), `history`
(the audit timeline), `changelog` (the changes over a window) and `as_of` (the establishment
as it stood). Import them from here.

Who may see which records is decided here once (`visible_organisations`, `scoped`), and the
audit history is read here once (`record_timeline`, `changes_between`, `establishment_as_of`),
so the admin history screen, the audit export and the as-of export cannot disagree.
"""

from tracker.selectors.as_of import (
    HOLDER_CHUNK,
    POST_SNAPSHOT_FIELDS,
    HolderSnapshot,
    PostSnapshot,
    current_holders,
    current_holders_as_of,
    current_on,
    establishment_as_of,
    held_as_of,
    holders_as_of,
    latest_history,
    organisation_names_as_of,
    post_snapshots,
    posts_as_of,
    with_holders_as_of,
)
from tracker.selectors.changelog import ChangeLog, changes_between
from tracker.selectors.history import (
    FieldChange,
    TimelineEntry,
    history_filter,
    record_timeline,
    start_of_day,
)
from tracker.selectors.scope import (
    held_in,
    people_in,
    scoped,
    sees_all_organisations,
    visible_organisations,
)

__all__ = [
    "HOLDER_CHUNK",
    "POST_SNAPSHOT_FIELDS",
    "ChangeLog",
    "FieldChange",
    "HolderSnapshot",
    "PostSnapshot",
    "TimelineEntry",
    "changes_between",
    "current_holders",
    "current_holders_as_of",
    "current_on",
    "establishment_as_of",
    "held_as_of",
    "held_in",
    "history_filter",
    "holders_as_of",
    "latest_history",
    "organisation_names_as_of",
    "people_in",
    "post_snapshots",
    "posts_as_of",
    "record_timeline",
    "scoped",
    "sees_all_organisations",
    "start_of_day",
    "visible_organisations",
    "with_holders_as_of",
]
