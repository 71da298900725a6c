"""The evaluation journey (好差评) end to end through real touches on the app under Xvfb with
the emulators and the reference platform (HTTPS): a recent application rated from the home
tile with a comment typed in pinyin, and the rating offered at the end of applying."""

from __future__ import annotations

import sqlite3
from typing import Any

from kiosk.sim import Simulation
from tests.support import wait_until
from tests.ui.harness import KioskUi
from tests.ui.journey import (SERVICE, Since, fill_form, give_materials, identify, on,
                              open_service, open_tile, submit, tap)
from tests.ui.test_progress import file_application

# A fresh terminal per test: on the module's shared one a card placed right after the reset
# was sometimes not seen (CI, not reproduced alone; left to follow up, issue 16)


def evaluations(sim: Simulation, receipt_no: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(sim.emulators["platform"].database)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM evaluations WHERE receipt_no = ?",
                                              (receipt_no,))]
    finally:
        conn.close()


def test_a_recent_application_is_rated_with_a_comment_from_the_home_tile(
        sim: Simulation, app: KioskUi) -> None:
    receipt_no = file_application(sim)
    identify(sim, app)
    open_tile(sim, app, "tile_evaluate")
    app.wait_for(on("evaluate_list", f"rate_{receipt_no}"), 20)
    tap(app, f"rate_{receipt_no}")
    app.wait_for(on("evaluate_rate", "score_4"), 10)
    assert "rate_send" not in app.state()["kids"]  # nothing to send before a score
    tap(app, "score_4")
    app.wait_for(on("evaluate_rate", "rate_send"))
    tap(app, "comment_edit")
    for letter in "hao":
        app.wait_for(on("evaluate_rate", f"key_{letter}"))
        tap(app, f"key_{letter}")
    app.wait_for(on("evaluate_rate", "cand_0"), 20)
    tap(app, "cand_0")
    tap(app, "key_done")
    state = app.wait_for(on("evaluate_rate", "rate_send"))
    comment = next(t for t in state["texts"] if len(t) == 1 and not t.isascii())
    tap(app, "rate_send")
    app.wait_for(on("evaluate_rate", "rate_thanks"), 20)
    assert wait_until(lambda: evaluations(sim, receipt_no), timeout=30, interval=0.2), \
        "never delivered"
    (row,) = evaluations(sim, receipt_no)
    assert (row["receipt_no"], row["score"], row["comment"]) == (receipt_no, 4, comment)
    tap(app, "rate_finish")
    app.wait_for(on("evaluate_list", "nothing_to_rate"), 20)  # rated: not offered again
    assert comment not in app.app_log(20000)


def test_the_rating_is_offered_at_the_end_of_applying(sim: Simulation, app: KioskUi,
                                                      since: Since) -> None:
    identify(sim, app)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    state = submit(app)
    assert "rate_offer" in state["kids"] and "finish" in state["kids"]
    tap(app, "rate_offer")
    app.wait_for(on("evaluate_rate", "score_5"), 10)
    tap(app, "score_5")
    app.wait_for(on("evaluate_rate", "rate_send"))
    tap(app, "rate_send")
    app.wait_for(on("evaluate_rate", "rate_finish"), 20)
    tap(app, "rate_finish")
    app.wait_for(on("home"), 10)
    (filed,) = since.applications(SERVICE)
    receipt_no = filed["receipt_no"]
    assert wait_until(lambda: evaluations(sim, receipt_no), timeout=30, interval=0.2), \
        "never delivered"
    (row,) = evaluations(sim, receipt_no)
    assert (row["receipt_no"], row["score"]) == (filed["receipt_no"], 5)
