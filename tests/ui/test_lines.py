"""What the guide, a payment's end and a booking say, from plain data (no window): each line's
words in both languages, its size, the least room it takes and its status; and the printer's
outcome told truthfully."""

from __future__ import annotations

import dataclasses
import datetime as dt

from kiosk.i18n import Translator
from kiosk.journeys.apply import Guide, GuideMaterial
from kiosk.journeys.appointment import Booking, SlipOutcome
from kiosk.journeys.payment import PaymentPrint, PaymentView
from screens.apply.guide_lines import guide_lines, page_count, skeleton_lines
from screens.appointment.booked_lines import booked_lines
from screens.lines import Line, print_line
from screens.pay.result_lines import paid_lines, unpaid_lines

ZH, EN = Translator("zh-CN"), Translator("en")
AT = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
NURSE = {"zh-CN": "护士执业注册", "en": "Nurse practice registration"}


def guide(promised: int = 0, form_supported: bool = True, materials: int = 3) -> Guide:
    return Guide(service_id="s", name="灵活就业人员参保登记", department="市人社局",
                 description="无雇工的个体工商户……", fee_fen=0, fee_text="免费",
                 legal_limit_days=promised * 2, promised_limit_days=promised,
                 terminal_completable=True, appointment=False, form_supported=form_supported,
                 materials=tuple(GuideMaterial(f"m{n}", f"材料{n}", n == 0, 1, 2, n == 1, n == 2)
                                 for n in range(materials)))


def test_the_guides_first_page_names_the_service_and_says_a_same_day_one_is_done_at_once():
    name, department, conditions, fee = guide_lines(guide(), 0, False, EN.gettext, EN.ngettext)
    assert (name.kid, name.size, name.shrink) == ("guide_name", "title", True)
    assert department == Line("市人社局", "guide_department")
    assert (conditions.kid, conditions.em) == ("guide_conditions", 2.9)
    assert fee.words == "免费\nDone on the spot"
    fee = guide_lines(guide(promised=5), 0, False, ZH.gettext, ZH.ngettext)[-1]
    assert fee.words == "免费\n承诺 5 个工作日办结（法定 10 个工作日）"
    one, five = (guide_lines(guide(promised=n), 0, False, EN.gettext, EN.ngettext)[-1].words
                 for n in (1, 5))
    assert one.endswith("\nPromised within 1 working day (legal limit 2)")
    assert five.endswith("\nPromised within 5 working days (legal limit 10)")


def test_the_guides_materials_come_a_few_a_page_fewer_in_elder_mode():
    assert (page_count(guide(materials=5), False), page_count(guide(materials=5), True)) == (3, 4)
    heading, *materials = guide_lines(guide(), 1, False, EN.gettext, EN.ngettext)
    assert heading.words == "Materials:"
    assert [m.words for m in materials] == [
        "• 材料0 (required)", "• 材料1 (optional, an e-licence may replace it)",
        "• 材料2 (optional, may be handed in later)"]
    second = guide_lines(guide(), 2, True, EN.gettext, EN.ngettext)
    assert [m.kid for m in second[1:]] == ["guide_material_2"]


def test_a_service_the_terminal_cannot_take_says_so_on_every_page():
    for page in (0, 1):
        lines = guide_lines(guide(form_supported=False), page, False, ZH.gettext, ZH.ngettext)
        assert lines[-1].kid == "guide_counter"


def test_the_guides_skeleton_says_it_is_fetching_only_while_it_is():
    assert [line.kid for line in skeleton_lines("名", "部门", "正在获取…")] == [
        "guide_name", "guide_department", "guide_loading"]
    assert [line.kid for line in skeleton_lines("名", "部门", None)] == [
        "guide_name", "guide_department"]


def test_the_printer_is_believed_only_when_it_printed():
    from kiosk.journeys.progress import SlipPrint
    took = print_line(SlipPrint("printed", None, None), EN.gettext, kid_prefix="x_",
                      take="Please take it.")
    assert (took.words, took.status, took.kid, took.em) == (
        "Please take it.", "success", "x_printed", None)
    out = print_line(SlipPrint("paper_out", "paper_out", "Out of paper"), EN.gettext,
                     kid_prefix="x_", take="Please take it.",
                     note="Note the code: 1", size="text")
    assert (out.words, out.status, out.size) == ("Out of paper\nNote the code: 1", "warning",
                                                 "text")


