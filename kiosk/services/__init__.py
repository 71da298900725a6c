"""Services between the drivers and the screens (no Kivy).

Data flows one way: device -> driver event -> service -> screen. A service turns raw device
events and statuses into the few facts a screen shows (a session started, a code refused, a
journey unavailable and why); screens never touch drivers.
"""

from kiosk.services.availability import (JOURNEYS, REASONS, Availability, AvailabilityChanged,
                                         OpeningHours, needs_documents)
from kiosk.services.identity import (IdentityEvent, IdentityEventKind, IdentityService,
                                     load_eid_public_key)

__all__ = ["Availability", "AvailabilityChanged", "IdentityEvent", "IdentityEventKind",
           "IdentityService", "JOURNEYS", "OpeningHours", "REASONS", "load_eid_public_key",
           "needs_documents"]
