"""The image `make image` builds, run as Kubernetes runs it: what the manifests deploy is what ran here.

The image is built with buildah (no Docker engine is needed) and its default command runs
against the suite's Elasticsearch and Redis on the host's network, with the image's user and
a read-only root filesystem (scripts/shell/image_run.sh). The build reuses buildah's layers
and the cached Debian bases, so a second run costs the project's own layer only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from importlib.metadata import distribution
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ES_URL, REDIS_URL, TEST_INDEX
from tests.integration.conftest import ensure_dataset
from tests.support.image import (
    ROOT,
    Container,
    build_image,
    image_name,
    image_size_bytes,
    inspect_image,
    mounted_image,
    run_in_image,
)
from tests.support.server import free_port

pytestmark = pytest.mark.timeout(900)  # the first build on a machine makes the Debian bases

IMAGE_INDEX = f"{TEST_INDEX}-image"
# A Redis database of its own: the image's cache keys never meet the rest of the suite's.
IMAGE_REDIS_URL = urlsplit(REDIS_URL)._replace(path="/7").geturl()
SIZE_TARGET_BYTES = 200_000_000
# The 5 s target is measured and reported (docs/image.md); a test under the suite's own load
# holds it only to 5x, so it never races the clock.
READY_BOUND_SECONDS = 25.0
QUERY = b'{"query": "query Drain { __typename }"}'


@pytest.fixture(scope="module")
def image() -> str:
    seconds = build_image()
    print(f"[image] built in {seconds:.1f} s")
    return image_name()


@pytest.fixture(scope="module")
async def image_index() -> str:
    return await ensure_dataset(alias=IMAGE_INDEX, kind="sample")


@pytest.fixture
def container(image: str, image_index: str, tmp_path: Path) -> Iterator[Container]:
    # Only what a deployment's config map would set; PORT is the container's own free port.
    running = Container(
        image=image,
        env={"ELASTICSEARCH_URL": ES_URL, "REDIS_URL": IMAGE_REDIS_URL, "ES_INDEX": image_index},
        port=free_port(),
        log_path=tmp_path / "container.log",
    )
    try:
        yield running
    finally:
        running.kill()


def deployment_container() -> tuple[dict[str, object], dict[str, object]]:
    """The API deployment's pod spec and its container, from k8s/deployment.yaml."""
    deployment = yaml.safe_load((ROOT / "k8s" / "deployment.yaml").read_text())
    pod: dict[str, object] = deployment["spec"]["template"]["spec"]
    [api] = [c for c in pod["containers"] if c["name"] == "api"]  # type: ignore[attr-defined]
    return pod, api


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {name: value.strip() for name, _, value in (line.partition(":") for line in lines)}


def mount_options(pid: int) -> dict[str, set[str]]:
    """Mount point → options, as the process sees its own filesystem."""
    mounts: dict[str, set[str]] = {}
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        fields = line.split()
        mounts[fields[4]] = set(fields[5].split(","))
    return mounts


def test_the_image_is_named_by_the_project_version_and_within_the_size_target(image: str) -> None:
    version = (ROOT / "pyproject.toml").read_text().split('version = "', 1)[1].split('"', 1)[0]
    assert image == f"localhost/autos-backend:{version}"
    config = inspect_image(image)["OCIv1"]["config"]  # type: ignore[index]
    assert config["Labels"]["org.opencontainers.image.version"] == version
    assert config["Cmd"] == ["autos-graph", "serve"]
    size = image_size_bytes(image)
    print(f"[image] {image}: {size / 1e6:.0f} MB uncompressed")
    assert size <= SIZE_TARGET_BYTES


