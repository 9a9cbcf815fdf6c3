"""Kept so existing imports keep working: the engine lives in `imports.engine`."""

from imports.engine.run import ENGINE_VERSION, ImportResult, workbook_import

__all__ = ["ENGINE_VERSION", "ImportResult", "workbook_import"]
