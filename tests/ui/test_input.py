"""Input a citizen can see, on the real app under Xvfb against the reference platform: the
digit pad for an ID number with its input line, a refused value kept with its message under
the field, and the keyboard sheet leaving header, field and first result on screen in elder
mode."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, on, open_service, open_tile, renamed_service, tap

SERVICE = "birth-registration"  # 生育登记: the spouse's ID number, a digits field with X
ID_FIELD = "spouse_id_number"
SPOUSE_ID = "11010519491231002X"  # a valid number ending in X (not the card holder's)
WINDOW_H = 1080


def inspect(app: KioskUi, kid: str) -> dict[str, Any]:
    return app.command("widget", kid=kid)


def rect(app: KioskUi, kid: str) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) on the window, Kivy's axes (y up)."""
    x, y, w, h = inspect(app, kid)["rect"]
    return x, y, x + w, y + h


def above(upper: tuple[float, ...], lower: tuple[float, ...]) -> bool:
    """`upper` lies wholly above `lower` (they do not overlap)."""
    return upper[1] >= lower[3] - 0.5


def on_screen(r: tuple[float, ...]) -> bool:
    return r[0] >= 0 and r[1] >= 0 and r[3] <= WINDOW_H and r[2] <= 1920


def open_birth_registration(sim: Simulation, app: KioskUi) -> None:
    open_tile(sim, app, "tile_apply")
    app.wait_for(on("catalogue", "search"), 20)
    tap(app, "search")
    for letter in "sydj":  # 生育登记 by its initials
        app.wait_for(on("catalogue", f"key_{letter}"))
        tap(app, f"key_{letter}")
    app.wait_for(on("catalogue", f"service_{SERVICE}"))
    tap(app, f"service_{SERVICE}")
    app.wait_for(on("guide", "guide_start"), 20)
    tap(app, "guide_start")
    app.wait_for(on("form", f"field_{ID_FIELD}"), 20)


def type_digits(app: KioskUi, digits: str) -> None:
    for ch in digits:
        tap(app, f"key_{ch.lower()}")


def test_an_id_number_on_the_digit_pad_shows_in_the_input_line(sim, app: KioskUi) -> None:
    identify(sim, app)
    open_birth_registration(sim, app)
    tap(app, f"field_{ID_FIELD}")
    state = app.wait_for(on("form", "key_x"))
    kids = set(state["kids"])
    assert {f"key_{d}" for d in range(10)} | {"key_x", "key_back", "key_done"} <= kids
    assert not {"key_a", "kb_mode_pinyin", "kb_mode_letters", "cand_0"} & kids, "digits only"
    assert inspect(app, "kb_length")["text"] == "0/18"
    assert "18" in inspect(app, "kb_hint")["text"]  # the format hint: an 18-character number
    type_digits(app, SPOUSE_ID[:12])
    assert inspect(app, "kb_value")["text"] == SPOUSE_ID[:12] + "|"  # value and caret
    assert inspect(app, "kb_length")["text"] == "12/18"
    type_digits(app, SPOUSE_ID[12:] + "9")  # the 19th character does not fit
    assert inspect(app, "kb_value")["text"] == SPOUSE_ID + "|"
    assert inspect(app, "kb_length")["text"] == "18/18"
    tap(app, "key_done")
    state = app.wait_for(on("form", "form_next"))
    assert f"error_{ID_FIELD}" not in state["kids"]
    assert inspect(app, f"field_{ID_FIELD}")["text"] == SPOUSE_ID


