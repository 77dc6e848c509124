"""Every error the library raises, in one place.

Library code raises these and never prints or exits; the CLI turns them into a message on stderr
and an exit code. Messages say what was expected, what was found, and what to do instead.
"""

from __future__ import annotations

# Exit codes of the `stance` command (documented in docs/formats.md).
EXIT_OK = 0
EXIT_SOME_FAILED = 1  # the run finished, but some documents are in failures.jsonl
EXIT_USAGE = 2  # bad arguments, unreadable inputs given by name, missing or bad model
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C; what was written is kept (rerun with --resume)


class StanceError(Exception):
    """Base class of the errors this package raises on purpose."""

    exit_code = EXIT_USAGE


class InputError(StanceError):
    """An input file or document can't be read as asked."""

    def __init__(self, origin: str | None, reason: str):
        self.origin = origin
        self.reason = reason
        super().__init__(f"{origin}: {reason}" if origin else reason)


class ModelError(StanceError):
    """A model can't be found, verified or loaded."""


class DataError(StanceError):
    """Training or evaluation data doesn't have the expected shape."""
