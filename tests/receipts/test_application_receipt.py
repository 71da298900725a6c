"""The application receipt as the citizen takes it home, rendered by the printer emulator's renderer.

Golden images: tests/receipts/golden/<name>.png are reference renders from fixed inputs. A fresh
render must match (same size; at most GOLDEN_TOLERANCE pixels differing by more than a quarter
of the grey scale, which tolerates anti-aliasing noise but not a changed character). On a
mismatch the new render is written beside it as <name>.actual.png and the test fails with its
path. To accept a change, look at the .actual.png, then either move it over the golden
(`mv tests/receipts/golden/X.actual.png tests/receipts/golden/X.png`) or re-run with
`RECEIPTS_ACCEPT_GOLDEN=1 .venv/bin/python -m pytest tests/receipts` (rewrites every golden;
the tests then pass) and commit the new PNGs.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from drivers.printer import escpos_parser as p
from drivers.printer.document import Document, Qr, paper_for, render_escpos
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ThermalPrinter
from drivers.printer.render import JobRenderer, RenderedJob
from drivers.printer.transport import NetworkTransport
from kiosk.i18n import translator
from kiosk.receipts import application_receipt, make, parse
from kiosk.receipts.application_receipt import STRINGS

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_TOLERANCE = 16  # pixels
KEY = "0123456789ABCDEFGHJKMNPQRS"  # a progress token (130 bits), fixed for the references
CST = timezone(timedelta(hours=8))
RECEIPT_NO = "SL-20261123-000042"
OUTBOX_REF = "K7Q2M9XH4"
ZH = dict(service_name="居住证办理", centre_name="某某市政务服务中心",
          next_steps=["请保持电话畅通，工作人员可能与您联系核实材料。",
                      "办结后可在任一自助终端打印证照。"])
EN = dict(service_name="Residence permit", centre_name="City Government Service Centre",
          next_steps=["Keep your phone on: staff may call to check your documents.",
                      "Once done, print the certificate at any terminal."])


def receipt(language="zh-CN", width=80, final=True, **overrides) -> Document:
    ref = RECEIPT_NO if final else OUTBOX_REF
    args = dict(ZH if language.startswith("zh") else EN)
    args.update(language=language, reference=ref, reference_is_final=final,
                submitted_at=datetime(2026, 11, 23, 14, 5, tzinfo=CST),
                promised_date=date(2026, 11, 30), promised_days=5,
                qr_text=make(ref, "SIM-0001", KEY), hotline="12345", paper_width_mm=width)
    args.update(overrides)
    return application_receipt(**args)


def rendered(document: Document, width: int) -> RenderedJob:
    """Bytes -> the emulator's parser -> its renderer, exactly as the emulator draws a job."""
    renderer = JobRenderer(paper_for(width).dots)
    jobs = [job for cmd in p.EscPosParser().feed(render_escpos(document, paper_for(width)))
            if (job := renderer.apply(cmd)) is not None]
    assert len(jobs) == 1 and jobs[0].cut and renderer.empty
    assert not jobs[0].unknown
    return jobs[0]


