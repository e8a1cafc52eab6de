# The API image. Build it with `make image` (scripts/shell/image.sh: docker where a Docker engine
# answers, buildah elsewhere), or by hand: `docker build -t localhost/autos-backend:0.1.0 .`
#
# BASE_IMAGE (the runtime stage's) and BUILD_IMAGE (the build stage's) are Debian-like images
# with the same `python3`, 3.11 or newer, and useradd; the build one also has `python3 -m venv`.
# Both are the official Python slim image by default; where no image registry is reachable,
# `make image` makes both from Debian's packages (docs/image.md).
# Two stages: the build stage installs the pinned runtime dependencies into a virtualenv;
# the runtime stage copies only that virtualenv, without pip, so no compiler, installer or
# pip cache ships, and the image's Python packages are exactly the runtime lines of constraints.txt.
ARG BASE_IMAGE=python:3.11-slim
ARG BUILD_IMAGE=python:3.11-slim

FROM ${BUILD_IMAGE} AS build
# strip(1), for the extension modules' debug symbols (more than half their size).
RUN command -v strip >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*; }
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PIP_NO_COMPILE=1
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# The runtime dependencies first, as wheels only (no compiler needed), so that a code change
# reuses this layer. The `ca` secret, when given, is the CA bundle pip must trust on the
# build machine's network; it is mounted for the one command and never stored in a layer.
COPY pyproject.toml constraints.txt ./
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' >runtime.txt \
    && pip install --only-binary=:all: -c constraints.txt -r runtime.txt
COPY README.md ./
COPY graph ./graph
COPY resolvers ./resolvers
COPY loaders ./loaders
COPY datasources ./datasources
# The project itself; then out go the installers, the packages' own test suites and the
# extension modules' debug symbols.
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && pip install --no-deps . \
    && pip uninstall --yes --quiet setuptools pip \
    && find /opt/venv -depth -type d \( -name tests -o -name test -o -name __pycache__ \) -exec rm -rf {} + \
    && find /opt/venv -type f \( -name 'test_*.py' -o -name '*_test.py' -o -name '*.pyi' \) -delete \
    && find /opt/venv -name '*.so' -exec strip --strip-unneeded {} +
# Bytecode, since the root filesystem is read-only at run time: for all of the project, and for
# what of its dependencies the service imports to start, written by importing it as `serve`
# does. The rest (the synchronous Elasticsearch client, ...) is compiled in memory if ever
# imported: bytecode for all of it would add a sixth to the image.
RUN ELASTICSEARCH_URL=http://127.0.0.1:9 python -c 'import graph.cli.main, uvicorn.loops.uvloop, uvicorn.lifespan.on; from graph.asgi import app_factory; app_factory()' \
    && cd /opt/venv/lib/python3*/site-packages && python -m compileall -q graph resolvers loaders datasources

FROM ${BASE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="autos-backend" \
      org.opencontainers.image.description="GraphQL API over the autos-unified Elasticsearch index" \
      org.opencontainers.image.version="${VERSION}"
RUN groupadd --gid 10001 autos \
    && useradd --uid 10001 --gid autos --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin autos
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    ENVIRONMENT=production
USER 10001:10001
EXPOSE 3000
# SIGTERM: readiness turns 503 for SHUTDOWN_DELAY_SECONDS, then uvicorn drains the requests in
# flight (20 s bound) and the process exits 0, inside Kubernetes' 30 s grace period.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '3000'), timeout=2)"
CMD ["autos-graph", "serve"]
