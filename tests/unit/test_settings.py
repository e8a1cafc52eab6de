from __future__ import annotations

import ipaddress

import pytest

from graph.settings import SettingsError, load_settings

DESIGN_VARIABLES = (
    "ELASTICSEARCH_URL",
    "ES_INDEX",
    "REDIS_URL",
    "PORT",
    "LOG_LEVEL",
    "CACHE_TTL_SECONDS",
    "RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_WHITELIST",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "GRAPHIQL",
    "ENVIRONMENT",
)


def test_defaults_follow_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in DESIGN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    settings = load_settings()
    assert settings.elasticsearch_url == "http://127.0.0.1:9200"
    assert settings.es_index == "autos-unified"
    assert settings.redis_url is None
    assert settings.port == 3000
    assert settings.cache_ttl_seconds == 30
    assert settings.document_cache_max_bytes == 8 * 2**20
    assert settings.rate_limit_per_minute == 100
    assert settings.otel_exporter_otlp_endpoint is None
    assert settings.graphiql_enabled is True


def test_the_lean_elasticsearch_node_is_the_default_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ES_HTTP_NODE", raising=False)
    assert load_settings().es_http_node == "lean"
    monkeypatch.setenv("ES_HTTP_NODE", "aiohttp")
    assert load_settings().es_http_node == "aiohttp"


def test_graphiql_is_off_by_default_in_production_only() -> None:
    assert load_settings(environment="production").graphiql_enabled is False
    assert load_settings(environment="development").graphiql_enabled is True
    assert load_settings(environment="production", graphiql=True).graphiql_enabled is True


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"elasticsearch_url": "not a url"}, "ELASTICSEARCH_URL"),
        ({"elasticsearch_url": "ftp://example:9200"}, "ELASTICSEARCH_URL"),
        ({"elasticsearch_url": "http://localhost:99999"}, "ELASTICSEARCH_URL"),
        ({"redis_url": "http://localhost:6379"}, "REDIS_URL"),
        ({"port": 0}, "PORT"),
        ({"port": 70000}, "PORT"),
        ({"port": "abc"}, "PORT"),
        ({"es_index": "Autos*"}, "ES_INDEX"),
        ({"cache_ttl_seconds": 0}, "CACHE_TTL_SECONDS"),
        ({"document_cache_max_bytes": -1}, "DOCUMENT_CACHE_MAX_BYTES"),
        ({"environment": "prod"}, "ENVIRONMENT"),
        ({"es_http_node": "httpx"}, "ES_HTTP_NODE"),
        ({"rate_limit_whitelist": "10.0.0.0/8,not-an-ip"}, "RATE_LIMIT_WHITELIST"),
        ({"rate_limit_redis_url": "http://localhost:6380"}, "RATE_LIMIT_REDIS_URL"),
        ({"rate_limit_ipv6_prefix": 129}, "RATE_LIMIT_IPV6_PREFIX"),
        ({"rate_limit_ipv4_prefix": 33}, "RATE_LIMIT_IPV4_PREFIX"),
        ({"persisted_documents_max_bytes": 1024}, "PERSISTED_DOCUMENTS_MAX_BYTES"),
        ({"persisted_registrations_per_minute": -1}, "PERSISTED_REGISTRATIONS_PER_MINUTE"),
    ],
)
def test_bad_values_are_refused_with_one_clear_line(overrides: dict[str, object], variable: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(**overrides)
    message = str(raised.value)
    assert message.startswith("invalid configuration: ")
    assert variable in message
    assert "\n" not in message


def test_the_limiter_counts_in_its_own_redis_or_else_the_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATE_LIMIT_REDIS_URL", raising=False)
    shared = load_settings(redis_url="redis://cache:6379/0")
    assert shared.limiter_redis_url == "redis://cache:6379/0"
    own = load_settings(redis_url="redis://cache:6379/0", rate_limit_redis_url="redis://limits:6379/0")
    assert own.limiter_redis_url == "redis://limits:6379/0"
    assert load_settings().limiter_redis_url is None


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "4100")
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("RATE_LIMIT_WHITELIST", "10.0.0.0/8, 192.168.1.7")
    settings = load_settings()
    assert settings.port == 4100
    assert settings.redis_url is None
    assert settings.log_level == "DEBUG"
    assert settings.rate_limit_whitelist == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.7/32"),
    ]


