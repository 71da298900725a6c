"""`kiosk sim`: every emulator in one process, a site configuration pointing at them, and a
loopback control endpoint through which tests, developers and the demo steer them.

Control endpoint (127.0.0.1 only):
  GET  /                      emulators, their endpoints and controls, the site config path
  POST /<emulator>/<control>  JSON object of keyword arguments -> {"result": ...}
"""

from __future__ import annotations

import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import tomli_w

from drivers.emulation.base import Emulator
from kiosk.config import check_file
from kiosk.devices.registry import AREA_DEVICES, AREAS, merge_fragments, start_emulators, stop_emulators

log = logging.getLogger(__name__)

STATE_FILE = "sim.json"
TERMINAL_ID = "SIM-0001"
MAX_BODY = 1_000_000


class Simulation:
    def __init__(self, run_dir: Path, areas: tuple[str, ...] = AREAS, control_port: int = 0,
                 platform: bool = True):
        self.run_dir = run_dir.resolve()
        self.areas = areas
        self.platform = platform
        self.control_port = control_port
        self.emulators: dict[str, Emulator] = {}
        self.site_config_path = self.run_dir / "site.toml"
        self._server: ThreadingHTTPServer | None = None

    @property
    def control_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        emulators, fragment = start_emulators(self.run_dir, self.areas)
        for emulator in emulators:
            name, n = emulator.name, 2
            while name in self.emulators:
                name, n = f"{emulator.name}{n}", n + 1
            self.emulators[name] = emulator
        try:
            if self.platform:
                card = self.emulators.get("smartcard")
                # imported here: the platform brings the operations console (the `console`
                # extra), which a terminal's own install has not
                from kiosk.sim_platform import PlatformEmulator
                platform = PlatformEmulator(self.run_dir, TERMINAL_ID,
                                            getattr(card, "issuer_root_file", None))
                platform.start()
                self.emulators[platform.name] = platform
                fragment = merge_fragments([fragment, platform.config_fragment()])
            site = {"terminal": {"id": TERMINAL_ID, "name": "模拟终端",
                                 "help_phone": "010-12345678",
                                 "help_counter": "一楼大厅 3号综合窗口",
                                 "hall_name_en": "Government Service Hall",
                                 "help_counter_en": "Window 3, ground-floor hall",
                                 "data_dir": str(self.run_dir / "data"),
                                 "run_dir": str(self.run_dir),
                                 # its app often runs without a supervisor (tests): no
                                 # daily restart (tests/ui/test_daily_restart.py shows one)
                                 "daily_restart_at": ""}}
            # Devices of areas not simulated are switched off: their default paths point at
            # hardware this machine does not have.
            others = {"devices": {section: {"enabled": False}
                                  for area in AREAS if area not in self.areas
                                  for section in AREA_DEVICES[area]}}
            names = {"receipts": {"centre_name_en": "Government Service Centre"}}
            site.update(merge_fragments([names, others, fragment]))
            self.site_config_path.write_text(
                "# Written by `kiosk sim`: points every device at its emulator.\n"
                + tomli_w.dumps(site), encoding="utf-8")
            check_file(self.site_config_path)  # an emulator's fragment must fit the schema
            self._server = ThreadingHTTPServer(("127.0.0.1", self.control_port),
                                               _handler_for(self))
            threading.Thread(target=self._server.serve_forever, name="sim-control",
                             daemon=True).start()
            (self.run_dir / STATE_FILE).write_text(json.dumps(self.describe(), indent=2,
                                                              ensure_ascii=False, default=str))
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        stop_emulators(list(self.emulators.values()))
        self.emulators.clear()
        (self.run_dir / STATE_FILE).unlink(missing_ok=True)

    def describe(self) -> dict[str, Any]:
        return {
            "site_config": str(self.site_config_path),
            "control_url": self.control_url if self._server else None,
            "emulators": {name: {"endpoints": e.endpoints(), "controls": sorted(e.controls())}
                          for name, e in self.emulators.items()},
        }

    def control(self, emulator: str, control: str, kwargs: dict[str, Any]) -> Any:
        if emulator not in self.emulators:
            raise LookupError(f"no emulator {emulator!r}; there are {sorted(self.emulators)}")
        controls = self.emulators[emulator].controls()
        if control not in controls:
            raise LookupError(f"{emulator} has no control {control!r}; it has {sorted(controls)}")
        return controls[control](**kwargs)

    def __enter__(self) -> "Simulation":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_for(sim: Simulation) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug("control: " + fmt, *args)

        def _reply(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path != "/":
                self._reply(HTTPStatus.NOT_FOUND, {"error": "GET / only"})
                return
            self._reply(HTTPStatus.OK, sim.describe())

        def do_POST(self) -> None:
            parts = [p for p in self.path.split("/") if p]
            if len(parts) != 2:
                self._reply(HTTPStatus.NOT_FOUND, {"error": "POST /<emulator>/<control>"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
                if not 0 <= length <= MAX_BODY:
                    raise ValueError(f"body of {length} bytes refused")
                raw = self.rfile.read(length) if length else b"{}"
                kwargs = json.loads(raw or b"{}")
                if not isinstance(kwargs, dict):
                    raise ValueError("the body must be a JSON object of keyword arguments")
            except ValueError as exc:
                self._reply(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                return
            try:
                result = sim.control(parts[0], parts[1], kwargs)
            except LookupError as exc:
                self._reply(HTTPStatus.NOT_FOUND, {"error": str(exc)})
            except (TypeError, ValueError, OSError) as exc:
                self._reply(HTTPStatus.BAD_REQUEST, {"error": f"{type(exc).__name__}: {exc}"})
            except Exception as exc:  # an emulator bug must not take the control endpoint down
                log.exception("control %s/%s failed", parts[0], parts[1])
                self._reply(HTTPStatus.INTERNAL_SERVER_ERROR,
                            {"error": f"{type(exc).__name__}: {exc}"})
            else:
                self._reply(HTTPStatus.OK, {"result": result})

    return Handler
