"""Cells a spreadsheet would run as a formula are written as text: every export uses this.

A value starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula (or a DDE
command such as `+cmd|...`) to Excel and LibreOffice; prefixing a single quote makes it text
(OWASP, "CSV injection"). Numbers, dates and booleans pass through untouched, so a negative
amount stays a number.
"""

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