def test_bad_environment_variable_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(SettingsError, match="PORT"):
        load_settings()


def test_introspection_follows_graphiql_and_environment() -> None:
    assert load_settings(environment="production").introspection_enabled is False
    assert load_settings(environment="production", graphiql=True).introspection_enabled is True
    assert load_settings(environment="production", introspection=True).introspection_enabled is True
    assert load_settings(environment="development").introspection_enabled is True


def test_elasticsearch_url_may_list_several_nodes() -> None:
    settings = load_settings(
        elasticsearch_url=" http://127.0.0.1:9201/, http://127.0.0.1:9202 ,http://es3:9200"
    )
    assert settings.elasticsearch_url == "http://127.0.0.1:9201,http://127.0.0.1:9202,http://es3:9200"


@pytest.mark.parametrize(
    "value", ["http://127.0.0.1:9201,", "http://a:9200,,http://b:9200", "http://a:9200,b"]
)
def test_each_listed_elasticsearch_url_is_checked(value: str) -> None:
    with pytest.raises(SettingsError, match="ELASTICSEARCH_URL"):
        load_settings(elasticsearch_url=value)


def _without_new_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("ELASTICSEARCH_URL", "ENVIRONMENT", "ES_URL", "NODE_ENV"):
        monkeypatch.delenv(variable, raising=False)


def test_the_old_backends_es_url_is_read_as_elasticsearch_url(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_new_names(monkeypatch)
    monkeypatch.setenv("ES_URL", "http://es.old.internal:9200/")
    settings = load_settings()
    assert settings.elasticsearch_url == "http://es.old.internal:9200"
    assert settings.legacy_variables_used == ["ES_URL"]
    warning = settings.legacy_warning()
    assert warning is not None
    assert "ES_URL" in warning
    assert "ELASTICSEARCH_URL" in warning


@pytest.mark.parametrize("value", ["production", "development", "test"])
def test_the_old_backends_node_env_values_map_onto_environment(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    _without_new_names(monkeypatch)
    monkeypatch.setenv("NODE_ENV", value)
    settings = load_settings()
    assert settings.environment == value
    # Derived defaults follow the mapped environment: no GraphiQL in production.
    assert settings.graphiql_enabled is (value != "production")
    warning = settings.legacy_warning()
    assert warning is not None
    assert "ENVIRONMENT" in warning


def test_no_warning_without_old_names(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_new_names(monkeypatch)
    assert load_settings().legacy_warning() is None


def test_old_and_new_names_that_agree_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_new_names(monkeypatch)
    monkeypatch.setenv("ES_URL", "http://es:9200/")
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://es:9200")
    monkeypatch.setenv("NODE_ENV", "production")
    monkeypatch.setenv("ENVIRONMENT", "production")
    settings = load_settings()
    assert settings.elasticsearch_url == "http://es:9200"
    assert settings.environment == "production"
    assert settings.legacy_variables_used == ["ES_URL", "NODE_ENV"]


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        (
            {"ES_URL": "http://old:9200", "ELASTICSEARCH_URL": "http://new:9200"},
            ("ES_URL", "ELASTICSEARCH_URL"),
        ),
        ({"NODE_ENV": "production", "ENVIRONMENT": "staging"}, ("NODE_ENV", "ENVIRONMENT")),
    ],
)
def test_old_and_new_names_that_disagree_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], named: tuple[str, str]
) -> None:
    _without_new_names(monkeypatch)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert all(name in message for name in named)
    assert "disagree" in message
    assert "\n" not in message


@pytest.mark.parametrize(("variable", "value"), [("NODE_ENV", "prod"), ("ES_URL", "es:9200")])
def test_bad_old_values_name_the_old_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    _without_new_names(monkeypatch)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()
