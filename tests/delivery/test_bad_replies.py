"""Malformed, truncated, oversized and slow replies, lost connections and a failing gateway
between the kiosk and the platform: a clear error recorded on the item, no crash, nothing lost,
nothing filed twice. The faults mostly strike after the platform has filed the application,
so only the idempotency key keeps the retry from filing it again."""

from __future__ import annotations

import pytest

from kiosk.config import load_config
from kiosk.outbox import open_outbox
from tests.delivery.chaos_proxy import ChaosProxy
from tests.delivery.drill import Drill

FAULTS = ("drop_before", "drop_after", "malformed", "wrong_shape", "truncated", "oversized",
          "slow", "error_502")
EXPECTED_KIND = {
    "drop_before": "PlatformUnreachable", "drop_after": "PlatformUnreachable",
    "malformed": "ResponseMalformed", "wrong_shape": "ResponseMalformed",
    "truncated": ("PlatformUnreachable", "ResponseMalformed"),
    "oversized": "ResponseMalformed", "slow": "PlatformUnreachable",
    "error_502": "ServerFault",
}


@pytest.fixture
def proxy(drill: Drill):
    drill.platform_up()
    chaos = ChaosProxy(drill.platform_url, slow_s=4.0)
    yield chaos
    chaos.close()


def _failures(site) -> list[str]:
    with open_outbox(load_config(site), create=False) as outbox:
        return [event["error_kind"] for item in outbox.items(limit=1000)
                for event in outbox.history(item.id) if event["event"] == "failed"]


@pytest.mark.parametrize("fault", FAULTS)
def test_each_bad_reply_is_recorded_and_retried_without_filing_twice(
        drill: Drill, proxy: ChaosProxy, fault: str) -> None:
    site = drill.kiosk("kiosk", base_url=proxy.url, timeout_s=1.0)
    proxy.misbehave(fault, fault)
    run = drill.run_worker(site, 3, fault.replace("_", "-"))
    assert run.rc == 0, run.err[-2000:]
    drill.delivered_exactly_once(site, 3)
    kinds = _failures(site)
    expected = EXPECTED_KIND[fault]
    assert kinds and all(kind in (expected if isinstance(expected, tuple) else (expected,))
                         for kind in kinds), kinds


def test_every_fault_in_one_run(drill: Drill, proxy: ChaosProxy) -> None:
    site = drill.kiosk("kiosk", base_url=proxy.url, timeout_s=1.0)
    proxy.misbehave(*FAULTS, *reversed(FAULTS))
    run = drill.run_worker(site, 12, "mixed", timeout_s=90)
    assert run.rc == 0, run.err[-2000:]
    drill.delivered_exactly_once(site, 12)
    assert sum(proxy.seen[f] for f in FAULTS) == 2 * len(FAULTS)
