"""Personal data that slips into a log line is masked before any handler writes it."""

import logging

from kiosk.logs import PiiMaskingFilter, mask_text


def test_id_numbers_and_mobiles_are_masked_but_other_numbers_are_not() -> None:
    assert mask_text("card 11010519491231002X read") == "card 110105********002X read"
    assert mask_text("tel 13812345678") == "tel 138****5678"
    assert mask_text("permit UTO110075100012 read") == "permit UTO********0012 read"
    assert mask_text("job 1234 of 20261122") == "job 1234 of 20261122"
    assert mask_text("frame AA11010519491231002XBB") == "frame AA11010519491231002XBB"


def test_filter_masks_arguments_and_tracebacks(caplog) -> None:
    logger = logging.getLogger("test.pii")
    handler = caplog.handler
    handler.addFilter(PiiMaskingFilter())
    try:
        logger.warning("reading %s", "11010519491231002X")
        try:
            raise ValueError("bad card 11010519491231002X")
        except ValueError:
            logger.exception("failed")
    finally:
        handler.removeFilter(handler.filters[-1])
    text = caplog.text
    assert "11010519491231002X" not in text
    assert "110105********002X" in text
