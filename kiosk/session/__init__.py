"""The citizen's session (no Kivy): identity, form values, scans and their one wipe.

Every journey is driven through `SessionManager`, so the UI, the CLI and the tests share it.
"""

from kiosk.session.identity import Identity, IdentityError
from kiosk.session.idle import IdleState, IdleStatus, IdleTimer
from kiosk.session.qr_identity import AppointmentCode, QrRefused, make_eid_qr, parse_qr
from kiosk.session.session import (EndReason, Session, SessionEnded, SessionEvent,
                                   SessionManager)
from kiosk.session.workdir import SessionWorkdir, sweep_stale

__all__ = ["AppointmentCode", "EndReason", "Identity", "IdentityError", "IdleState", "IdleStatus",
           "IdleTimer", "QrRefused", "Session", "SessionEnded", "SessionEvent", "SessionManager",
           "SessionWorkdir", "make_eid_qr", "parse_qr", "sweep_stale"]
