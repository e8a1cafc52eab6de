# The API image: `docker build -t localhost/autos-backend:0.1.0 .`
# Two stages: the build stage installs the pinned dependencies into a virtualenv;
# the runtime stage copies only that virtualenv, so no compiler or pip cache ships.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
COPY graph ./graph
COPY resolvers ./resolvers
COPY loaders ./loaders
COPY datasources ./datasources
RUN pip install -c constraints.txt . \
    && python -m compileall -q /opt/venv

FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 autos \
    && useradd --system --uid 10001 --gid autos --no-create-home --shell /usr/sbin/nologin autos
COPY --from=build /opt/venv /opt/venv
# Bytecode was compiled at build time: the root filesystem can be read-only.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    ENVIRONMENT=production
USER 10001:10001
EXPOSE 3000
# uvicorn drains in-flight requests on SIGTERM (20 s bound), then exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '3000'), timeout=2)"
CMD ["autos-graph", "serve"]
