"""Card authentication as pure logic: the applet signs a fresh challenge with the key its issuer
certified, and the terminal's check refuses everything else a forger could bring."""

from __future__ import annotations

import datetime as dt

import pytest

from drivers.smartcard.apdu import ResponseApdu, internal_authenticate, select_aid, select_ef
from drivers.smartcard.applet import APPLET_AID, EF_CERTIFICATE, CardApplet, CardProfile
from drivers.smartcard.card_auth import (CardIssuer, CardNotAuthentic, load_issuer_root,
                                         new_challenge, sign_challenge, verify_card)
from drivers.smartcard.emulator import SAMPLE_CARD

ISSUER = CardIssuer()
ROOT = load_issuer_root(ISSUER.root_pem)
HOLDER = {"id_number": SAMPLE_CARD["identity"]["id_number"],
          "card_number": SAMPLE_CARD["identity"]["card_number"]}


def card(issuer: CardIssuer | None = ISSUER, **holder: str) -> CardApplet:
    profile = CardProfile.from_dict(SAMPLE_CARD)
    if issuer is not None:
        key, cert = issuer.issue(**{**HOLDER, **holder})
        profile.auth_key, profile.certificate = key, cert
    applet = CardApplet(profile)
    assert ResponseApdu.parse(applet.process(select_aid(APPLET_AID))).ok
    return applet


def proof(applet: CardApplet) -> tuple[bytes | None, bytes, bytes | None]:
    """What the reader collects: EF 0103 and the signature over a fresh challenge."""
    selected = ResponseApdu.parse(applet.process(select_ef(EF_CERTIFICATE)))
    certificate = None
    if selected.ok:
        certificate = b""
        while True:
            r = ResponseApdu.parse(applet.process(
                bytes([0x00, 0xB0, len(certificate) >> 8, len(certificate) & 0xFF, 0x00])))
            certificate += r.data
            if r.sw != 0x9000 or not r.data:
                break
    challenge = new_challenge()
    answer = ResponseApdu.parse(applet.process(internal_authenticate(challenge)))
    return certificate, challenge, answer.data if answer.ok else None


def reason(certificate, challenge, signature, **holder) -> str:
    with pytest.raises(CardNotAuthentic) as refused:
        verify_card(ROOT, certificate, challenge, signature, **{**HOLDER, **holder})
    return refused.value.reason


def test_a_card_of_the_issuer_proves_it_is_genuine():
    held = verify_card(ROOT, *proof(card()), **HOLDER)
    assert (held.id_number, held.card_number) == (HOLDER["id_number"], HOLDER["card_number"])


def test_a_card_without_a_key_has_nothing_to_show():
    certificate, challenge, signature = proof(card(issuer=None))
    assert certificate is None and signature is None
    assert reason(certificate, challenge, signature) == "no_certificate"


def test_a_forgers_own_issuer_is_not_the_issuer():
    assert reason(*proof(card(issuer=CardIssuer("forger")))) == "not_from_issuer"


def test_a_genuine_certificate_copied_onto_a_forged_card_fails_the_challenge():
    genuine, _, _ = proof(card())
    _, challenge, signature = proof(card())  # another card of the issuer signs, not this one
    assert reason(genuine, challenge, signature) == "bad_signature"


def test_a_replayed_signature_fails_a_fresh_challenge():
    certificate, _, signature = proof(card())
    assert reason(certificate, new_challenge(), signature) == "bad_signature"


def test_the_certificate_names_its_holder():
    assert reason(*proof(card()), id_number="110101199003071233") == "wrong_holder"
    assert reason(*proof(card(card_number="SSC-OTHER"))) == "wrong_holder"


def test_an_expired_certificate_is_refused():
    certificate, challenge, signature = proof(card())
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3651)
    with pytest.raises(CardNotAuthentic) as refused:
        verify_card(ROOT, certificate, challenge, signature, now=later, **HOLDER)
    assert refused.value.reason == "certificate_expired"


def test_garbage_for_a_certificate_is_refused_plainly():
    key, _ = ISSUER.issue(**HOLDER)
    challenge = new_challenge()
    signature = sign_challenge(key, challenge)
    for garbage in (b"\x30\x03\x02\x01\x01", b"not a certificate", b"\x00" * 3000):
        assert reason(garbage, challenge, signature) == "bad_certificate"


def test_the_applet_refuses_an_odd_challenge_and_signs_only_when_selected():
    applet = card()
    short = ResponseApdu.parse(applet.process(internal_authenticate(b"\x01" * 8)))
    assert short.sw == 0x6700
    applet.reset()
    unselected = ResponseApdu.parse(applet.process(internal_authenticate(new_challenge())))
    assert unselected.sw == 0x6985
