"""The citizen's lists (certificates to print, fees to pay, applications to rate and to
follow) as a citizen meets them: rows start under the step bar, a language switched on a list
redraws the same rows in its words and a row still opens its own item, and when the visit
ends no screen holds what the citizen was shown. Real app on the simulated terminal, with
earlier visits' applications on the platform."""

from __future__ import annotations

import re

from kiosk.sim import Simulation
from tests.ui.explorer_walk import earlier_visits
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, nothing_wrong, on, open_tile, tap

AREAS = ("idcard", "qr", "printer")
LISTS = (("tile_collect", "collect_list", "cert_"), ("tile_pay", "pay_due", "pay_"),
         ("tile_evaluate", "evaluate_list", "rate_"), ("tile_progress", "progress_list", "app_"))
ROW_GAP_PX = 40  # the body's spacing and the frame's padding, at most


def rows(state: dict, prefix: str) -> list[str]:
    return sorted(k for k in state["kids"] if k.startswith(prefix) and k != "pay_due")


def test_lists_start_under_the_step_bar_and_nothing_stays_after_the_visit(
        sim: Simulation, app: KioskUi) -> None:
    earlier_visits(sim)
    tap(app, "attract_text")
    app.wait_for(on("home"), 15)
    identify(sim, app)
    numbers: set[str] = set()
    for tile, screen, prefix in LISTS:
        if app.state()["screen"] != "home":
            tap(app, "home")
            app.wait_for(on("home"), 10)
        open_tile(sim, app, tile)
        state = app.wait_for(lambda s, sc=screen, p=prefix: on(sc)(s) and rows(s, p), 20)
        bar = app.command("widget", kid="step_bar")["rect"]
        tops = ["list_prompt"] if "list_prompt" in state["kids"] else rows(state, prefix)
        first = max((app.command("widget", kid=kid)["rect"] for kid in tops),
                    key=lambda r: r[1] + r[3])
        # window y grows upwards: the list's top just under the bar's bottom (the lists of
        # certificates and ratings hugged the bottom of the body, half the screen below)
        assert 0 <= bar[1] - (first[1] + first[3]) <= ROW_GAP_PX, (screen, bar, first)
        nothing_wrong(app)
        numbers |= {t.split(": ")[-1].split(" ")[0] for t in state["texts"] if "SL-" in t}
    assert numbers, "no application number on the lists"

    # the same rows in English, and the first still opens its own application
    tap(app, "switch_language")
    state = app.wait_for(lambda s: on("progress_list")(s) and s["language"] == "en", 10)
    assert any(t.startswith("Application number") for t in state["texts"])
    first = rows(state, "app_")[0]
    tap(app, first)
    detail = app.wait_for(on("progress_detail"), 20)
    assert any(first.removeprefix("app_") in t for t in detail["texts"])

    sim.control("idcard", "remove_card", {})
    app.wait_for(lambda s: s["screen"] in ("goodbye", "attract"), 30)
    held = app.held()
    # the application numbers, and the holder's name (测试样例) whole or masked (测***)
    kept = {name: [t for t in texts if any(n in t for n in numbers)
                   or re.search(r"测[试*]", t)]
            for name, texts in held.items()}
    assert not any(kept.values()), kept
