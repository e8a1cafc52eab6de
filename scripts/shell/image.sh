#!/usr/bin/env bash
# The API image, built from the Dockerfile with whatever builds images on this machine.
#
#   scripts/shell/image.sh build     build $(image.sh name): docker where a Docker engine answers,
#                                    else buildah (installed with apt-get when missing, as root)
#   scripts/shell/image.sh name      the image reference: localhost/autos-backend:<pyproject version>
#   scripts/shell/image.sh base      only the base images the build would use (runtime, build)
#   scripts/shell/image.sh tools     install buildah and mmdebstrap when missing (as root)
#
# The base image is the Dockerfile's BASE_IMAGE build argument. IMAGE_BASE picks it; unset,
# it is the official Python slim image where it can be had (a Docker engine, or a registry
# that buildah reaches), and otherwise two bases made here from Debian's packages with
# mmdebstrap (the runtime's and the build stage's): Debian's own python3, from the host's
# Debian release and apt sources. They are made once, kept as tarballs under the cache
# directory (as scripts/shell/services.sh keeps Elasticsearch) and imported into buildah's
# storage, so later builds reuse them.
# IMAGE_BUILDER=buildah|docker forces a builder.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
IMAGE_REPOSITORY="${IMAGE_REPOSITORY:-localhost/autos-backend}"
OFFICIAL_BASE="python:3.11-slim"
# What the Debian bases hold. The runtime's: the interpreter and useradd. The build stage's:
# the same interpreter, venv to make the virtualenv and binutils to strip its extension modules.
DEBIAN_RUNTIME_PACKAGES="python3,passwd"
DEBIAN_BUILD_PACKAGES="python3,python3-venv,binutils"
if [ "$(id -u)" = 0 ]; then
  CACHE_DIR="${AUTOS_GRAPH_CACHE:-/var/cache/autos-graph}"
else
  CACHE_DIR="${AUTOS_GRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/autos-graph}"
fi

say() { printf '[image] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

version() { sed -n 's/^version = "\(.*\)"$/\1/p' "$root/pyproject.toml" | head -n 1; }
image_name() { printf '%s:%s\n' "$IMAGE_REPOSITORY" "$(version)"; }

docker_engine() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

builder() {
  if [ -n "${IMAGE_BUILDER:-}" ]; then echo "$IMAGE_BUILDER"; return; fi
  if docker_engine; then echo docker; else echo buildah; fi
}

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing $*: run as root, or apt-get install $*"
  fi
  say "installing Debian's $*"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get could not install $*"
}

ensure_tools() {
  local missing=()
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# The host's Debian release and apt sources: mmdebstrap takes a sources file as a mirror.
debian_suite() { sed -n 's/^VERSION_CODENAME=//p' /etc/os-release; }
apt_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$file" ] && grep -qE '^(deb |URIs:)' "$file" && printf '%s\n' "$file"
  done
  return 0
}

# Everything that decides the Debian bases' content, hashed: a change makes new bases.
debian_base_key() {
  { debian_suite; echo "$DEBIAN_RUNTIME_PACKAGES $DEBIAN_BUILD_PACKAGES"; declare -f make_debian_base; } \
    | sha256sum | cut -c1-12
}

