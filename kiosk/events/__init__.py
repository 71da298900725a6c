"""Catalogued events: every id declared once in events.toml, logged through `emit()`."""

from kiosk.events.catalogue import (CATEGORIES, DISPOSITIONS, LEVELS, CatalogueError, EventSpec,
                                    catalogue, parse_catalogue)
from kiosk.events.emit import UndeclaredEvent, emit

__all__ = ["CATEGORIES", "DISPOSITIONS", "LEVELS", "CatalogueError", "EventSpec",
           "UndeclaredEvent", "catalogue", "emit", "parse_catalogue"]
