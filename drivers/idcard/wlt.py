"""Optional decoding of the 1024-byte WLT photo through a vendor shared library (ctypes).

WLT is a proprietary wavelet format; only vendor libraries decode it, so this project does not
try. The hook targets the common Linux export `int unpack(char *src, char *dst, int bmpSave)`
(libwlt2bmp.so and its derivatives: 1 = success, `dst` receives a 102x126 24-bit BMP of 38862
bytes). With no library configured, or one that fails to load or decode, `decode()` returns
None: callers show "photo not available" rather than a fake picture.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from pathlib import Path

from drivers.idcard.layout import PHOTO_LEN

log = logging.getLogger(__name__)

BMP_SIZE = 38862  # 54-byte header + 126 rows of 102 px * 3 bytes padded to 308


class WltDecoder:
    """Loads the library once, on first use; thread-safe; never raises on decode."""

    def __init__(self, library: str | None = "", symbol: str = "unpack"):
        self.library = library or ""
        self.symbol = symbol
        self._fn: ctypes._CFuncPtr | None = None  # type: ignore[name-defined]
        self._loaded = False
        self._lock = threading.Lock()
        self.load_error: str | None = None

    @property
    def available(self) -> bool:
        return self._load() is not None

    def _load(self) -> "ctypes._CFuncPtr | None":  # type: ignore[name-defined]
        with self._lock:
            if self._loaded:
                return self._fn
            self._loaded = True
            if not self.library:
                self.load_error = "no WLT library configured"
                return None
            if not Path(self.library).exists():
                self.load_error = f"WLT library {self.library} not found"
                log.warning("%s; photos will not be decoded", self.load_error)
                return None
            try:
                fn = getattr(ctypes.CDLL(self.library), self.symbol)
            except (OSError, AttributeError) as exc:
                self.load_error = f"WLT library {self.library} unusable: {exc}"
                log.warning("%s; photos will not be decoded", self.load_error)
                return None
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
            fn.restype = ctypes.c_int
            self._fn = fn
            return fn

    def decode(self, wlt: bytes | bytearray) -> bytes | None:
        """BMP bytes of the photo, or None when there is no usable library or decoding failed."""
        fn = self._load()
        if fn is None or len(wlt) != PHOTO_LEN:
            return None
        src = ctypes.create_string_buffer(bytes(wlt), PHOTO_LEN)
        dst = ctypes.create_string_buffer(BMP_SIZE)
        try:
            with self._lock:  # vendor decoders are rarely re-entrant
                rc = fn(src, dst, 0)
        except OSError as exc:  # a crashing vendor function raises here on some platforms
            log.warning("WLT decode raised %s", type(exc).__name__)
            return None
        finally:
            ctypes.memset(src, 0, PHOTO_LEN)
        if rc != 1:
            log.warning("WLT decode returned %d", rc)
            ctypes.memset(dst, 0, BMP_SIZE)
            return None
        bmp = dst.raw
        ctypes.memset(dst, 0, BMP_SIZE)
        if not bmp.startswith(b"BM"):
            log.warning("WLT decode returned something that is not a BMP")
            return None
        return bmp
