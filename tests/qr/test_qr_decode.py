"""decode_frame on generated codes, degraded camera frames, and garbage."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from drivers.qr import synth
from drivers.qr.decode import Code, DecodeError, decode_file, decode_frame, load_image

CHINESE = "预约号:A0123;事项:居住证签注;地点:市民中心3号窗口"


def frame_with(content: bytes, fmt: str = "QRCode", module_px: float = 6.0,
               angle: float = 0.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return synth.place(synth.code_image(content, fmt), module_px, synth.scene(rng, (960, 540)),
                       angle_deg=angle, rng=rng)


@pytest.mark.parametrize("decoder", ["zxing", "pyzbar"])
def test_a_chinese_utf8_code_is_read_with_its_bytes_intact(decoder: str) -> None:
    raw = CHINESE.encode("utf-8")
    codes = decode_frame(frame_with(raw), decoder)
    assert [c.format for c in codes] == ["QRCode"]
    assert codes[0].raw == raw and codes[0].text == CHINESE


def test_a_gbk_code_keeps_its_original_bytes() -> None:
    raw = CHINESE.encode("gb18030")
    codes = decode_frame(frame_with(raw))
    assert codes and codes[0].raw == raw  # payload.py decides how to read them


def test_the_position_is_where_the_code_was_placed() -> None:
    content = b"https://zwfw.example.gov.cn/q/1"
    (code,) = decode_frame(frame_with(content, module_px=5))
    cx, cy = code.center
    assert abs(cx - 480) < 8 and abs(cy - 270) < 8
    xs = [p[0] for p in code.corners]
    placed = synth.code_image(content).shape[1] * 5  # symbol plus its quiet zone
    assert 0.6 * placed < max(xs) - min(xs) < placed


def test_two_codes_in_one_frame_are_both_reported() -> None:
    rng = np.random.default_rng(1)
    scene = synth.scene(rng, (960, 540))
    scene = synth.place(synth.code_image(b"LEFT"), 5, scene, center=(240, 270))
    scene = synth.place(synth.code_image(b"RIGHT"), 5, scene, center=(720, 270))
    assert sorted(c.raw for c in decode_frame(scene)) == [b"LEFT", b"RIGHT"]


def test_a_code128_slip_is_read_and_named() -> None:
    frame = frame_with(b"SLIP-2026-000123", fmt="Code128", module_px=3)
    codes = decode_frame(frame)
    assert [(c.format, c.raw) for c in codes] == [("Code128", b"SLIP-2026-000123")]


def test_formats_not_asked_for_are_not_reported() -> None:
    frame = frame_with(b"SLIP-2026-000123", fmt="Code128", module_px=3)
    assert decode_frame(frame, formats=("QRCode",)) == []


def test_an_empty_scene_has_no_code() -> None:
    assert decode_frame(synth.scene(np.random.default_rng(3), (960, 540))) == []


@pytest.mark.parametrize("kind", ["rotation", "perspective", "low_contrast", "glare"])
def test_degraded_frames_are_read(kind: str) -> None:
    read = 0
    for seed in range(3):
        content = synth.sample_content(np.random.default_rng(seed))
        read += any(c.raw == content for c in decode_frame(synth.degraded_frame(kind, content, seed)))
    assert read == 3


def test_phone_screen_moire_needs_the_deblur_pass_and_gets_it() -> None:
    """Plain zxing reads none of these; the pipeline reads them all (see bench/qr_bench.py)."""
    plain = piped = 0
    for seed in range(3):
        content = synth.sample_content(np.random.default_rng(100 + seed))
        frame = synth.degraded_frame("moire", content, 100 + seed)
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        plain += any(r.bytes == content for r in zxingcpp.read_barcodes(
            grey, formats=zxingcpp.BarcodeFormat.QRCode))
        codes = decode_frame(frame)
        piped += any(c.raw == content for c in codes)
        assert all(c.found_by != "plain" for c in codes)
    assert plain == 0 and piped == 3


def test_grey_bgra_and_16_bit_frames_are_accepted() -> None:
    frame = frame_with(b"FORMS")
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    assert decode_frame(grey)[0].raw == b"FORMS"
    assert decode_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA))[0].raw == b"FORMS"
    assert decode_frame(grey[..., None])[0].raw == b"FORMS"
    assert decode_frame(grey.astype(np.uint16) * 257)[0].raw == b"FORMS"


@pytest.mark.parametrize("bad, message", [
    (None, "numpy image"),
    ("a string", "numpy image"),
    (np.zeros((100, 100), np.float32), "8-bit"),
    (np.zeros((100, 100, 2), np.uint8), "shape"),
    (np.zeros((100,), np.uint8), "shape"),
    (np.zeros((4, 4, 3), np.uint8), "too small"),
    (np.zeros((0, 0), np.uint8), "too small"),
])
def test_garbage_frames_raise_a_clear_decode_error(bad: object, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        decode_frame(bad)


def test_unknown_decoders_and_formats_are_refused() -> None:
    frame = frame_with(b"X")
    with pytest.raises(DecodeError, match="decoder"):
        decode_frame(frame, "wechat")
    with pytest.raises(DecodeError, match="format"):
        decode_frame(frame, formats=("NoSuchFormat",))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays(np.uint8, st.tuples(st.integers(0, 80), st.integers(0, 80),
                                  st.sampled_from([1, 3, 4]))),
       st.sampled_from(["zxing", "pyzbar"]))
def test_random_pixels_never_crash_the_decoder(image: np.ndarray, decoder: str) -> None:
    try:
        codes = decode_frame(image, decoder)
    except DecodeError:
        return
    assert all(isinstance(c, Code) for c in codes)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_random_file_bytes_are_a_decode_error_or_an_image(tmp_path_factory: pytest.TempPathFactory,
                                                          data: bytes) -> None:
    path = tmp_path_factory.mktemp("f") / "x.png"
    path.write_bytes(data)
    try:
        decode_file(path)
    except DecodeError as exc:
        assert str(path) in str(exc)


def test_image_files_decode_and_bad_files_say_why(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), frame_with(b"FILE"))
    assert decode_file(good)[0].raw == b"FILE"
    with pytest.raises(DecodeError, match="No such file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(DecodeError, match="directory"):
        load_image(tmp_path)
    (tmp_path / "text.png").write_text("hello")
    with pytest.raises(DecodeError, match="not a readable image"):
        load_image(tmp_path / "text.png")


def test_a_code128_slip_held_upright_is_read_where_it_is() -> None:
    """Bars turned 80-100 degrees are read on a transposed copy; corners come back in frame px."""
    for angle in (80, 90, 100):
        frame = frame_with(b"SLIP-2026-000123", fmt="Code128", module_px=2, angle=angle)
        (code,) = decode_frame(frame)
        assert (code.format, code.raw) == ("Code128", b"SLIP-2026-000123")
        cx, cy = code.center
        assert abs(cx - 480) < 12 and abs(cy - 270) < 40
        ys = [p[1] for p in code.corners]
        assert max(ys) - min(ys) > 250  # turned: the symbol is tall, not wide
