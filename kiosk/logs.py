"""Logging for the kiosk: a last line of defence that masks personal data in every record.

Code should never log personal data in the first place; this filter catches what slips through
(an exception message quoting a frame, a third-party library's debug line).
"""

from __future__ import annotations

import logging
import re

# 18-character resident ID numbers (GB 11643; also the 2023 foreign permanent resident card),
# 15-character 2017 foreign permanent resident numbers (3 letters + 12 digits), mobile numbers.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_FOREIGN_2017 = re.compile(r"(?<![0-9A-Za-z])([A-Z]{3})\d{8}(\d{4})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _FOREIGN_2017.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class PiiMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask_text(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True


QUIET_LIBRARIES = ("fontTools", "tuf", "securesystemslib", "urllib3", "PIL", "escpos")


def configure(level: int = logging.INFO) -> None:
    """Root logging to stderr (journald under systemd) with PII masked on every handler."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(PiiMaskingFilter())
    for chatty in QUIET_LIBRARIES:  # their debug lines drown what staff look for
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
