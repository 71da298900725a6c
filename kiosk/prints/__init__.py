"""Durable record of prints that must come out once (certificates): see journal.py."""

from kiosk.prints.journal import (CONFIRMED, FAILED, QUEUED, RECORDED, STARTED, UNKNOWN,
                                  PrintEntry, PrintJournal, PrintJournalError)

__all__ = ["CONFIRMED", "FAILED", "QUEUED", "RECORDED", "STARTED", "UNKNOWN", "PrintEntry",
           "PrintJournal", "PrintJournalError"]
