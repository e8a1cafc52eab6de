"""A loopback proxy that delays every answer of the service behind it: a slow, not a dead, dependency.

What the client sends goes through at once; each chunk the service answers
waits `delay` seconds first, so every round trip takes at least that long.
The delay can be changed while connections are open.
"""

from __future__ import annotations

import asyncio

from tests.support.tcp_proxy import HttpRequestCounter, TcpProxy


class SlowProxy(TcpProxy):
    def __init__(self, *, target_host: str, target_port: int, delay: float = 0.0) -> None:
        super().__init__(target_host=target_host, target_port=target_port)
        self.delay = delay

    @staticmethod
    async def _pipe(
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        *,
        watch: HttpRequestCounter | None,
        proxy: TcpProxy,
    ) -> None:
        try:
            while data := await source.read(65536):
                if watch is None and isinstance(proxy, SlowProxy) and proxy.delay:
                    await asyncio.sleep(proxy.delay)  # an answer of the service: late
                elif watch is not None:
                    watch.feed(data)
                sink.write(data)
                await sink.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if sink.transport:
                sink.transport.abort()
