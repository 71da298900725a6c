"""A loopback control for the UI tests and the headless demo: look at the screen and touch it.

Touches go through Kivy's input dispatch exactly as the touchscreen's do (a MotionEvent posted
to the event loop), so a test that taps a tile exercises the same code a finger does. Every
command runs on the Kivy main thread; the HTTP thread waits for its result.

  GET  /state                   {"ready": the screens are up, "started": the terminal
                                 (devices, platform link) too, "screen", "texts", "kids" (of
                                 the screen and of any dialog open above it), "dialog": its
                                 kid or null, "unavailable": {journey: why} for the
                                 journeys a device or the hours keep off, "language", ...,
                                 "frames": {"drawn", "last_s"}, "stall": {"max_ms", "since_s"},
                                 "keys_seen": key-downs the window got, "collector": {"full":
                                 full garbage collections, "longest_ms"} (screens.collector),
                                 "overlays": class names of what lies on the window beside the
                                 app (a settings panel, an inspector)}
  GET  /inspect                 what is wrong on the glass (screens.inspect: clipped, overprinted,
                                 off-screen or low-contrast text, small targets) and "buttons":
                                 the kids a finger can press now (of the top dialog, or the screen)
  GET  /modules                 the modules imported by the first frame ("at_first_frame") and
                                 now ("now"): what the cold start and the memory at home carry
  GET  /canvas                  what the next frame draws (screens.glass.census): instructions by
                                 kind, the pixels its quads cover, textures, stencil operations
  GET  /layout                  every widget of the current screen in walk order:
                                 [class, kid, x, y, width, height] (what moves when)
  POST /widget {"kid": ...}     that widget's window rectangle [x, y, width, height] (Kivy's
                                 axes) and its text (markup removed), or 404
  POST /tap {"kid": ...}        touch the centre of that widget (404 if not on screen);
        {"wait_drawn": true,    reply once the first frame after the release is drawn (with
         "until": {"screen"..}}  `until`: the first frame drawn showing that state; "kid" or
                                 "kid_prefix" name what must be on it), with
                                 "release_to_drawn_ms", "down_to_drawn_ms",
                                 "down_to_next_frame_ms" (for what reacts on touch-down) and
                                 "screen_drawn_ms" (the screen's first frame, maybe a skeleton)
                                 and "answer_ms" (the longest worker call in between: what
                                 the platform or a device took)
  POST /touch {"x": .., "y": ..} touch a window point (Kivy's axes: origin bottom-left)
  POST /stall_reset             start a new main-loop stall window; answers the last one
  POST /key {"key": 27}         a key press, as the keyboard would send it
  POST /close                   a window close request, as a window manager would send it
  POST /screenshot {"path"}     the screen of the next drawn frame as PNG at exactly that
                                 path; with "glass": true, the window as drawn on the glass
                                 (read back from GL)
  POST /profile {"start": true}  profile the main loop (cProfile) from now; {"top": n} stops
                                 and answers the n costliest functions (cumulative, then own
                                 time): where a tap's or a frame's time goes, in the real app
  POST /hang {"seconds": s}     block the main loop for s seconds (≤ 8): what a hung UI does
  POST /explore {"seed", "language", "mode", "steps", "control_url", "card_path", "tour",
                 "skip"}         start a random citizen's walk inside the app (screens.explorer);
                                 with "tour": true, one that only heads for screens no walk saw
                                 (but those in "skip")
  GET  /explore                 how that walk stands: steps, problems found, what moved, the
                                 screens no walk of this app has been on ("unseen_by_any")
  POST /fault {"text": ...}     raise an exception on the next frame, as a screen's bug would
                                 (screens.crash_guard must catch it)
  POST /end_then_tap {"kid": ..} end the session (as a lifted card's grace would, from its
                                 thread) and touch that widget in the same main-loop turn
  POST /reset                   end the session at the screen (as staff taking the terminal
                                 would) and go back to the attract loop: the UI tests share one
                                 app among a module's tests and start each from here

Bound to 127.0.0.1 only and started only with `--ui-driver PORT`.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import ClearBuffers, ClearColor, Fbo, Scale, Translate
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from kiosk.session import EndReason
from screens import background
from screens.glass import census
from screens.inspect import as_next_frame, problems
from screens.synthetic_touch import SyntheticTouch
from screens.widgets import MARKUP_TAG, find, texts

if TYPE_CHECKING:  # imported by the first walk: the explorer and its keyboard's IME took 50 ms
    import cProfile  # of the first frame, which is measured with this driver in it

    from screens.explorer import Explorer, Walk
    from screens.explorer_routes import Routes


TIMEOUT_S = 10.0
RELEASE_AFTER_S = 0.1  # how long the simulated finger stays down


class CommandFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class UiDriver:
    def __init__(self, app, port: int) -> None:
        self.app = app
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.frames = FrameWatch()
        self.keys_seen = 0  # real key-downs from the X server (the lock-down test's witness)
        self.walk: Walk | None = None
        self.explorer: Explorer | None = None  # held: Kivy's Clock keeps only weak references
        self.routes: Routes | None = None  # where the explorers' taps led, kept between walks
        self.profiler: cProfile.Profile | None = None

    def start(self) -> None:
        self.frames.start()
        Window.bind(on_key_down=self._count_key)
        threading.Thread(target=self.server.serve_forever, name="ui-driver", daemon=True).start()

    # -- commands, run on the main thread ------------------------------------------------------

    def _on_main(self, command: Callable[[], Any], drawn: bool = False) -> Any:
        """`command` on the main loop, its answer here; with `drawn`, once the next frame is
        drawn (before its swap), so that it sees the screen laid out as the glass shows it."""
        done = threading.Event()
        outcome: dict[str, Any] = {}

        def run(_dt: float) -> None:
            try:
                outcome["value"] = command()
            except BaseException as exc:  # handed to the HTTP thread
                outcome["error"] = exc
            finally:
                done.set()

        def after_the_frame(_dt: float) -> None:
            self.frames.after_next_flip(run)
            Window.canvas.ask_update()  # a frame even if nothing changed

        Clock.schedule_once(after_the_frame if drawn else run, 0)
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
        dialogs = self._dialogs()
        roots = [*dialogs, screen]
        started = getattr(self.app, "terminal_started", None)
        terminal = getattr(self.app, "terminal", None)
        unavailable = ({j: why for j, why in terminal.availability.snapshot().items() if why}
                       if terminal is not None else {})
        return {"ready": True, "started": started is None or started.is_set(),
                "unavailable": unavailable,
                "screen": manager.current,
                "texts": [t for root in roots for t in texts(root)],
                "kids": sorted({w.kid for root in roots for w in root.walk()
                                if getattr(w, "kid", None)}),
                "dialog": dialogs[0].kid if dialogs else None,
                "language": self.app.prefs.language, "elder_mode": self.app.prefs.elder_mode,
                "high_contrast": self.app.prefs.high_contrast,
                "window": [Window.width, Window.height], **self.frames.describe(),
                "keys_seen": self.keys_seen,
                "collector": self._collector(),
                "overlays": [type(w).__name__ for w in Window.children
                             if w is not self.app.root and w not in dialogs]}

    def _collector(self) -> dict[str, Any] | None:
        """The citizen app's full garbage collections (a test app has no collector)."""
        collector = getattr(self.app, "collector", None)
        if collector is None:
            return None
        return {"full": collector.collections, "longest_ms": round(collector.longest_ms, 1)}

    def inspect(self) -> dict[str, Any]:
        dialogs = self._dialogs()
        roots = dialogs or [self.app.manager.current_screen]
        as_next_frame(self.app.manager, roots)
        found = problems(roots, self.app.theme.background)
        pressable = sorted({w.kid for w in roots[0].walk() if isinstance(w, ButtonBehavior)
                            and getattr(w, "kid", None) and not w.disabled and w.width > 1})
        return {"screen": self.app.manager.current, "dialog": dialogs[0].kid if dialogs else None,
                "problems": [p.as_dict() for p in found], "buttons": pressable}

    def _dialogs(self) -> list[Any]:
        return list(getattr(self.app, "open_dialogs", list)())

    def held(self) -> dict[str, list[str]]:
        """The texts every screen holds, on the glass or not (what a session's end must
        leave none of)."""
        return {screen.name: texts(screen) for screen in self.app.manager.screens}

    def modules(self) -> dict[str, list[str]]:
        return {"at_first_frame": self.frames.modules_at_first_flip, "now": sorted(sys.modules)}

    def layout(self) -> list[list[Any]]:
        """Where every widget of the screen is (a dialog above it is not part of it)."""
        return [[type(w).__name__, getattr(w, "kid", None), round(w.x, 1), round(w.y, 1),
                 round(w.width, 1), round(w.height, 1)]
                for w in self.app.manager.current_screen.walk()]

    def widget(self, kid: str) -> dict[str, Any]:
        """Where `kid` is on the window (through every relative layout) and what it says."""
        widget = self._widget_or_404(kid)
        x, y = widget.to_window(widget.x, widget.y)
        text = getattr(widget, "text", None)
        if isinstance(text, str) and getattr(widget, "markup", False):
            text = MARKUP_TAG.sub("", text)
        return {"kid": kid, "rect": [round(x, 1), round(y, 1), round(widget.width, 1),
                                     round(widget.height, 1)], "text": text}

    def _widget_or_404(self, kid: str) -> Any:
        """The widget `kid`, or a 404 naming the screen it is not on."""
        widget = self._find(kid)
        if widget is None:
            raise CommandFailed(404, f"no widget {kid!r} on screen {self.app.manager.current}")
        return widget

    def _find(self, kid: str) -> Any:
        """The widget `kid`: in an open dialog first (it covers the screen), else the screen."""
        for root in [*self._dialogs(), self.app.manager.current_screen]:
            widget = find(root, kid)
            if widget is not None:
                return widget
        return None

    def _count_key(self, *_args: Any) -> None:
        self.keys_seen += 1  # returns None: the key goes on to the app's own handlers

    def _shows(self, until: dict[str, Any]) -> bool:
        """Whether the UI is in the state `until` names (screen, language, modes, and "kid" or
        "kid_prefix": a widget that must be on screen, e.g. a list that loads after the
        screen, or any row of it)."""
        now = {"screen": self.app.manager.current, "language": self.app.prefs.language,
               "elder_mode": self.app.prefs.elder_mode,
               "high_contrast": self.app.prefs.high_contrast}
        if "kid" in until and self._find(until["kid"]) is None:
            return False
        prefix = until.get("kid_prefix")
        if prefix and not any(str(getattr(w, "kid", None) or "").startswith(prefix)
                              for w in self.app.manager.current_screen.walk()):
            return False
        return all(now.get(k) == v for k, v in until.items() if k not in ("kid", "kid_prefix"))

    def tap(self, kid: str, drawn: threading.Event | None = None,
            timing: dict[str, Any] | None = None,
            until: dict[str, Any] | None = None) -> dict[str, Any]:
        """Touch `kid`. With `drawn`, that event is set (and `timing` filled) when the first
        frame after the release has been drawn, or with `until` the first frame drawn once the
        UI shows that state (a screen that changes on a later frame): the effect is on the
        glass."""
        widget = self._widget_or_404(kid)
        x, y = widget.to_window(*widget.center)
        touch = SyntheticTouch(x, y)
        down = time.perf_counter()
        touch.touch_down()
        if timing is not None:  # what reacts on touch-down (the attract loop) shows here
            self.frames.after_next_flip(lambda at: timing.update(
                down_to_next_frame_ms=round((at - down) * 1000, 2)))

        def release(_dt: float) -> None:
            up = time.perf_counter()
            touch.touch_up()  # the button's on_release runs here, switching screens
            if drawn is not None and timing is not None:
                def flipped(at: float) -> None:
                    if (until and "screen_drawn_ms" not in timing
                            and self.app.manager.current == until.get("screen")):
                        # the screen's first frame, skeleton or content: what the eye sees first
                        timing["screen_drawn_ms"] = round((at - up) * 1000, 2)
                    if until and not self._shows(until) and at - up < TIMEOUT_S:
                        self.frames.after_next_flip(flipped)
                        Window.canvas.ask_update()
                        return
                    timing.update(release_to_drawn_ms=round((at - up) * 1000, 2),
                                  down_to_drawn_ms=round((at - down) * 1000, 2))
                    answer = background.answered_between(up, at)
                    if answer is not None:  # what of it the platform or a device took
                        timing["answer_ms"] = round(answer * 1000, 2)
                    drawn.set()
                self.frames.after_next_flip(flipped)
                # A release that changes nothing would leave no frame to wait for: ask for one
                # (the same picture again, drawn after whatever the release did).
                Window.canvas.ask_update()

        # Released on a later frame, as a finger would be: a Button needs its down state drawn.
        Clock.schedule_once(release, RELEASE_AFTER_S)
        return {"tapped": kid, "at": [round(x), round(y)]}

    def tap_and_wait(self, kid: str, until: dict[str, Any] | None = None) -> dict[str, Any]:
        """Runs on the HTTP thread: the tap on the main loop, then wait for its frame."""
        drawn = threading.Event()
        timing: dict[str, Any] = {}
        reply = self._on_main(lambda: self.tap(kid, drawn, timing, until))
        if not drawn.wait(TIMEOUT_S):
            raise CommandFailed(504, "no frame was drawn after the release")
        return {**reply, **timing}

    def touch(self, x: float, y: float) -> dict[str, Any]:
        """Touch a window point where no widget may be (the admin gesture's corners)."""
        touch = SyntheticTouch(x, y)
        touch.touch_down()
        Clock.schedule_once(lambda _dt: touch.touch_up(), RELEASE_AFTER_S)
        return {"touched": [x, y]}

    def key(self, key: int) -> dict[str, Any]:
        handled = Window.dispatch("on_keyboard", key, 0, "", [])
        return {"handled": bool(handled)}

    def close(self) -> dict[str, Any]:
        refused = Window.dispatch("on_request_close")
        return {"refused": bool(refused)}

    def hang(self, seconds: float) -> dict[str, Any]:
        """Block the main loop, as a hung UI would (the watchdog test); bounded below the
        driver's own timeout."""
        seconds = max(0.0, min(seconds, TIMEOUT_S - 2))
        time.sleep(seconds)
        return {"hung_s": seconds}

    def profile(self, start: bool, top: int) -> dict[str, Any]:
        """cProfile on the main thread (commands run there): start, or stop and report."""
        import cProfile
        import pstats

        if start:
            if self.profiler is not None:
                self.profiler.disable()
            self.profiler = cProfile.Profile()
            self.profiler.enable()
            return {"profiling": True}
        if self.profiler is None:
            raise CommandFailed(409, "not profiling")
        self.profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(self.profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        self.profiler = None
        return {"report": out.getvalue()}

    def explore(self, args: dict[str, Any]) -> dict[str, Any]:
        from screens.explorer import Explorer, Walk
        from screens.explorer_routes import Routes

        if self.walk is not None and not self.walk.done:
            raise CommandFailed(409, "a walk is under way")
        if self.routes is None:
            self.routes = Routes()
        self.walk = Walk(seed=str(args["seed"]), language=str(args["language"]),
                         mode=str(args["mode"]), steps=int(args["steps"]),
                         tour=bool(args.get("tour", False)),
                         skip=frozenset(str(n) for n in args.get("skip", ())),
                         seconds=float(args.get("seconds", float("inf"))),
                         control_url=str(args["control_url"]), card_path=str(args["card_path"]))
        self.explorer = Explorer(self.app, self.walk, self.routes)
        self.explorer.start()
        return {"started": True}

    def walk_report(self) -> dict[str, Any]:
        if self.walk is None:
            raise CommandFailed(404, "no walk")
        seen = self.routes.seen if self.routes is not None else set()
        return {**self.walk.report(), "unseen_by_any": sorted(self.walk.reachable - seen)}

    def fault(self, text: str) -> dict[str, Any]:
        """A bug in a screen: an exception out of a Clock callback on the main loop."""
        def fail(_dt: float) -> None:
            raise RuntimeError(text)
        Clock.schedule_once(fail, 0)
        return {"scheduled": True}

    def end_then_tap(self, kid: str) -> dict[str, Any]:
        """On the main loop: the session ends as a lifted card's grace ends it (the event
        queued for the loop's next turn), and in the same turn a finger lands on `kid`: the
        race between another thread's end and a touch."""
        widget = self._widget_or_404(kid)
        ended = self.app.terminal.sessions.end(EndReason.CARD_REMOVED)
        touch = SyntheticTouch(*widget.to_window(*widget.center))
        touch.touch_down()
        touch.touch_up()
        return {"ended": bool(ended), "screen": self.app.manager.current}

    def reset(self) -> dict[str, Any]:
        """Nobody at the screen: the session ends (the app's own end-of-session handling puts
        back the defaults) and the attract loop shows."""
        sessions = self.app.terminal.sessions
        ended = sessions.current is not None
        if ended:
            sessions.end(EndReason.ADMIN)
        self.app.show("attract")  # also from the admin screens, where an end would not move
        return {"ended": ended}

    def screenshot(self, path: str, glass: bool = False) -> dict[str, Any]:
        """The screen; with a dialog open or `glass`, the window as drawn (the dialog lies on
        the window, outside the app's root). Window.screenshot appends a counter: moved to
        `path`. Run once the next frame is drawn (`_on_main(…, drawn=True)`): a body rebuilt
        this turn (a poll's answer on the pay screen) is laid out only by that frame, and
        taken before it the pay code lay half off the screen at its widget's default place
        and the buttons had no words, a picture the glass never shows."""
        if not glass and not self._dialogs():
            export_on_ground(self.app.root, path)
            return {"path": path}
        written = Window.screenshot(name=path)
        os.replace(written, path)
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

            def _run(self, command: Callable[[], Any], drawn: bool = False) -> None:
                try:
                    self._reply(200, driver._on_main(command, drawn))
                except CommandFailed as exc:
                    self._reply(exc.status, {"error": str(exc)})
                except Exception as exc:
                    self._reply(500, {"error": f"{type(exc).__name__}: {exc}"})

            def do_GET(self) -> None:
                if self.path == "/state":
                    self._run(driver.state)
                elif self.path == "/explore":
                    self._run(driver.walk_report)
                elif self.path == "/inspect":
                    self._run(driver.inspect)
                elif self.path == "/canvas":
                    self._run(lambda: census(Window.canvas))
                elif self.path == "/layout":
                    self._run(driver.layout)
                elif self.path == "/held":
                    self._run(driver.held)
                elif self.path == "/modules":
                    self._run(driver.modules)
                else:
                    self._reply(404, {"error": "unknown command"})

            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), 65536)
                try:
                    args = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    self._reply(400, {"error": "body is not JSON"})
                    return
                if self.path == "/tap" and args.get("wait_drawn"):
                    try:
                        until = args.get("until")
                        self._reply(200, driver.tap_and_wait(
                            str(args.get("kid")), until if isinstance(until, dict) else None))
                    except CommandFailed as exc:
                        self._reply(exc.status, {"error": str(exc)})
                    return
                commands: dict[str, Callable[[], Any]] = {
                    "/tap": lambda: driver.tap(str(args.get("kid"))),
                    "/stall_reset": driver.frames.reset_stall,
                    "/touch": lambda: driver.touch(float(args.get("x", 0)),
                                                   float(args.get("y", 0))),
                    "/key": lambda: driver.key(int(args.get("key", 0))),
                    "/close": driver.close,
                    "/profile": lambda: driver.profile(bool(args.get("start")),
                                                       int(args.get("top", 40))),
                    "/hang": lambda: driver.hang(float(args.get("seconds", 1))),
                    "/explore": lambda: driver.explore(args),
                    "/fault": lambda: driver.fault(str(args.get("text", "injected fault"))[:200]),
                    "/end_then_tap": lambda: driver.end_then_tap(str(args.get("kid"))),
                    "/widget": lambda: driver.widget(str(args.get("kid"))),
                    "/reset": driver.reset,
                    "/screenshot": lambda: driver.screenshot(str(args.get("path")),
                                                             bool(args.get("glass"))),
                }
                if self.path not in commands:
                    self._reply(404, {"error": "unknown command"})
                    return
                # a picture of the screen as the glass shows it: after the next frame
                self._run(commands[self.path], drawn=self.path == "/screenshot")

        return Handler


