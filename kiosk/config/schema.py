"""The one typed schema every configuration layer is validated against.

`extra="forbid"` everywhere: a misspelt key is an error, not a silently ignored setting.

Each section's `REMOTE` names, field by field, what a signed fleet layer may set: texts, hours,
timeouts, intervals, which journeys and devices are on, paper and printer options. Everything
else (device paths, command lines, URLs, CA bundles, key, audit and state paths, PIN or trust
anchors, `fleet.*`, the holder policy) belongs to the root-owned site file of each terminal:
a fleet key, even the real one in the wrong hands, must not be able to run code, redirect a
terminal's citizens, or weaken what it trusts (kiosk/config/remote.py enforces it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.config.layers import UI_ELDER_MODE, UI_HIGH_CONTRAST, UI_LANGUAGE

Seconds = Annotated[float, Field(gt=0, le=3600)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # the fields a fleet layer may set; sub-sections are entered and judged by their own
    REMOTE: ClassVar[frozenset[str]] = frozenset()

# A program's own name or an option value: never an option itself, never a path.
PlainName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$", max_length=64)]


def in_language(language: str, chinese: str, english: str) -> str:
    """A configured place's name as a citizen reads it: the English one in English when the
    site gave one, else the Chinese name, which every citizen's staff and signs use."""
    return english if language.startswith("en") and english else chinese


