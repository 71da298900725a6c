"""The demo's citizen journeys as data: what to touch, what to wait for, what to photograph.

Each step is one small record; `kiosk.demo.runner` plays them. Kids (widget names) and screen
names are the screens' contract: when a screen changes one, fix it here and nowhere else. A kid
ending in `*` stands for the first kid (in sorted order) that starts with what precedes it: the
rows of a list are named by numbers the script cannot know (`app_SL-…`, `cert_…`).
Screenshots are named `NN-<screen>[-<label>].png` in the order they are taken; receipts
`receipt-NN.png` in the order they were printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

RESIDENT_CARD = "assets/cards/resident.json"  # relative to the repository root
SERVICE_ID = "nurse-practice-registration"  # 护士执业注册: form, e-licences, promise, scans
PAGE_TAKEN = "本页已拍好"  # the camera screen's "Page taken" in zh-CN
# The desk must be seen empty between two pages (the camera re-arms then); a hand takes a moment.
LIFT_S = 1.5
FEE_SERVICE = "residence-permit-replacement"  # 居住证补领, ¥20.00
CERTIFICATE_SERVICE = "social-insurance-certificate"  # no materials: the back office can issue it


# the card taken away as a person does: the reader has looked at an empty field before the
# next card comes (one put back sooner is, to a GA/T 467 module, the same card never lifted)
LIFTED = {"settle_polls": 3}


@dataclass(frozen=True)
class Tap:
    """Touch a widget once it is on screen (as a finger: down, then up 0.1 s later)."""
    kid: str


@dataclass(frozen=True)
class Screen:
    """Wait until the app shows `name` with nothing loading (and widget `kid`, if given), then
    photograph it."""
    name: str
    label: str = ""  # a suffix for a second picture of the same screen
    timeout_s: float = 20.0
    shot: bool = True
    kid: str = ""


@dataclass(frozen=True)
class WaitFor:
    """Wait until the UI state has these values (e.g. {"language": "en"}) and, if given, shows
    widget `kid` and a line containing `text`."""
    values: dict[str, Any] = field(default_factory=dict)
    kid: str = ""
    text: str = ""
    timeout_s: float = 20.0


@dataclass(frozen=True)
class Shot:
    """Photograph the current screen now."""
    label: str = ""


@dataclass(frozen=True)
class Control:
    """Steer an emulator or the platform, as `kiosk sim ctl EMULATOR COMMAND k=v` would.
    Values starting with `<ROOT>/` are paths in the repository."""
    emulator: str
    command: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Type:
    """Focus a form field and type `text` on the on-screen keyboard, then close it. The
    keyboard is switched to digits or letters when the next key is not showing."""
    field_name: str
    text: str


@dataclass(frozen=True)
class TextedCode:
    """Type the one-time code the platform texted (read off the SMS gateway emulator, as the
    citizen reads their phone) on the 验证本人 screen, then confirm."""


@dataclass(frozen=True)
class Receipts:
    """Wait until the printer emulator has printed `count` jobs in all; copy each new one out."""
    count: int
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Certificate:
    """Wait for the certificate: on the A4 page printer when the demo runs one (its page is
    saved as `certificate-a4-NN.png`), else as the receipt printer's job number `receipts`."""
    receipts: int
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Pause:
    """Let time pass (an animation, a countdown) before the next step."""
    seconds: float


@dataclass(frozen=True)
class OnBoard:
    """Wait until the operations console's board shows the terminal with `problem` (paper_low,
    ...) or, with `help_waiting`, with a citizen's call for staff not yet resolved."""
    problem: str = ""
    help_waiting: bool = False
    timeout_s: float = 40.0


Step = Union[Tap, Screen, WaitFor, Shot, Control, Type, TextedCode, Receipts, Certificate,
             Pause, OnBoard]


def keys(text: str) -> list[str]:
    """The kids of the on-screen keys that type `text`."""
    symbols = {"'": "sep", "@": "at", ".": "dot", "-": "dash", "_": "underscore"}
    return [f"key_{symbols.get(char, char.lower())}" for char in text]


