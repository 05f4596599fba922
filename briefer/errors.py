"""The BrieferError family.

User and configuration mistakes are kept apart from model misbehaviour so the CLI can tell the
reader whether to fix their input or their endpoint. Every message is one sentence with the fix.
"""

from __future__ import annotations


class BrieferError(Exception):
    """Base of every error briefer raises on purpose; the CLI prints it as one line, exit 1."""


class UserError(BrieferError):
    """The user's input or configuration is wrong; they can fix it."""


class ConfigError(UserError):
    """Settings are missing or invalid (no key, bad config file, bad flag value)."""


class InputError(UserError):
    """An input path or article cannot be used."""


class NoArticlesError(InputError):
    """Nothing usable was found to brief."""


class StorageError(BrieferError):
    """A file could not be written (full disk, no permission); nothing half-written is left."""


class PromptError(BrieferError):
    """A prompt file is missing or a template variable was not supplied (a packaging bug)."""


class EncodingUnavailableError(BrieferError):
    """A tiktoken encoding cannot be loaded offline."""


class LocalModelError(BrieferError):
    """The embedded model's parts are missing or fail their hash check."""


class LocalServerError(BrieferError):
    """The embedded llama.cpp server could not start or answer."""


class ModelError(BrieferError):
    """The model endpoint misbehaved: it failed, refused, or returned unusable output."""


class EndpointError(ModelError):
    """The endpoint could not be reached or answered with an HTTP error."""


class RecoverableModelError(ModelError):
    """The endpoint answered, but not usably for this one item (invalid, cut or refused): the
    caller may skip the item and go on. An endpoint that cannot be reached is not one."""


class ModelOutputError(RecoverableModelError):
    """The model's output never validated against the schema, even after re-asking."""

    def __init__(self, message: str, *, attempts: int, last_raw: str) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.last_raw = last_raw


class OutputTruncatedError(RecoverableModelError):
    """The model hit its output limit (finish_reason=length); the result would be cut."""

    def __init__(self, message: str, *, last_raw: str = "") -> None:
        super().__init__(message)
        self.last_raw = last_raw


class ModelRefusalError(RecoverableModelError):
    """The model refused to answer (a refusal message or a content filter)."""
