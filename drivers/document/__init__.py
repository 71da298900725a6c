"""Document capture: a document camera over OpenCV and a flatbed/ADF scanner through SANE.

Pure modules (page_detect, enhance, quality, output, synthetic) hold the image logic and are
tested without devices; doc_camera and scanner are the drivers; emulator and sane_env emulate.
"""
