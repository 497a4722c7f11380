from __future__ import annotations


class CirculationError(Exception):
    """A refused action, with a message meant for the person who tried it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(CirculationError):
    """The request's state does not allow this move."""


class TransitionConflict(CirculationError):
    """Someone else acted first; nothing was changed."""
