"""Staff access and supervision: the admin PIN gate and the systemd watchdog."""
