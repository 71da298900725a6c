"""Smart cards over PC/SC: a driver on pyscard's low-level API, a self-healing watcher, and a
virtual card of the project's own behind vsmartcard's vpcd reader for tests and `kiosk sim`."""