class TerminalConfig(Section):
    REMOTE = frozenset({"name", "hall_name", "hall_name_en", "daily_restart_at",
                        "daily_restart_spread_s", "help_phone", "help_counter",
                        "help_counter_en"})
    id: str = Field(default="UNSET", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(default="自助终端", max_length=100)
    hall_name: str = Field(default="政务服务大厅", max_length=60)  # in every screen's header
    hall_name_en: str = Field(default="", max_length=60)  # the same in English ("" = as above)
    data_dir: str = "/var/lib/kiosk"
    run_dir: str = "/run/kiosk"
    # a fresh process once a day, taken between sessions (kiosk/health/daily_restart.py);
    # local "HH:MM" or "HH:MM:SS", "" = never; each terminal adds its own offset in the spread
    daily_restart_at: str = Field(
        default="03:30", pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?$")
    daily_restart_spread_s: float = Field(default=600.0, ge=0, le=3600)
    # what the 呼叫工作人员 dialog tells a citizen besides "staff were told": the hall's phone
    # and the nearest staffed counter ("" = not said); shown even when the platform is away
    help_phone: str = Field(default="12345", max_length=30)
    help_counter: str = Field(default="", max_length=100)
    help_counter_en: str = Field(default="", max_length=100)  # in English ("" = as above)

    def hall(self, language: str) -> str:
        return in_language(language, self.hall_name, self.hall_name_en)

    def counter(self, language: str) -> str:
        return in_language(language, self.help_counter, self.help_counter_en)


class DeviceConfig(Section):
    REMOTE = frozenset({"enabled", "poll_interval_s", "missed_polls_to_offline"})
    enabled: bool = True
    poll_interval_s: Seconds = 0.5
    missed_polls_to_offline: int = Field(default=3, ge=1, le=100)


class SerialDevice(DeviceConfig):
    REMOTE = DeviceConfig.REMOTE | {"baudrate"}  # never `port`: a device path
    port: str = ""
    baudrate: Literal[9600, 19200, 38400, 57600, 115200, 230400] = 115200


class IdCardConfig(SerialDevice):
    """GA/T 467 ID card module on a serial line."""
    REMOTE = SerialDevice.REMOTE | {"read_timeout_s"}  # `wlt_library` is code: site only

    port: str = "/dev/kiosk/idcard"
    read_timeout_s: Seconds = 1.5
    wlt_library: str = ""  # optional vendor library that decodes the WLT photo


class SmartCardConfig(DeviceConfig):
    """A PC/SC reader (ID, eID, social-security cards)."""
    REMOTE = DeviceConfig.REMOTE | {"apdu_timeout_s"}  # not which reader, socket or root

    reader: str = ""  # substring of the reader name; empty = the first reader
    apdu_timeout_s: Seconds = 3.0
    pcscd_socket: str = ""  # pcscd's unix socket; empty = the system's /run/pcscd/pcscd.comm
    # The card issuer's root certificate (PEM): a card is accepted only when it proves, by
    # signing a fresh challenge, a key this issuer certified for its holder. Empty: none is.
    issuer_root_file: str = ""


class CameraSource(DeviceConfig):
    REMOTE = DeviceConfig.REMOTE | {"width", "height"}  # `source` is a device or file
    source: str = "0"  # a V4L2 index or device path, or an image/video file (emulation)
    width: int = Field(default=1920, ge=160, le=8192)
    height: int = Field(default=1080, ge=120, le=8192)


class QrCameraConfig(CameraSource):
    REMOTE = CameraSource.REMOTE | {"decoder", "formats", "repeat_suppress_s"}
    decoder: Literal["zxing", "pyzbar"] = "zxing"
    # Fewer formats = faster: QR only ~14 ms per 1080p frame, every format ~160 ms.
    formats: tuple[Literal["QRCode", "MicroQRCode", "Code128", "Code39", "EAN13", "DataMatrix",
                           "PDF417", "Aztec"], ...] = ("QRCode", "Code128")
    poll_interval_s: Seconds = 0.2
    repeat_suppress_s: Seconds = 3.0  # the same code held in view is reported once


class QrSerialConfig(SerialDevice):
    REMOTE = SerialDevice.REMOTE | {"repeat_suppress_s", "aim_ids", "no_terminator"}
    port: str = "/dev/kiosk/qr"
    baudrate: Literal[9600, 19200, 38400, 57600, 115200, 230400] = 9600
    repeat_suppress_s: Seconds = 3.0
    aim_ids: bool = False  # the module prefixes each code with its AIM id (e.g. "]Q1")
    no_terminator: bool = False  # the module ends a code by silence instead of CR/LF


class DocCameraConfig(CameraSource):
    REMOTE = CameraSource.REMOTE | {"jpeg_quality", "auto_capture", "stable_frames",
                                    "max_pdf_bytes"}
    jpeg_quality: int = Field(default=85, ge=30, le=100)
    auto_capture: bool = True  # take the page by itself once it lies still
    stable_frames: int = Field(default=3, ge=1, le=50)  # polls the outline must stay still
    max_pdf_bytes: int = Field(default=8_000_000, ge=100_000)


class ScannerConfig(DeviceConfig):
    REMOTE = DeviceConfig.REMOTE | {"dpi", "mode"}  # not the device nor a SANE directory
    device: str = ""  # SANE device name; empty = the first one found
    sane_config_dir: str = ""  # a project-local SANE config dir (emulation), never /etc
    dpi: int = Field(default=200, ge=75, le=1200)
    mode: Literal["Color", "Gray", "Lineart"] = "Gray"
    poll_interval_s: Seconds = 5.0


class PrinterConfig(DeviceConfig):
    """A thermal ESC/POS printer over serial, USB or the network (TCP 9100)."""
    # paper and print options; never where the printer is (a host could receive the prints)
    REMOTE = DeviceConfig.REMOTE | {"baudrate", "paper_width_mm", "dots_per_line",
                                    "status_timeout_s", "rtscts", "job_confirmation"}

    transport: Literal["serial", "network", "usb"] = "serial"
    port: str = "/dev/kiosk/printer"
    baudrate: Literal[9600, 19200, 38400, 57600, 115200, 230400] = 115200
    host: str = "127.0.0.1"
    tcp_port: int = Field(default=9100, ge=1, le=65535)
    usb_vendor: int = Field(default=0, ge=0, le=0xFFFF)
    usb_product: int = Field(default=0, ge=0, le=0xFFFF)
    paper_width_mm: Literal[58, 80] = 80
    dots_per_line: int = Field(default=576, ge=128, le=1024)
    status_timeout_s: Seconds = 0.5
    poll_interval_s: Seconds = 2.0
    rtscts: bool = False  # hardware flow control on serial; large rasters may need it
    # How a job is confirmed printed: "process_id" asks the printer (GS ( H) to answer once
    # everything before it has printed; "status" for clones that ignore it (weaker: a final
    # status check only).
    job_confirmation: Literal["process_id", "status"] = "process_id"

    @model_validator(mode="after")
    def _usb_ids(self) -> "PrinterConfig":
        if self.transport == "usb" and not (self.usb_vendor and self.usb_product):
            raise ValueError("transport 'usb' needs usb_vendor and usb_product")
        return self


class PagePrinterConfig(DeviceConfig):
    """An A4 page printer over IPP: a CUPS queue (`ipp://host:631/printers/NAME`) or an IPP
    Everywhere printer. When enabled, certificates print on it instead of the receipt slip."""
    # where prints go and whether certificates leave the slip are the site's alone
    REMOTE = frozenset({"poll_interval_s", "missed_polls_to_offline", "job_timeout_s"})
    enabled: bool = False
    uri: str = Field(default="ipp://127.0.0.1:631/printers/kiosk-a4",
                     pattern=r"^(ipp|http)://[^\s]+$", max_length=300)
    poll_interval_s: Seconds = 2.0
    job_timeout_s: Seconds = 120.0


class DevicesConfig(Section):
    idcard: IdCardConfig = IdCardConfig()
    smartcard: SmartCardConfig = SmartCardConfig()
    qr_camera: QrCameraConfig = QrCameraConfig()
    qr_serial: QrSerialConfig = QrSerialConfig()
    doc_camera: DocCameraConfig = DocCameraConfig(source="1", width=3264, height=2448)
    scanner: ScannerConfig = ScannerConfig()
    printer: PrinterConfig = PrinterConfig()
    page_printer: PagePrinterConfig = PagePrinterConfig()


class PlatformConfig(Section):
    # how patiently to talk to the platform, never which platform, trust store or credential
    REMOTE = frozenset({"timeout_s", "connect_timeout_s", "retries", "max_response_bytes",
                        "heartbeat_interval_s", "reuse_idle_s"})
    base_url: str = Field(default="https://platform.invalid/api/v1", pattern=r"^https?://")
    ca_bundle: str = ""  # empty = the system's trust store
    timeout_s: Seconds = 10.0
    connect_timeout_s: Seconds = 3.0
    kiosk_id: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")  # empty = terminal.id
    credential_file: str = "/etc/kiosk/platform.credential"
    retries: int = Field(default=3, ge=0, le=10)
    max_response_bytes: int = Field(default=16_000_000, ge=10_000, le=500_000_000)
    # a kept-alive connection idle this long is not used again: below the platform's
    # keep-alive timeout, so the platform never closes one as a request leaves on it
    reuse_idle_s: float = Field(default=4.0, ge=0, le=300)
    heartbeat_interval_s: float = Field(default=60.0, ge=5, le=3600)
    post_events: bool = False  # usage events (sessions, journeys, prints...) for the console

    @field_validator("base_url")
    @classmethod
    def _https_beyond_loopback(cls, url: str) -> str:
        """The credential and citizens' data go with every call: plain HTTP only to this machine
        (the tests' and drills' loopback platform), never across a network."""
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the platform must be reached over https:// "
                             "(plain http only to a loopback address)")
        if not parts.hostname:
            raise ValueError("the platform URL has no host")
        return url


class OutboxConfig(Section):
    REMOTE = frozenset({"max_items", "min_free_mb", "backoff_initial_s", "backoff_max_s",
                        "lanes", "stuck_after_s"})
    database: str = ""  # empty = <terminal.data_dir>/outbox.sqlite3
    key_file: str = "/etc/kiosk/outbox.key"
    max_items: int = Field(default=500, ge=1, le=100_000)
    min_free_mb: int = Field(default=512, ge=1)
    backoff_initial_s: Seconds = 2.0
    backoff_max_s: Seconds = 600.0
    lanes: int = Field(default=4, ge=1, le=16)  # deliveries on the wire at once (one per application)
    stuck_after_s: float = Field(default=900.0, ge=1, le=7 * 86400)  # then staff are told


class SessionConfig(Section):
    """One citizen at the screen: how long silence may last before everything of theirs is wiped."""
    REMOTE = frozenset({"idle_timeout_s", "warning_s", "max_extensions", "elder_timeout_factor"})

    idle_timeout_s: Seconds = 90.0
    warning_s: Seconds = 20.0  # the visible, spoken countdown before the end; a touch extends
    max_extensions: int = Field(default=10, ge=0, le=50)  # WCAG 2.2.1 asks at least 10
    elder_timeout_factor: float = Field(default=2.0, ge=1.0, le=5.0)
    directory: str = ""  # per-session temporary files; empty = <terminal.run_dir>/sessions
    eid_public_key_file: str = ""  # the e-ID issuer's Ed25519 public key; empty = e-ID QR refused

    @model_validator(mode="after")
    def _warning_inside_timeout(self) -> "SessionConfig":
        if self.warning_s >= self.idle_timeout_s:
            raise ValueError("warning_s must be shorter than idle_timeout_s")
        return self


class ReceiptsConfig(Section):
    """What the printed receipt says about where it comes from."""
    REMOTE = frozenset({"centre_name", "centre_name_en", "hotline"})

    centre_name: str = Field(default="政务服务中心", max_length=60)
    centre_name_en: str = Field(default="", max_length=60)  # on English slips ("" = as above)
    hotline: str = Field(default="12345", max_length=30)
    # Ignored since receipt codes carry the platform's progress tokens (contract 1.1; the
    # fleet-wide HMAC key let one stolen terminal forge any receipt's code). Still accepted so
    # that site files of earlier versions load; remove them from site files and fleet layers.
    qr_key_file: str | None = None
    old_qr_key_files: tuple[str, ...] = ()

    def centre(self, language: str) -> str:
        return in_language(language, self.centre_name, self.centre_name_en)


HolderFactor = Literal["card_pin", "sms_code"]
HolderFactors = Annotated[tuple[HolderFactor, ...], Field(min_length=1)]
BOTH_FACTORS: tuple[HolderFactor, ...] = ("card_pin", "sms_code")


class HolderConfig(Section):
    """What proof of holding the identity each journey accepts (any one of those listed) before
    it shows or files anything of the citizen's. The platform asks for one factor at least;
    a journey may ask for a particular one (collecting a certificate by the card's PIN, say)."""

    apply: HolderFactors = BOTH_FACTORS
    progress: HolderFactors = BOTH_FACTORS
    collect: HolderFactors = BOTH_FACTORS
    pay: HolderFactors = BOTH_FACTORS
    appointment: HolderFactors = BOTH_FACTORS
    evaluate: HolderFactors = BOTH_FACTORS


class UiConfig(Section):
    REMOTE = frozenset({"language", "elder_mode", "high_contrast", "offer_elder_from_age"})
    language: Literal["zh-CN", "en"] = UI_LANGUAGE  # at the start of every session
    elder_mode: bool = UI_ELDER_MODE  # 长辈模式 at the start of every session
    high_contrast: bool = UI_HIGH_CONTRAST
    # A citizen this old (from the ID card's birth date) is offered elder mode by itself; 0: never
    offer_elder_from_age: int = Field(default=60, ge=0, le=120)


class OpeningWindow(Section):
    days: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)  # ISO weekdays, 1 = Monday
    open: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    close: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # after open; 23:59 at most

    @model_validator(mode="after")
    def _sane(self) -> OpeningWindow:
        if not self.days or any(not 1 <= d <= 7 for d in self.days):
            raise ValueError("days: ISO weekdays 1 (Monday) to 7")
        if self.close <= self.open:
            raise ValueError("close must be after open")
        return self


