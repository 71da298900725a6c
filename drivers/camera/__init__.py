"""Camera capture shared by every camera device (QR camera, document camera) and its emulator."""
