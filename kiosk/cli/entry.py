"""`python -m kiosk.cli.entry` runs the CLI without the installed console script."""

from kiosk.cli import main

if __name__ == "__main__":
    main()
