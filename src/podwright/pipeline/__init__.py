"""Layer 3: orchestration of an episode: the script DAG, voicing, packaging."""
