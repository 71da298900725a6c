"""The terminal looking after itself between staff visits: the heartbeat it sends and the
device supervisor that resets a device that keeps failing."""
