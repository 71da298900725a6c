"""One description, ESC/POS bytes for 58 and 80 mm, read back by the emulator's parser: the
printed text is what was described, Chinese and fullwidth punctuation included."""

import io

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as s
from PIL import Image as PILImage
from PIL import ImageDraw

from drivers.printer import escpos_parser as p
from drivers.printer.document import (Cut, Document, DocumentError, Image, Qr, Rule, Text,
                                      paper_for, raster_bytes, render_escpos, text_columns,
                                      to_full_raster, to_picture, wrap)
from drivers.printer.render import JobRenderer
from drivers.printer.samples import emblem, sample_receipt


def printed(document: Document, width: int = 80):
    renderer = JobRenderer(paper_for(width).dots)
    jobs = []
    for cmd in p.EscPosParser().feed(render_escpos(document, paper_for(width))):
        job = renderer.apply(cmd)
        if job is not None:
            jobs.append(job)
    if not renderer.empty:
        jobs.append(renderer.finish())
    return jobs


def test_paper_widths():
    assert (paper_for(80).columns, paper_for(80).dots) == (48, 576)
    assert (paper_for(58).columns, paper_for(58).dots) == (32, 384)
    assert paper_for(80, 512).columns == 42
    with pytest.raises(DocumentError):
        paper_for(76)


def test_fullwidth_punctuation_alone_is_not_question_marks():
    data = render_escpos(Document((Text("！，。：；“”（）【】"),)), paper_for(80))
    assert b"??" not in data
    assert "！，。：；“”（）【】".encode("gb18030") in data
    assert printed(Document((Text("！，。：；“”（）【】"),)))[0].lines == ["！，。：；“”（）【】"]


def test_chinese_goes_out_in_gb18030_in_chinese_mode():
    data = render_escpos(Document((Text("受理回执"),)), paper_for(58))
    assert data.startswith(b"\x1b@\x1c&")
    assert "受理回执".encode("gb18030") in data


def test_receipt_reads_back_at_both_widths():
    for width in (58, 80):
        (job,) = printed(sample_receipt(number="SL0001"), width)
        text = "".join(job.lines)
        assert "受理回执" in text and "受理编号：SL0001" in text and "居住证办理" in text
        assert job.qr_codes == ["https://zwfw.example.gov.cn/progress?no=SL0001"]
        assert job.cut
        assert all(text_columns(line) <= paper_for(width).columns for line in job.lines)


def test_qr_in_the_rendered_picture_decodes():
    picture = to_picture(Document((Qr("https://zwfw.example.gov.cn/q?id=42"), Cut())),
                         paper_for(80))
    found = zxingcpp.read_barcodes(picture.convert("L"))
    assert [r.text for r in found] == ["https://zwfw.example.gov.cn/q?id=42"]


def test_raster_round_trip_keeps_every_dot():
    img = PILImage.new("L", (70, 300), 255)
    ImageDraw.Draw(img).line((0, 0, 69, 299), fill=0, width=3)
    cmds = [c for c in p.EscPosParser().feed(raster_bytes(img)) if isinstance(c, p.Raster)]
    assert [c.height for c in cmds] == [128, 128, 44]  # banded
    renderer = JobRenderer(576)
    for c in cmds:
        renderer.apply(c)
    out = renderer.finish().image.crop((0, 0, 70, 300))
    assert out.point(lambda v: v < 128).tobytes() == img.point(lambda v: v < 128).tobytes()


def test_image_is_raster_but_text_is_not():
    data = render_escpos(Document((Text("文字"), Image(emblem(64)))), paper_for(80))
    assert data.count(b"\x1dv0") == 1


def test_full_raster_is_the_same_picture_in_many_more_bytes():
    doc = sample_receipt()
    text_mode = render_escpos(doc, paper_for(80))
    raster = to_full_raster(doc, paper_for(80))
    assert len(raster) > 10 * len(text_mode)
    (job,) = printed(doc)
    assert job.image.size == to_picture(doc, paper_for(80)).size


def test_rendered_job_png_has_the_text_region_inked():
    (job,) = printed(Document((Text("受理回执", size=2, align="center"), Cut())))
    buf = io.BytesIO()
    job.image.save(buf, "PNG")
    image = PILImage.open(io.BytesIO(buf.getvalue())).convert("L")
    box = image.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert top < 60 and abs((left + right) / 2 - 288) < 20  # centred, at the top
    assert right - left >= 4 * 40  # four double-size characters wide


@pytest.mark.parametrize("bad", ["a\x1b@b", "x\x00", "\x1dV\x00", "\u202e"])
def test_control_characters_cannot_inject_commands(bad):
    with pytest.raises(DocumentError, match="control character"):
        render_escpos(Document((Text(bad),)), paper_for(80))


def test_bad_sizes_are_refused():
    with pytest.raises(DocumentError):
        render_escpos(Document((Text("x", size=9),)), paper_for(80))
    with pytest.raises(DocumentError):
        render_escpos(Document((Qr(""),)), paper_for(80))


printable = s.characters(codec="gb18030", categories=("L", "N", "P", "S", "Zs"))


@settings(max_examples=150, deadline=None)
@given(s.text(printable, min_size=1, max_size=120), s.integers(1, 3), s.sampled_from([58, 80]))
def test_any_text_prints_back_as_described(text, size, width):
    (job,) = printed(Document((Text(text, size=size), Cut())), width)
    lines = job.lines
    limit = paper_for(width).columns // size
    assert all(text_columns(line) <= limit for line in lines)
    # wrapping only drops the spaces it broke at
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@given(s.text(printable, max_size=200), s.integers(2, 48))
def test_wrap_never_exceeds_the_line(text, columns):
    for line in wrap(text, columns):
        assert text_columns(line) <= columns


items = s.builds(Text, s.text(printable, min_size=1, max_size=60), size=s.integers(1, 4),
                 bold=s.booleans(), align=s.sampled_from(["left", "center", "right"]))


@settings(max_examples=80, deadline=None)
@given(s.lists(items, min_size=1, max_size=6), s.sampled_from([58, 80]))
def test_mixed_sizes_bold_and_alignment_read_back_in_order(texts, width):
    doc = Document((*texts, Rule(), Qr("x"), Cut()))
    (job,) = printed(doc, width)
    body = job.lines[:-2]  # then the rule, and the line feed after the QR code
    expected = "".join(t.text.replace(" ", "") for t in texts)
    assert "".join(body).replace(" ", "") == expected
    assert job.lines[-2] == "-" * paper_for(width).columns
    assert job.qr_codes == ["x"] and job.cut
