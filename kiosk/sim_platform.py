"""The reference platform as a part of `kiosk sim`: served over HTTPS with a test CA, the sim
terminal enrolled, and the secrets the terminal needs (platform credential, outbox key) kept
under the run directory's `secrets/`, outside the data directory as on a real terminal.

It also serves a fleet configuration repository at `/fleet/` (made at the first start in
`<run>/fleet`, its offline root keys apart in `<run>/fleet-root-keys`, the trusted root installed
in `secrets/`), and points the terminal's `[fleet]` at it, ring `demo`, so that
`kiosk fleet publish --repo run/sim/fleet --ring demo LAYER` reaches the running terminal.

Controls (`kiosk sim ctl platform <control> ...`): `down` and `up` (same port, so a terminal
sees an outage and a recovery), `advance` an application as a back-office operator would,
`issue` a certificate (walk an application to approved; the newest one when no receipt number
is given), `pay` a payment or `pay_pending` (the newest pending one, as the citizen's phone would),
`file` an application for a card's holder as an earlier visit would have (the seed's sample form,
the holder's e-licences or a plain scanned page per required material), and `applications` to
list what the platform holds; `help_requests` lists citizens' calls for staff (呼叫工作人员) and
`help_ack` / `help_on_my_way` / `help_close` answer one as the hall's staff would (the newest when none is named).

The operations console runs beside it on its own port (store `<run>/console/console.sqlite3`,
fed by the platform), with a demo fleet manager made at the first start: `console` answers its
address, name, password and current TOTP code; `console_board` the board's rows (level and
problems per terminal).
`help_ack` / `help_close` answer one as the hall's staff would (the newest when none is named).
`command` signs a remote action (out_of_service with a `message`, in_service, restart,
screenshot) with the simulated console's key and queues it, as the operations console does;
`commands` lists them with what the terminal did (its public key is in the site file's
`[remote]`); `revoke command_id=…` takes one back before the terminal carried it out.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.emulation.base import Emulator
from kiosk.console import queries, staff
from kiosk.console.alert_loop import AlertSettings
from kiosk.console.alerts import AlertRules
from kiosk.console.beside import ConsoleParts, console_parts, secret_key
from kiosk.console.config import ConsoleConfig
from kiosk.console.server import ConsoleHandle
from kiosk.console.server import start_in_thread as start_console
from kiosk.console.status import board
from kiosk.fleet.repository import FleetRepository
from kiosk.refplatform import applications, catalogue, citizen_sessions, operator
from kiosk.refplatform.auth import enrol
from kiosk.refplatform.seed import load_examples
from kiosk.refplatform.server import ServerHandle, start_in_thread
from kiosk.refplatform.store import Store
from kiosk.receipts.progress_qr import new_token
from kiosk.refplatform.tls import make_test_ca


FLEET_RING = "demo"
HEARTBEAT_S = 10.0  # the sim terminal's heartbeat: the console's board follows within seconds
CONSOLE_USER = "demo-manager"


class PlatformEmulator(Emulator):
    name = "platform"

    def __init__(self, run_dir: Path, kiosk_id: str,
                 card_issuer_root_file: Path | None = None) -> None:
        """`card_issuer_root_file`: the simulated card issuer's root (the smart-card
        emulator's), so that card holders may prove themselves by the card's PIN."""
        self.kiosk_id = kiosk_id
        self.card_issuer_root_file = card_issuer_root_file
        self.database = run_dir / "platform" / "platform.sqlite3"
        self.secrets = run_dir / "secrets"
        self.tls_dir = run_dir / "platform" / "tls"
        self.fleet = FleetRepository(run_dir / "fleet", root_keys_dir=run_dir / "fleet-root-keys")
        self.console_dir = run_dir / "console"  # the simulated console's key and store
        self.port = 0
        self._server: ServerHandle | None = None
        self._tls: tuple[Path, Path, Path] | None = None
        self.console_url = "sqlite:///" + str(run_dir / "console" / "console.sqlite3")
        self._console: ConsoleParts | None = None
        self._console_server: ConsoleHandle | None = None

    @property
    def store(self) -> Store:
        return Store(self.database)

    def start(self) -> None:
        # Access logs of a platform beside the terminal drown the terminal's own lines.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.secrets.mkdir(parents=True, exist_ok=True)
        self.secrets.chmod(0o700)
        self._tls = make_test_ca(self.tls_dir)
        credential = self.secrets / "platform.credential"
        credential.touch(mode=0o600)
        credential.write_text(enrol(self.store, self.kiosk_id), encoding="utf-8")
        self._start_fleet()
        self._start_console()
        self._start_console_key()
        self.up()

    def _start_console(self) -> None:
        """The console's store, app and server, and the demo fleet manager (made once)."""
        config = ConsoleConfig(heartbeat_interval_s=int(HEARTBEAT_S))
        self._console = console_parts(self.console_url, platform_db=self.database, config=config,
                                      key=secret_key(self.secrets / "console-secret.key"),
                                      command_key_file=self.console_dir / "command-key.pem",
                                      fleet=self.fleet, alerts=AlertSettings(
                                          AlertRules(heartbeat_interval_s=HEARTBEAT_S),
                                          period_s=2.0))
        login = self.secrets / "console-demo.json"
        if staff.find(self._console.engine, CONSOLE_USER) is None:
            password = uuid.uuid4().hex[:16]
            staff.add(self._console.engine, CONSOLE_USER, password, "fleet_manager", "",
                      dt.datetime.now(dt.timezone.utc))
            login.touch(mode=0o600)
            login.write_text(json.dumps({"username": CONSOLE_USER, "password": password}),
                             encoding="utf-8")
        self._console_server = start_console(self._console.app)

    def _start_fleet(self) -> None:
        """A fleet repository made once and kept (publishes survive a sim restart); the timestamp
        is re-signed at every start, as a real repository's daily timer would."""
        if (self.fleet.dir / "state" / "root.json").exists():
            self.fleet.refresh()
        else:
            self.fleet.init()
        root = self.secrets / "fleet-root.json"
        root.write_bytes((self.fleet.metadata_dir / "1.root.json").read_bytes())

    def _start_console_key(self) -> None:
        """The console's command key (made once); its public half is what the terminal trusts."""
        from kiosk.console import signing
        key = signing.load_or_generate(self.console_dir / "command-key.pem")
        (self.secrets / "console-command.pub").write_bytes(signing.public_pem(key))

    def stop(self) -> None:
        self.down()
        if self._console_server is not None:
            self._console_server.stop()
            self._console_server = None
        if self._console is not None and self._console.alert_loop is not None:
            self._console.alert_loop.stop()
            self._console.alert_loop = None
        if self._console is not None:
            self._console.engine.dispose()

    def command(self, action: str, message: str = "", staff: str = "sim-staff") -> dict[str, Any]:
        """A remote action for the sim terminal, signed and queued as the console does."""
        from kiosk.console import actions, signing
        issued = actions.issue(self._console_db(), actions.PlatformStoreChannel(self.store),
                               signing.load(self.console_dir / "command-key.pem"),
                               kiosk_id=self.kiosk_id, action=action, issued_by=staff,
                               message=message)
        return {"command_id": issued.command_id, "seq": issued.seq, "action": issued.action}

    def revoke(self, command_id: str, staff: str = "sim-staff") -> dict[str, Any]:
        """Take back a command the terminal has not carried out, as the console's page does."""
        from kiosk.console import actions
        status = actions.revoke(self._console_db(), actions.PlatformStoreChannel(self.store),
                                command_id, revoked_by=staff)
        return {"command_id": command_id, "status": status}

    def commands(self) -> list[dict[str, Any]]:
        """The commands sent so far, newest first, with the terminal's outcome."""
        from kiosk.console import actions
        engine = self._console_db()
        actions.sync_results(engine, actions.PlatformStoreChannel(self.store))
        return [{k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()}
                for row in actions.history(engine)]

    def _console_db(self):  # type: ignore[no-untyped-def]
        """The simulated console's store (the one its board reads)."""
        assert self._console is not None, "start() first"
        return self._console.engine

    # -- controls --------------------------------------------------------------------------

    def up(self) -> str:
        if self._server is None:
            assert self._tls is not None, "start() first"
            _, cert, key = self._tls
            root = self.card_issuer_root_file
            self._server = start_in_thread(self.database, port=self.port, tls_cert=cert,
                                           tls_key=key, fleet_dir=self.fleet.public,
                                           card_issuer_root=root.read_bytes() if root else None,
                                           console_sink=self._console.sink
                                           if self._console else None)
            self.port = self._server.port
        return self.url

    def down(self) -> str:
        if self._server is not None:
            self._server.stop()
            self._server = None
        return "down"

    def advance(self, receipt_no: str, action: str, reason: str | None = None) -> dict[str, Any]:
        return operator.advance(self.store, receipt_no, action, reason=reason)

    def issue(self, receipt_no: str = "") -> dict[str, Any]:
        """Accept, review and approve as far as needed: the certificate is then issued. No
        receipt number: the newest application (a script cannot know the number)."""
        order = ("submitted", "accepted", "in_review")
        filed = self.applications()
        receipt_no = receipt_no or filed[0]["receipt_no"]
        status = next(a["status"] for a in filed if a["receipt_no"] == receipt_no)
        for action in ("accept", "review", "approve")[order.index(status):]:
            result = operator.advance(self.store, receipt_no, action)
        return result

    def pay(self, payment_id: str) -> dict[str, Any]:
        return operator.mark_paid(self.store, payment_id)

    def pay_pending(self) -> dict[str, Any]:
        """Pay the newest pending payment: the citizen's phone, for a script that cannot read
        the payment id off the screen."""
        pending = [p for p in operator.list_payments(self.store) if p["status"] == "pending"]
        if not pending:
            raise LookupError("no pending payment")
        return self.pay(pending[0]["payment_id"])

    def file(self, service_id: str, card: str) -> dict[str, Any]:
        """File an application of `service_id` for the holder of the emulator card file `card`,
        as the terminal would have on an earlier visit; the application's JSON and the
        progress token its receipt carries."""
        holder = json.loads(Path(card).read_text(encoding="utf-8"))
        with self.store.write() as conn:
            service = catalogue.find_service(conn, service_id)
            if service is None:
                raise LookupError(f"no service {service_id!r}")
            held = {lic["kind"]: lic["licence_id"] for lic in
                    catalogue.lookup_citizen(conn, holder["id_number"])["elicences"]}
            materials = [{"material_id": m["material_id"], "source": "elicence",
                          "elicence_id": held[m["elicence_kind"]]}
                         if m["elicence_kind"] in held else
                         {"material_id": m["material_id"], "source": "scan",
                          "pages": [_page()] * m["pages_min"]}
                         for m in service["materials"] if m["required"]]
            body = {"service_id": service_id, "form": load_examples()[service_id][0],
                    "applicant": {"id_kind": holder.get("type", "resident"),
                                  "id_number": holder["id_number"], "name": holder["name"]},
                    "materials": materials, "client_reference": "SIM" + uuid.uuid4().hex[:8],
                    "progress_token": new_token()}
            filed = applications.create(conn, self.kiosk_id, body,
                                        dt.datetime.now(dt.timezone.utc))
            # the token its receipt would carry (a script prints the receipt's code with it)
            return {**filed, "progress_token": body["progress_token"]}

    def applications(self, status: str | None = None) -> list[dict[str, Any]]:
        return operator.list_applications(self.store, status)

    def sms(self, to: str = "") -> list[dict[str, Any]]:
        """The SMS gateway emulator: the texts the platform sent (to `to`, or to anyone),
        newest last; what the citizen's phone would show."""
        with self.store.read() as conn:
            return citizen_sessions.sms_sent_to(conn, to or None)

    def last_code(self) -> str:
        """The one-time code of the newest text (for a script that cannot read a phone)."""
        for message in reversed(self.sms()):
            found = re.search(r"\d{6}", message["body"])
            if found:
                return found.group()
        raise LookupError("no code has been texted")

    def help_requests(self, status: str = "") -> list[dict[str, Any]]:
        """Citizens' calls for staff, oldest first: where they are, never who they are."""
        return operator.list_help_requests(self.store, status or None)

    def help_ack(self, help_request_id: str = "", staff_id: str = "S0001") -> dict[str, Any]:
        """Staff are on their way (the newest open request when none is named)."""
        return operator.acknowledge_help(self.store, help_request_id or self._newest_help(),
                                         staff_id)

    def help_on_my_way(self, help_request_id: str = "", staff_id: str = "S0001"
                       ) -> dict[str, Any]:
        """Staff set off to the terminal, as the console's On my way (the newest waiting)."""
        return operator.help_on_my_way(self.store, help_request_id or self._newest_help(),
                                       staff_id)

    def help_close(self, help_request_id: str = "", staff_id: str = "S0001") -> dict[str, Any]:
        return operator.close_help(self.store, help_request_id or self._newest_help(), staff_id)

    def _newest_help(self) -> str:
        waiting = [r for r in self.help_requests() if r["status"] != "closed"]
        if not waiting:
            raise LookupError("no help request is waiting")
        return waiting[-1]["help_request_id"]

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"up": self.up, "down": self.down, "advance": self.advance, "issue": self.issue,
                "pay": self.pay, "pay_pending": self.pay_pending, "file": self.file,
                "applications": self.applications, "sms": self.sms,
                "last_code": self.last_code, "help_requests": self.help_requests,
                "help_ack": self.help_ack, "help_on_my_way": self.help_on_my_way,
                "help_close": self.help_close,
                "console": self.console, "console_board": self.console_board,
                "command": self.command, "commands": self.commands, "revoke": self.revoke}

    def console(self) -> dict[str, Any]:
        """The console's address and the demo fleet manager's login, with the TOTP code of
        now (a demo shortcut: a real account's code lives in its owner's authenticator)."""
        assert self._console is not None and self._console_server is not None, "start() first"
        login = json.loads((self.secrets / "console-demo.json").read_text(encoding="utf-8"))
        code = staff.current_code(self._console.engine, CONSOLE_USER,
                                  dt.datetime.now(dt.timezone.utc))
        return {"url": self._console_server.url + "/", **login, "code": code}

    def console_board(self) -> list[dict[str, Any]]:
        """The board as the fleet manager sees it: each terminal's level and problems."""
        assert self._console is not None, "start() first"
        rows = board(queries.statuses(self._console.engine, dt.datetime.now(dt.timezone.utc),
                                      self._console.app.extensions["console"].config
                                      .offline_after_s))
        waiting = {h["kiosk_id"] for h in operator.list_help_requests(self.store)
                   if h["status"] != "closed"}
        return [{"kiosk_id": r.kiosk_id, "hall": r.hall, "level": r.level,
                 "problems": r.problems, "paper": r.heartbeat.get("paper"),
                 "help_waiting": r.kiosk_id in waiting} for r in rows]

    # -- what the terminal is told -----------------------------------------------------------

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/api/v1"

    def endpoints(self) -> dict[str, Any]:
        return {"url": self.url, "database": str(self.database),
                "up": self._server is not None, "fleet_repo": str(self.fleet.dir),
                "fleet_url": self.fleet_url,
                "console": self._console_server.url + "/" if self._console_server else None}

    def config_fragment(self) -> dict[str, Any]:
        assert self._tls is not None, "start() first"
        ca, _, _ = self._tls
        return {
            "platform": {"base_url": self.url, "ca_bundle": str(ca), "kiosk_id": self.kiosk_id,
                         "credential_file": str(self.secrets / "platform.credential"),
                         "heartbeat_interval_s": HEARTBEAT_S,
                         "post_events": True},  # the console's usage report has the demo's
            "outbox": {"key_file": str(self.secrets / "outbox.key")},
            "fleet": {"enabled": True, "repository_url": self.fleet_url, "ring": FLEET_RING,
                      "trusted_root_file": str(self.secrets / "fleet-root.json"),
                      "ca_bundle": str(ca), "poll_interval_s": 10.0, "jitter_s": 2.0},
            "remote": {"console_public_key_file": str(self.secrets / "console-command.pub"),
                       "poll_interval_s": 2.0},
        }

    @property
    def fleet_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/fleet"


def _page() -> dict[str, str]:
    """A plain white scanned page (JPEG), for a material the demo citizen has no e-licence of."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (210, 297), 255).save(buffer, "JPEG")
    return {"media_type": "image/jpeg", "content": base64.b64encode(buffer.getvalue()).decode()}
