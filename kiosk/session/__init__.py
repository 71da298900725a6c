"""The citizen's session (no Kivy): identity, form values, scans and their one wipe.

Every journey is driven through `SessionManager`, so the UI, the CLI and the tests share it.

Names are loaded from their module when first asked for (PEP 562): the app's attract loop
needs only `EndReason` and the idle states before its first frame, and the identity modules
bring the card parsers and cryptography (35 ms), which the terminal's worker imports later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.lazy_names import module_getattr

_MODULE_OF = {
    "Identity": "identity", "IdentityError": "identity",
    "IdleState": "idle", "IdleStatus": "idle", "IdleTimer": "idle",
    "AppointmentCode": "qr_identity", "QrRefused": "qr_identity", "make_eid_qr": "qr_identity",
    "parse_qr": "qr_identity",
    "EndReason": "session", "Session": "session", "SessionEnded": "session",
    "SessionEvent": "session", "SessionManager": "session",
    "SessionWorkdir": "workdir", "sweep_stale": "workdir",
}
__all__ = ["AppointmentCode", "EndReason", "Identity", "IdentityError", "IdleState", "IdleStatus",
           "IdleTimer", "QrRefused", "Session", "SessionEnded", "SessionEvent", "SessionManager",
           "SessionWorkdir", "make_eid_qr", "parse_qr", "sweep_stale"]


__getattr__ = module_getattr(__name__, _MODULE_OF, globals())


if TYPE_CHECKING:
    from kiosk.session.identity import Identity, IdentityError
    from kiosk.session.idle import IdleState, IdleStatus, IdleTimer
    from kiosk.session.qr_identity import AppointmentCode, QrRefused, make_eid_qr, parse_qr
    from kiosk.session.session import (EndReason, Session, SessionEnded, SessionEvent,
                                       SessionManager)
    from kiosk.session.workdir import SessionWorkdir, sweep_stale
