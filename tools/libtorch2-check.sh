#!/usr/bin/env bash
# Checks the binding against libtorch 2.x: builds the native shim against a Debian release's libtorch
# (CPU) inside a throwaway root filesystem and runs test suites there, with that release's
# python3-torch as the parity reference. Called by `./archnb test --libtorch2`; runnable alone:
#
#   tools/libtorch2-check.sh [--dist trixie|sid] [Suite ...]   (default: trixie, Torch)
#   tools/libtorch2-check.sh [--dist D] --bench                (bench torch there: ours vs its PyTorch)
#
# trixie is Debian 13 (libtorch 2.6); sid is Debian's unstable branch, which carries the newest
# libtorch Debian packages (2.14.1 on 2026-12-07): the newest API is where the shim breaks first.
#
# Needs root (chroot, bind mounts) and the Debian mirror. OpenBLAS is installed as on the host
# (without it libtorch falls back to the reference BLAS, ~30x slower). The root filesystem is kept in
# build/libtorch2-root (ARCHNB_LIBTORCH2_ROOT) so later runs skip the bootstrap.
# The root gets bind mounts of the repository, the .NET SDK and the NuGet cache (and /proc, /sys). They
# are made in a mount namespace of this script's own (unshare), so no other process ever sees them and
# they vanish with the script however it ends, SIGKILL included: `rm -rf build/` from outside cannot
# delete through them. Where unshare is refused, the mounts are made in the host's namespace and removed
# on exit (not on SIGKILL); the script then never deletes a root that still has mounts under it.
# Exit status: 0 passed, 1 failed, 3 could not run here (the reason is printed on a line
# starting with "libtorch 2.x check skipped:").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${ARCHNB_LIBTORCH2_NS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null \
   && unshare --mount --propagation private true 2>/dev/null; then
  ARCHNB_LIBTORCH2_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
