"""One exception family. Every message names the input, the reason, and where useful what to do."""

from __future__ import annotations


class IncitewatchError(Exception):
    """Base of every error incitewatch raises on purpose."""


class InputError(IncitewatchError):
    """An input (file, URL, feed item, stdin) could not be turned into an article."""

    def __init__(self, input_name: str, reason: str) -> None:
        self.input_name = input_name
        self.reason = reason
        super().__init__(f"{input_name}: {reason}")


class StoreError(IncitewatchError):
    """The store could not be opened, migrated or written; nothing already stored was changed."""


class ConfigError(IncitewatchError):
    """A setting is missing or invalid."""