def decoded(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


CASES = [("zh-CN", 80, True), ("zh-CN", 58, True), ("zh-CN", 58, False), ("zh-CN", 80, False),
         ("en", 80, True), ("en", 58, False)]


@pytest.mark.parametrize("language, width, final", CASES)
def test_the_receipt_fits_the_paper_and_its_qr_scans_back(language, width, final):
    doc = receipt(language, width, final)
    job = rendered(doc, width)
    assert job.image.width == paper_for(width).dots == {80: 576, 58: 384}[width]
    qr_text = next(i.data for i in doc.items if isinstance(i, Qr))
    assert decoded(job.image) == [qr_text]
    assert parse(decoded(job.image)[0]).ref == (RECEIPT_NO if final else OUTBOX_REF)
    # nothing ran off the paper: every line fits the printer's columns
    assert all(len(line.encode("gb18030")) <= paper_for(width).columns for line in job.lines)


def test_the_longest_qr_still_fits_58mm_and_scans():
    long_id = "hall-of-the-city-government-service-centre.east-wing.terminal_07"
    qr_text = make("SL-" + "9" * 37, long_id, KEY)
    doc = receipt("zh-CN", 58, True, reference="SL-" + "9" * 37, qr_text=qr_text)
    job = rendered(doc, 58)
    assert decoded(job.image) == [qr_text]


def test_a_final_chinese_receipt_says_what_a_citizen_needs_in_chinese():
    lines = rendered(receipt("zh-CN", 80, True), 80).lines
    assert "申请回执" in lines
    assert f"申请编号：{RECEIPT_NO}" in lines
    assert "办理事项：居住证办理" in lines
    assert "提交时间：2026年11月23日 14:05" in lines
    assert "承诺办结：2026年11月30日（5个工作日）" in lines
    assert "咨询电话：12345" in lines
    assert not any("待发送" in line for line in lines)
    assert not any(re.search(r"[A-Za-z]{3,}", line) for line in lines)  # no English words


def test_a_pending_receipt_is_marked_will_be_sent_and_carries_the_outbox_reference():
    lines = rendered(receipt("zh-CN", 58, False), 58).lines
    assert "【待发送】" in lines
    assert f"本机登记号：{OUTBOX_REF}" in lines
    text = "".join(lines)
    assert "待发送：本回执编号为本机登记号，网络恢复后自动提交，届时可凭此码查询" in text
    # the promised date counts from acceptance, which has not happened yet
    assert "承诺办结：正式受理后5个工作日内" in lines
    assert "2026年11月30日" not in text
    assert OUTBOX_REF in lines  # printed under the QR for a clerk to type


def test_an_english_receipt_is_all_english():
    job = rendered(receipt("en", 80, True), 80)
    assert "Application Receipt" in job.lines
    assert f"Receipt no.: {RECEIPT_NO}" in job.lines
    assert "Submitted: 23 Nov 2026 14:05" in job.lines
    assert "Done by: 30 Nov 2026 (5 working days)" in job.lines
    assert "Done by: 24 Nov 2026 (1 working day)" in rendered(receipt(
        "en", 80, True, promised_date=date(2026, 11, 24), promised_days=1), 80).lines
    assert "Done by: within 1 working day of acceptance" in rendered(receipt(
        "en", 80, False, promised_days=1), 80).lines
    assert not any(re.search(r"[\u3000-\u9fff\uff00-\uffef]", line) for line in job.lines)
    pending = "".join(rendered(receipt("en", 58, False), 58).lines)
    assert "WILL BE SENT" in pending and f"Terminal ref.: {OUTBOX_REF}" in pending


def test_a_same_day_service_says_it_is_done_on_the_spot_not_within_0_days():
    """Sent: done on the spot. Saved here until the line is back: not on the spot, but as soon
    as the authority accepts it."""
    for final, words in ((True, "即办件，当场办结"), (False, "受理后当即办结")):
        lines = rendered(receipt(final=final, promised_date=date(2026, 11, 23),
                                 promised_days=0), 80).lines
        assert words in lines and not any("0个工作日" in line for line in lines)
    assert "Done on the spot" in rendered(receipt("en", promised_days=0), 80).lines
    assert "Done as soon as it is accepted" in rendered(
        receipt("en", final=False, promised_days=0), 80).lines


def test_the_submission_time_is_the_hall_clock():
    utc = datetime(2026, 11, 23, 6, 5, tzinfo=timezone.utc)
    assert "提交时间：2026年11月23日 14:05" in rendered(receipt(submitted_at=utc), 80).lines


def test_promised_completion_is_left_out_when_unknown():
    lines = rendered(receipt(promised_date=None, promised_days=None), 80).lines
    assert not any(line.startswith("承诺办结") for line in lines)
    lines = rendered(receipt(promised_date=None, promised_days=10), 80).lines
    assert "承诺办结：受理后10个工作日内" in lines


def test_no_personal_data_on_the_receipt():
    """Callers hold the citizen's name and ID number; the receipt has no place to put them."""
    lines = "".join(rendered(receipt("zh-CN", 80, True), 80).lines)
    assert not re.search(r"\d{17}[\dX]|\d{6}\*+\d{3}", lines)
    assert "姓名" not in lines and "身份证" not in lines
    with pytest.raises(TypeError):
        receipt(name="张三")  # type: ignore[call-arg]


def test_a_qr_for_another_application_is_never_printed():
    with pytest.raises(ValueError):
        receipt(qr_text=make("SL-20261123-000043", "SIM-0001", KEY))
    with pytest.raises(ValueError):
        receipt(qr_text="")
    with pytest.raises(ValueError):
        receipt(language="fr")
    with pytest.raises(Exception):
        receipt(paper_width_mm=76)


def test_language_tags_map_to_the_two_layouts():
    assert "申请回执" in rendered(receipt("zh"), 80).lines
    assert "Application Receipt" in rendered(receipt("en-GB"), 80).lines
    zh, en = translator("zh-CN"), translator("en")
    for msgid in STRINGS.values():  # every word has its own Chinese, and English as written
        if isinstance(msgid, tuple):
            one, many = msgid
            said = {"date": "%(date)s"}  # the placeholders as written
            assert zh.ngettext(one, many, 1, **said) not in (one % {"n": 1, **said},
                                                             many % {"n": 1, **said}), msgid
            assert (en.ngettext(one, many, 1, **said), en.ngettext(one, many, 2, **said)) == (
                one % {"n": 1, **said}, many % {"n": 2, **said})
        else:
            assert zh.gettext(msgid) != msgid and en.gettext(msgid) == msgid, msgid


def test_the_receipt_prints_on_the_emulated_printer(tmp_path):
    """Through the driver, over TCP, into the emulator's job PNG: the citizen's actual slip."""
    emu = PrinterEmulator(tmp_path, paper_width_mm=58)
    emu.start()
    prn = ThermalPrinter("printer", NetworkTransport("127.0.0.1", emu.endpoints()["tcp_port"]),
                         paper_width_mm=58, poll_interval_s=0.05, status_timeout_s=0.3,
                         job_timeout_s=5.0, check_interval_s=0.05)
    try:
        prn.start()
        assert prn.wait_for(lambda s: s.usable, 5.0), prn.status
        doc = receipt("zh-CN", 58, False)
        prn.print(doc, "receipt-1").result(10)
        (job,) = emu.job_log()
        assert job["cut"] and not job["truncated"]
        picture = Image.open(job["path"])
        assert picture.width == 384
        assert decoded(picture) == [make(OUTBOX_REF, "SIM-0001", KEY)]
    finally:
        prn.stop()
        emu.stop()


@pytest.mark.parametrize("name, language, width, final", [
    ("zh-CN_80_final", "zh-CN", 80, True),
    ("zh-CN_58_pending", "zh-CN", 58, False),
    ("en_80_final", "en", 80, True),
])
def test_the_receipt_looks_like_its_golden_image(name, language, width, final):
    fresh = rendered(receipt(language, width, final), width).image.convert("L")
    golden, actual = GOLDEN / f"{name}.png", GOLDEN / f"{name}.actual.png"
    if os.environ.get("RECEIPTS_ACCEPT_GOLDEN") == "1":
        fresh.save(golden)
        actual.unlink(missing_ok=True)
    if not golden.exists():
        fresh.save(actual)
        pytest.fail(f"no golden image {golden}; new render in {actual} (see module docstring)")
    expected = Image.open(golden).convert("L")
    differing = -1
    if expected.size == fresh.size:
        diff = ImageChops.difference(expected, fresh).point(lambda v: 255 if v > 64 else 0)
        differing = diff.histogram()[255]
    if differing < 0 or differing > GOLDEN_TOLERANCE:
        fresh.save(actual)
        pytest.fail(f"{name}: render differs from {golden} (size {fresh.size} vs "
                    f"{expected.size}, {differing} pixels); new render in {actual}")
    actual.unlink(missing_ok=True)


def test_without_a_fleet_key_the_receipt_has_no_code_but_keeps_the_reference():
    from drivers.printer.document import Qr, Text
    document = receipt(qr_text=None)
    assert not any(isinstance(item, Qr) for item in document.items)
    assert any(isinstance(item, Text) and item.bold and "SL-" in item.text
               for item in document.items)
