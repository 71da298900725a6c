"""The emulator's ESC/POS parser: any bytes, any split, never a crash."""

from hypothesis import given, settings
from hypothesis import strategies as s

from drivers.printer import escpos_parser as p
from drivers.printer.document import paper_for, render_escpos
from drivers.printer.render import JobRenderer
from drivers.printer import samples

RECEIPT = render_escpos(samples.sample_receipt(), paper_for(80)) + render_escpos(samples.test_page(),
                                                                      paper_for(58))


def parse_in_pieces(data: bytes, cuts: list[int]):
    parser = p.EscPosParser()
    out = []
    last = 0
    for cut in sorted(set(c % (len(data) + 1) for c in cuts)) + [len(data)]:
        out += parser.feed(data[last:cut])
        last = cut
    return out + parser.flush()


@settings(max_examples=60, deadline=None)
@given(s.lists(s.integers(0, 10_000), max_size=20))
def test_any_split_of_the_stream_gives_the_same_commands(cuts):
    assert parse_in_pieces(RECEIPT, cuts) == parse_in_pieces(RECEIPT, [])


@settings(max_examples=300, deadline=None)
@given(s.binary(max_size=400))
def test_garbage_never_crashes_parser_or_renderer(data):
    renderer = JobRenderer(384)
    for cmd in p.EscPosParser().feed(data):
        renderer.apply(cmd)
    renderer.finish()


@settings(max_examples=100, deadline=None)
@given(s.binary(max_size=200), s.binary(max_size=200))
def test_a_status_request_after_garbage_is_still_found(before, after):
    # a real printer answers DLE EOT however odd the data before it; so must the emulator
    parser = p.EscPosParser()
    cmds = parser.feed(before + b"\n" * 300 + b"\x10\x04\x04")
    # found, or swallowed as the parameters of a command that is still incomplete
    assert (cmds and cmds[-1] == p.StatusRequest(4)) or parser.pending > 0 or any(
        isinstance(c, (p.Raster, p.Setting, p.Unknown)) for c in cmds)


def test_known_commands():
    cmds = p.EscPosParser().feed(
        b"\x1b@\x1c&\x1ba\x01\x1d!\x11\x1bE\x01\xca\xdc\n\x1dV\x00\x10\x04\x02"
        b"\x1d(H\x06\x00\x30\x30" + b"0042" + b"\x1bZ")
    assert cmds == [p.Init(), p.ChineseMode(True), p.Align("center"), p.CharSize(2, 2),
                    p.Bold(True), p.Text("受"), p.LineFeed(), p.Cut(False), p.StatusRequest(2),
                    p.ProcessIdRequest(b"0042"), p.Unknown(b"\x1bZ")]


def test_oversized_raster_header_is_recorded_not_allocated():
    cmds = p.EscPosParser().feed(b"\x1dv0\x00\xff\xff\xff\xff" + b"AB\n")
    assert cmds[0] == p.Unknown(b"\x1dv0\x00\xff\xff\xff\xff")
    assert cmds[1] == p.Text("AB")


def test_long_chinese_runs_and_odd_splits_keep_every_character():
    text = "政务服务一网通办，受理回执！" * 700  # > 4096 bytes with no control byte
    data = b"\x1c&" + text.encode("gb18030") + b"\n"
    for step in (1, 3, 4095, 5000):
        parser = p.EscPosParser()
        cmds = []
        for i in range(0, len(data), step):
            cmds += parser.feed(data[i:i + step])
        assert "".join(c.text for c in cmds if isinstance(c, p.Text)) == text
