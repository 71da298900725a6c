"""GB 11643 identity numbers: check digits, sanity, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard.errors import IdNumberError
from drivers.idcard.idnumber import (check_digit, is_well_formed, mask_id_number, mask_name,
                                     validate)

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("number", [
    "11010519491231002X",  # the example in GB 11643-1999
    "440524188001010014",  # the other example in GB 11643-1999
    "110101199003071233",
    "650102195211300049",
])
def test_published_and_sample_numbers_have_valid_check_digits(number):
    assert check_digit(number[:17]) == number[17]
    assert is_well_formed(number)


def test_every_wrong_check_digit_is_caught():
    number = "11010519491231002X"
    for c in "0123456789":
        assert not is_well_formed(number[:17] + c)


def test_validate_explains_without_repeating_the_number():
    with pytest.raises(IdNumberError) as info:
        validate("110105194912310020", today=TODAY)
    assert "check digit" in str(info.value) and "1101051949" not in str(info.value)
    with pytest.raises(IdNumberError, match="17 digits"):
        validate("11010519491231002", today=TODAY)
    bad_region = "99010519491231002"
    with pytest.raises(IdNumberError, match="region"):
        validate(bad_region + check_digit(bad_region), today=TODAY)
    future = "11010520300101002"
    with pytest.raises(IdNumberError, match="out of range"):
        validate(future + check_digit(future), today=TODAY)
    feb30 = "11010519900230002"
    with pytest.raises(IdNumberError, match="impossible"):
        validate(feb30 + check_digit(feb30), today=TODAY)
    assert validate("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_foreign_2023_numbers():
    n = "91184019850615002"
    assert validate(n + check_digit(n), today=TODAY, foreign=True)
    with pytest.raises(IdNumberError, match="starts with 9"):
        r = "11010519491231002"
        validate(r + check_digit(r), today=TODAY, foreign=True)


def test_masking():
    assert mask_id_number("11010119900307123X") == "110101********123X"
    assert mask_id_number("UTO110900101001") == "UTO*********001"
    assert mask_id_number("H00000001") == "H0*****01"
    assert mask_id_number("12") == "**"
    assert mask_name("张三丰") == "张**"
    assert mask_name("") == ""


@given(st.from_regex(r"\A[0-9]{17}\Z"))
def test_the_computed_check_digit_always_validates(first17):
    assert is_well_formed(first17 + check_digit(first17))


@given(st.text(max_size=30))
def test_masking_never_reveals_the_middle_and_keeps_length(text):
    masked = mask_id_number(text)
    assert len(masked) == len(text.strip())
    if len(text.strip()) >= 4:
        assert "*" in masked
