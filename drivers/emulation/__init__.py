"""What every emulator shares: the steering interface and the OS plumbing (pseudo-terminals)."""
