"""Every subcommand of `kiosk`, in the order `kiosk --help` lists them."""

from kiosk.cli.audit_cmd import audit_group
from kiosk.cli.config_cmd import config_group
from kiosk.cli.console_cmd import console_group
from kiosk.cli.demo_cmd import demo_command
from kiosk.cli.doctor import doctor_command
from kiosk.cli.fleet_cmd import fleet_group
from kiosk.cli.idcard import idcard_group
from kiosk.cli.outbox_cmd import outbox_group
from kiosk.cli.platform_cmd import platform_group
from kiosk.cli.print_cmd import print_group
from kiosk.cli.qr import qr_group
from kiosk.cli.scan import scan_group
from kiosk.cli.sim import sim_group
from kiosk.cli.smartcard import smartcard_group

ALL = [demo_command, sim_group, doctor_command, idcard_group, smartcard_group, qr_group, scan_group, print_group,
       outbox_group, platform_group, config_group, fleet_group,
       audit_group, console_group]
