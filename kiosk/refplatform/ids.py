"""Identifiers the platform hands out, times as the contract writes them, and identity checks.

The platform keeps China Standard Time (UTC+8, no daylight saving), so dates such as a due date
or an appointment day are the dates a citizen in the hall would name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from drivers.idcard.errors import IdNumberError
from drivers.idcard.idnumber import mask_id_number, mask_name, validate
from kiosk.refplatform.problems import Problem

CST = dt.timezone(dt.timedelta(hours=8), "CST")
Clock = Callable[[], dt.datetime]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread on paper


def system_clock() -> dt.datetime:
    return dt.datetime.now(CST)


def stamp(moment: dt.datetime) -> str:
    """RFC 3339 with the +08:00 offset, to the second."""
    return moment.astimezone(CST).isoformat(timespec="seconds")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def secret_digest(secret: str) -> bytes:
    """What the platform keeps of a bearer secret (a session token, a filing grant, a receipt's
    progress token): its SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def opaque_id(prefix: str) -> str:
    """`PREFIX` + 20 random base32 characters: unguessable, fits the contract's OpaqueId."""
    return prefix + "".join(secrets.choice(CROCKFORD) for _ in range(20))


def verification_code() -> str:
    """XXXX-XXXX-XXXX-XXXX of Crockford base32: 80 random bits, easy to type from paper."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def booking_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def receipt_no(day: dt.date, seq: int) -> str:
    """受理号 `SL-YYYYMMDD-NNNNNN`, numbered per day (matches the contract's ReceiptNo)."""
    return f"SL-{day:%Y%m%d}-{seq:06d}"


def add_working_days(start: dt.date, days: int) -> dt.date:
    """`days` working days after `start`, counting Monday to Friday.

    An approximation: public holidays and the weekend days worked in exchange (调休) are not
    known to the reference platform, so they count as ordinary weekdays and weekends.
    """
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def holder_masked(name: str, id_number: str) -> str:
    """`张* 110101********123X`: enough for a citizen to recognise, too little to misuse."""
    return f"{mask_name(name)} {mask_id_number(id_number)}"


def check_id_number(id_number: str, id_kind: str | None, today: dt.date) -> None:
    """Refuse (422 invalid_id_number) a number that cannot be one of the kind named.

    18-character numbers carry a GB 11643 check digit (resident IDs, residence permits of Hong
    Kong, Macao and Taiwan residents, 2023 foreign permanent resident IDs starting with 9);
    the other documents are only held to the contract's pattern.
    """
    if id_kind in (None, "resident", "hk_macao_resident", "taiwan_resident", "foreign_permanent") \
            and len(id_number) == 18:
        try:
            validate(id_number, today=today, foreign=id_number.startswith("9"))
        except IdNumberError as exc:
            raise Problem(422, "invalid_id_number", str(exc)) from None
        if id_kind in ("hk_macao_resident", "taiwan_resident") and id_number[:2] not in (
                "81", "82", "83"):
            raise Problem(422, "invalid_id_number", "a residence permit number starts with 81-83")
        return
    if id_kind in ("resident", "hk_macao_resident", "taiwan_resident"):
        raise Problem(422, "invalid_id_number", "this kind of identity number has 18 characters")