# What exists today: the shell and the card. Used by the test and by `--script shell`.
SHELL_TOUR: list[Step] = [
    Screen("attract"),
    Control("idcard", "place_card", {"path": f"<ROOT>/{RESIDENT_CARD}"}),
    WaitFor({"screen": "home"}, kid="greeting"),
    Screen("home"),
    Tap("switch_language"),
    WaitFor({"language": "en"}),
    Shot("en"),
    Tap("exit"),
    Screen("attract", label="after-exit"),
]

# Issue 4's "done when": a resident applies for nurse practice registration at the terminal.
APPLY_JOURNEY: list[Step] = [
    Screen("attract"),
    Control("idcard", "place_card", {"path": f"<ROOT>/{RESIDENT_CARD}"}),
    WaitFor({"screen": "home"}, kid="greeting"),
    Screen("home"),
    Tap("tile_apply"),
    Screen("holder", kid="holder_resend"),  # the code is on its way to the citizen's phone
    TextedCode(),
    Screen("catalogue", kid="service_*"),
    Tap("search"),
    *[Tap(k) for k in keys("hszc")],  # 护士执业注册 by its initials
    Tap("key_done"),
    WaitFor(kid=f"service_{SERVICE_ID}"),
    Shot("search"),
    Tap(f"service_{SERVICE_ID}"),
    Screen("guide", kid="guide_start"),
    Tap("guide_start"),
    Screen("form", kid="form_next"),
    Type("employer_credit_code", "12310000425000000X"),
    Type("qualification_no", "201331100123"),
    Tap("field_practice_field"),  # an enum: its choices instead of the keyboard
    Tap("opt_practice_field_4"),  # 急诊护理
    Shot("filled"),
    Tap("form_next"),
    Screen("materials"),
    Tap("mat_resident_id_elicence"),
    Tap("mat_qualification_elicence"),
    Tap("mat_health_exam_promise"),
    Tap("page_next"),  # three materials per page
    Tap("mat_employer_letter_camera"),
    Screen("camera"),
    Control("doc_camera", "place_page"),  # taken by itself once it lies still
    WaitFor({"screen": "camera"}, text=PAGE_TAKEN, timeout_s=30),
    Shot("page-1"),
    Control("doc_camera", "remove_page"),
    Pause(LIFT_S),
    Control("doc_camera", "place_page", {"seed": 2}),  # the letter's second page
    WaitFor({"screen": "materials"}, timeout_s=30),  # its last page: back by itself
    Tap("mat_photo_camera"),
    Screen("camera", label="photo"),
    Control("doc_camera", "remove_page"),
    Pause(LIFT_S),
    Control("doc_camera", "place_page", {"seed": 3}),
    WaitFor({"screen": "materials"}, timeout_s=30),
    Screen("materials", label="complete"),
    Tap("materials_next"),
    Screen("review", kid="submit"),
    Tap("submit"),
    Screen("receipt", kid="finish", timeout_s=30),
    Receipts(1),
    Tap("finish"),
    Control("idcard", "remove_card", LIFTED),
    Screen("attract", label="after-finish"),
]

# Each journey after the apply one, as an identified citizen walks it once its tile is touched
# (and, on a visit's first personal journey, the texted code typed): `before` is what an earlier
# visit or the back office did (platform controls), `tile` the home tile, `steps` the rest.
@dataclass(frozen=True)
class Visit:
    tile: str
    steps: list[Step]
    before: list[Step] = field(default_factory=list)


