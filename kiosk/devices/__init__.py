"""Wiring of configured devices and their emulators; one module per device area.

Each area module (idcard, smartcard, qr, document, printer) offers:
  build_devices(config: KioskConfig) -> list[Device]
      the area's enabled drivers, not yet started, named as their config section;
  start_emulators(run_dir: Path) -> tuple[list[Emulator], dict]
      its emulators, started, and the site-configuration fragment that points the drivers at
      them (e.g. {"devices": {"idcard": {"port": ".../idcard.tty"}}}).
"""
