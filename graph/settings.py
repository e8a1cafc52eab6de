"""The one place the environment is read.

Every value is validated when the process starts; a bad value stops it with
one line naming the variable, instead of a failure at the first request.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "staging", "production"]
TrustedDocuments = Literal["off", "only"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Elasticsearch index names: lowercase, no path or wildcard characters.
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")


class SettingsError(Exception):
    """Configuration that the service refuses to start with."""


# The old backend's deployments set these; they are read as aliases of the new names.
LEGACY_VARIABLES: dict[str, str] = {"ES_URL": "ELASTICSEARCH_URL", "NODE_ENV": "ENVIRONMENT"}
# The old backend's NODE_ENV values and the ENVIRONMENT each one means.
_NODE_ENVIRONMENTS: dict[str, Environment] = {
    "production": "production",
    "development": "development",
    "test": "test",
}


def _check_url(value: str, *, schemes: tuple[str, ...], name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"{name} must be a {'/'.join(schemes)} URL with a host, got {value!r}")
    try:
        parts.port  # noqa: B018 - parsing the port validates it
    except ValueError as error:
        raise ValueError(f"{name} has an invalid port: {value!r}") from error
    return value.rstrip("/")


def _elasticsearch_urls(value: str, *, name: str) -> str:
    # One node, or several comma-separated: the client spreads calls over them and skips dead ones.
    urls = [part.strip() for part in value.split(",")]
    if not all(urls):
        raise ValueError(f"{name} has an empty entry in its comma-separated list: {value!r}")
    return ",".join(_check_url(url, schemes=("http", "https"), name=name) for url in urls)


def _parse_networks(value: object) -> list[Network]:
    if isinstance(value, list):
        items = [str(item) for item in value]
    elif isinstance(value, str):
        items = [item.strip() for item in value.split(",") if item.strip()]
    else:
        raise ValueError("expected a comma-separated list of addresses or CIDR ranges")
    return [ipaddress.ip_network(item, strict=False) for item in items]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    elasticsearch_url: str = "http://127.0.0.1:9200"
    es_index: str = "autos-unified"
    # Per attempt; a call with its retries ends by this plus 0.3 s (datasources/elastic/client.py),
    # so a hung cluster still gets SERVICE_UNAVAILABLE within the API's 2 s.
    es_request_timeout_seconds: float = Field(default=1.5, gt=0, le=120)
    es_startup_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # How requests reach a node: "lean" (own HTTP/1.1 connections, plain http only; its gain is in
    # docs/benchmarks.md) or "aiohttp" (elastic-transport's node). TLS always goes through aiohttp.
    es_http_node: Literal["lean", "aiohttp"] = "lean"
    redis_url: str | None = None
    host: str = "0.0.0.0"  # a container must listen beyond loopback
    port: int = Field(default=3000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    # A request's head must arrive within this of the connection opening (or of its first byte),
    # and its body within the second of the head; past either, 408 and the connection closes; a
    # head past the size, 431 (graph/compat/uvicorn.py: uvicorn bounds neither, so slow or
    # bloated heads could hold connections and memory).
    request_head_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    request_body_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    request_head_max_bytes: int = Field(default=64 * 1024, ge=4096, le=2**20)
    log_level: LogLevel = "INFO"
    cache_ttl_seconds: int = Field(default=30, ge=1, le=86400)
    # Decoded aggregations each worker holds until their Redis entries expire; 0 holds none.
    aggregation_cache_max_bytes: int = Field(default=4 * 2**20, ge=0, le=2**30)
    # Serialized answers of every read, keyed by the generation (graph/gql/answers.py).
    answer_cache: bool = True
    answer_cache_ttl_seconds: int = Field(default=30, ge=1, le=86400)
    # L1, per worker process; the L2 copy in Redis is shared by replicas.
    answer_cache_max_bytes: int = Field(default=8 * 2**20, ge=2**20, le=2**30)
    # "only": nothing but the manifest's documents runs (production); "off": any document, APQ included.
    trusted_documents: TrustedDocuments = "off"
    trusted_documents_manifest: str | None = None
    # How often each process asks which generation the alias points at: after a release or
    # rollback elsewhere, its reads and cache keys follow within this time.
    generation_refresh_seconds: float = Field(default=0.5, gt=0, le=60)
    # Snapshots (`autos-graph data snapshot`): the repository's name, and for the `fs`
    # repository registered on first use, its location under the node's path.repo.
    snapshot_repository: str = Field(default="autos-graph", pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")
    snapshot_location: str = Field(default="autos-graph", min_length=1)
    # The lock every alias-changing `autos-graph data` command holds (datasources/releases/lock.py):
    # the index of lock documents, and the lease a holder renews every quarter of, so a lock left
    # by a process that died expires after it.
    release_lock_index: str = Field(default="autos-graph-locks", pattern=r"^[a-z0-9][a-z0-9._-]{0,199}$")
    release_lock_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    # Parsed, validated and planned documents kept per worker (graph/gql/document_cache.py); 0 keeps none.
    document_cache_max_bytes: int = Field(default=8 * 2**20, ge=0, le=2**32)
    rate_limit_per_minute: int = Field(default=100, ge=0)
    rate_limit_whitelist: Annotated[list[Network], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[Network], NoDecode] = Field(default_factory=list)
    # Browser origins allowed to call the API from another site; empty means no CORS headers.
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Redis keys of the shared rate limiter; distinct deployments sharing one Redis use distinct prefixes.
    rate_limit_key_prefix: str = Field(default="autos-graph:ratelimit", pattern=r"^[A-Za-z0-9:._-]{1,100}$")
    # How often each replica exchanges its rate-limit counts with the others through Redis.
    rate_limit_sync_seconds: float = Field(default=0.2, ge=0.01, le=10)
    # The limiter's own Redis (docs/rate-limit.md): one with `noeviction`, so cache pressure never
    # evicts its counts. Unset, the limiter shares REDIS_URL.
    rate_limit_redis_url: str | None = None
    # A client is a network: the address with its first bits kept (an IPv6 host owns a /64).
    rate_limit_ipv4_prefix: int = Field(default=32, ge=8, le=32)
    rate_limit_ipv6_prefix: int = Field(default=64, ge=16, le=128)
    # Automatic persisted queries (datasources/cache/document_store.py): what Redis holds at most,
    # least recently used out first, and how many new documents one client may register a minute.
    persisted_documents_max_bytes: int = Field(default=16 * 2**20, ge=2**16, le=2**31)
    persisted_documents_max_count: int = Field(default=10_000, ge=1, le=10_000_000)
    persisted_registrations_per_minute: int = Field(default=30, ge=0)
    # Query-cost points per client per minute, restored steadily (graph/http/cost_budget.py); 0 turns it off.
    cost_budget_per_minute: int = Field(default=250_000, ge=0)
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "autos-graph"
    # After SIGTERM, readiness answers 503 this long while requests are still served, so load
    # balancers take the replica out of rotation before it stops accepting (graph/http/draining.py).
    shutdown_delay_seconds: float = Field(default=3.0, ge=0, le=60)
    # Subscriptions one client may hold open on one replica (WebSocket and Server-Sent Events alike);
    # over it, graphql-transport-ws answers an `error` message and SSE a 429 (docs/subscriptions.md).
    subscriptions_per_client: int = Field(default=20, ge=1, le=10000)
    # An SSE comment this often on an idle subscription, so proxies' idle timeouts never fire.
    sse_keepalive_seconds: float = Field(default=15.0, gt=0, le=300)
    access_log: bool = True
    metrics_enabled: bool = True
    # prometheus-client reads this variable itself; it is declared here so a
    # multi-worker /metrics knows to aggregate the workers' files.
    prometheus_multiproc_dir: str | None = None
    graphiql: bool | None = None
    # Serve the schema as an Apollo Federation 2 subgraph (`_service`, `_entities`, FTV1 traces);
    # off, direct clients see exactly schema.graphql (docs/federation.md).
    federation: bool = False
    introspection: bool | None = None
    environment: Environment = "development"
    # The old backend's names (LEGACY_VARIABLES); `_legacy_aliases` folds them into the new ones.
    es_url: str | None = None
    node_env: str | None = None

    @field_validator("elasticsearch_url")
    @classmethod
    def _elasticsearch_url(cls, value: str) -> str:
        return _elasticsearch_urls(value, name="ELASTICSEARCH_URL")

    @field_validator("es_url")
    @classmethod
    def _es_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return _elasticsearch_urls(value, name="ES_URL")

    @field_validator("node_env")
    @classmethod
    def _node_env(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if value.strip() not in _NODE_ENVIRONMENTS:
            raise ValueError(f"NODE_ENV must be one of {', '.join(_NODE_ENVIRONMENTS)}, got {value!r}")
        return value.strip()

    @model_validator(mode="after")
    def _legacy_aliases(self) -> Settings:
        # An old name only fills in a new one that was not set; when both are set they must agree,
        # or the service would silently run against a different cluster than one of them says.
        if self.es_url is not None:
            if "elasticsearch_url" in self.model_fields_set and self.elasticsearch_url != self.es_url:
                raise ValueError(
                    f"ES_URL ({self.es_url!r}) and ELASTICSEARCH_URL ({self.elasticsearch_url!r}) "
                    "disagree; set only ELASTICSEARCH_URL"
                )
            object.__setattr__(self, "elasticsearch_url", self.es_url)
        if self.node_env is not None:
            environment = _NODE_ENVIRONMENTS[self.node_env]
            if "environment" in self.model_fields_set and self.environment != environment:
                raise ValueError(
                    f"NODE_ENV ({self.node_env!r}) and ENVIRONMENT ({self.environment!r}) "
                    "disagree; set only ENVIRONMENT"
                )
            object.__setattr__(self, "environment", environment)
        return self

    @field_validator("redis_url", "rate_limit_redis_url")
    @classmethod
    def _redis_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or value == "":
            return None
        return _check_url(value, schemes=("redis", "rediss"), name=str(info.field_name).upper())

    @field_validator("otel_exporter_otlp_endpoint")
    @classmethod
    def _otlp_endpoint(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return _check_url(value, schemes=("http", "https"), name="OTEL_EXPORTER_OTLP_ENDPOINT")

    @field_validator("prometheus_multiproc_dir")
    @classmethod
    def _multiproc_dir(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("es_index")
    @classmethod
    def _es_index(cls, value: str) -> str:
        if not _INDEX_NAME.match(value):
            raise ValueError(f"ES_INDEX must be a lowercase Elasticsearch index name, got {value!r}")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> list[str]:
        items = value if isinstance(value, list) else str(value).split(",")
        origins = [str(item).strip().rstrip("/") for item in items if str(item).strip()]
        for origin in origins:
            if origin != "*":
                _check_url(origin, schemes=("http", "https"), name="CORS_ALLOW_ORIGINS")
        return origins

    @field_validator("rate_limit_whitelist", "trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> list[Network]:
        return _parse_networks(value)

    @field_validator("trusted_documents", mode="before")
    @classmethod
    def _trusted_documents(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("trusted_documents_manifest")
    @classmethod
    def _manifest(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _trusted_needs_manifest(self) -> Settings:
        if self.trusted_documents == "only" and self.trusted_documents_manifest is None:
            raise ValueError(
                "TRUSTED_DOCUMENTS=only needs TRUSTED_DOCUMENTS_MANIFEST, "
                "the path of the documents' JSON manifest"
            )
        return self

    @model_validator(mode="after")
    def _federation_runs_gateway_documents(self) -> Settings:
        # A gateway writes its own operations for each query plan: no manifest can list them.
        if self.federation and self.trusted_documents == "only":
            raise ValueError(
                "FEDERATION=true needs TRUSTED_DOCUMENTS=off: the gateway's query-plan operations "
                "are in no manifest (docs/federation.md)"
            )
        return self

    @model_validator(mode="after")
    def _graphiql_default(self) -> Settings:
        # GraphiQL is on by default everywhere but production.
        if self.graphiql is None:
            object.__setattr__(self, "graphiql", self.environment != "production")
        # Introspection too; GraphiQL needs it, so turning GraphiQL on turns it on.
        if self.introspection is None:
            object.__setattr__(self, "introspection", self.environment != "production" or self.graphiql)
        return self

    @property
    def legacy_variables_used(self) -> list[str]:
        """The old backend's variable names this configuration was read from."""
        return [
            old for old, value in (("ES_URL", self.es_url), ("NODE_ENV", self.node_env)) if value is not None
        ]

    def legacy_warning(self) -> str | None:
        """The start-up warning for old variable names, naming the new ones; None when none is used."""
        used = self.legacy_variables_used
        if not used:
            return None
        renames = ", ".join(f"{old} as {LEGACY_VARIABLES[old]}" for old in used)
        return f"read the old backend's {renames}; rename to {', '.join(LEGACY_VARIABLES[o] for o in used)}"

    @property
    def limiter_redis_url(self) -> str | None:
        """Where the rate limiter and the registration budget count: their own Redis, or the cache's."""
        return self.rate_limit_redis_url or self.redis_url

    @property
    def introspection_enabled(self) -> bool:
        return bool(self.introspection)

    @property
    def graphiql_enabled(self) -> bool:
        return bool(self.graphiql)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def load_settings(**overrides: object) -> Settings:
    """Read and validate the environment, or raise SettingsError with one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            variable = "_".join(str(part) for part in item["loc"][:1]).upper()
            message = str(item["msg"]).removeprefix("Value error, ")
            # A check across variables (no location) names the variables in its message.
            problems.append(f"{variable}: {message}" if variable else message)
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None
