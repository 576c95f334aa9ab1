"""``python -m fuldtid``: the same command line as the ``fuldtid`` script."""

from fuldtid.cli import main

if __name__ == "__main__":
    main()
