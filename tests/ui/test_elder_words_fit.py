"""Lines whose words needed more room in elder mode than they were given, each cut at the
bottom (seen on screenshots in zh/en × normal/elder/high contrast): the card-grace question in
English, the holder screen's wrong-code message in English, and the appointment's "printer out of
paper" line. Real app under Xvfb; what is checked is what screens.inspect sees on the glass."""

from __future__ import annotations

import pytest

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import (choose, elder, every_page_whole, free_times, identify,
                              nothing_wrong, on, open_service, open_tile, renamed_service,
                              tap)

AREAS = ("idcard", "document", "printer")
# too long for one line at elder mode's title size in English (renamed at the platform)
LONG_LIFT_NAME = ("Adding a lift to an existing multi-storey residential building with several "
                  "owners")


def test_the_card_grace_question_fits_in_english_elder_mode(sim: Simulation,
                                                            app: KioskUi) -> None:
    """"Put your ID card back to continue" wraps to two lines at 72 px: the title had one."""
    identify(sim, app)
    elder(app, "en")
    open_service(sim, app)
    choose(app, "reason", 0)  # something entered: lifting the card waits for it
    sim.control("idcard", "remove_card", {})
    app.wait_for(lambda s: s["dialog"] == "card_grace", 10)
    nothing_wrong(app)


def test_a_wrong_code_is_told_in_whole_lines_in_english_elder_mode(sim: Simulation,
                                                                   app: KioskUi) -> None:
    """"The code is not right..." and the tries left took three lines beside Call staff."""
    identify(sim, app)
    elder(app, "en")
    tap(app, "tile_apply")
    app.wait_for(lambda s: s["screen"] == "holder" and "busy" not in s["kids"]
                 and any("****" in t for t in s["texts"]), 20)
    for digit in "000000":
        tap(app, f"code_{digit}")
    tap(app, "code_ok")
    app.wait_for(on("holder", "problem"), 20)
    nothing_wrong(app)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_booking_slip_the_printer_could_not_print_is_told_whole_in_elder_mode(
        sim: Simulation, app: KioskUi, language: str) -> None:
    """Out of paper and "note your booking code" took 210 px at the title's size under the
    booking's details, which left 169."""
    identify(sim, app)
    elder(app, language)
    sim.control("printer", "paper_out", {})
    state = free_times(sim, app)
    nothing_wrong(app)  # the second free time ran under Back and Next page (`overlap`)
    tap(app, sorted(k for k in state["kids"] if k.startswith("appt_slot_"))[0])
    app.wait_for(on("appt_booked", "appt_print_paper_out"), 30)
    nothing_wrong(app)


@pytest.mark.parametrize("marked", [False, True])
def test_a_number_fields_editor_fits_under_the_header_in_english_elder_mode(
        sim: Simulation, app: KioskUi, marked: bool) -> None:
    """Found by the explorer: "Floor area (m²)" over the title by 56 px."""
    identify(sim, app)
    elder(app, "en")
    open_service(sim, app, "public-place-hygiene-licence", "ggcswsxk")
    if marked:
        tap(app, "form_next")
        app.wait_for(on("form", "problem"), 10)
    while "field_floor_area_m2" not in app.state()["kids"]:
        tap(app, "page_next")
    tap(app, "field_floor_area_m2")
    app.wait_for(on("form", "editing_label"), 10)
    nothing_wrong(app)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_services_guide_fits_in_elder_mode(sim: Simulation, app: KioskUi,
                                                 language: str) -> None:
    """Found by the explorer: "Social-insurance registration for flexibly employed persons"
    took two lines at the title's size in a one-line label, over the step bar and the
    department. Every service of the catalogue, every page of its guide."""
    identify(sim, app)
    elder(app, language)
    open_tile(sim, app, "tile_apply")
    state = app.wait_for(on("catalogue", "search"), 20)
    seen: set[str] = set()
    while True:
        for kid in sorted(k for k in state["kids"] if k.startswith("service_")):
            if kid in seen:
                continue
            seen.add(kid)
            tap(app, kid)
            state = app.wait_for(on("guide", "guide_conditions"), 20)
            every_page_whole(app, state, "guide", "back")
            tap(app, "back")
            state = app.wait_for(on("catalogue", "search"), 20)
        if "page_next" not in state["kids"]:
            break
        tap(app, "page_next")
        state = app.wait_for(on("catalogue", "search"), 20)
    assert len(seen) == 18, sorted(seen)  # the reference platform's catalogue, all of it


