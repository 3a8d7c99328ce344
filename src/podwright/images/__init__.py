"""Layer 2: image engines behind the ImageEngine protocol (remote APIs and offline title cards)."""
