"""The fault-test cluster's index: the project's mapping over 3 shards with 1 replica, the sample loaded.

Called by scripts/shell/es_cluster.sh. The API's own index is one shard (the right
size for 100,000 small documents); here the shards are spread so that killing
any one node takes primaries and replicas with it, which is the case to survive.
Idempotent: an index that already holds the sample with this layout is kept.
"""

from __future__ import annotations

import argparse
import asyncio

from elasticsearch import AsyncElasticsearch

from datasources.elastic.bulk_loader import holds_dataset, load_dataset
from datasources.elastic.client import create_client
from datasources.elastic.index_schema import MAPPING, SCHEMA_VERSION, concrete_index_name, drop_index

SHARDS = 3
REPLICAS = 1


async def _layout_matches(client: AsyncElasticsearch, *, alias: str) -> bool:
    response = await client.indices.get_settings(index=alias, flat_settings=True)
    return all(
        values["settings"].get("index.number_of_shards") == str(SHARDS)
        and values["settings"].get("index.number_of_replicas") == str(REPLICAS)
        for values in response.body.values()
    )


async def ensure_cluster_index(*, url: str, alias: str) -> str:
    client = create_client(url=url, request_timeout=60)
    try:
        if await holds_dataset(client, alias=alias, kind="sample") and await _layout_matches(
            client, alias=alias
        ):
            return "kept"
        await drop_index(client, alias=alias)
        await client.indices.create(
            index=concrete_index_name(alias),
            mappings={**MAPPING, "_meta": {"schema_version": SCHEMA_VERSION}},
            settings={"number_of_shards": SHARDS, "number_of_replicas": REPLICAS},
            aliases={alias: {"is_write_index": True}},
        )
        result = await load_dataset(client, alias=alias, kind="sample")
        if result.failed:
            raise SystemExit(f"{result.failed} records failed to load into {alias}")
        return f"loaded {result.indexed} records"
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the cluster's nodes, comma-separated")
    parser.add_argument("--alias", required=True)
    arguments = parser.parse_args()
    outcome = asyncio.run(ensure_cluster_index(url=arguments.url, alias=arguments.alias))
    print(f"[es_cluster] {arguments.alias}: {outcome} ({SHARDS} shards, {REPLICAS} replica)")


if __name__ == "__main__":
    main()
