"""Layer 3: the production queue: estimates, ordering, render sessions, workers, planning."""
