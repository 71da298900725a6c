"""Pages for remote actions and rollouts: a Flask blueprint the console's app registers.

The acting staff member is `flask.g.staff` (set by the console's login: `.username`, `.role`
in {"hall_staff", "fleet_manager"}, `.hall`). Hall staff act on their hall's terminals only;
the fleet manager on every terminal, and alone promotes, rolls back and resumes rings. What
the pages need (the console's engine, the channel to the platform, the command key, the fleet
repository) is given once to `install`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import (Blueprint, Flask, Response, abort, current_app, g, redirect, render_template,
                   request, url_for)

from kiosk.console import actions, rollouts
from kiosk.console.auth import audit
from kiosk.console.db import terminals
from kiosk.console.lang import N_, _, refusal
from kiosk.console.words import command
from kiosk.fleet.repository import FleetRepository
from kiosk.remote.envelope import ACTIONS

FLEET_MANAGER = "fleet_manager"
HALL_STAFF = "hall_staff"
EXTENSION = "console_actions"

blueprint = Blueprint("console_actions", __name__, template_folder="templates")


@dataclass
class ActionsSetup:
    engine: sa.Engine
    channel: actions.Channel
    command_key: Ed25519PrivateKey
    fleet: FleetRepository | None = None  # without one, rollouts are shown, not changed


def install(app: Flask, setup: ActionsSetup, url_prefix: str = "") -> None:
    app.extensions[EXTENSION] = setup
    app.register_blueprint(blueprint, url_prefix=url_prefix)
    app.extensions.setdefault("console_nav", []).extend(
        [("console_actions.actions_page", N_("Remote actions")),
         ("console_actions.rollouts_page", N_("Rollouts"))])


def _setup() -> ActionsSetup:
    return current_app.extensions[EXTENSION]


def _staff() -> Any:
    staff = getattr(g, "staff", None)
    if staff is None or staff.role not in (FLEET_MANAGER, HALL_STAFF):
        abort(403)
    return staff


def _halls(staff: Any) -> list[str] | None:
    """The halls whose terminals `staff` may see and act on (None = all)."""
    return None if staff.role == FLEET_MANAGER else [staff.hall]


def _visible_terminals(staff: Any) -> list[dict[str, Any]]:
    query = sa.select(terminals.c.kiosk_id, terminals.c.hall, terminals.c.ring,
                      terminals.c.last_seen, terminals.c.heartbeat).order_by(terminals.c.kiosk_id)
    halls = _halls(staff)
    if halls is not None:
        query = query.where(terminals.c.hall.in_(halls))
    with _setup().engine.connect() as conn:
        return [{"kiosk_id": r.kiosk_id, "hall": r.hall, "ring": r.ring,
                 "health": (r.heartbeat or {}).get("health", ""), "last_seen": r.last_seen}
                for r in conn.execute(query)]


def _may_act_on(staff: Any, kiosk_id: str) -> None:
    """404 for an unknown terminal, 403 for another hall's."""
    with _setup().engine.connect() as conn:
        hall = conn.execute(sa.select(terminals.c.hall)
                            .where(terminals.c.kiosk_id == kiosk_id)).scalar()
    if hall is None:
        abort(404)
    halls = _halls(staff)
    if halls is not None and hall not in halls:
        abort(403)


# -- remote actions --------------------------------------------------------------------------

@blueprint.get("/actions/")
def actions_page() -> str:
    staff = _staff()
    setup = _setup()
    actions.sync_results(setup.engine, setup.channel)
    visible = _visible_terminals(staff)
    ids = [t["kiosk_id"] for t in visible]
    return render_template("actions/actions.html", staff=staff, terminals=visible,
                           commands=actions.history(setup.engine, ids),
                           error=request.args.get("error", ""))


@blueprint.post("/actions/<kiosk_id>/<action>")
def issue(kiosk_id: str, action: str) -> Response:
    staff = _staff()
    if action not in ACTIONS:
        abort(404)
    _may_act_on(staff, kiosk_id)
    setup = _setup()
    try:
        issued = actions.issue(setup.engine, setup.channel, setup.command_key,
                               kiosk_id=kiosk_id, action=action, issued_by=staff.username,
                               message=request.form.get("message", ""))
    except actions.ActionRefused as exc:
        return redirect(url_for(".actions_page", error=refusal(exc)), 303)  # type: ignore[return-value]
    audit("command.issue", kiosk_id, command_id=issued.command_id, command=action)
    return redirect(url_for(".actions_page"), 303)  # type: ignore[return-value]


@blueprint.post("/actions/commands/<command_id>/revoke")
def revoke(command_id: str) -> Response:
    """Take back a command its terminal has not carried out: the platform hands it out no
    more. Too late (the terminal reported first) is said on the page: it stays executed."""
    staff = _staff()
    kiosk_id = actions.terminal_of(_setup().engine, command_id)
    if kiosk_id is None:
        abort(404)
    _may_act_on(staff, kiosk_id)
    setup = _setup()
    try:
        status = actions.revoke(setup.engine, setup.channel, command_id,
                                revoked_by=staff.username)
    except actions.ActionRefused as exc:
        audit("command.revoke", kiosk_id, command_id=command_id, refused=str(exc))
        return redirect(url_for(".actions_page", error=refusal(exc)), 303)  # type: ignore[return-value]
    audit("command.revoke", kiosk_id, command_id=command_id, status=status)
    if status != "revoked":
        return redirect(url_for(  # type: ignore[return-value]
            ".actions_page", error=_("Too late: the terminal had already %(status)s it; "
                                     "it stays %(status)s.", status=command(status))), 303)
    return redirect(url_for(".actions_page"), 303)  # type: ignore[return-value]


@blueprint.get("/actions/screenshots/<command_id>.png")
def screenshot(command_id: str) -> Response:
    staff = _staff()
    found = actions.screenshot(_setup().engine, command_id)
    if found is None:
        abort(404)
    _may_act_on(staff, found[0])
    return Response(found[1], mimetype="image/png",
                    headers={"Cache-Control": "no-store",
                             "Content-Disposition": f'inline; filename="{command_id}.png"'})


# -- rollouts ----------------------------------------------------------------------------------

@blueprint.get("/rollouts/")
def rollouts_page() -> str:
    staff = _staff()
    engine = _setup().engine
    rollouts.evaluate(engine)
    return render_template("actions/rollouts.html", staff=staff,
                           rings=rollouts.rings(engine),
                           terminals=rollouts.layer_map(engine, _halls(staff)),
                           log=rollouts.log_entries(engine),
                           may_change=staff.role == FLEET_MANAGER and _setup().fleet is not None,
                           error=request.args.get("error", ""))


@blueprint.post("/rollouts/<ring>/<step>")
def rollout_step(ring: str, step: str) -> Response:
    staff = _staff()
    if staff.role != FLEET_MANAGER:
        abort(403)
    setup = _setup()
    if setup.fleet is None:
        abort(409)
    try:
        if step == "promote":
            rollouts.promote(setup.engine, setup.fleet, source=ring, actor=staff.username)
        elif step == "rollback":
            rollouts.rollback(setup.engine, setup.fleet, ring=ring, actor=staff.username)
        elif step == "resume":
            rollouts.resume(setup.engine, ring=ring, actor=staff.username)
        else:
            abort(404)
    except rollouts.RolloutError as exc:
        return redirect(url_for(".rollouts_page", error=refusal(exc)), 303)  # type: ignore[return-value]
    return redirect(url_for(".rollouts_page"), 303)  # type: ignore[return-value]