def test_a_choice_fields_options_fit_under_its_message_in_english_elder_mode(
        sim: Simulation, app: KioskUi) -> None:
    """Found by the explorer: with "required" under its name, the occupation's five choices
    ran under Cancel (`overlap`)."""
    identify(sim, app)
    elder(app, "en")
    open_service(sim, app, "flexible-employment-insurance", "lhjyrycbdj")
    tap(app, "form_next")  # nothing entered yet: every field is marked
    app.wait_for(on("form", "problem"), 10)
    for field in ("contribution_base", "occupation"):
        while f"field_{field}" not in app.state()["kids"]:
            tap(app, "page_next")
        tap(app, f"field_{field}")
        app.wait_for(on("form", "edit_cancel"), 10)
        nothing_wrong(app)
        tap(app, "edit_cancel")
        app.wait_for(on("form", "form_next"), 10)



def test_every_bookable_services_free_times_fit_in_english_elder_mode(
        sim: Simulation, app: KioskUi) -> None:
    """A service's name over the free times had one line at the title's size: a longer English
    name from the platform overprinted the day buttons in elder mode. Each bookable service,
    one of them renamed at the platform to such a name."""
    service = "residential-lift-installation"
    with renamed_service(sim, service, "en", LONG_LIFT_NAME):
        identify(sim, app)
        elder(app, "en")
        free_times(sim, app)
        tap(app, "back")
        seen = []
        while True:
            state = app.wait_for(lambda s: s["screen"] == "appt_services"
                                 and "busy" not in s["kids"], 20)
            nothing_wrong(app)
            kids = sorted(k for k in state["kids"]
                          if k.startswith("appt_service_") and k not in seen)
            if not kids:
                if "page_next" not in state["kids"]:
                    break
                tap(app, "page_next")
                continue
            seen.append(kids[0])
            tap(app, kids[0])
            state = app.wait_for(lambda s: s["screen"] == "appt_slots"
                                 and "busy" not in s["kids"]
                                 and any(k.startswith("appt_slot_") for k in s["kids"]), 20)
            nothing_wrong(app)
            tap(app, "back")
        assert f"appt_service_{service}" in seen and len(seen) >= 4, seen


def test_my_appointments_fit_in_english_elder_mode_with_long_names(sim: Simulation,
                                                                   app: KioskUi) -> None:
    """Each bookable service booked once at the platform (one renamed to a long English name):
    every page of "My appointments" in English elder mode shows its rows whole."""
    import datetime as dt

    from kiosk.refplatform import appointments
    from kiosk.session import Identity
    from tests.session.conftest import card_of

    platform = sim.emulators["platform"]
    applicant = Identity.from_id_card(card_of("resident")).applicant()
    now = dt.datetime.now(dt.timezone.utc)
    services = ("nurse-practice-registration", "individual-business-registration",
                "residential-lift-installation", "disability-card-renewal")
    with platform.store.write() as conn:
        booked = set()
        for service in services:
            slot = appointments.list_slots(conn, service, now.date(),
                                           now.date() + dt.timedelta(days=14), now)[0]
            booked.add(appointments.book(conn, {"slot_id": slot["slot_id"], "service_id": service,
                                                "applicant": applicant}, now)["appointment_id"])
    with renamed_service(sim, services[2], "en", LONG_LIFT_NAME):
        identify(sim, app)
        elder(app, "en")
        while "tile_appointment" not in app.state()["kids"]:
            tap(app, "tiles_more")  # elder mode's home has pages
        open_tile(sim, app, "tile_appointment")
        app.wait_for(on("appt_menu", "appt_my"), 20)
        tap(app, "appt_my")
        state = app.wait_for(lambda s: s["screen"] == "appt_mine"
                             and any(k.startswith("appt_cancel_") for k in s["kids"]), 20)
        pages = every_page_whole(app, state, "appt_mine", "back")
        shown = {k.removeprefix("appt_cancel_") for page, _ in pages for k in page["kids"]
                 if k.startswith("appt_cancel_")}
        assert booked <= shown, (booked, shown)  # and those an earlier test of the module made
