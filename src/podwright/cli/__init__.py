"""Layer 4: the command-line interface."""
