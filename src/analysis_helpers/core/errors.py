"""The project's exception tree.

Every error a user can cause (bad data, an unknown area, a bad parameter) is a
:class:`SendReviewError`. Its message is one sentence a non-programmer can act
on: it names the file, the row or column, and what was expected. The CLI prints
that sentence on one line and exits with status 2.
"""

from __future__ import annotations


class SendReviewError(Exception):
    """Base class for every error the workbook reports to its users."""


class DataValidationError(SendReviewError):
    """An input file is missing, changed, truncated or not in the expected form."""


class ChecksumError(DataValidationError):
    """A raw file's SHA-256 differs from the one recorded in the data log."""


class UnknownAreaError(SendReviewError):
    """An area name or code matches no local authority, region or England."""


class ParameterError(SendReviewError):
    """A notebook or command parameter is out of range or badly formed."""


class ReportError(SendReviewError):
    """A report run failed; the previous good report was left untouched."""


class OutputFolderError(ReportError):
    """The reports folder cannot be written: a file in its place, read-only, or the disk full (the first error named)."""
