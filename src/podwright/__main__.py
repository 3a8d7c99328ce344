"""``python -m podwright``: the same command line as ``podwright``."""

from podwright.cli.main import main

main()
