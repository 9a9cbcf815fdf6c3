"""Pay bands and the spellings people type for them.

Agenda for Change bands 1-9 (with 8a-8d), very and executive senior managers, medical and other.
`normalise_band` turns what is typed in ESR extracts and spreadsheets ("Band 8a", "AfC 8A",
"esm 2", "VSM") into the stored value, or raises ValueError naming the accepted forms.
"""

import re

from django.db import models


class Band(models.TextChoices):
    AFC_1 = "1", "Band 1"
    AFC_2 = "2", "Band 2"
    AFC_3 = "3", "Band 3"
    AFC_4 = "4", "Band 4"
    AFC_5 = "5", "Band 5"
    AFC_6 = "6", "Band 6"
    AFC_7 = "7", "Band 7"
    AFC_8A = "8a", "Band 8a"
    AFC_8B = "8b", "Band 8b"
    AFC_8C = "8c", "Band 8c"
    AFC_8D = "8d", "Band 8d"
    AFC_9 = "9", "Band 9"
    VSM = "VSM", "Very senior manager"
    ESM_1 = "ESM1", "ESM 1"
    ESM_2 = "ESM2", "ESM 2"
    ESM_3 = "ESM3", "ESM 3"
    ESM_4 = "ESM4", "ESM 4"
    MEDICAL = "medical", "Medical and dental"
    OTHER = "other", "Other"


AFC_BANDS = tuple(b for b in Band if b.name.startswith("AFC_"))
SENIOR_MANAGER_BANDS = (Band.VSM, Band.ESM_1, Band.ESM_2, Band.ESM_3, Band.ESM_4)

_PREFIX = re.compile(r"^(?:afc|agenda\s*for\s*change|band|pay\s*band|grade)\s*", re.IGNORECASE)
_ALIASES = {
    "veryseniormanager": Band.VSM,
    "medicalanddental": Band.MEDICAL,
    "medical": Band.MEDICAL,
    "m&d": Band.MEDICAL,
    "other": Band.OTHER,
}


def normalise_band(value: object) -> str:
    """Return the stored band value for what someone typed, or raise ValueError."""
    if value is None:
        raise ValueError("band is blank")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        raise ValueError("band is blank")
    compact = re.sub(r"[\s_\-.]+", "", text).lower()
    if compact in _ALIASES:
        return _ALIASES[compact]
    # "Band 8a", "AfC 8A", "Band 5"; then "ESM 2", "esm-2", "VSM"
    stripped = re.sub(r"[\s_\-.]+", "", _PREFIX.sub("", text)).lower()
    for prefix in ("afc", "band"):  # "AfC Band 7"
        if stripped.startswith(prefix):
            stripped = stripped[len(prefix) :]
    if re.fullmatch(r"[1-7]|9|8[a-d]", stripped):
        return stripped
    if stripped == "vsm":
        return Band.VSM
    if m := re.fullmatch(r"esm([1-4])", stripped):
        return f"ESM{m.group(1)}"
    raise ValueError(
        f"'{text}' is not a band: use 1-9, 8a-8d, VSM, ESM 1-4, Medical or Other "
        "(forms such as 'Band 8a' or 'AfC 8A' are accepted)"
    )