make_debian_base() {
  local tarball="$1" packages="$2" suite sources=()
  suite="$(debian_suite)"
  [ -n "$suite" ] || die "no VERSION_CODENAME in /etc/os-release: set IMAGE_BASE to a Python base image"
  mapfile -t sources < <(apt_sources)
  [ ${#sources[@]} -gt 0 ] || die "no apt sources found under /etc/apt"
  # essential: no apt, no package manager at all in the image. Documentation, manuals and
  # translations are never unpacked; the apt lists mmdebstrap used are dropped, and so is the
  # standard library's own test package (regrtest and its support), as the official image does.
  # The merged-usr hook satisfies init-system-helpers with usr-is-merged: its other choice,
  # usrmerge, would bring perl (45 MB).
  mmdebstrap --quiet --format=tar --variant=essential --include="$packages" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log' \
    --customize-hook='rm -rf "$1"/usr/lib/python3*/test' \
    --skip=output/dev \
    "$suite" "$tarball" "${sources[@]}"
}

# A Debian base (runtime or build) in buildah's storage, made or imported when missing;
# prints its name.
debian_base() {
  local kind="$1" packages="$2" key name tarball ctr started
  key="$(debian_base_key)"
  name="localhost/autos-graph-$kind:$(debian_suite)-$key"
  if buildah inspect --type image "$name" >/dev/null 2>&1; then echo "$name"; return; fi
  tarball="$CACHE_DIR/image/$kind-$(debian_suite)-$key.tar"
  if [ ! -s "$tarball" ]; then
    command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
    mkdir -p "$(dirname "$tarball")"
    say "making the Debian $kind base with mmdebstrap ($packages, $(debian_suite))"
    started=$SECONDS
    make_debian_base "$tarball.partial" "$packages" >"$tarball.log" 2>&1 \
      || { tail -n 30 "$tarball.log" >&2; rm -f "$tarball.partial"; die "mmdebstrap failed (log: $tarball.log)"; }
    mv "$tarball.partial" "$tarball"
    say "Debian $kind base made in $((SECONDS - started)) s: $tarball ($(du -h "$tarball" | cut -f1))"
  fi
  started=$SECONDS
  ctr="$(buildah from scratch)"
  buildah add --quiet "$ctr" "$tarball" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd python3 "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  say "Debian $kind base imported as $name in $((SECONDS - started)) s"
  echo "$name"
}

# The bases the build uses, made or fetched when needed: two lines, the runtime stage's then
# the build stage's (IMAGE_BASE names one image for both).
base_images() {
  if [ -n "${IMAGE_BASE:-}" ]; then printf '%s\n%s\n' "$IMAGE_BASE" "$IMAGE_BASE"; return; fi
  if [ "$(builder)" = docker ] || buildah inspect --type image "$OFFICIAL_BASE" >/dev/null 2>&1 \
    || timeout 120 buildah pull --quiet "$OFFICIAL_BASE" >/dev/null 2>&1; then
    printf '%s\n%s\n' "$OFFICIAL_BASE" "$OFFICIAL_BASE"
    return
  fi
  say "no image registry answers for $OFFICIAL_BASE: using bases made from Debian's packages"
  debian_base base "$DEBIAN_RUNTIME_PACKAGES"
  debian_base build "$DEBIAN_BUILD_PACKAGES"
}

# pip in the build stage must trust what the host trusts (a proxy's own CA, say): the host's
# bundle is lent to that one RUN as a build secret, never copied into a layer.
ca_secret() {
  local bundle
  for bundle in "${PIP_CERT:-}" /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
    if [ -n "$bundle" ] && [ -s "$bundle" ]; then printf -- '--secret=id=ca,src=%s\n' "$bundle"; return; fi
  done
}

build() {
  local tool name bases=() started args=()
  tool="$(builder)"
  name="$(image_name)"
  case "$tool" in
    buildah) command -v buildah >/dev/null 2>&1 || apt_install buildah ;;
    docker) docker_engine || die "IMAGE_BUILDER=docker but no Docker engine answers" ;;
    *) die "IMAGE_BUILDER must be buildah or docker, not $tool" ;;
  esac
  mapfile -t bases < <(base_images)
  [ ${#bases[@]} -eq 2 ] || die "no base image"
  args=(--build-arg "BASE_IMAGE=${bases[0]}" --build-arg "BUILD_IMAGE=${bases[1]}"
    --build-arg "VERSION=$(version)" --tag "$name")
  mapfile -t -O ${#args[@]} args < <(ca_secret)
  say "building $name with $tool on ${bases[0]}"
  started=$SECONDS
  if [ "$tool" = buildah ]; then
    # chroot isolation: no daemon and no OCI runtime needed; --layers keeps the dependency layer.
    # Docker's format keeps the HEALTHCHECK, which OCI's has no field for.
    buildah build --quiet --isolation chroot --layers --format docker "${args[@]}" "$root" >/dev/null
  else
    DOCKER_BUILDKIT=1 docker build --quiet "${args[@]}" "$root" >/dev/null
  fi
  say "built $name in $((SECONDS - started)) s"
}

main() {
  case "${1:-build}" in
    build) build ;;
    name) image_name ;;
    base) base_images ;;
    tools) ensure_tools ;;
    *) die "usage: $0 build|name|base|tools" ;;
  esac
}

main "$@"
