"""Layer 3: where render sessions run: local (embedded default), Ray, Modal."""