class OpeningHoursConfig(Section):
    """When each journey is offered (local time). A journey with no windows is open around the
    clock — the point of a 24-hour terminal; time-limited ones (a counter booking, a payment
    channel) list theirs. On `closed_dates` (holidays) the time-limited journeys are closed."""
    REMOTE = frozenset({"apply", "progress", "collect", "pay", "appointment", "evaluate",
                        "closed_dates"})

    apply: tuple[OpeningWindow, ...] = ()
    progress: tuple[OpeningWindow, ...] = ()
    collect: tuple[OpeningWindow, ...] = ()
    pay: tuple[OpeningWindow, ...] = ()
    appointment: tuple[OpeningWindow, ...] = ()
    evaluate: tuple[OpeningWindow, ...] = ()
    closed_dates: tuple[dt.date, ...] = ()


class VoiceConfig(Section):
    """Spoken guidance (espeak-ng); it never speaks personal data."""
    # what is said and how; the programs that say it are the site file's
    REMOTE = frozenset({"enabled", "rate_wpm", "elder_rate_wpm", "volume", "zh_voice",
                        "en_voice", "player_retry_s"})

    enabled: bool = True
    # site file only, like every command line (see REMOTE above)
    engine_command: str = "espeak-ng"
    player_command: tuple[str, ...] = ("aplay", "-q")  # the WAV path is appended
    rate_wpm: int = Field(default=150, ge=80, le=450)
    elder_rate_wpm: int = Field(default=115, ge=80, le=450)  # slower in 长辈模式
    volume: int = Field(default=100, ge=0, le=200)  # espeak-ng -a amplitude
    zh_voice: PlainName = "cmn-latn-pinyin"  # Debian 12's "cmn" reads Chinese as spelled pinyin
    en_voice: PlainName = "en"
    player_retry_s: Seconds = 300.0  # a failing player (no sound card) is retried this late
    cache_dir: str = ""  # rendered prompts; empty = <terminal.run_dir>/voice


