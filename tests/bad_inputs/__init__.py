"""The bad-input catalogue: every case is generated here, fed to the real CLI, and must fail cleanly."""