def export_on_ground(widget: Widget, path: str) -> None:
    """Kivy's export_to_png, on the window's clear colour instead of transparent black: the
    screens' ground is that colour (screens.widgets.paint_ground), not a rectangle."""
    index = widget.parent.canvas.indexof(widget.canvas) if widget.parent is not None else -1
    if index > -1:
        widget.parent.canvas.remove(widget.canvas)
    fbo = Fbo(size=widget.size, with_stencilbuffer=True)
    with fbo:
        ClearColor(*Window.clearcolor)
        ClearBuffers()
        Scale(1, -1, 1)
        Translate(-widget.x, -widget.y - widget.height, 0)
    fbo.add(widget.canvas)
    try:
        fbo.draw()
        fbo.texture.save(path, flipped=False)
    finally:
        fbo.remove(widget.canvas)
        if index > -1:
            widget.parent.canvas.insert(index, widget.canvas)


class FrameWatch:
    """Frames drawn and the main loop's longest stall, for the benchmarks and the demo.

    A callback scheduled every frame measures the gap between two clock ticks: with nothing to
    do Kivy ticks at its frame rate, so a long gap is the main loop blocked (a decode, a file
    read, a layout storm). Draws are counted on Window.on_flip, which Kivy dispatches only for
    frames that changed something.
    """

    def __init__(self) -> None:
        self.drawn = 0
        self.last_flip: float | None = None
        self.first_flip_wall: float | None = None  # time.time(): cold start, across processes
        self.modules_at_first_flip: list[str] = []  # what the first frame waited for
        self._last_tick: float | None = None
        self._max_gap = 0.0
        self._since = time.perf_counter()
        self._after_flip: list[Callable[[float], None]] = []

    def start(self) -> None:
        Clock.schedule_interval(self._tick, 0)
        Window.bind(on_flip=self._on_flip)

    def _tick(self, _dt: float) -> None:
        now = time.perf_counter()
        if self._last_tick is not None:
            self._max_gap = max(self._max_gap, now - self._last_tick)
        self._last_tick = now

    def _on_flip(self, *_args: Any) -> None:
        now = time.perf_counter()
        self.drawn += 1
        self.last_flip = now
        if self.first_flip_wall is None:
            self.first_flip_wall = time.time()
            self.modules_at_first_flip = sorted(sys.modules)
        waiting, self._after_flip = self._after_flip, []
        for callback in waiting:
            callback(now)

    def after_next_flip(self, callback: Callable[[float], None]) -> None:
        self._after_flip.append(callback)

    def describe(self) -> dict[str, Any]:
        now = time.perf_counter()
        return {"frames": {"drawn": self.drawn,
                           "last_s": None if self.last_flip is None
                           else round(now - self.last_flip, 3),
                           "first_wall": self.first_flip_wall},
                "stall": {"max_ms": round(self._max_gap * 1000, 2),
                          "since_s": round(now - self._since, 3)}}

    def reset_stall(self) -> dict[str, Any]:
        last = self.describe()["stall"]
        self._max_gap = 0.0
        self._last_tick = None
        self._since = time.perf_counter()
        return last