class FleetConfig(Section):
    """Signed configuration updates (kiosk/fleet): where to poll, what to trust, how often.
    Plain http is acceptable: TUF trusts signatures, not the transport."""

    enabled: bool = False
    # Where the updater (its own service user, `kiosk fleet run`) keeps the applied layer and
    # its records; the UI may read it, never write it. Empty = <terminal.data_dir>/fleet.
    state_dir: str = ""
    repository_url: str = Field(default="https://platform.invalid/fleet", pattern=r"^https?://")
    trusted_root_file: str = "/etc/kiosk/fleet-root.json"  # the fleet's 1.root.json, installed once
    ring: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")  # lab, canary, ...
    poll_interval_s: float = Field(default=300.0, ge=10, le=86400)
    jitter_s: float = Field(default=60.0, ge=0, le=3600)  # 0..jitter_s added to every wait
    timeout_s: Seconds = 10.0
    max_bundle_bytes: int = Field(default=256_000, ge=1_000, le=1_000_000)
    ca_bundle: str = ""  # for an https repository; empty = the system's trust store
    # after the restart into a new layer: devices and screens must be back within this, or the
    # layer is taken back (allow for the slowest device's start, e.g. a printer's warm-up)
    health_timeout_s: float = Field(default=60.0, ge=5, le=900)


