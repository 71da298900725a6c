"""The explorer's map of where taps led (screens.explorer_routes): it steers a walk to the
screens it has not seen by the shortest way it remembers, through taps that worked."""

from __future__ import annotations

from screens.explorer_routes import Routes


def walked() -> Routes:
    routes = Routes()
    routes.record("home", "tile_pay", "pay_due")
    routes.record("home", "tile_progress", "progress_list")
    routes.record("progress_list", "app_0", "progress_detail")
    routes.record("progress_detail", "progress_supplement", "progress_supplement")
    routes.record("progress_detail", "back", "progress_list")
    routes.record("pay_due", "home", "home")
    return routes


def test_the_first_tap_of_the_shortest_remembered_way_to_an_unseen_screen() -> None:
    routes = walked()
    here = ["tile_pay", "tile_progress", "switch_language"]
    assert routes.first_tap("home", here, {"progress_supplement"}) == "tile_progress"
    assert routes.first_tap("home", here, {"pay_due", "progress_supplement"}) == "tile_pay"
    assert routes.first_tap("pay_due", ["home"], {"progress_detail"}) == "home"
    # only taps on the glass now start a route; nothing known leads to a screen never reached
    assert routes.first_tap("home", ["tile_pay"], {"progress_detail"}) is None
    assert routes.first_tap("home", here, {"collect_list"}) is None
    assert routes.first_tap("home", here, set()) is None


def test_a_tap_that_mostly_leads_nowhere_is_no_way_and_untried_taps_are_told_apart() -> None:
    routes = walked()
    for _ in range(4):  # "next" on a form with a wrong value stays on the form
        routes.record("form", "form_next", "form")
    routes.record("form", "form_next", "materials")
    assert routes.first_tap("form", ["form_next"], {"materials"}) is None
    routes.record("form", "form_next", "materials")
    assert routes.first_tap("form", ["form_next"], {"materials"}) == "form_next"
    assert routes.untried("home", ["tile_pay", "tile_collect"]) == ["tile_collect"]


def test_a_tile_that_first_asks_for_the_texted_code_is_a_way_to_where_the_code_led() -> None:
    """Which screen follows the code depends on the tile tapped before it: from the code
    screen alone no way is reliable, the credited tile is."""
    routes = Routes()
    for tile, landed in (("tile_pay", "pay_due"), ("tile_progress", "progress_list"),
                         ("tile_apply", "catalogue"), ("tile_collect", "collect_list"),
                         ("tile_evaluate", "evaluate_list")):
        routes.record("home", tile, "holder")
        routes.record("holder", "code_ok", landed)
        routes.credit("home", tile, landed)
    here = ["tile_pay", "tile_progress", "tile_apply", "tile_collect"]
    assert routes.first_tap("holder", ["code_ok"], {"progress_list"}) is None
    assert routes.first_tap("home", here, {"progress_list"}) == "tile_progress"
    assert routes.tries[("home", "tile_progress")] == 1  # credit is no second try
