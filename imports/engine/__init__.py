"""The import engine: read (`imports.readers`, `parse`), plan one sheet at a time (`plan`), write
all of it or none (`write`, `history`), driven by `run.workbook_import`."""
