"""The Kivy UI: one screen per step, talking to kiosk services only (never to a driver)."""
