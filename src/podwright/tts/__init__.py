"""Layer 2: text-to-speech engines behind the TTSEngine protocol, and the content-addressed chunk cache."""
