"""On-screen keyboard input methods: pinyin -> Chinese candidates (`kiosk.ime.pinyin`)."""
