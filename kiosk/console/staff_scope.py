"""Which halls the signed-in staff member may see, from `flask.g.staff` (set by the console's
login: `.username`, `.role` in {"hall_staff", "fleet_manager"}, `.hall`)."""

from __future__ import annotations

from typing import Any

from flask import abort, g, request

ROLES = ("hall_staff", "fleet_manager")


def staff() -> Any:
    found = getattr(g, "staff", None)
    if found is None:
        abort(401)
    if found.role not in ROLES:
        abort(403)
    return found


def hall_scope() -> str | None:
    """Hall staff: their own hall, whatever the query says. The fleet manager: every hall, or
    the one `?hall=` names."""
    who = staff()
    if who.role == "hall_staff":
        return str(who.hall)
    return request.args.get("hall") or None