def test_a_refused_value_stays_with_its_message_under_the_field(sim, app: KioskUi) -> None:
    identify(sim, app)
    open_birth_registration(sim, app)
    before = {k: rect(app, k) for k in (f"field_{ID_FIELD}", "field_spouse_name")}
    tap(app, f"field_{ID_FIELD}")
    app.wait_for(on("form", "key_x"))
    sheet = rect(app, "keyboard")
    short = SPOUSE_ID[:16]
    type_digits(app, short)
    tap(app, "key_done")
    app.wait_for(on("form", f"error_{ID_FIELD}"))
    # in the keyboard: the value is still there, the message under it in the hint's place
    assert inspect(app, "kb_value")["text"] == short + "|"
    assert "kb_hint" not in app.state()["kids"]
    assert "18" in inspect(app, f"error_{ID_FIELD}")["text"]
    assert above(rect(app, "kb_value"), rect(app, f"error_{ID_FIELD}"))
    assert rect(app, "keyboard") == sheet, "the message moved the sheet"
    # back on the list: the refused value on its field, the message under it, nothing moved
    tap(app, "key_cancel")
    app.wait_for(on("form", "form_next"))
    assert inspect(app, f"field_{ID_FIELD}")["text"] == short
    error = rect(app, f"error_{ID_FIELD}")
    assert above(rect(app, f"field_{ID_FIELD}"), error)
    assert above(error, rect(app, "field_child_order"))
    assert {k: rect(app, k) for k in before} == before, "the message moved the fields"
    # correcting it starts from what was typed
    tap(app, f"field_{ID_FIELD}")
    app.wait_for(on("form", "key_x"))
    assert inspect(app, "kb_length")["text"] == "16/18"
    type_digits(app, SPOUSE_ID[16:])
    tap(app, "key_done")
    state = app.wait_for(on("form", "form_next"))
    assert f"error_{ID_FIELD}" not in state["kids"]
    assert inspect(app, f"field_{ID_FIELD}")["text"] == SPOUSE_ID
    assert SPOUSE_ID not in app.app_log()


@pytest.mark.parametrize("language,contrast", [("zh-CN", False), ("en", True)])
def test_in_elder_mode_the_keyboard_leaves_header_field_and_first_result_in_sight(
        sim, app: KioskUi, language: str, contrast: bool) -> None:
    identify(sim, app)
    if language == "en":
        tap(app, "switch_language")
        app.wait_for(lambda s: s["language"] == "en")
    tap(app, "switch_elder")
    app.wait_for(lambda s: s["elder_mode"])
    if contrast:
        tap(app, "switch_contrast")
        app.wait_for(lambda s: s["high_contrast"])
    open_tile(sim, app, "tile_apply")
    app.wait_for(on("catalogue", "search"), 20)
    tap(app, "search")
    app.wait_for(on("catalogue", "keyboard"))
    sheet = rect(app, "keyboard")
    tap(app, "kb_mode_pinyin")  # the tallest mode: switching moves nothing
    app.wait_for(on("catalogue", "cand_less"))
    assert rect(app, "keyboard") == sheet
    for letter in "hushi":
        tap(app, f"key_{letter}")
    app.wait_for(on("catalogue", "cand_0"))
    assert inspect(app, "cand_0")["text"] == "护士", "the catalogue's word first"
    tap(app, "cand_0")
    app.wait_for(on("catalogue", "service_nurse-practice-registration"))
    assert inspect(app, "kb_value")["text"] == "护士|"
    header = rect(app, "screen_title")
    field = rect(app, "kb_input")
    first = rect(app, "service_nurse-practice-registration")
    for r in (header, field, first, rect(app, "keyboard")):
        assert on_screen(r), r
    assert above(header, first) and above(first, rect(app, "keyboard"))
    assert field[1] >= sheet[1] and field[3] <= sheet[3]  # the field is the sheet's top line
    assert first[3] - first[1] >= 61, "the first result is a whole target, not a sliver"
    assert rect(app, "keyboard") == sheet