JOURNEY_VISITS: dict[str, Visit] = {
    # 进度查询: the application filed, by ID card; the visit ends with a printed progress slip
    "progress": Visit("tile_progress", [
        Screen("progress_list", kid="app_SL-*"),
        Tap("app_SL-*"),
        Screen("progress_detail", kid="progress_status"),
        Tap("progress_print"),
        Screen("progress_detail", label="printed", kid="progress_slip_printed", timeout_s=30),
    ]),
    # 好差评: rate it
    "evaluate": Visit("tile_evaluate", [
        Screen("evaluate_list", kid="rate_SL-*"),
        Tap("rate_SL-*"),
        WaitFor({"screen": "evaluate_rate"}, kid="score_5"),
        Tap("score_5"),
        Screen("evaluate_rate", kid="rate_more"),
        # all four 好差评 indicators: the overall score, then efficiency, competence, attitude
        Tap("rate_more"),
        WaitFor({"screen": "evaluate_detail"}, kid="attitude_5"),
        Tap("efficiency_5"),
        Tap("competence_4"),
        Tap("attitude_5"),
        Screen("evaluate_detail", kid="detail_send"),
        Tap("detail_send"),
        Screen("evaluate_rate", label="thanks", kid="rate_finish", timeout_s=30),
        Tap("rate_finish"),
        WaitFor({"screen": "evaluate_list"}, kid="nothing_to_rate"),
    ]),
    # 预约: book a counter for the service, take the slip
    "appointment": Visit("tile_appointment", [
        Screen("appt_menu", kid="appt_new"),
        Tap("appt_new"),
        Screen("appt_services", kid=f"appt_service_{SERVICE_ID}"),
        Tap(f"appt_service_{SERVICE_ID}"),
        Screen("appt_slots", kid="appt_slot_*"),
        Tap("appt_slot_*"),
        Screen("appt_booked", kid="appt_print_printed", timeout_s=30),
        Tap("appt_done"),
    ]),
    # 缴费: a fee filed on an earlier visit, paid from the citizen's phone
    "pay": Visit("tile_pay", [
        Screen("pay_due", kid="pay_SL-*"),
        Tap("pay_SL-*"),
        Screen("pay_qr", kid="pay_qr"),
        Control("platform", "pay_pending"),
        Screen("pay_result", kid="pay_print_printed", timeout_s=30),
        Tap("pay_done"),
    ], before=[Control("platform", "file", {"service_id": FEE_SERVICE,
                                            "card": f"<ROOT>/{RESIDENT_CARD}"})]),
    # 证照打印: a certificate the back office has just issued
    "collect": Visit("tile_collect", [
        Screen("collect_list", kid="cert_*"),
        Tap("cert_*"),
        Screen("collect_preview", kid="print_certificate"),
        Tap("print_certificate"),
        Screen("collect_preview", label="printed", kid="collect_printed", timeout_s=30),
        Tap("finish"),
    ], before=[Control("platform", "file", {"service_id": CERTIFICATE_SERVICE,
                                            "card": f"<ROOT>/{RESIDENT_CARD}"}),
               Control("platform", "issue")]),
}

# Issue 5's "done when": after applying, the same resident walks every other journey to its
# end in one visit (the texted code once, at the first).
_PRINTED_AFTER: dict[str, Step] = {"progress": Receipts(2), "appointment": Receipts(3),
                                   "pay": Receipts(4), "collect": Certificate(receipts=5)}


def _other_journeys() -> list[Step]:
    steps: list[Step] = [Control("idcard", "place_card", {"path": f"<ROOT>/{RESIDENT_CARD}"}),
                         WaitFor({"screen": "home"}, kid="greeting")]
    for n, (name, visit) in enumerate(JOURNEY_VISITS.items()):
        steps += [*visit.before, Tap(visit.tile)]
        if n == 0:  # a new visit: the texted code again
            steps += [Screen("holder", kid="holder_resend", shot=False), TextedCode()]
        steps += visit.steps
        if name in _PRINTED_AFTER:  # the slip or certificate, each checked as it comes
            steps.append(_PRINTED_AFTER[name])
        if name in ("progress", "evaluate"):
            steps.append(Tap("home"))
    return [*steps, WaitFor({"screen": "home"}, kid="greeting"), Tap("exit"),
            Control("idcard", "remove_card", LIFTED), Screen("attract", label="the-end")]


OTHER_JOURNEYS: list[Step] = _other_journeys()

