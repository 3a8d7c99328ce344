"""Layer 4: the web interface."""
