"""The terminal's core: configuration, wiring of devices, services, CLI. Never imports Kivy."""

__version__ = "0.1.0"
