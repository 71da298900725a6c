"""The apply journey as a citizen walks it through the app's screens, shared by the UI tests
(and the steps the demo script plays)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.demo.runner import _idle
from kiosk.sim import Simulation
from tests.ui.harness import ROOT, KioskUi

CARD = ROOT / "assets/cards/resident.json"
SERVICE = "residence-permit-replacement"  # enum fields, a prefilled address, e-licence + photo
SEARCH = "jzzbl"  # 居住证补领 by its pinyin initials
AREAS = ("idcard", "document", "printer")


HAN = re.compile(r"[\u4e00-\u9fff]")
ADDRESS = "上海市徐汇区示例路100弄2号301室"  # the resident's, prefilled from the platform
# the switch back; the holder's masked name and number; their address (a value, and on review)
OWN_WORDS = re.compile(r"^(中文|Applicant: \S+ +\d{6}\*+\w{4}|(Address in the city: )?"
                       + ADDRESS + ")$")
TICKING = re.compile(r"(^(剩余|Time left) \d+:\d\d$)|(\d\d:\d\d$)")  # the frame's timer and clock


def steady(texts: list[str]) -> list[str]:
    """What a screen says, less the frame's clock and session timer (they tick)."""
    return [t for t in texts if not TICKING.search(t)]


def tap(app: KioskUi, kid: str) -> None:
    """Touch and wait until the effect is drawn, as a person looks before touching again
    (a touch on a screen still being laid out would land where the widget is not yet)."""
    app.tap(kid, wait_drawn=True)


def on(screen: str, kid: str | None = None):  # type: ignore[no-untyped-def]
    return lambda s: s["screen"] == screen and (kid is None or kid in s["kids"]) \
        and "busy" not in s["kids"]


def identify(sim: Simulation, app: KioskUi) -> dict[str, Any]:
    sim.control("idcard", "place_card", {"path": str(CARD)})
    return app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 20)


def prove_holder(sim: Simulation, app: KioskUi) -> None:
    """Type the code the platform texted, read off the SMS emulator as the citizen reads it
    off their phone."""
    app.wait_for(lambda s: s["screen"] == "holder" and "busy" not in s["kids"]
                 and any("****" in t for t in s["texts"]), 20)
    for digit in sim.control("platform", "last_code", {}):
        tap(app, f"code_{digit}")
    tap(app, "code_ok")


def open_tile(sim: Simulation, app: KioskUi, tile: str) -> None:
    """Touch a home tile as an identified citizen: the first personal journey of a visit asks
    for the texted code first."""
    tap(app, tile)
    state = app.wait_for(lambda s: s["screen"] != "home" and "busy" not in s["kids"], 20)
    if state["screen"] == "holder":
        prove_holder(sim, app)


def open_service(sim: Simulation, app: KioskUi, service: str = SERVICE,
                 search: str = SEARCH) -> None:
    """The apply tile, the service found by its initials (`search`) on the app's own
    keyboard, its guide, then its form."""
    open_tile(sim, app, "tile_apply")
    app.wait_for(on("catalogue", "search"), 20)
    tap(app, "search")
    for letter in search:
        app.wait_for(on("catalogue", f"key_{letter}"))
        tap(app, f"key_{letter}")
    app.wait_for(on("catalogue", f"service_{service}"))
    tap(app, "key_done")
    app.wait_for(on("catalogue", f"service_{service}"))
    shown = app.tap(f"service_{service}", until={"screen": "guide", "kid": "guide_start"})
    # the guide comes on at once with the name the catalogue listed, and fills in from the
    # platform: never the catalogue frozen under "please wait"
    assert shown["screen_drawn_ms"] < shown["release_to_drawn_ms"], shown
    app.wait_for(on("guide", "guide_start"), 20)
    shown = app.tap("guide_start", until={"screen": "form", "kid": "form_next"})
    assert shown["screen_drawn_ms"] < shown["release_to_drawn_ms"], shown  # the same for the form
    app.wait_for(on("form", "form_next"), 20)


@contextmanager
def renamed_service(sim: Simulation, service_id: str, language: str, name: str) -> Iterator[None]:
    """The platform's catalogue names the service `name` in `language` (a name a real platform
    might send: long, or with markup in it) until the block ends."""
    store = sim.emulators["platform"].store
    with store.read() as conn:
        doc = conn.execute("SELECT doc FROM services WHERE service_id = ?",
                           (service_id,)).fetchone()["doc"]
    renamed = json.loads(doc)
    renamed["name"][language] = name
    with store.write() as conn:
        conn.execute("UPDATE services SET doc = ? WHERE service_id = ?",
                     (json.dumps(renamed, ensure_ascii=False), service_id))
    try:
        yield
    finally:
        with store.write() as conn:
            conn.execute("UPDATE services SET doc = ? WHERE service_id = ?", (doc, service_id))


def free_times(sim: Simulation, app: KioskUi) -> dict[str, Any]:
    """From an identified citizen's home, a new booking of the first bookable service: its
    free times' state (elder mode's home has pages: turned until the tile shows)."""
    while "tile_appointment" not in app.state()["kids"]:
        tap(app, "tiles_more")
    open_tile(sim, app, "tile_appointment")
    app.wait_for(on("appt_menu", "appt_new"), 20)
    tap(app, "appt_new")
    state = app.wait_for(lambda s: s["screen"] == "appt_services" and "busy" not in s["kids"]
                         and any(k.startswith("appt_service_") for k in s["kids"]), 20)
    tap(app, sorted(k for k in state["kids"] if k.startswith("appt_service_"))[0])
    return app.wait_for(lambda s: s["screen"] == "appt_slots" and "busy" not in s["kids"]
                        and any(k.startswith("appt_slot_") for k in s["kids"]), 20)


