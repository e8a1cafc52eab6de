"""`autos-graph serve` as k8s/configmap.yaml deploys it, for tests that judge the deployment.

The configmap's values are passed as they are, but for where Elasticsearch,
Redis and the index are and the port (ServedProcess sets those), and whatever
a test overrides and says why.
"""

from __future__ import annotations

from scripts.bench.deployment import configmap_values

# ServedProcess points these at the local services, the test's index and a free port; left unset,
# the limiter's Redis is REDIS_URL's (one local Redis stands for both of the deployment's).
_LOCAL = ("ELASTICSEARCH_URL", "REDIS_URL", "RATE_LIMIT_REDIS_URL", "ES_INDEX", "PORT", "HOST")
# ServedProcess turns the access log off for other suites; the deployment keeps the default (on).
UNSET = ("ACCESS_LOG",)


def deployed_environment(**overrides: str) -> dict[str, str]:
    values = {name: value for name, value in configmap_values().items() if name not in _LOCAL}
    values.update(overrides)
    return values
