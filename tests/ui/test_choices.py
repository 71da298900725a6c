"""The lists' choices, from plain data (no window): what each row says in both languages,
which one leads (drawn as the primary action), and the item each row stands for."""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import Translator
from kiosk.journeys.collect import CertificateView
from kiosk.journeys.evaluation import RateTarget
from kiosk.journeys.payment import Payable
from kiosk.journeys.progress import ApplicationView
from kiosk.journeys.appointment import ServiceChoice, SlotView
from kiosk.journeys.collect import REPRINT_REASONS
from kiosk.forms import form_fields
from screens.choices import (application_choices, bookable_choices, certificate_choices,
                             fee_choices, listed_words, option_choices, rate_choices,
                             reason_choices, slot_choices)
from tests.forms.conftest import FORMS

ZH, EN = Translator("zh-CN"), Translator("en")
AT = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


TITLE = {"zh-CN": "社会保险参保缴费证明", "en": "Social insurance contribution certificate"}


def certificate(cid: str, collected: bool) -> CertificateView:
    return CertificateView(certificate_id=cid, title=TITLE, issuer={"zh-CN": "人社局"},
                           issued_at=AT, receipt_no="SL-1", collected=collected,
                           print_count=int(collected))


def application(reference: str, to_do: tuple[str, ...]) -> ApplicationView:
    return ApplicationView(reference=reference, receipt_no=reference, service_name="护士执业注册",
                           status="correction_requested", status_words="Correction requested",
                           applicant_masked="张*", submitted_at=AT, due_date=None, steps=(),
                           to_do=to_do, awaits_materials=bool(to_do),
                           can_supplement=bool(to_do))


def test_a_certificate_to_print_leads_and_a_reprint_says_it_needs_a_reason() -> None:
    new, old = certificate_choices([certificate("C1", False), certificate("C2", True)],
                                   EN.gettext, EN.format_date, EN.pick)
    assert (new.kid, new.key, new.primary) == ("cert_C1", "C1", True)
    assert new.lines == ("Social insurance contribution certificate", "Issued on: Fri 4 Dec 2026",
                         "Ready to print")
    assert not old.primary and old.lines[-1] == "Printed before: a reprint needs a reason"
    zh = certificate_choices([certificate("C1", False)], ZH.gettext, ZH.format_date, ZH.pick)[0]
    assert zh.lines == ("社会保险参保缴费证明", "出证日期：2026年12月4日（周五）", "可打印")


def test_a_fee_says_what_for_how_much_and_which_application() -> None:
    fee = Payable(receipt_no="SL-3", service_name={"zh-CN": "居住证补领",
                                                   "en": "Residence permit replacement"},
                  amount_fen=2000, amount_text="¥20.00", submitted_at=AT)
    (choice,) = fee_choices([fee], EN.gettext, EN.format_date, EN.pick)
    assert (choice.kid, choice.key) == ("pay_SL-3", "SL-3")
    assert choice.words == ("Residence permit replacement    ¥20.00\n"
                            "Application number: SL-3    Fri 4 Dec 2026")
    (zh,) = fee_choices([fee], ZH.gettext, ZH.format_date, ZH.pick)
    assert zh.lines[0] == "居住证补领    ¥20.00"


def test_an_application_to_rate_has_its_date_only_when_known() -> None:
    dated, waiting = rate_choices(
        [RateTarget("SL-1", "receipt_no", {"zh-CN": "护士执业注册"}, AT),
         RateTarget("OB-2", "outbox_reference", {"zh-CN": "护士执业注册"}, None)], ZH.gettext,
        ZH.format_date, ZH.pick)
    assert dated.lines == ("护士执业注册", "申请编号：SL-1", "提交日期：2026年12月4日（周五）")
    assert waiting.lines == ("护士执业注册", "申请编号：OB-2")
    assert (waiting.kid, waiting.key) == ("rate_OB-2", "OB-2")


def test_an_application_waiting_for_the_citizen_leads() -> None:
    mine, theirs = application_choices([application("SL-1", ("hand_in",)),
                                        application("SL-2", ())], EN.gettext, EN.format_date)
    assert mine.primary and not theirs.primary
    assert mine.lines == ("护士执业注册", "Application number: SL-1 · Correction requested · "
                                       "Submitted: Fri 4 Dec 2026")


def test_a_service_to_book_has_its_department_as_a_smaller_line() -> None:
    (choice,) = bookable_choices([ServiceChoice("id-card.renew", {"zh-CN": "居民身份证换领 [急]"},
                                                {"zh-CN": "公安局", "en": "Public Security"})],
                                 EN.pick)
    assert (choice.kid, choice.key) == ("appt_service_id-card.renew", "id-card.renew")
    # escaped when drawn; a name without English is shown in Chinese
    assert (choice.lines, choice.detail) == (("居民身份证换领 [急]",), "Public Security")


def test_a_free_time_says_how_many_places_are_left() -> None:
    slots = [SlotView("S-1", AT.date(), "09:30-10:00", {"zh-CN": "A 区"}, 1),
             SlotView("S-2", AT.date(), "10:00-10:30", {"zh-CN": "A 区"}, 3)]
    one, three = slot_choices(slots, EN.ngettext)
    assert (one.kid, one.key, one.words) == ("appt_slot_S-1", "S-1", "09:30-10:00  1 place left")
    assert three.words == "10:00-10:30  3 places left"


def test_every_reprint_reason_is_offered_in_the_citizens_words() -> None:
    reasons = reason_choices(ZH.gettext)
    assert [c.key for c in reasons] == list(REPRINT_REASONS)
    assert all(c.kid == f"reason_{c.key}" and c.words and not c.words.isascii()
               for c in reasons)


def test_a_fields_options_are_in_the_citizens_words_and_the_held_ones_are_ticked() -> None:
    """The key is the option's place: the value (Chinese on every form) never leaves the
    screen as a kid or a key."""
    field = next(f for f in form_fields(FORMS["flexible-employment-insurance"], "en")
                 if f.name == "insurance_types")
    pension, medical = option_choices(field, ["医疗保险"])
    assert (pension.kid, pension.key, pension.lines, pension.selected) == (
        "opt_insurance_types_0", "0", ("Pension",), False)
    assert (medical.lines, medical.selected) == (("Medical",), True)
    assert not any(c.primary for c in option_choices(field, []))


def test_a_catalogue_entry_reads_in_the_citizens_language_else_in_chinese() -> None:
    service = {"name": {"zh-CN": "居住证补领", "en": "Residence permit replacement"},
               "department": {"zh-CN": "市公安局"}}
    assert listed_words(service, "en") == ("Residence permit replacement", "市公安局")
    assert listed_words(service, "zh-CN") == ("居住证补领", "市公安局")