def choose(app: KioskUi, field: str, option: int) -> None:
    while f"field_{field}" not in app.state()["kids"]:
        tap(app, "page_next")
    tap(app, f"field_{field}")
    app.wait_for(on("form", f"opt_{field}_{option}"))
    tap(app, f"opt_{field}_{option}")
    app.wait_for(on("form", "form_next"))


def fill_form(app: KioskUi) -> None:
    choose(app, "reason", 0)
    choose(app, "delivery", 0)
    while "page_prev" in app.state()["kids"]:
        tap(app, "page_prev")
    tap(app, "form_next")
    app.wait_for(on("materials", "materials_next"), 20)


def photograph(sim: Simulation, app: KioskUi, camera_kid: str,
               taken: Callable[[dict[str, Any]], bool]) -> None:
    """A page under the document camera opened by `camera_kid`, taken by itself once still
    (`taken`: the state that shows it), then lifted off."""
    tap(app, camera_kid)
    app.wait_for(on("camera", "preview"), 10)
    sim.control("doc_camera", "place_page", {"seed": 3})
    app.wait_for(taken, 30)
    sim.control("doc_camera", "remove_page", {})


def give_materials(sim: Simulation, app: KioskUi) -> None:
    tap(app, "mat_resident_id_elicence")
    app.wait_for(on("materials", "mat_resident_id_clear"))
    photograph(sim, app, "mat_photo_camera", on("materials", "mat_photo_clear"))
    tap(app, "materials_next")
    app.wait_for(on("review", "submit"), 20)


def elder(app: KioskUi, language: str) -> None:
    """Elder mode on home, in `language` (from the default, Chinese)."""
    if language == "en":
        tap(app, "switch_language")
    tap(app, "switch_elder")
    app.wait_for(lambda s: s["language"] == language and s["elder_mode"], 10)


def nothing_wrong(app: KioskUi) -> None:
    """Nothing clipped, overprinted, off the window, faint or too small on the glass now."""
    problems = app.inspect()["problems"]
    assert problems == [], "\n".join(f"{p['kind']} {p['kid']} {p['text'][:60]!r} {p['detail']}"
                                     for p in problems)


def every_page_whole(app: KioskUi, state: dict[str, Any], screen: str, kid: str
                     ) -> list[tuple[dict[str, Any], str]]:
    """From `state`, each page of a paged screen checked by `nothing_wrong`, turned by Next
    page until there is none: each page's state and the text of its `kid`, in order."""
    pages = []
    while True:
        nothing_wrong(app)
        pages.append((state, app.command("widget", kid=kid)["text"]))
        if "page_next" not in state["kids"]:
            return pages
        tap(app, "page_next")
        state = app.wait_for(on(screen, kid))


def submit(app: KioskUi) -> dict[str, Any]:
    tap(app, "submit")
    return app.wait_for(lambda s: s["screen"] == "receipt" and any(
        k.startswith("print_") and k != "print_again" for k in s["kids"])
        and "busy" not in s["kids"], 60)


def sessions_dir(sim: Simulation) -> Path:
    from kiosk.config import load_config

    config = load_config(sim.site_config_path)
    return Path(config.session.directory or Path(config.terminal.run_dir) / "sessions")


def leftovers(sim: Simulation) -> list[Path]:
    root = sessions_dir(sim)
    return sorted(root.rglob("*")) if root.exists() else []


class Since:
    """What the simulation held when a test began: the tests of a module share one simulation
    (tests/ui/conftest.py), so a test counts what it filed and printed itself."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._receipts = {a["receipt_no"] for a in self._all()}
        printer = sim.emulators.get("printer")
        self._jobs = len(printer.job_log()) if printer is not None else 0

    def _all(self) -> list[dict[str, Any]]:
        if "platform" not in self.sim.emulators:
            return []
        return self.sim.control("platform", "applications", {})

    def applications(self, service_id: str | None = None) -> list[dict[str, Any]]:
        """Filed since, newest first (as the platform lists them)."""
        return [a for a in self._all() if a["receipt_no"] not in self._receipts
                and (service_id is None or a["service_id"] == service_id)]

    def jobs(self) -> list[dict[str, Any]]:
        """The printer emulator's jobs since, oldest first."""
        return self.sim.emulators["printer"].job_log()[self._jobs:]


def chinese_left_in_english(app: KioskUi) -> list[tuple[str, str]]:
    """Switch to English, note what is still Chinese and not the citizen's own, switch back
    (the walk goes on as written)."""
    tap(app, "switch_language")
    state = app.wait_for(lambda s: s["language"] == "en" and _idle(s), 10)
    left = [(state["screen"], text) for text in state["texts"]
            if HAN.search(text) and not OWN_WORDS.match(text)]
    tap(app, "switch_language")
    app.wait_for(lambda s: s["language"] == "zh-CN" and _idle(s), 10)
    return left
