"""Layer 1: pure functions. Build each stage's LLM request and parse its response; chunk text; size."""
