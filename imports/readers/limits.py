"""The limits an uploaded workbook must keep to. Each is named in the error that refuses a file,
so a person can ask for it to change."""

MAX_FILE_BYTES = 100 * 1024 * 1024  # the .xlsx file itself
MAX_ENTRIES = 1_000  # parts in the zip archive
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024  # all parts together, once inflated
MAX_COMPRESSION_RATIO = 200  # inflated / compressed, for parts larger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000  # per sheet
MAX_COLUMNS = 100  # per sheet
MAX_CELLS = 6_000_000  # per sheet
