"""Small-number suppression: figures shown to union representatives never single anyone out.

The rule (NHS England's and the ONS's usual practice for published staff figures, applied here to
every count a union representative sees):

* a count of 1 to 4 people is shown as "fewer than 5" (0 is shown: it reveals nobody);
* secondary suppression: in a breakdown shown with its total, if exactly one cell is suppressed
  its value could be worked out as the total minus the others, so the next smallest non-zero cell
  is suppressed too;
* a total of 1 to 4 is itself suppressed, and then so is every cell of its breakdown.

Pure arithmetic: no database, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5
SUPPRESSED_TEXT = "fewer than 5"


@dataclass(frozen=True)
class Shown:
    """A count as it may be shown: `value` is None when it is suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return SUPPRESSED_TEXT if self.value is None else f"{self.value:,}"


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def shown(count: int) -> Shown:
    """One count on its own."""
    return Shown(None if is_small(count) else count)


def breakdown(counts: Mapping[str, int]) -> tuple[dict[str, Shown], Shown]:
    """A breakdown with its total, suppressed so no cell can be worked out from the others."""
    total = sum(counts.values())
    if is_small(total):
        return {key: Shown(None) if n else Shown(0) for key, n in counts.items()}, Shown(None)
    hidden = {key for key, n in counts.items() if is_small(n)}
    if len(hidden) == 1:
        others = sorted((n, key) for key, n in counts.items() if key not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    cells = {key: Shown(None) if key in hidden else Shown(n) for key, n in counts.items()}
    return cells, Shown(total)


def series(counts: Sequence[int]) -> list[Shown]:
    """A trend over time: each point stands alone (points are not summed to a total)."""
    return [shown(n) for n in counts]
