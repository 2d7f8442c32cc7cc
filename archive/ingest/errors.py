"""The one exception the importer raises for a file it cannot take in."""

from __future__ import annotations

# Short machine codes, so the admin UI and the import report can group failures.
REASONS = frozenset(
    {
        "empty",  # nothing to read: zero bytes or only whitespace
        "corrupt",  # damaged, truncated or password-protected
        "unsupported",  # a format the archive does not read (image, spreadsheet, .doc ...)
        "too_large",  # over a size or file-count limit
        "undecodable",  # looks like text but no encoding makes sense of it
        "timeout",  # reading took longer than allowed
        "unsafe_path",  # a zip member whose name escapes the archive
        "zip_bomb",  # an archive that expands beyond the limit
        "not_found",  # a path given on the command line that does not exist
    }
)


class IngestError(Exception):
    """A file could not be read.

    ``str(error)`` is a sentence for an admin: it names the file, says what is wrong and
    what to do next. ``reason`` is one of :data:`REASONS` for code that needs to branch.
    """

    def __init__(self, filename: str, reason: str, detail: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown IngestError reason {reason!r}")
        self.filename = filename
        self.reason = reason
        self.detail = detail
        super().__init__(f"{filename}: {detail}")

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, str, str]]:
        # Errors travel back from the reading child process; the default pickling of an
        # Exception would call __init__ with the single message argument and fail.
        return (type(self), (self.filename, self.reason, self.detail))

    def renamed(self, filename: str) -> IngestError:
        """The same error, reported under another display name (e.g. inside a zip)."""
        return IngestError(filename, self.reason, self.detail)
