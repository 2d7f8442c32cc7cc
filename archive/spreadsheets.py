"""CSV cells that a spreadsheet reads as text, whatever a communiqué put in them."""

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# ("CSV injection"): names, titles and demands come from uploaded documents.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, with a text that a spreadsheet would run as a formula quoted as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
