"""Thermal ESC/POS receipt printer: status codec, document layout, driver, emulator."""
