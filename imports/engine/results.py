"""What planning a workbook produces: per sheet what it creates, updates and leaves alone (for the
summary lines and the preview), and the rows to write."""

from __future__ import annotations

from dataclasses import dataclass, field

from imports.engine.rows import ParsedRow, Problem

PREVIEW_LIMIT = 200  # rows per sheet and kind kept for the preview screen


@dataclass
class SheetSummary:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    objects: dict[str, dict[str, int]] = field(default_factory=dict)
    created_rows: list[dict] = field(default_factory=list)
    updated_rows: list[dict] = field(default_factory=list)

    def record(self, row: ParsedRow, key: str, outcome: str, changes: list) -> None:
        if outcome == "created":
            self.created += 1
            if len(self.created_rows) < PREVIEW_LIMIT:
                self.created_rows.append({"row": row.number, "key": key})
        elif outcome == "updated":
            self.updated += 1
            if len(self.updated_rows) < PREVIEW_LIMIT:
                self.updated_rows.append({"row": row.number, "key": key, "changes": changes})
        else:
            self.unchanged += 1

    def count(self, what: str, kind: str) -> None:
        bucket = self.objects.get(what)  # called per row: no new default dict on each call
        if bucket is None:
            bucket = self.objects[what] = {"created": 0, "updated": 0}
        bucket[kind] += 1

    def line(self) -> str:
        text = (
            f"{self.name}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        parts = [
            f"{what} +{c['created']} ~{c['updated']}"
            for what, c in self.objects.items()
            if c["created"] or c["updated"]
        ]
        return text + (f" ({'; '.join(parts)})" if parts else "")

    def as_counts(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class Plan:
    problems: list[Problem] = field(default_factory=list)
    summaries: dict[str, SheetSummary] = field(default_factory=dict)
    watermark: tuple = ()
    org_creates: list[dict] = field(default_factory=list)
    org_updates: list[dict] = field(default_factory=list)
    succession_creates: list[dict] = field(default_factory=list)  # codes, resolved at write
    succession_updates: list[dict] = field(default_factory=list)
    post_creates: list[dict] = field(default_factory=list)  # "_org" code, resolved at write
    post_updates: list[dict] = field(default_factory=list)
    staff_creates: list[dict] = field(default_factory=list)
    staff_updates: list[dict] = field(default_factory=list)
    assignment_creates: list[dict] = field(default_factory=list)  # "_post", "_staff" keys
    assignment_updates: list[dict] = field(default_factory=list)
    change_creates: list[dict] = field(default_factory=list)  # "_post", "_destination"
    change_updates: list[dict] = field(default_factory=list)
    known_post_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    known_staff_ids: dict[str, int] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return sum(
            len(getattr(self, name))
            for name in self.__dataclass_fields__
            if name.endswith(("_creates", "_updates"))
        )
