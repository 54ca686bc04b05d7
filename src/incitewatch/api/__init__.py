"""The analyst's desk: REST API and web pages over the store (``create_app``)."""

from incitewatch.api.app import create_app
from incitewatch.api.desk import Settings

__all__ = ["Settings", "create_app"]
