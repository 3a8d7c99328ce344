"""Layer 2: LLM providers (OpenAI-compatible HTTP, local llama.cpp) and the wrappers that are clients too."""
