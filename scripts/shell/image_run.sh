#!/usr/bin/env bash
# Run a built image as the Kubernetes deployment runs it, without a container engine:
#
#   scripts/shell/image_run.sh [--pidfile FILE] [--env NAME=VALUE]... [--volume HOST:PATH]... \
#       IMAGE [COMMAND ARG...]
#
# The image's own user, environment, working directory and command (COMMAND replaces the
# command), a read-only root filesystem with a tmpfs on /tmp (the deployment's emptyDir), a
# minimal /dev, and the host's network, so 127.0.0.1 is the host's Elasticsearch and Redis.
# --volume mounts a host directory read-only; PATH must exist in the image or lie under /tmp.
#
# Only buildah's storage is read: the image is mounted with `buildah mount` and the command
# runs in a private mount namespace, chrooted, under the image's user. Every process of the
# container is this script's child; SIGTERM and SIGINT are passed on to it, and the script
# exits with its exit code. --pidfile receives the container process's pid once it is started.
# Needs root (mounts) and buildah.
set -euo pipefail

say() { printf '[image-run] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 125; }

pidfile=""
extra_env=()
volumes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --pidfile) pidfile="$2"; shift 2 ;;
    --env) extra_env+=("$2"); shift 2 ;;
    --volume) volumes+=("$2"); shift 2 ;;
    --) shift; break ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || die "usage: $0 [--pidfile FILE] [--env NAME=VALUE]... [--volume HOST:PATH]... IMAGE [COMMAND ARG...]"
image="$1"; shift
[ "$(id -u)" = 0 ] || die "mounting an image needs root"
command -v buildah >/dev/null 2>&1 || die "buildah is missing: apt-get install buildah"

# The image's configuration (OCI): user, working directory, environment, entrypoint and command.
config="$(buildah inspect --type image "$image")" \
  || die "no image $image in buildah's storage (make image builds it)"
read_config() { python3 -c 'import json, sys; c = json.loads(sys.argv[1])["OCIv1"]["config"]; exec(sys.argv[2])' "$config" "$1"; }
user="$(read_config 'print(c.get("User") or "0:0")')"
workdir="$(read_config 'print(c.get("WorkingDir") or "/")')"
mapfile -t image_env < <(read_config 'for x in c.get("Env") or []: print(x)')
if [ $# -gt 0 ]; then
  mapfile -t argv < <(read_config 'for x in c.get("Entrypoint") or []: print(x)')
  argv+=("$@")
else
  mapfile -t argv < <(read_config 'for x in (c.get("Entrypoint") or []) + (c.get("Cmd") or []): print(x)')
fi
case "$user" in
  *:*) ;;
  *) user="$user:$user" ;;
esac
[[ "$user" =~ ^[0-9]+:[0-9]+$ ]] || die "the image's user '$user' is not numeric uid:gid"

container="$(buildah from --pull-never --quiet "$image")"
cleanup() { buildah rm "$container" >/dev/null 2>&1 || true; }
trap cleanup EXIT
rootfs="$(buildah mount "$container")"

# In the private mount namespace: the image read-only on a new mount point, then /proc, /dev
# and /tmp on top, the host's name resolution, the volumes, and chroot as the image's user.
setup='
set -euo pipefail
rootfs="$1" user="$2" workdir="$3" nvol="$4"; shift 4
# Bound onto itself: the namespace is private, so the host never sees these mounts.
top="$rootfs"
mount --bind "$rootfs" "$top"
mount -o remount,bind,ro "$top"
mount -t proc proc "$top/proc"
mount -t tmpfs -o mode=755,nosuid,size=4m tmpfs "$top/dev"
for node in null zero full random urandom tty; do
  touch "$top/dev/$node" && mount --bind "/dev/$node" "$top/dev/$node"
done
mkdir -p "$top/dev/shm" && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$top/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m tmpfs "$top/tmp"
for file in /etc/resolv.conf /etc/hosts; do
  [ -e "$top$file" ] && mount --bind -o ro "$file" "$top$file"
done
while [ "$nvol" -gt 0 ]; do
  src="${1%%:*}" dest="${1#*:}"; shift; nvol=$((nvol - 1))
  mkdir -p "$top$dest" && mount --bind "$src" "$top$dest" && mount -o remount,bind,ro "$top$dest"
done
exec chroot --userspec="$user" --groups="${user#*:}" "$top" /usr/bin/env -i -C "$workdir" "$@"
'
unshare --mount --propagation private -- bash -c "$setup" image-run \
  "$rootfs" "$user" "$workdir" "${#volumes[@]}" "${volumes[@]}" "${image_env[@]}" "${extra_env[@]}" "${argv[@]}" &
child=$!
[ -z "$pidfile" ] || echo "$child" >"$pidfile"
forward() { kill -s "$1" "$child" 2>/dev/null || true; }
trap 'forward TERM' TERM
trap 'forward INT' INT
status=0
# `wait` returns early when a trapped signal arrives: wait again until the child has exited.
while true; do
  wait "$child" && status=0 || status=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$status"