# A social-security smart card's holder proves it is them by the card's own PIN (the emulated
# card checks it; the platform checks the card's signed proof), then sees their applications.
SMARTCARD_PIN = "123456"  # the emulator's sample card
SMARTCARD_VISIT: list[Step] = [
    # wait=0: the player's process watches no pcscd (its PC/SC client would stay bound to this
    # one for good, which breaks a test process that later talks to its own)
    Control("smartcard", "insert_card", {"wait": 0}),
    WaitFor({"screen": "home"}, kid="greeting"),
    WaitFor({"dialog": "elder_offer"}),  # the sample card's holder was born in 1949
    Shot("elder-offer"),
    Tap("elder_offer_no"),
    WaitFor({"dialog": None}),
    Tap("tile_progress"),
    Screen("holder", label="card-pin", kid="holder_use_sms"),
    *[Tap(f"code_{digit}") for digit in SMARTCARD_PIN],
    Shot("card-pin-typed"),
    Tap("code_ok"),
    Screen("progress_list", label="smartcard"),
    Control("smartcard", "remove_card", {"wait": 0}),
    Screen("attract", label="card-taken"),
]

# 呼叫工作人员: a citizen who touched the screen calls staff from home; the hall's staff
# acknowledge it at the platform and the dialog says someone is coming.
HELP_CALL: list[Step] = [
    Tap("attract_text"),
    WaitFor({"screen": "home"}, kid="call_staff"),
    Tap("call_staff"),
    WaitFor(kid="help_sent"),
    Shot("help-sent"),
    Control("platform", "help_ack", {"staff_id": "S0001"}),
    WaitFor(kid="help_acknowledged"),
    Shot("help-acknowledged"),
    Tap("help_close"),
    WaitFor({"dialog": None}),
    Tap("exit"),
    WaitFor({"screen": "attract"}),
]

# The operations console beside the platform: the call above waits in its help queue, and the
# printer's paper running low turns the terminal amber on its board (the next heartbeat).
CONSOLE_BOARD: list[Step] = [
    OnBoard(help_waiting=True),
    Control("printer", "paper_near_end", {}),
    OnBoard("paper_low"),
    Control("printer", "paper_near_end", {"enabled": False}),
]

# A citizen as the attract screen asks: touch first, a tile, then the card when asked; then the
# same visit in English, in elder mode and in high contrast, mid-journey.
MODES_TOUR: list[Step] = [
    Tap("attract_text"),
    Screen("home", label="touch-first"),
    Tap("tile_apply"),
    Screen("identify", label="touch-first", kid="identify_prompt"),
    Control("idcard", "place_card", {"path": f"<ROOT>/{RESIDENT_CARD}"}),
    Screen("holder", label="after-touch", kid="holder_resend", shot=False),
    TextedCode(),
    Screen("catalogue", label="zh", kid="service_*"),
    Tap("switch_language"),
    WaitFor({"language": "en", "screen": "catalogue"}, kid="service_*"),
    Shot("en"),
    Tap("home"),
    WaitFor({"screen": "home"}, kid="switch_elder"),
    Tap("switch_elder"),
    WaitFor({"elder_mode": True}),
    Shot("en-elder"),
    Tap("tile_progress"),
    Screen("progress_list", label="en-elder"),
    Tap("home"),
    WaitFor({"screen": "home"}, kid="switch_contrast"),
    Tap("switch_elder"),
    WaitFor({"elder_mode": False}),
    Tap("switch_contrast"),
    WaitFor({"high_contrast": True}),
    Shot("en-high-contrast"),
    Tap("switch_language"),
    WaitFor({"language": "zh-CN"}),
    Tap("tile_apply"),
    Screen("catalogue", label="zh-high-contrast", kid="service_*"),
    Tap("exit"),
    Control("idcard", "remove_card", LIFTED),
    WaitFor({"screen": "attract"}, timeout_s=30),
]

FULL_TOUR: list[Step] = [*APPLY_JOURNEY, *SMARTCARD_VISIT, *HELP_CALL, *CONSOLE_BOARD,
                         *MODES_TOUR,
                         *OTHER_JOURNEYS]

SCRIPTS: dict[str, list[Step]] = {"full": FULL_TOUR, "apply": APPLY_JOURNEY, "shell": SHELL_TOUR}
