"""The exceptions crmctl raises and the exit status each one maps to.

Every command raises one of these; `crmctl.cli.root.RootGroup` is the single place that
turns them into a one-line message and the exit code of SPEC §6.
"""
from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    BAD_INPUT = 2
    REFUSED = 3
    NOT_FOUND = 4
    PERMISSION_DENIED = 5
    IMPORT_REJECTED_ROWS = 6


class CrmError(Exception):
    """Base of every error a user can cause; carries its exit status."""

    exit_status = ExitStatus.ERROR

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class BadInput(CrmError):
    """Malformed or missing input: a field, a URL, a date, a file."""

    exit_status = ExitStatus.BAD_INPUT


class Refused(CrmError):
    """Refused by a rule about data already in the CRM (duplicate, quota, limit)."""

    exit_status = ExitStatus.REFUSED


class DuplicateFound(Refused):
    """A duplicate; `candidates` lists the matching records with score and reasons."""

    def __init__(self, message, candidates):
        super().__init__(message)
        self.candidates = candidates


class NotFound(CrmError):
    exit_status = ExitStatus.NOT_FOUND


class PermissionDenied(CrmError):
    exit_status = ExitStatus.PERMISSION_DENIED


def quoted(value):
    """A value as quoted in a one-line error message (long values cut)."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= 120 else text[:117] + "...'"
