"""Printed matter the citizen takes home from an application: the receipt and its progress QR."""

from kiosk.receipts.application_receipt import application_receipt
from kiosk.receipts.progress_qr import ProgressRef, ReceiptQrRefused, make, parse

__all__ = ["ProgressRef", "ReceiptQrRefused", "application_receipt", "make", "parse"]