def test_a_payment_paid_says_how_much_and_what_for_and_its_receipt_once_printed():
    view = PaymentView(payment_id="p", receipt_no="SL-1", service_name=NURSE,
                       amount_fen=2000, amount_text="¥20.00", qr_content="x", qr_png=b"",
                       expires_at=AT)
    paid, details = paid_lines(view, None, EN.gettext, EN.pick)
    assert (paid.words, paid.status) == ("Payment received: ¥20.00", "success")
    assert details.words == "Nurse practice registration\nApplication number: SL-1"
    printed = PaymentPrint(outcome="printed", reason=None, msgid=None, receipt=None,  # type: ignore[arg-type]
                           action_id="a")
    zh = paid_lines(view, printed, ZH.gettext, ZH.pick)
    assert zh[1].words.startswith("护士执业注册\n") and zh[-1].kid == "pay_print_printed"
    (line,) = unpaid_lines("未能确认支付结果", unconfirmed=True)
    assert (line.kid, line.status, line.em) == ("pay_unconfirmed", "error", None)


def test_a_booking_gives_its_code_on_one_line_in_elder_mode_and_to_note_when_not_printed():
    booking = Booking(appointment_id="a", booking_code="K7Q2", service_id="s",
                      service_name=NURSE, hall={"zh-CN": "市民中心", "en": "Citizens' Centre"},
                      starts_at=AT, ends_at=AT + dt.timedelta(minutes=30), cancelled=False)
    normal = booked_lines(booking, None, False, "en", EN.gettext, EN.pick)
    assert [line.kid for line in normal] == ["appt_state", "appt_code", "appt_details"]
    assert normal[-1].words == ("Nurse practice registration\nFri 4 Dec 2026 09:30-10:00\n"
                                "Citizens' Centre")
    zh = booked_lines(booking, None, False, "zh-CN", ZH.gettext, ZH.pick)
    assert zh[-1].words == "护士执业注册\n2026年12月04日（周五）09:30-10:00\n市民中心"
    elder = booked_lines(booking, SlipOutcome(outcome="paper_out", reason="paper_out",
                                              msgid="The printer is out of paper.",
                                              booking=booking, action_id="b"), True, "en",
                         EN.gettext, EN.pick)
    assert elder[0].words == "Your appointment is booked. Booking code: K7Q2"
    assert elder[-1].size == "text" and elder[-1].words.endswith(
        "Please note your booking code: K7Q2")


def test_a_receipt_says_saved_here_until_sent_and_its_number_to_note_when_not_printed():
    from kiosk.journeys.receipt import PrintOutcome, ReceiptData
    from screens.apply.receipt_lines import detail_rows, head_lines, tail_lines
    fields = {f: None for f in ReceiptData.__dataclass_fields__}
    receipt = ReceiptData(**{**fields, "reference": "SL-9", "service_name": "居住证补领",
                             "submitted_at": AT, "final": False, "promised_date": None,
                             "promised_days": 0})
    state, number = head_lines(receipt, True, EN.gettext)
    assert state.words.startswith("Your application was saved on this terminal")
    assert (state.size, number.words, number.em) == ("text", "Application number: SL-9", 0)
    assert tail_lines(receipt, None, False, EN.gettext) == []
    (out,) = tail_lines(receipt, PrintOutcome("paper_out", "paper_out",
                                              "The printer is out of paper.", receipt, "a"),
                        False, EN.gettext)
    assert out.status == "warning" and out.words.endswith("Please note your application "
                                                          "number: SL-9")
    then = ["Next: wait for a text"]
    assert detail_rows(receipt, then, ZH.gettext, ZH.ngettext, ZH.format_date)[2:] == [
        "受理后当即办结", "Next: wait for a text"]  # not sent yet
    sent = dataclasses.replace(receipt, final=True)
    assert detail_rows(sent, [], ZH.gettext, ZH.ngettext, ZH.format_date)[2] == "即办件，当场办结"
    one_day = dataclasses.replace(receipt, promised_days=1)
    assert detail_rows(one_day, [], EN.gettext, EN.ngettext, EN.format_date)[2] == \
        "Promised within 1 working day"