def test_the_default_command_serves_graphql_rest_and_probes_as_deployed(container: Container) -> None:
    took = container.start()
    print(f"[image] start to ready: {took:.2f} s")
    with httpx.Client(base_url=container.base_url, timeout=10) as client:
        ready = client.get("/health/ready")
        graphql = client.post(
            "/graphql",
            json={"query": "{ vehicles(first: 2) { totalCount nodes { manufacturer model year } } }"},
        )
        rest = client.get("/api/v1/manufacturer-model-combinations", params={"page": 1, "size": 3})
    assert ready.status_code == 200
    assert ready.json()["elasticsearch"]["status"] == "up"
    assert ready.json()["cache"]["status"] == "up"  # Redis, db 7
    assert graphql.status_code == 200
    vehicles = graphql.json()["data"]["vehicles"]
    assert vehicles["totalCount"] == 1000
    assert len(vehicles["nodes"]) == 2
    assert rest.status_code == 200
    assert rest.headers["x-api-version"] == "v1"
    assert rest.json()["size"] == 3
    assert len(rest.json()["data"]) == 3
    # The process, as the kernel sees it: the deployment's user, not root.
    status = proc_status(container.pid)
    assert status["Name"] == "autos-graph"
    pod, _ = deployment_container()
    uid = pod["securityContext"]["runAsUser"]  # type: ignore[index]
    assert status["Uid"].split() == [str(uid)] * 4
    assert status["Gid"].split()[0] == str(pod["securityContext"]["runAsGroup"])  # type: ignore[index]
    # Its root filesystem is read-only; only /tmp (the deployment's emptyDir) is writable.
    mounts = mount_options(container.pid)
    assert "ro" in mounts["/"]
    assert "rw" in mounts["/tmp"]
    assert took <= READY_BOUND_SECONDS


def test_sigterm_drains_the_request_in_flight_and_exits_zero_within_the_grace_period(
    container: Container,
) -> None:
    pod, api = deployment_container()
    # The kubelet runs preStop first, then sends SIGTERM; both share the grace period.
    grace = float(pod["terminationGracePeriodSeconds"])  # type: ignore[arg-type]
    pre_stop = api["lifecycle"]["preStop"]["exec"]["command"]  # type: ignore[index]
    assert pre_stop[0] == "sleep"
    budget = grace - float(pre_stop[1])
    container.start()
    # A request whose body is still arriving is in flight: the server must finish it.
    connection = socket.create_connection(("127.0.0.1", container.port), timeout=30)
    head = (
        "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(QUERY)}\r\n\r\n"
    ).encode()
    connection.sendall(head + QUERY[:10])
    time.sleep(0.3)
    started = time.monotonic()
    os.kill(container.pid, signal.SIGTERM)
    time.sleep(0.3)
    ready_while_draining = httpx.get(f"{container.base_url}/health/ready", timeout=5).status_code
    # Out of rotation first, then the server stops accepting: wait for that.
    refused = False
    while not refused and time.monotonic() - started < budget:
        try:
            socket.create_connection(("127.0.0.1", container.port), timeout=1).close()
            time.sleep(0.1)
        except OSError:
            refused = True
    connection.sendall(QUERY[10:])
    received = b""
    while chunk := connection.recv(65536):  # the server closes once it has answered
        received += chunk
    connection.close()
    code = container.wait(timeout=budget)
    took = time.monotonic() - started
    print(f"[image] SIGTERM to exit: {took:.2f} s (budget {budget:.0f} s)")
    response = received.decode()
    assert ready_while_draining == 503
    assert refused
    assert response.startswith("HTTP/1.1 200"), response
    assert '"__typename":"Query"' in response
    assert code == 0, container.log_text()[-3000:]
    assert took < budget
    assert '"message":"stopped"' in container.log_text()


