"""A loopback control for the UI tests and the headless demo: look at the screen and touch it.

Touches go through Kivy's input dispatch exactly as the touchscreen's do (a MotionEvent posted
to the event loop), so a test that taps a tile exercises the same code a finger does. Every
command runs on the Kivy main thread; the HTTP thread waits for its result.

  GET  /state                   {"screen", "texts", "kids", "language", "elder_mode", ...}
  POST /tap {"kid": ...}        touch the centre of that widget (404 if not on screen)
  POST /key {"key": 27}         a key press, as the keyboard would send it
  POST /close                   a window close request, as a window manager would send it
  POST /screenshot {"path"}     the whole window as PNG at exactly that path

Bound to 127.0.0.1 only and started only with `--ui-driver PORT`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

from screens.widgets import find, texts

TIMEOUT_S = 10.0


class CommandFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class UiDriver:
    def __init__(self, app, port: int) -> None:
        self.app = app
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, name="ui-driver", daemon=True).start()

    # -- commands, run on the main thread ------------------------------------------------------

    def _on_main(self, command: Callable[[], Any]) -> Any:
        done = threading.Event()
        outcome: dict[str, Any] = {}

        def run(_dt: float) -> None:
            try:
                outcome["value"] = command()
            except BaseException as exc:  # handed to the HTTP thread
                outcome["error"] = exc
            finally:
                done.set()

        Clock.schedule_once(run, 0)
        if not done.wait(TIMEOUT_S):
            raise CommandFailed(504, "the main loop did not run the command in time")
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def state(self) -> dict[str, Any]:
        manager = self.app.manager
        if manager is None:
            return {"ready": False}
        screen = manager.current_screen
        return {"ready": True, "screen": manager.current, "texts": texts(screen),
                "kids": sorted({w.kid for w in screen.walk() if getattr(w, "kid", None)}),
                "language": self.app.prefs.language, "elder_mode": self.app.prefs.elder_mode,
                "high_contrast": self.app.prefs.high_contrast,
                "window": [Window.width, Window.height]}

    def tap(self, kid: str) -> dict[str, Any]:
        widget = find(self.app.manager.current_screen, kid)
        if widget is None:
            raise CommandFailed(404, f"no widget {kid!r} on screen {self.app.manager.current}")
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        # Released on a later frame, as a finger would be: a Button needs its down state drawn.
        Clock.schedule_once(lambda _dt: touch.touch_up(), 0.1)
        return {"tapped": kid, "at": [round(x), round(y)]}

    def key(self, key: int) -> dict[str, Any]:
        handled = Window.dispatch("on_keyboard", key, 0, "", [])
        return {"handled": bool(handled)}

    def close(self) -> dict[str, Any]:
        refused = Window.dispatch("on_request_close")
        return {"refused": bool(refused)}

    def screenshot(self, path: str) -> dict[str, Any]:
        self.app.root.export_to_png(path)
        return {"path": path}

    # -- HTTP ----------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        driver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _run(self, command: Callable[[], Any]) -> None:
                try:
                    self._reply(200, driver._on_main(command))
                except CommandFailed as exc:
                    self._reply(exc.status, {"error": str(exc)})
                except Exception as exc:
                    self._reply(500, {"error": f"{type(exc).__name__}: {exc}"})

            def do_GET(self) -> None:
                if self.path == "/state":
                    self._run(driver.state)
                else:
                    self._reply(404, {"error": "unknown command"})

            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), 65536)
                try:
                    args = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    self._reply(400, {"error": "body is not JSON"})
                    return
                commands: dict[str, Callable[[], Any]] = {
                    "/tap": lambda: driver.tap(str(args.get("kid"))),
                    "/key": lambda: driver.key(int(args.get("key", 0))),
                    "/close": driver.close,
                    "/screenshot": lambda: driver.screenshot(str(args.get("path"))),
                }
                if self.path not in commands:
                    self._reply(404, {"error": "unknown command"})
                    return
                self._run(commands[self.path])

        return Handler