def test_an_applications_page_has_its_notices_apart_in_elder_mode_and_its_steps_newest_first():
    from kiosk.journeys.progress import ApplicationView, SlipPrint, TimelineStep
    from screens.progress.detail_lines import notices_apart, page_lines
    steps = tuple(TimelineStep("s", f"step {n}", AT, "note" if n == 1 else None)
                  for n in range(3))
    view = ApplicationView(reference="SL-1", receipt_no="SL-1", service_name="护士执业注册",
                           status="correction_requested", status_words="Correction requested",
                           applicant_masked="张*", submitted_at=AT, due_date=None, steps=steps,
                           to_do=("Hand in a clearer photo",), awaits_materials=True,
                           can_supplement=True)
    printed = SlipPrint("printed", None, None)
    assert notices_apart(view, printed, elder=False) == []
    lines = page_lines(view, printed, list(reversed(steps))[:2], 0, False, EN.gettext,
                       EN.format_date)
    assert [line.kid for line in lines] == ["progress_service", "progress_status",
                                            "progress_todo", "progress_slip_printed",
                                            "step_0", "step_1"]
    assert lines[1].words == ("Application number: SL-1    Status: Correction requested\n"
                              "Applicant: 张*")
    assert lines[4].words.endswith("step 2") and lines[5].words.endswith("step 1\nnote")
    assert lines[5].em == 3.0
    apart = notices_apart(view, printed, elder=True)
    assert apart == ["todo", "slip"]
    first_page = page_lines(view, printed, apart[:1], -2, True, EN.gettext, EN.format_date)
    assert [line.kid for line in first_page][2:] == ["progress_todo"]


def test_a_certificate_is_read_out_in_elder_mode_and_its_print_believed_only_when_recorded():
    from kiosk.journeys.collect import CollectOutcome, CertificateView
    from screens.collect.preview_lines import preview_lines
    certificate = CertificateView(certificate_id="C1", title={"zh-CN": "社会保险参保缴费证明"},
                                  issuer={"zh-CN": "人社局", "en": "Human Resources Bureau"},
                                  issued_at=AT, receipt_no="SL-1", collected=False,
                                  print_count=0)
    normal = preview_lines(certificate, "a4", None, "en", False, EN.gettext, EN.format_date,
                           EN.pick)
    assert [line.kid for line in normal] == ["certificate_title", "collect_paper_a4"]
    assert normal[0].words == "社会保险参保缴费证明"  # a 1.7 platform's: the Chinese alone
    assert normal[1].words == "Prints on A4 paper from the page printer"
    done = CollectOutcome("printed", None, True, certificate, "a")
    elder = preview_lines(certificate, "slip", done, "en", True, EN.gettext, EN.format_date,
                          EN.pick)
    assert [line.kid for line in elder] == ["certificate_title", "certificate_issuer",
                                            "certificate_date", "certificate_receipt",
                                            "collect_printed"]
    assert elder[1].words == "Issued by: Human Resources Bureau"
    assert elder[-1].status == "success"
    unrecorded = CollectOutcome("printed", None, False, certificate, "a")
    line = preview_lines(certificate, "slip", unrecorded, "en", False, EN.gettext,
                         EN.format_date, EN.pick)[-1]
    assert (line.kid, line.status) == ("collect_not_recorded", "error")


def test_the_pay_screen_says_what_for_how_to_pay_and_how_long_is_left():
    from kiosk.journeys.payment import WaitState
    from screens.pay.qr_lines import qr_lines
    view = PaymentView(payment_id="p", receipt_no="SL-1", service_name=NURSE,
                       amount_fen=2000, amount_text="¥20.00", qr_content="x", qr_png=b"",
                       expires_at=AT)
    amount, how, wait = qr_lines(view, WaitState("waiting", 42, None), False, EN.gettext,
                                 EN.pick)
    assert (amount.words, amount.size) == ("Nurse practice registration    ¥20.00", "title")
    assert wait.words == "Waiting for your payment (42 s left)"
    zh = qr_lines(view, None, True, ZH.gettext, ZH.pick)
    assert zh[0].words == "护士执业注册    ¥20.00" and zh[-1].kid == "pay_waiting"


def test_review_reads_each_entry_in_the_citizens_words_and_says_what_still_stops_it():
    from kiosk.forms import form_fields
    from kiosk.journeys.apply import Review, ReviewEntry
    from screens.apply.review_lines import missing_lines, review_rows, service_line
    from tests.forms.conftest import FORMS
    fields = {f.name: f for f in form_fields(FORMS["flexible-employment-insurance"], "en")}
    entries = tuple(ReviewEntry(name, fields[name].label, value) for name, value in (
        ("insurance_types", ["养老保险", "医疗保险"]), ("occupation", "自由职业")))
    review = Review(service_name="Social-insurance registration", fee_text="Free of charge",
                    promised_limit_days=0, applicant_name="张*", applicant_id="1101**********1233",
                    entries=entries, materials=(), form_errors={"mobile": "required"},
                    missing_materials=(), sms_possible=False, notify_sms=False)
    assert review_rows(review, fields, EN.gettext) == ["Insurance: Pension、Medical",
                                                       "Occupation: Freelancer"]
    assert service_line(review, elder=True).size == "text"
    assert [line.kid for line in missing_lines(review, EN.gettext)] == ["review_incomplete"]