def test_no_compiler_pip_cache_or_test_file_is_in_the_image(image: str) -> None:
    compilers = {"cc", "gcc", "c++", "g++", "clang", "cpp", "tcc", "ld", "as", "strip", "make", "cc1"}
    found: dict[str, list[str]] = {"compiler": [], "pip cache": [], "test": []}
    with mounted_image(image) as rootfs:
        for directory, subdirectories, files in os.walk(rootfs):
            relative = "/" + os.path.relpath(directory, rootfs)
            for name in subdirectories:
                path = f"{relative}/{name}"
                if name in {"tests", "test"}:
                    found["test"].append(path)
                if (name == "pip" and relative.endswith("/.cache")) or name.startswith("pip-"):
                    found["pip cache"].append(path)
            for name in files:
                path = f"{relative}/{name}"
                if name in compilers or "-gcc" in name or name.startswith("x86_64-linux-gnu-"):
                    found["compiler"].append(path)
                if (
                    (name.startswith("test_") and name.endswith(".py"))
                    or name.endswith("_test.py")
                    or name == "conftest.py"
                ):
                    found["test"].append(path)
        # The project's files: its packages, none of its tests, scripts or manifests.
        site_packages = next((rootfs / "opt" / "venv" / "lib").glob("python3*/site-packages"))
        assert {"graph", "resolvers", "loaders", "datasources"} <= {p.name for p in site_packages.iterdir()}
        assert not list(rootfs.glob("**/autos-graph*/tests"))
    assert found == {"compiler": [], "pip cache": [], "test": []}


def test_pip_check_passes_inside_the_image_and_no_installer_ships(image: str) -> None:
    # The image has no pip: it is lent, read-only, from the suite's own environment.
    pip = Path(str(distribution("pip").locate_file("pip")))
    lent = run_in_image(
        image,
        ["python", "-m", "pip", "check"],
        env={"PYTHONPATH": "/tmp/lent", "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        volumes={str(pip): "/tmp/lent/pip"},
    )
    assert lent.returncode == 0, lent.stdout + lent.stderr
    assert "No broken requirements found." in lent.stdout
    bare = run_in_image(image, ["python", "-c", "import pip"])
    assert bare.returncode == 1
    assert "No module named 'pip'" in bare.stderr


# What the image holds, read by its own interpreter: every distribution with its declared
# requirements, and the marker environment that decides which conditional ones apply (redis
# needs async-timeout before Python 3.11.3, say).
INVENTORY = """
import importlib.metadata, json, os, platform, sys
print(json.dumps({
    "environment": {
        "implementation_name": sys.implementation.name,
        "implementation_version": platform.python_version(),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
    "distributions": {
        d.metadata["Name"]: {"version": d.version, "requires": d.requires or []}
        for d in importlib.metadata.distributions()
    },
}))
"""


def runtime_closure(distributions: dict[str, list[str]], environment: dict[str, str]) -> set[str]:
    """Canonical names of every package `autos-graph` needs to run there (its dev extra aside)."""
    wanted: dict[str, set[str]] = {}
    pending: list[tuple[str, set[str]]] = [("autos-graph", set())]
    while pending:
        name, extras = pending.pop()
        for line in distributions.get(name, []):
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is not None and not any(
                marker.evaluate({**environment, "extra": e}) for e in {"", *extras}
            ):
                continue
            key = canonicalize_name(requirement.name)
            if key in wanted and requirement.extras <= wanted[key]:
                continue
            wanted[key] = wanted.get(key, set()) | requirement.extras
            pending.append((key, wanted[key]))
    return set(wanted)


def test_the_image_python_packages_are_exactly_the_runtime_pins_of_constraints(image: str) -> None:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        pins[canonicalize_name(name)] = version.strip()
    listed = run_in_image(image, ["python", "-c", INVENTORY])
    assert listed.returncode == 0, listed.stderr
    inventory = json.loads(listed.stdout)
    distributions = inventory["distributions"]
    installed: dict[str, str] = {canonicalize_name(name): d["version"] for name, d in distributions.items()}
    requires: dict[str, list[str]] = {
        canonicalize_name(name): d["requires"] for name, d in distributions.items()
    }
    needed = runtime_closure(requires, inventory["environment"])
    assert needed <= set(pins), f"runtime packages without a pin in constraints.txt: {needed - set(pins)}"
    assert installed.pop("autos-graph") == image.rsplit(":", 1)[1]
    # Nothing more (no dev tool, no installer), nothing less, each at its pinned version.
    assert installed == {name: pins[name] for name in needed}
