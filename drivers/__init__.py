"""Device adapters and their emulators. Knows hardware and nothing else: never imports kiosk or screens."""
