"""Layer 2: mixing, loudness mastering, MP3 encoding and tagging, chapters and transcripts."""
