"""Remote actions from the operations console, signed by the console and checked here.

The console signs each command for one terminal (kiosk/remote/envelope.py); the platform only
stores and serves it; this terminal checks signature, binding, sequence and expiry and acts
between citizen sessions (kiosk/remote/service.py). Nothing in a command is a shell command or
a path: an action is one of four names, the message is plain text.
"""
