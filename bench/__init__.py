"""podwright benchmarks: `make bench` (or `python -m bench [NAME ...]`) writes docs/benchmarks.md."""
