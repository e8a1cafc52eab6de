"""The API image, built by `make image`'s script and run by scripts/shell/image_run.sh.

Both scripts are what a developer runs by hand; the tests drive them as subprocesses so
that what is tested is the image in buildah's storage, run as the deployment runs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
IMAGE_SH = ROOT / "scripts" / "shell" / "image.sh"
IMAGE_RUN_SH = ROOT / "scripts" / "shell" / "image_run.sh"


def image_name() -> str:
    """The reference `make image` builds: the repository and the project's version."""
    return subprocess.run(
        ["bash", str(IMAGE_SH), "name"], check=True, capture_output=True, text=True
    ).stdout.strip()


def build_image() -> float:
    """Build the image with buildah (the builder every machine can install); the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        ["bash", str(IMAGE_SH), "build"], check=True, env={**os.environ, "IMAGE_BUILDER": "buildah"}
    )
    return time.monotonic() - started


def inspect_image(name: str) -> dict[str, object]:
    """buildah's view of the image: `OCIv1.config` is what a runtime reads."""
    result = subprocess.run(
        ["buildah", "inspect", "--type", "image", name], check=True, capture_output=True, text=True
    )
    data: dict[str, object] = json.loads(result.stdout)
    return data


def image_size_bytes(name: str) -> int:
    """The uncompressed size: its layers' sizes in buildah's storage, as `buildah images` adds them."""
    layers = inspect_image(name)["OCIv1"]["rootfs"]["diff_ids"]  # type: ignore[index]
    info = json.loads(subprocess.run(["buildah", "info"], check=True, capture_output=True, text=True).stdout)
    store = info["store"]
    index = Path(store["GraphRoot"]) / f"{store['GraphDriverName']}-layers" / "layers.json"
    sizes = {layer["diff-digest"]: int(layer["diff-size"]) for layer in json.loads(index.read_text())}
    return sum(sizes[digest] for digest in layers)


def run_in_image(
    name: str,
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    volumes: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """A one-off command in a container of the image (read-only root, the image's user)."""
    options: list[str] = []
    for key, value in (env or {}).items():
        options += ["--env", f"{key}={value}"]
    for host, path in (volumes or {}).items():
        options += ["--volume", f"{host}:{path}"]
    return subprocess.run(
        ["bash", str(IMAGE_RUN_SH), *options, name, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Container:
    """The image's default command in a container, on the host's network."""

    def __init__(self, *, image: str, env: Mapping[str, str], port: int, log_path: Path) -> None:
        self.image = image
        self.env = dict(env)
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._pidfile = log_path.with_suffix(".pid")
        self.runner: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start it; the seconds from start to the first 200 of /health/ready."""
        options: list[str] = ["--pidfile", str(self._pidfile)]
        for key, value in {**self.env, "PORT": str(self.port)}.items():
            options += ["--env", f"{key}={value}"]
        self._pidfile.unlink(missing_ok=True)
        with self.log_path.open("a") as log:
            started = time.monotonic()
            self.runner = subprocess.Popen(
                ["bash", str(IMAGE_RUN_SH), *options, self.image], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = started + 60
        while True:
            assert self.runner.poll() is None, f"the container exited:\n{self.log_text()[-3000:]}"
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"not ready after 60 s:\n{self.log_text()[-3000:]}"
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        """The container's process: what `autos-graph serve` runs as, and what SIGTERM reaches."""
        return int(self._pidfile.read_text())

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait(self, *, timeout: float) -> int:
        assert self.runner is not None
        return self.runner.wait(timeout=timeout)

    def kill(self) -> None:
        """Stop it at once; a test's clean-up, not a check."""
        if self.runner is None or self.runner.poll() is not None:
            return
        # The container's process, not the runner: SIGKILL cannot be passed on.
        with contextlib.suppress(OSError, ValueError):
            os.kill(self.pid, signal.SIGKILL)
        try:
            self.runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.runner.kill()
            self.runner.wait()


@contextlib.contextmanager
def mounted_image(name: str) -> Iterator[Path]:
    """The image's root filesystem, read from the host (as root): every file, whoever owns it."""
    container = subprocess.run(
        ["buildah", "from", "--pull-never", "--quiet", name], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        mount = subprocess.run(
            ["buildah", "mount", container], check=True, capture_output=True, text=True
        ).stdout.strip()
        yield Path(mount)
    finally:
        subprocess.run(["buildah", "rm", container], check=False, capture_output=True)
