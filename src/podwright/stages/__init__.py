"""Layer 1: pure functions. Build each stage's LLM request, parse its response; chunk text; estimate durations."""
