"""The peers as server processes: Apollo Server and the old Express backend (scripts/bench/peers/).

Their npm dependencies are installed by `make bench` (scripts/shell/ensure_bench_peers.sh,
`npm ci` from the committed lock); this only starts them, on free loopback ports,
against the same Elasticsearch index and Redis as autos-graph.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

from scripts.bench.server import ServerProcess, base_environment, free_port

PEERS_DIR = Path(__file__).resolve().parent / "peers"
# The REST peer's limiter runs (its cost is part of the old backend) but never refuses.
UNREACHABLE_RATE_LIMIT = "1000000000"

PeerName = Literal["apollo", "apollo-response-cache", "express"]

PEER_TITLES: dict[str, str] = {
    "apollo": "Apollo Server 5",
    "apollo-response-cache": "Apollo Server 5 + response cache",
    "express": "Express (old backend)",
}


class PeerSetupError(RuntimeError):
    """Node.js or the peers' npm dependencies are missing."""


def peer_cache_prefix(index: str) -> str:
    """The Redis key prefix of the Apollo peer's picker cache: the benchmark's own keys only."""
    return f"bench-peer:{index}"


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise PeerSetupError("node is not installed: run `make bench` (it installs Node.js and the peers)")
    if not (PEERS_DIR / "node_modules").is_dir():
        raise PeerSetupError(
            f"{PEERS_DIR}/node_modules is missing: run `make bench`, or "
            "`bash scripts/shell/ensure_bench_peers.sh` once"
        )
    return node


def peer_server(
    name: PeerName, *, elasticsearch_url: str, index: str, redis_url: str, log_dir: Path
) -> ServerProcess:
    port = free_port()
    script = "express.js" if name == "express" else "apollo.js"
    env = base_environment(
        PORT=str(port),
        ELASTICSEARCH_URL=elasticsearch_url,
        ES_INDEX=index,
        REDIS_URL=redis_url,
        CACHE_PREFIX=peer_cache_prefix(index),
        RESPONSE_CACHE="1" if name == "apollo-response-cache" else "0",
        RATE_LIMIT_PER_MINUTE=UNREACHABLE_RATE_LIMIT,
        NODE_ENV="production",
    )
    return ServerProcess(
        name=f"peer-{name}",
        command=[node_binary(), str(PEERS_DIR / script)],
        env=env,
        port=port,
        ready_path="/health" if name == "express" else None,
        log_dir=log_dir,
    )