DIST=trixie
if [ "${1:-}" = "--dist" ]; then DIST="${2:?--dist needs a Debian release name}"; shift 2; fi
RFS="${ARCHNB_LIBTORCH2_ROOT:-$ROOT/build/libtorch2-root-$DIST}"
MIRROR="${ARCHNB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BENCH=0
if [ "${1:-}" = "--bench" ]; then BENCH=1; shift; fi
SUITE_NAMES=("$@")
[ ${#SUITE_NAMES[@]} -gt 0 ] || SUITE_NAMES=(Torch)

skip() { echo "libtorch 2.x check ($DIST) skipped: $*"; exit 3; }
log() { printf '\033[1m[libtorch2 %s]\033[0m %s\n' "$DIST" "$*" >&2; }

[ "${ARCHNB_LIBTORCH2:-}" != "skip" ] || skip "turned off by ARCHNB_LIBTORCH2=skip"
[ "$(id -u)" -eq 0 ] || skip "it needs root (chroot and bind mounts); run as root"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (./archnb setup installs it)"
DOTNET="$(readlink -f "$(command -v dotnet)")"
DOTNET_DIR="$(dirname "$DOTNET")"
NUGET="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

mounted_under() { awk -v p="$1" '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/mounts; }

MOUNTS=()
cleanup() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

bind() {  # bind SRC (same path inside the root, or DEST)
  local src="$1" dest="$RFS${2:-$1}"
  mkdir -p "$dest"
  mount --bind "$src" "$dest"
  MOUNTS+=("$dest")
}

# A root left with mounts by a killed run must never be deleted with them in place.
if [ -n "$(mounted_under "$RFS")" ]; then
  for m in $(mounted_under "$RFS" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  [ -z "$(mounted_under "$RFS")" ] || skip "$RFS still has mounts under it; unmount them first"
fi

# What the root holds; a root made with another list is made again.
PACKAGES=libtorch-dev,libopenblas0-pthread,python3-torch,python3-numpy,python3-scipy,nodejs,cmake,g++,make,libicu76,ca-certificates
if [ "$(cat "$RFS/.archnb-ready" 2>/dev/null)" != "$PACKAGES" ]; then
  log "bootstrapping a Debian $DIST root with libtorch 2.x in $RFS (about a minute)"
  rm -rf "$RFS"
  mkdir -p "$(dirname "$RFS")"
  # sid's Release file carries a Valid-Until a week ahead; a mirror that serves a snapshot of it (as
  # this workplace's does) would otherwise be refused as expired. The signature is still checked.
  if ! mmdebstrap --quiet --variant=apt --mode=root --aptopt='Acquire::Check-Valid-Until "false"' \
      --include="$PACKAGES" \
      "$DIST" "$RFS" "$MIRROR" >"$ROOT/build/libtorch2-bootstrap-$DIST.log" 2>&1; then
    rm -rf "$RFS"
    skip "could not bootstrap Debian $DIST from $MIRROR (log: build/libtorch2-bootstrap-$DIST.log)"
  fi
  echo "$PACKAGES" > "$RFS/.archnb-ready"
fi

# /dev is not bound: mmdebstrap made the device nodes the root needs.
bind /proc
bind /sys
bind "$ROOT"
bind "$DOTNET_DIR"
[ -d "$NUGET" ] && bind "$NUGET"
cp /etc/resolv.conf "$RFS/etc/resolv.conf" 2>/dev/null || true

VERSION="$(chroot "$RFS" /usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null || echo unknown)"
log "building the shim against libtorch $VERSION (Debian $DIST)"
chroot "$RFS" /bin/bash -c "cd '$ROOT' && rm -f build/native-libtorch2-$DIST/libarchtorch.so && cmake -S src/Torch/native -B build/native-libtorch2-$DIST -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build/native-libtorch2-$DIST -j $(nproc) 2>&1 | grep -E 'error|warning' || true; test -f build/native-libtorch2-$DIST/libarchtorch.so" \
  || { echo "libtorch 2.x check: the shim did not compile against libtorch $VERSION"; exit 1; }

if [ "$BENCH" -eq 1 ]; then
  log "bench torch on libtorch $VERSION: PyTorch eager baseline, then ArchNotebooks"
  # Torch.Bench runs the PyTorch baseline itself (the root's python3), at 1 and all cores, on the root's BLAS.
  chroot "$RFS" /bin/bash -c "cd '$ROOT' && HOME='$HOME' DOTNET_NOLOGO=1 ARCHNB_TORCH_NATIVE='$ROOT/build/native-libtorch2-$DIST/libarchtorch.so' \
    '$DOTNET' bench/Torch.Bench/bin/Release/net10.0/Torch.Bench.dll cpu"
  exit $?
fi

status=0
for name in "${SUITE_NAMES[@]}"; do
  proj="tests/$name.Tests/$name.Tests.csproj"
  [ -f "$ROOT/$proj" ] || { echo "libtorch 2.x check: no suite $proj"; exit 1; }
  log "test suite on libtorch $VERSION: $proj"
  trx="${ARCHNB_LIBTORCH2_TRX_DIR:-$ROOT/build/libtorch2-results}/$DIST-$name.trx"  # a path seen alike inside and out
  # OpenBLAS's own threads nested in libtorch 2.x's OpenMP loops slow the suites ~10x on few cores
  # (README, "libtorch 2.x"); one BLAS thread keeps the check quick. One intra-op thread too, as in
  # ./archnb test: xunit runs test classes in parallel, and an OpenMP team per test thread on a busy
  # machine made the learning tests up to 90x slower (a 42-minute Library suite on 2026-12-07).
  chroot "$RFS" /usr/bin/env HOME="$HOME" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" ARCHNB_NUM_THREADS="${ARCHNB_NUM_THREADS:-1}" \
    ARCHNB_TORCH_NATIVE="$ROOT/build/native-libtorch2-$DIST/libarchtorch.so" \
    "$DOTNET" test "$ROOT/$proj" -c Release --no-build --nologo --logger "trx;LogFileName=$trx" || status=1
done
exit $status
