"""Every subcommand of `kiosk`, in the order `kiosk --help` lists them."""

from kiosk.cli.config_cmd import config_group

ALL = [config_group]
