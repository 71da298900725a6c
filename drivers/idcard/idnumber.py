"""Identity numbers (GB 11643-1999): check digit, sanity of region and birth date, masking.

`mask_id_number` is the one masking rule for identity numbers used across the project.
Error messages here never repeat the number itself.
"""

from __future__ import annotations

import datetime as dt
import re

from drivers.idcard.errors import IdNumberError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # ISO 7064 MOD 11-2: index = weighted sum mod 11
_SHAPE = re.compile(r"\A[0-9]{17}[0-9X]\Z")

# First two digits: provinces (GB/T 2260), 71 Taiwan, and 81/82/83 for the residence permits of
# Hong Kong, Macao and Taiwan residents (810000, 820000, 830000).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})
HMT_PREFIXES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def check_digit(first17: str) -> str:
    """The 18th character for 17 leading digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("a check digit needs exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def normalise(number: str) -> str:
    return number.strip().upper()


def is_well_formed(number: str) -> bool:
    n = normalise(number)
    return bool(_SHAPE.match(n)) and check_digit(n[:17]) == n[17]


def birth_date_of(number: str) -> dt.date:
    """Birth date in positions 7-14 (also true of 2023 foreign permanent resident numbers)."""
    n = normalise(number)
    if not _SHAPE.match(n):
        raise IdNumberError("identity number must be 17 digits and a digit or X")
    try:
        return dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        raise IdNumberError("identity number holds an impossible birth date") from None


def validate(number: str, *, today: dt.date | None = None, foreign: bool = False) -> str:
    """Return the normalised number or raise IdNumberError saying what is wrong (not the number).

    `foreign=True` expects the 2023 foreign permanent resident form: a leading 9, the province of
    the accepting authority in positions 2-3, then the same birth date and check digit rules.
    """
    n = normalise(number)
    if not _SHAPE.match(n):
        raise IdNumberError("identity number must be 17 digits and a digit or X")
    if check_digit(n[:17]) != n[17]:
        raise IdNumberError("identity number check digit does not match")
    province = n[1:3] if foreign else n[:2]
    if foreign and n[0] != "9":
        raise IdNumberError("a foreign permanent resident number starts with 9")
    if province not in PROVINCES:
        raise IdNumberError("identity number has an unknown region code")
    birth = birth_date_of(n)
    today = today or dt.date.today()
    if not EARLIEST_BIRTH <= birth <= today:
        raise IdNumberError("identity number birth date is out of range")
    return n


def gender_code_of(number: str) -> str:
    """'1' male, '2' female, from the parity of the 17th digit."""
    return "1" if int(normalise(number)[16]) % 2 else "2"


def mask_id_number(number: str) -> str:
    """`11010119900307123X` -> `110101********123X`; other lengths keep at most a quarter each end."""
    n = number.strip()
    if len(n) == 18:
        return n[:6] + "*" * 8 + n[-4:]
    if len(n) < 4:
        return "*" * len(n)
    keep = min(3, len(n) // 4)
    return n[:keep] + "*" * (len(n) - 2 * keep) + n[-keep:]


def mask_name(name: str) -> str:
    """`张三丰` -> `张**`; `JOHN SMITH` -> `J*********` (first character only)."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
