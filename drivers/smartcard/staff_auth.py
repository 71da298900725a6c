"""Staff cards: a smart card certified by the staff issuer (the personnel office), not by the
citizens' card issuer. The same applet and proofs as a citizen card (card_auth.py): EF 0103
holds the card key's certificate, INTERNAL AUTHENTICATE signs a fresh challenge, and P2=01
signs only after the card's own VERIFY of its PIN, so the PIN and its retry counter are the
card's: five wrong PINs block that one card and nobody else's.

The certificate names the staff member: subject serialNumber = card number, userId = staff id,
commonName = their name, organizationalUnitName = "staff" (a citizen card certified by a
careless shared root is still not a staff card). Pure logic, as card_auth.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from drivers.smartcard.card_auth import (CONTEXT, CardIssuer, CardNotAuthentic, _attribute,
                                         certified_by, check_signed)

STAFF_UNIT = "staff"
STAFF_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")  # fits the audit trail's actor id


@dataclass(frozen=True)
class StaffCertificate:
    staff_id: str
    name: str
    card_number: str


class StaffIssuer(CardIssuer):
    """The staff issuer with its root key (the emulator's demo issuer, tests)."""

    def __init__(self, name: str = "模拟人事处 Demo Staff Issuer") -> None:
        super().__init__(name)

    def issue_staff(self, *, card_number: str, staff_id: str, name: str
                    ) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
        """A staff card's key and its certificate (DER), valid five years."""
        if not STAFF_ID.match(staff_id):
            raise ValueError("a staff id is 1-32 letters, digits, '_', '.' or '-'")
        card_key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([
                    x509.NameAttribute(NameOID.SERIAL_NUMBER, card_number),
                    x509.NameAttribute(NameOID.USER_ID, staff_id),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, STAFF_UNIT)]))
                .issuer_name(self.root.subject)
                .public_key(card_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=5 * 365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(self._key, hashes.SHA256()))
        return card_key, cert.public_bytes(serialization.Encoding.DER)


def verify_staff_card(root: x509.Certificate, certificate: bytes | None, challenge: bytes,
                      signature: bytes | None, *, context: bytes = CONTEXT,
                      expect: StaffCertificate | None = None,
                      now: dt.datetime | None = None) -> StaffCertificate:
    """Check that the staff issuer under `root` certified this card for a staff member and that
    the card signed `challenge` under `context`; `expect`: the same card as before (the PIN
    step). CardNotAuthentic otherwise (reasons of card_auth.REASONS, or `not_staff`)."""
    cert = certified_by(root, certificate, signature, now=now)
    units = [a.value for a in cert.subject.get_attributes_for_oid(
        NameOID.ORGANIZATIONAL_UNIT_NAME)]
    if units != [STAFF_UNIT]:
        raise CardNotAuthentic("not_staff")
    held = StaffCertificate(_attribute(cert.subject, NameOID.USER_ID),
                            _attribute(cert.subject, NameOID.COMMON_NAME),
                            _attribute(cert.subject, NameOID.SERIAL_NUMBER))
    if not STAFF_ID.match(held.staff_id):
        raise CardNotAuthentic("bad_certificate")
    if expect is not None and held != expect:
        raise CardNotAuthentic("wrong_holder")  # another card than the one that began
    check_signed(cert, signature, challenge, context)
    return held
