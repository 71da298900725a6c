"""Every error the ID card area raises; messages never carry personal data.

They subclass `DeviceError`, so each has a machine-readable `reason` a caller can branch on.
"""

from __future__ import annotations

from drivers.device import DeviceError


class IdCardError(DeviceError):
    """Base of every ID-card error (frame, module status, card content)."""


class FrameError(IdCardError):
    """Bytes on the wire that are not a well-formed GA/T 467 frame."""


class ChecksumError(FrameError):
    def __init__(self, message: str = "frame checksum mismatch"):
        super().__init__("checksum", message)


class LengthError(FrameError):
    def __init__(self, message: str):
        super().__init__("bad_length", message)


class MalformedFrame(FrameError):
    def __init__(self, message: str):
        super().__init__("malformed", message)


class ReplyTimeout(IdCardError):
    def __init__(self, message: str):
        super().__init__("timeout", message)


class ModuleStatusError(IdCardError):
    """The module answered with a status other than success (SW3)."""

    def __init__(self, sw3: int, reason: str, message: str):
        super().__init__(reason, f"{message} (SW3=0x{sw3:02X})")
        self.sw3 = sw3


class NoCard(ModuleStatusError):
    """0x80: no card in the field."""


class SelectFailed(ModuleStatusError):
    """0x81: the card was found but could not be selected (moved away, bad contact)."""


class ReadFailed(ModuleStatusError):
    """0x41: the card could not be read (moved during the read, damaged chip)."""


class ModuleRejectedFrame(ModuleStatusError):
    """0x10/0x11/0x21: the module says our command frame was wrong."""


class SamError(ModuleStatusError):
    """0x60/0x66 and authentication failures: the SAM itself is not usable."""


class CardFormatError(IdCardError):
    """The card's text block does not follow any known layout."""

    def __init__(self, message: str):
        super().__init__("card_format", message)


class IdNumberError(IdCardError, ValueError):
    """An identity number that is malformed or fails its check digit."""

    def __init__(self, message: str):
        super().__init__("id_number", message)