class AdminConfig(Section):
    """The hidden staff screen: staff sign in with their own staff card and its PIN."""
    REMOTE = frozenset({"idle_timeout_s", "nearest_counter", "paper_roll_jobs", "paper_low_at",
                        "a4_tray_sheets",
                        "recent_errors"})

    # the staff issuer's root certificate (PEM), site file only; empty = no admin screen
    staff_issuer_root_file: str = ""
    idle_timeout_s: Seconds = 60.0  # the admin screen closes itself after this
    nearest_counter: str = Field(default="", max_length=100)  # shown with out-of-service
    paper_roll_jobs: int = Field(default=400, ge=1, le=100_000)  # receipts a roll holds
    paper_low_at: float = Field(default=0.9, gt=0, le=1)  # share of the roll that warns
    a4_tray_sheets: int = Field(default=250, ge=1, le=100_000)  # sheets the A4 tray holds
    restart_command: tuple[str, ...] = ()  # empty = the app exits, systemd restarts it
    reboot_command: tuple[str, ...] = ("systemctl", "reboot")
    recent_errors: int = Field(default=50, ge=1, le=1000)  # the last errors staff see


class RemoteConfig(Section):
    """Commands from the operations console (kiosk/remote): out of service, back in service,
    restart, screenshot. The console's public key is a trust anchor: site file only."""
    REMOTE = frozenset({"poll_interval_s"})

    console_public_key_file: str = ""  # PEM (Ed25519); empty = no remote actions
    poll_interval_s: float = Field(default=15.0, ge=1, le=3600)


class AuditConfig(Section):
    """The hash-chained audit trail (全程留痕)."""

    path: str = ""  # empty = <terminal.data_dir>/audit.sqlite3
    key_file: str = ""  # HMAC key, mandatory; empty = audit.key beside the trail (made once)
    signer_socket: str = ""  # the signer (kiosk audit serve) that alone holds the key


class KioskConfig(Section):
    @property
    def fleet_dir(self) -> str:
        return self.fleet.state_dir or f"{self.terminal.data_dir.rstrip('/')}/fleet"

    terminal: TerminalConfig = TerminalConfig()
    devices: DevicesConfig = DevicesConfig()
    platform: PlatformConfig = PlatformConfig()
    outbox: OutboxConfig = OutboxConfig()
    session: SessionConfig = SessionConfig()
    holder: HolderConfig = HolderConfig()
    receipts: ReceiptsConfig = ReceiptsConfig()
    ui: UiConfig = UiConfig()
    voice: VoiceConfig = VoiceConfig()
    opening_hours: OpeningHoursConfig = OpeningHoursConfig()
    fleet: FleetConfig = FleetConfig()
    admin: AdminConfig = AdminConfig()
    audit: AuditConfig = AuditConfig()
    remote: RemoteConfig = RemoteConfig()
