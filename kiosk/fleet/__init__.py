"""Signed configuration updates for the fleet (The Update Framework, python-tuf).

The fleet manager's side (`repository`) signs configuration layers into a directory of static
files any HTTP server can serve; the terminal's side (`updater`) verifies them with TUF's client,
validates them against the terminal's own schema and applies them between citizen sessions,
keeping the last good layer to fall back on.
"""
