"""An A4 page printer over IPP (a CUPS queue or an IPP Everywhere printer) and its emulator."""
