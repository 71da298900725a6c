"""The WLT photo hook: None without a library, the library's BMP when one is configured.

The 'vendor library' here is a tiny C file compiled by the test that exports the same
`unpack(src, dst, bmpSave)` symbol; it checks the hook's calling convention, not WLT itself.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.idcard.wlt import BMP_SIZE, WltDecoder

FAKE_VENDOR = r"""
#include <string.h>
int unpack(char *src, char *dst, int bmpSave) {
    if (bmpSave != 0 || (unsigned char)src[0] == 0xFF) return -1;  /* "corrupt photo" */
    memset(dst, 0, 38862);
    dst[0] = 'B'; dst[1] = 'M'; dst[2] = src[0];
    return 1;
}
"""


@pytest.fixture(scope="module")
def vendor_lib(tmp_path_factory) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the stand-in vendor library")
    d = tmp_path_factory.mktemp("wlt")
    (d / "fake.c").write_text(FAKE_VENDOR)
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(d / "libwlt.so"), str(d / "fake.c")],
                   check=True, capture_output=True)
    return d / "libwlt.so"


def test_no_library_configured_means_no_photo_not_a_fake_one():
    decoder = WltDecoder("")
    assert decoder.decode(bytes(1024)) is None and not decoder.available


def test_missing_or_unusable_library_is_reported_and_gives_none(tmp_path, caplog):
    assert WltDecoder(str(tmp_path / "nope.so")).decode(bytes(1024)) is None
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"not an ELF")
    decoder = WltDecoder(str(junk))
    assert decoder.decode(bytes(1024)) is None
    assert "unusable" in (decoder.load_error or "")


def test_configured_library_decodes_through_the_hook(vendor_lib):
    decoder = WltDecoder(str(vendor_lib))
    bmp = decoder.decode(b"\x07" + bytes(1023))
    assert bmp is not None and len(bmp) == BMP_SIZE and bmp[:3] == b"BM\x07"
    assert decoder.decode(b"\xff" + bytes(1023)) is None  # the library said it failed
    assert decoder.decode(bytes(100)) is None  # not a WLT photo at all
    assert WltDecoder(str(vendor_lib), symbol="missing").decode(bytes(1024)) is None
