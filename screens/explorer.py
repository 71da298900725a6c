"""A seeded random citizen walking the app from inside its main loop (the explorer test).

Driven from outside, every step paid two HTTP round trips and a drawn frame each way: seconds
a step on a loaded 2-core machine, so hundreds of steps per mode did not fit the suite. Inside,
a step is one main-loop turn: touch down, touch up on the next turn (as a finger), lay out,
look (screens.inspect). The emulators are steered through the simulation's control URL on a
worker thread, as the test would; the walk waits for them without blocking the loop.

What a citizen does, with the odds of a step: tap anything that can be pressed (leaving less
often than going on), place or lift the card (and mostly put it back when asked), type the
texted code (mostly right), type a form's values (right ones, from the field's own pattern and
limits, or random keys: screens.explorer_values), give the materials (e-licence, camera,
scanner, a promise), place a page under the document camera, switch language, elder mode and
high contrast towards the walk's mode, and wait while nothing may move. A tour (`Walk.tour`),
after the random walks, only heads for the screens none of them has been on. Only reachable
through the UI driver (`--ui-driver`).
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior

from screens.explorer_routes import Routes
from screens.explorer_layout import layout_moves
from screens.explorer_values import random_keys, right_value
from screens.inspect import as_next_frame, problems
from screens.keyboard import key_kid
from screens.synthetic_touch import SyntheticTouch
from screens.widgets import find

STILL_S = 1.1  # long enough for the clock's and the session timer's next change
# the longest a walk waits for the app's answer (`_answered`): the reader's poll and the
# session's answer to a card; the pay screen's next look at the payment (it polls every 2 s)
CARD_WAIT_S, POLL_WAIT_S = 0.8, 2.5
ANSWER_POLL_S = 0.1  # how often the walk looks whether the app has answered a device
BUSY_LIMIT_S = 8.0  # the longest a screen may stay busy before the walk looks anyway
LEAVING = ("exit", "exit_confirm", "home", "back")
MODE_SWITCHES = ("switch_elder", "switch_contrast")
ASIDE = ("call_staff", "repeat_voice")  # in every header; leads to no other screen
TYPING = ("key_", "code_")  # keys of the keyboards: a way to a value, not to a screen
KEYS_WEIGHT = 3.0  # a random tap's odds of landing on some key of an open keyboard, in buttons
# Buttons of a kind: once one was tried on a screen, the others lead where it did (a service of
# the catalogue to its guide, a field to its editor, a page of a list to the same list, a slot
# to the booking); the route map knows them by kind (`kind`): a booked slot is gone the next
# time, and a way through it was never found again
ALIKE = ("service_", "field_", "opt_", "page_", "aud_", "cert_", "app_SL-", "rate_SL-", "pay_SL-",
         "appt_service_", "appt_day_", "appt_slot_", "appt_cancel_", "score_", "attitude_",
         "competence_", "efficiency_")
ASK_FOR_CARD = ("identify", "progress_start")  # screens whose next step is the ID card
# screens that ask for proof (the card, the texted code) and then lead where the tap before
# them was meant to go
PROOF = frozenset({*ASK_FOR_CARD, "holder"})
# Screens shown only to a visitor not identified yet, and the tap on home that leads there: the
# route map cannot learn them, since once the card was read the same tap leads elsewhere (the
# progress tile to one's own applications), and a walk with the card on missed them in CI
CARDLESS = {"progress_start": "tile_progress"}
STEER = 0.75  # how often a step heads for a screen not yet seen, when a way there is known
# screens where documents are given: their kid prefix and the button that goes on
HAND_IN = {"materials": ("mat", "materials_next"), "progress_supplement": ("sup", "sup_submit")}
GIVE = ("elicence", "camera", "scanner", "promise")  # the ways a material is given
RIGHT_VALUE = 0.75  # how often a citizen steering through a form types a value it takes
# a citizen halfway through an application (or handing in documents) mostly goes on: the
# screens past the form are reached only through a few dozen steps in one visit
GOING_ON = frozenset({"form", "materials", "camera", "review", "progress_supplement",
                      "progress_camera"})
STEER_ON = 0.85
UNTRIED = 3.0  # how much likelier a button never tapped on its screen is to be tapped
# Screens a citizen cannot reach, so no walk is held to them: the staff sign-in and panel open
# only to a hidden gesture followed by a staff card (a staff issuer's certificate) and a PIN.
STAFF_ONLY = frozenset({"admin_pin", "admin"})


@dataclass
class Walk:
    seed: str
    language: str
    mode: str  # normal | elder | high_contrast
    steps: int  # steps to take in the walk's own language and mode
    control_url: str
    card_path: str
    # a tour: every step heads for a screen no walk has been on, and it ends when there is none
    # (after the random walks, so that together they reach every screen: screens.explorer)
    tour: bool = False
    skip: frozenset[str] = frozenset()  # screens a tour does not head for
    taken: int = 0
    in_mode: int = 0
    done: bool = False
    # a walk ends at its steps or at this many seconds, whichever comes first: a loaded
    # machine made one walk of 120 steps take 8 minutes in CI (under 1 alone)
    seconds: float = float("inf")
    out_of_time: bool = False
    error: str | None = None
    problems: dict[str, dict[str, Any]] = field(default_factory=dict)
    moved: list[str] = field(default_factory=list)
    screens: set[str] = field(default_factory=set)
    reachable: set[str] = field(default_factory=set)  # every screen a citizen can reach
    trail: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    # the longest waits from one step to the next and what led to them: where a walk's
    # minutes go (the suite's time is mostly these walks)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    last_step: float | None = None

    def timed(self) -> None:
        now = time.monotonic()
        if self.last_step is not None and self.trail:
            self.slowest.append((round(now - self.last_step, 2), self.trail[-1]))
            self.slowest = sorted(self.slowest, reverse=True)[:8]
        self.last_step = now

    def report(self) -> dict[str, Any]:
        return {"done": self.done, "error": self.error, "taken": self.taken,
                "in_mode": self.in_mode, "problems": list(self.problems.values()),
                "moved": self.moved, "screens": sorted(self.screens),
                "unvisited": sorted(self.reachable - self.screens),
                "trail": self.trail[-12:], "seconds": round(time.monotonic() - self.started, 1),
                "slowest": self.slowest, "out_of_time": self.out_of_time}


class Explorer:
    """One walk; `routes` (where taps led) outlives it, so later walks steer from the start."""

    def __init__(self, app: Any, walk: Walk, routes: Routes | None = None) -> None:
        self.app = app
        self.walk = walk
        self.routes = routes if routes is not None else Routes()
        self.rng = random.Random(walk.seed)
        self.card_on = False
        self._busy_since: float | None = None
        self._tapped: tuple[str, str] | None = None  # (screen, kid) of the last tap
        self._opened: tuple[str, str] | None = None  # the tap that led to a proof screen
        self._given: set[str] = set()  # the ways of giving a material tried in this walk
        walk.reachable = set(app.manager.screen_names) - STAFF_ONLY

    def start(self) -> None:
        Clock.schedule_once(self._step, 0)

    # -- the loop --------------------------------------------------------------------------------

    def _next(self, delay: float = 0) -> None:
        Clock.schedule_once(self._step, delay)

    def _step(self, _dt: float) -> None:
        walk = self.walk
        try:
            if walk.in_mode >= walk.steps or walk.taken >= walk.steps * 6 \
                    or walk.tour and not self._unseen():
                walk.done = True
                return
            if time.monotonic() - walk.started > walk.seconds:
                walk.done = walk.out_of_time = True
                return
            if self._busy():
                now = time.monotonic()
                self._busy_since = self._busy_since or now
                if now - self._busy_since < BUSY_LIMIT_S:
                    self._next(0.1)
                    return
            self._busy_since = None
            walk.timed()
            self._look()
            walk.taken += 1
            walk.in_mode += self._in_mode()
            self._act()
        except Exception as exc:  # the walk's own failure, reported rather than hidden
            walk.error = f"{type(exc).__name__}: {exc}"
            walk.done = True

    def _act(self) -> None:
        app, roll = self.app, self.rng.random()
        screen = app.manager.current
        dialogs = list(app.open_dialogs())
        root = dialogs[0] if dialogs else app.manager.current_screen
        buttons = sorted((w for w in root.walk() if isinstance(w, ButtonBehavior)
                          and getattr(w, "kid", None) and not w.disabled and w.width > 1),
                         key=lambda w: w.kid)
        kids = [w.kid for w in buttons]
        if screen == "attract" and not dialogs:
            if roll < 0.3 and not self.card_on:
                return self._card(True)
            return self._tap_kid(kids, "attract_text", root)
        switch = self._toward_mode(kids)
        if switch is not None and roll < 0.8:
            return self._tap_kid(kids, switch, root)
        unseen = self._unseen()
        steer = bool(unseen) and (self.walk.tour or self.rng.random() < (
            STEER_ON if screen in GOING_ON else STEER))
        # screens no walk has been on first: the walks of the three modes together are to see
        # every screen, and each steering for its own unseen ones went where the last had been
        unseen = (unseen - self.routes.seen) or unseen
        cardless = [CARDLESS[s] for s in sorted(unseen & set(CARDLESS)) if CARDLESS[s] in kids]
        if steer and screen == "home" and cardless and not dialogs:
            # without the card: there, or first end the visit (Exit, then confirm)
            kid = cardless[0] if not self._identified() else "exit" if "exit" in kids else None
            if kid is not None:
                return self._tap(buttons[kids.index(kid)])
        if steer and screen in ASK_FOR_CARD and not dialogs:
            # place the card the prompt asks for (lifted first if it lay there already)
            return self._card(not self.card_on)
        if dialogs and dialogs[0].kid == "card_grace" and roll < 0.7:  # "put it back": mostly
            return self._card(True)
        if roll < 0.04 and not steer:  # one heading somewhere keeps the card on the reader
            return self._card(not self.card_on)
        if roll < 0.07:
            return self._still()
        if screen == "holder" and not dialogs and (steer or roll < 0.6) and "code_ok" in kids:
            # the texted code is the only way on: the route map cannot learn it (Home, the one
            # tap it remembers leading off this screen, led a walk back and forth in CI)
            return self._type_code(right=steer)
        if screen in ("camera", "progress_camera") and (roll < 0.3 or steer):
            # a page or two, then Done, as a citizen does: steering placed page after page
            # (a material takes up to 20) and a walk spent its 150 s under the camera in CI
            if self.walk.trail[-2:] == ["place a page"] * 2 and "camera_done" in kids:
                return self._tap(buttons[kids.index("camera_done")])
            self.walk.trail.append("place a page")
            return self._control("doc_camera", "place_page",
                                 {"seed": self.rng.randrange(100)}, then=lambda _r: self._next(0.5))
        if all(w.kid in ASIDE for w in buttons):  # a screen to read (goodbye): read it, then
            # the next citizen touches it (which starts their visit at once)
            return self._still() if self.walk.trail[-1:] != ["wait"] else self._touch_glass()
        if steer and screen == "pay_qr" and not dialogs:  # the citizen's phone pays
            self.walk.trail.append("pay on the phone")
            view = self._view()
            return self._control("platform", "pay_pending", {},
                                 then=lambda _r: self._answered(view, POLL_WAIT_S))
        if steer and screen == "form" and not dialogs:
            editing = getattr(app.manager.current_screen, "editing", None)
            if editing is not None and "key_done" in kids:
                return self._type_value(editing, right=self.rng.random() < RIGHT_VALUE)
            return self._tap(self._fill_in(buttons))
        if steer and screen in HAND_IN and not dialogs:
            button = self._hand_in(buttons, HAND_IN[screen])
            if button is not None:
                return self._tap(button)
        if steer:  # towards a screen not seen yet: by the shortest way remembered, else
            # by a button never tapped here (it may lead somewhere new)
            kid = self._any_alike(self.routes.first_tap(screen, [kind(k) for k in kids], unseen),
                                  kids)
            if kid is None:
                frontier = self._frontier(screen, kids)
                kid = self.rng.choice(frontier) if frontier else None
            if kid is not None:
                return self._tap(buttons[kids.index(kid)])
        # leaving is rarer than going on; elder mode and high contrast are switched on home
        # now and then, language on any screen (its switch is in every header); a button
        # never tapped on this screen is likelier (it may lead somewhere new)
        # an open keyboard's keys weigh together as a few buttons: one each, they made most
        # of a walk's random steps a spree of 30 keys (typing has its own steps above)
        untried = set(self.routes.untried(screen, [kind(k) for k in kids]))
        keys = sum(k.startswith(TYPING) for k in kids)
        weights = [(0.15 if w.kid in LEAVING else 0.2 if w.kid in MODE_SWITCHES + ASIDE
                    else 0.4 if w.kid == "switch_language"
                    else KEYS_WEIGHT / keys if w.kid.startswith(TYPING) else 1.0)
                   * (UNTRIED if kind(w.kid) in untried else 1.0) for w in buttons]
        self._tap(self.rng.choices(buttons, weights)[0])

    def _fill_in(self, buttons: list[Any]) -> Any:
        """The form's next tap for a citizen who means to get on (the way to the materials,
        review and receipt screens): an option of an open choice, an empty field, else Next
        (an open keyboard is typed into by `_type_value`); a multiple choice with a tick is
        done more often than not."""
        by_kid = {w.kid: w for w in buttons}
        options = [w for w in buttons if w.kid.startswith("opt_")]
        if options:
            done = by_kid.get("edit_done")
            if (done is not None and any(w.role == "selected" for w in options)
                    and self.rng.random() < 0.6):
                return done
            return self.rng.choice(options)
        empty = [w for w in buttons if w.kid.startswith("field_")
                 and w.text == self.app.translator.gettext("Tap to enter")]
        if empty and self.rng.random() < 0.8:
            return self.rng.choice(empty)
        return by_kid.get("form_next") or self.rng.choice(buttons)

    def _hand_in(self, buttons: list[Any], kids: tuple[str, str]) -> Any:
        """The materials' next tap for a citizen who means to get on (the way to review and
        receipt, or to handing in): a way to give a material still missing (its e-licence, a
        page under the camera or on the scanner, a promise to bring it), else the page that
        shows one, else on (`kids`: the screen's kid prefix and the button that goes on)."""
        prefix, onward = kids
        by_kid = {w.kid: w for w in buttons}
        views = getattr(self.app.manager.current_screen, "views", [])
        missing = [v.material_id for v in views if not (v.complete and (v.source or v.pages))
                   and (v.required or prefix == "sup")]
        ways = [w for w in buttons if any(w.kid in {f"{prefix}_{m}_{way}" for way in GIVE}
                                          for m in missing)]
        # a way not tried yet first: one that failed (a page the check refused) is not the
        # only one tried again and again
        fresh = [w for w in ways if w.kid not in self._given]
        if ways:
            button = self.rng.choice(fresh or ways)
            self._given.add(button.kid)
            return button
        if missing and "page_next" in by_kid:
            return by_kid["page_next"]
        return by_kid.get(onward)

    def _any_alike(self, found: str | None, kids: list[str]) -> str | None:
        """The button the route map `found`, any of its kind on the glass for a kind: the way
        remembered went through one service of the catalogue (one field of a form), but the
        next step may be on the guide of another (a service that can be applied for here has a
        Start button; one for the counter only has none), so the walk does not hold on to the
        first it tried."""
        if found is None or not found.endswith("*"):
            return found
        return self.rng.choice([k for k in kids if k.startswith(found[:-1])])

    def _frontier(self, screen: str, kids: list[str]) -> list[str]:
        """Buttons on `screen` worth trying for a screen not seen yet: never tapped here, not
        typing, leaving or switching, and not one of a kind already tried here."""
        untried = set(self.routes.untried(screen, [kind(k) for k in kids]))
        return [k for k in kids if kind(k) in untried and not k.startswith(TYPING)
                and k not in LEAVING + ASIDE + MODE_SWITCHES + ("switch_language",)]

    # -- what the walk does ----------------------------------------------------------------------

    def _tap_kid(self, kids: list[str], kid: str, root: Any) -> None:
        widget = find(root, kid)
        if widget is None:
            return self._still()
        self._tap(widget)

    def _tap(self, widget: Any, then: Callable[[], None] | None = None) -> None:
        self.walk.trail.append(f"tap {widget.kid} on {self.app.manager.current}")
        self._tapped = (self.app.manager.current, kind(widget.kid))
        self._press(widget)
        (then or self._next)()

    @staticmethod
    def _press(widget: Any) -> None:
        """A finger down and up on `widget`, released in the same turn: under software GL a
        frame costs 0.2-0.3 s, and a frame between press and release doubled the walk's time
        without testing anything more."""
        x, y = widget.to_window(*widget.center)
        touch = SyntheticTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    def _touch_glass(self) -> None:
        """A touch in the middle of the window, on no button in particular."""
        self.walk.trail.append("touch the glass")
        touch = SyntheticTouch(Window.width / 2, Window.height / 2)
        touch.touch_down()
        touch.touch_up()
        self._next()

    def _card(self, on: bool) -> None:
        self.walk.trail.append("place the card" if on else "lift the card")
        self.card_on = on
        args = {"path": self.walk.card_path} if on else {}
        view = self._view()
        self._control("idcard", "place_card" if on else "remove_card", args,
                      then=lambda _r: self._answered(view, CARD_WAIT_S))

    def _answered(self, view: tuple[Any, ...], limit: float) -> None:
        """The next step once the app answered what a device or the platform told it (the
        glass no longer shows `view`), at the latest after `limit` s: a fixed wait for the
        reader's poll or the pay screen's next look was most of a walk's time."""
        deadline = time.monotonic() + limit

        def look(_dt: float) -> None:
            try:
                if time.monotonic() >= deadline:
                    return self._next()
                if self._view() != view:  # and a turn more for what the answer sets going
                    return self._next(ANSWER_POLL_S)
            except Exception as exc:  # as in _step: reported, not hidden
                self.walk.error = f"{type(exc).__name__}: {exc}"
                self.walk.done = True
                return
            Clock.schedule_once(look, ANSWER_POLL_S)
        Clock.schedule_once(look, ANSWER_POLL_S)

    def _view(self) -> tuple[Any, ...]:
        """What a device's or the platform's answer changes on the glass."""
        return (self.app.manager.current, self._dialog(), self._identified(), self._busy())

    def _type_code(self, right: bool = False) -> None:
        """The texted code: `right`, or mostly right."""
        def typed(code: Any) -> None:
            texted = str(code or "")
            digits = texted if texted and (right or self.rng.random() < 0.7) else "".join(
                self.rng.choice("0123456789") for _ in range(6))
            self.walk.trail.append(f"type a {'right' if digits == texted else 'wrong'} code")
            self._press_in_turn([f"code_{d}" for d in digits] + ["code_ok"])
        self._control("platform", "last_code", {}, then=typed)

    def _type_value(self, field: Any, right: bool) -> None:
        """One value into the form's open keyboard, key by key in one turn (the keys stay where
        they are while a value is typed), then Done: `right`, a value the field takes (as the
        citizen's own details would be), else random keys of the keyboard (and now and then
        Cancel instead of Done)."""
        sheet = find(self.app.manager.current_screen, "keyboard")
        chars = [w.kid for w in sheet.walk() if isinstance(w, ButtonBehavior)
                 and getattr(w, "kid", "").startswith("key_") and len(w.kid) == 5] \
            if sheet is not None else []
        text = right_value(field, self.rng) if right else None
        # a right value replaces what the field held (a refused value stays in the editor)
        kids = ["key_clear"] + [key_kid(ch) for ch in text] if text is not None else \
            random_keys(self.rng, chars)
        finish = "key_cancel" if text is None and self.rng.random() < 0.15 else "key_done"
        self.walk.trail.append(f"type {'a right' if text is not None else 'a random'} "
                               f"{field.name}")
        screen = self.app.manager.current_screen
        for kid in kids:
            key = find(screen, kid)
            if key is None:  # not on this keyboard's mode: what was typed is what Done takes
                break
            self._press(key)
        last = find(screen, finish) or find(screen, "key_done")
        if last is None:
            return self._next()
        self._tap(last)

    def _press_in_turn(self, kids: list[str]) -> None:
        if not kids:
            return self._next()
        widget = find(self.app.manager.current_screen, kids[0])
        if widget is None or self.app.manager.current != "holder":
            return self._next()
        self._tap(widget, then=lambda: Clock.schedule_once(
            lambda _dt: self._press_in_turn(kids[1:]), 0))

    def _still(self) -> None:
        """Wait as a reader does; nothing on the glass may move meanwhile."""
        self.walk.trail.append("wait")
        screen, before, dialog = self.app.manager.current, self._layout(), self._dialog()

        def compare(_dt: float) -> None:
            try:
                same_view = (self.app.manager.current == screen and self._dialog() == dialog
                             and not self._busy())
                after = self._layout()
                keep_room = getattr(self.app.manager.current_screen, "keeps_problem_room", False)
                moved = layout_moves(before, after, keep_room)
                if same_view and moved:
                    self.walk.moved.append(f"{screen}: {moved}")
            except Exception as exc:
                self.walk.error = f"{type(exc).__name__}: {exc}"
                self.walk.done = True
                return
            self._next()
        Clock.schedule_once(compare, STILL_S)

    def _control(self, emulator: str, control: str, args: dict[str, Any],
                 then: Callable[[Any], None]) -> None:
        """A request to the simulation, off the main loop; `then(result)` back on it."""
        url = f"{self.walk.control_url}/{emulator}/{control}"

        def send() -> None:
            result: Any = None
            try:
                request = urllib.request.Request(url, data=json.dumps(args).encode(),
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=10) as reply:
                    result = json.load(reply).get("result")
            except OSError as exc:
                self.walk.trail.append(f"{emulator}/{control} failed: {exc}")
            Clock.schedule_once(lambda _dt: then(result), 0)
        threading.Thread(target=send, name="explorer-control", daemon=True).start()

    # -- looking ---------------------------------------------------------------------------------

    def _look(self) -> None:
        app, walk = self.app, self.walk
        dialogs = list(app.open_dialogs())
        roots = dialogs or [app.manager.current_screen]
        as_next_frame(app.manager, roots)
        screen = app.manager.current
        walk.screens.add(screen)
        self.routes.seen.add(screen)
        self._through_proof(screen)
        if self._tapped is not None:
            self.routes.record(*self._tapped, screen)
            self._tapped = None
        prefs = app.prefs
        mode = [prefs.language, prefs.elder_mode, prefs.high_contrast]
        for problem in problems(roots, app.theme.background):
            key = f"{screen} {mode} {problem.kind} {problem.kid}"
            walk.problems.setdefault(key, {**problem.as_dict(), "screen": screen,
                                           "dialog": dialogs[0].kid if dialogs else None,
                                           "mode": mode, "after": walk.trail[-4:]})

    def _unseen(self) -> set[str]:
        """The screens to head for: for a walk those it has not been on, for a tour those no
        walk has been on (less its `skip`)."""
        walk = self.walk
        if walk.tour:
            return walk.reachable - self.routes.seen - walk.skip
        return walk.reachable - walk.screens

    def _through_proof(self, screen: str) -> None:
        """Credit the tap that led to a proof screen (PROOF) with where the proof then led:
        which screen follows the texted code depends on the tile tapped before it, so the map
        knew no way from home to one's applications or the fees, only to the code screen."""
        if screen in PROOF:
            if self._opened is None and self._tapped is not None \
                    and self._tapped[0] not in PROOF:
                self._opened = self._tapped
            return
        opened, self._opened = self._opened, None
        left = self._tapped is not None and self._tapped[1] in LEAVING + ASIDE
        if opened is not None and not left and screen not in ("home", "attract", "goodbye"):
            self.routes.credit(*opened, screen)

    def _in_mode(self) -> bool:
        prefs, walk = self.app.prefs, self.walk
        return (prefs.language == walk.language and prefs.elder_mode == (walk.mode == "elder")
                and prefs.high_contrast == (walk.mode == "high_contrast"))

    def _toward_mode(self, kids: list[str]) -> str | None:
        prefs, walk = self.app.prefs, self.walk
        if prefs.language != walk.language and "switch_language" in kids:
            return "switch_language"
        if prefs.elder_mode != (walk.mode == "elder") and "switch_elder" in kids:
            return "switch_elder"
        if prefs.high_contrast != (walk.mode == "high_contrast") and "switch_contrast" in kids:
            return "switch_contrast"
        if not self._in_mode() and "home" in kids:
            # the elder and contrast switches are on home: a walk that began where the last
            # one ended (under the camera, in another mode) spent its budget out of its mode
            return "home"
        return None

    def _identified(self) -> bool:
        session = self.app.terminal.sessions.current
        return session is not None and session.identity is not None

    def _busy(self) -> bool:
        return find(self.app.manager.current_screen, "busy") is not None

    def _dialog(self) -> str | None:
        dialogs = list(self.app.open_dialogs())
        return dialogs[0].kid if dialogs else None

    def _layout(self) -> list[list[Any]]:
        return [[getattr(w, "kid", None) or f"<{type(w).__name__}>", round(w.x), round(w.y),
                 round(w.width), round(w.height)]
                for w in self.app.manager.current_screen.walk()]


def kind(kid: str) -> str:
    """A button as the route map knows it: its kind ("appt_slot_*") for one of ALIKE, else itself."""
    prefix = next((p for p in ALIKE if kid.startswith(p)), None)
    return kid if prefix is None else prefix + "*"
