"""Where render sessions run beyond this process: Ray actors (one per GPU) and Modal containers.

Order, aging and crash recovery stay in the store: a backend only decides where the engines sit warm.
Ray and Modal are optional extras, imported only inside the functions that need them.
"""
