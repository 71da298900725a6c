"""`kiosk demo`: the app on the emulators and the reference platform, watched or played.

Headless (no $DISPLAY): a private Xvfb, a scripted citizen journey through real touches, a
screenshot of every screen and the PNG of every printed receipt. With a display: the app window
and a control panel steering the emulators. Shared with the UI tests: `Xvfb`, `AppProcess`.
"""