@pytest.mark.parametrize("language,contrast", [("zh-CN", False), ("en", True)])
def test_in_elder_mode_a_field_opened_after_a_refused_next_keeps_its_label_clear_of_the_header(
        sim, app: KioskUi, language: str, contrast: bool) -> None:
    """The form's summary line ("Please correct the marked fields.") stayed under the keyboard
    sheet and took the height of the field's label, which overprinted the header's title and
    buttons in elder mode (the explorer's walk found it). The field's own message is on the
    sheet's input line; the summary comes back with the next Next."""
    identify(sim, app)
    if language == "en":
        tap(app, "switch_language")
    tap(app, "switch_elder")
    if contrast:
        tap(app, "switch_contrast")
    app.wait_for(lambda s: s["language"] == language and s["elder_mode"]
                 and s["high_contrast"] == contrast)
    open_birth_registration(sim, app)
    tap(app, "form_next")  # nothing filled in yet
    state = app.wait_for(on("form", "problem"))
    first = sorted(k for k in state["kids"] if k.startswith("error_"))[0]
    tap(app, first.replace("error_", "field_", 1))
    state = app.wait_for(on("form", "keyboard"))
    problems = app.inspect()["problems"]
    assert problems == [], "\n".join(f"{p['kind']} {p['kid']} {p['detail']}" for p in problems)
    assert "problem" not in state["kids"]
    assert above(rect(app, "screen_title"), rect(app, "editing_label"))
    tap(app, "key_cancel")
    tap(app, "form_next")
    app.wait_for(on("form", "problem"))


def test_a_multiple_choice_takes_more_than_one_option_and_shows_them_in_the_citizens_words(
        sim: Simulation, app: KioskUi) -> None:
    """"Insurance" is a list of kinds: a tap took one and closed the editor, so no one could
    join both pension and medical insurance; the field then showed the Chinese values in
    English. Ticks stay until Done; Cancel keeps what the field held."""
    identify(sim, app)
    tap(app, "switch_language")
    open_service(sim, app, "flexible-employment-insurance", "lhjyrycbdj")
    tap(app, "field_insurance_types")
    app.wait_for(on("form", "edit_done"), 10)
    tap(app, "opt_insurance_types_0")
    tap(app, "opt_insurance_types_1")
    state = app.wait_for(on("form", "edit_done"), 10)
    assert "field_insurance_types" not in state["kids"]  # still open after two taps
    assert inspect(app, "opt_insurance_types_1")["text"].endswith("Medical")
    tap(app, "opt_insurance_types_0")  # and untick one, then tick it again
    tap(app, "opt_insurance_types_0")
    tap(app, "edit_done")
    app.wait_for(on("form", "field_insurance_types"), 10)
    assert inspect(app, "field_insurance_types")["text"] == "Pension、Medical"
    tap(app, "field_insurance_types")  # open again, untick both, Cancel: both stay
    app.wait_for(on("form", "edit_done"), 10)
    tap(app, "opt_insurance_types_0")
    tap(app, "opt_insurance_types_1")
    tap(app, "edit_cancel")
    app.wait_for(on("form", "field_insurance_types"), 10)
    assert inspect(app, "field_insurance_types")["text"] == "Pension、Medical"
    tap(app, "field_insurance_types")  # untick both and Done: the field is required
    app.wait_for(on("form", "edit_done"), 10)
    tap(app, "opt_insurance_types_0")
    tap(app, "opt_insurance_types_1")
    tap(app, "edit_done")
    state = app.wait_for(on("form", "error_insurance_types"), 10)
    assert "edit_done" in state["kids"]  # the editor stays open with its message


def test_markup_in_a_platforms_service_name_is_shown_as_text(sim: Simulation,
                                                             app: KioskUi) -> None:
    """The catalogue drew the platform's name and department as Kivy markup: a "[font=…]" in
    them would have named a file to open, a "[size=…]" restyled the screen."""
    service, marked = "residence-permit-replacement", "居住证补领[font=/etc/passwd][b]X[/b][/font]"
    with renamed_service(sim, service, "zh-CN", marked):
        identify(sim, app)
        open_tile(sim, app, "tile_apply")
        state = app.wait_for(on("catalogue", "search"), 20)
        while f"service_{service}" not in state["kids"]:
            tap(app, "page_next")
            state = app.wait_for(on("catalogue", "search"), 20)
        shown = inspect(app, f"service_{service}")["text"]
        assert "居住证补领&bl;font=/etc/passwd&br;&bl;b&br;X" in shown, shown
        assert "[font=/etc" not in shown
