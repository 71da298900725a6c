"""QR codes and barcodes: decoding camera frames, a serial scanner module, their emulators."""
