"""Resident ID card module (GA/T 467 SAM) on a serial line: codec, card layouts, driver, emulator.

Modules: `frame` (wire codec, status codes), `layout` (byte layouts of the 256-byte text block,
both directions), `card` (typed, masked cards), `idnumber` (GB 11643 check digit, masking),
`wlt` (optional vendor photo decoder), `reader` (the Device), `emulator` (pty module).

What is taken from public vendor protocol notes and SDK headers, and what is assumed:
- Frames, commands (10 FF reset, 11 FF status, 12 FF SAM id, 20 01 find, 20 02 select,
  30 01 read, 30 03 appended address, 30 10 read with fingerprint) and SW3 codes match published
  traces byte for byte (see tests/idcard/test_idcard_frame.py).
- Layouts: resident and 'J' cards from the SDK struct t_idcardinfor; 'I' (2017) from
  t_idforeigner; 'Y' (2023) from t_idforeigner2023 (English name split 35 + 11 characters,
  nationality at byte 242). Not checked against a physical card here.
- Assumed from field reports, not from the standard: a read card stops answering FIND while it
  stays (SELECT still succeeds); some modules answer SELECT with eight zero bytes. The driver
  copes with either behaviour, and the emulator can play both.
- The SAM id (12 FF) is returned as 16 raw bytes in hex; its vendor display format is not
  decoded. The 15-character 2017 foreign permanent resident number is checked for shape only
  (3 letters + 12 digits), not for a check digit.
"""
