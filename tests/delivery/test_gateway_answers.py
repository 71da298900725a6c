"""Issue 20 item 5: a gateway or proxy in front of the platform answering 401, 404 or 408 (in
HTML, or in a JSON of its own) is not the platform refusing the application: the items are
retried with backoff and filed once, none is set aside as "refused" for staff. The real kiosk
process, the real client and sender, the reference platform behind the chaos proxy."""

from __future__ import annotations

from kiosk.config import load_config
from kiosk.outbox import open_outbox
from tests.delivery.chaos_proxy import ChaosProxy
from tests.delivery.drill import Drill

GATEWAY = ("gateway_401", "gateway_404", "gateway_408", "gateway_json_404")


def test_gateway_errors_are_retried_not_refused(drill: Drill) -> None:
    drill.platform_up()
    proxy = ChaosProxy(drill.platform_url)
    try:
        proxy.misbehave(*(GATEWAY * 3))  # the first 12 POSTs: the gateway answers itself
        site = drill.kiosk("gateway", base_url=proxy.url)
        run = drill.run_worker(site, 10, "gateway", timeout_s=60)
        assert run.rc == 0, run.err[-3000:]
    finally:
        proxy.close()
    assert sum(proxy.seen[m] for m in GATEWAY) == 12
    with open_outbox(load_config(site), create=False) as outbox:
        refused = outbox.items(["refused"])
        kinds = {e["error_kind"] for i in outbox.items(limit=100) for e in outbox.history(i.id)
                 if e["event"] == "failed"}
    assert refused == [], [(i.reference, i.last_error) for i in refused]
    assert kinds == {"ServerFault"}
    drill.delivered_exactly_once(site, 10)
