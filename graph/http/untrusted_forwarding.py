"""`X-Forwarded-For` from a peer that is not a trusted proxy: counted, and said once per process.

Behind an ingress whose addresses are missing from TRUSTED_PROXIES (empty as
shipped), every request seems to come from the ingress: all clients share one
rate-limit bucket, and the access log names the proxy. The header is then
ignored, as it must be (anyone can write it), but the likely missing setting
deserves a warning the first time it shows, and a counter
(`autos_graph_untrusted_forwarded_for_total`) an alert can watch.
"""

from __future__ import annotations

import logging

from graph.observability import metrics

log = logging.getLogger("autos_graph.client_address")


class UntrustedForwarding:
    def __init__(self) -> None:
        self.warned = False

    def seen(self, peer: str) -> None:
        metrics.record_untrusted_forwarded_for()
        if self.warned:
            return
        self.warned = True
        log.warning(
            "X-Forwarded-For received from a peer that is not a trusted proxy; the header is ignored. "
            "If the service runs behind a proxy or ingress, set TRUSTED_PROXIES to its addresses, "
            "or every client is limited and logged as the proxy",
            extra={"context": {"peer": peer}},
        )


# One per process: the warning is said once, whichever app instance sees the header first.
UNTRUSTED_FORWARDING = UntrustedForwarding()
