#!/bin/sh
# Install the Debian packages vigil needs to build, test and demo; only those missing.
# Used by `make` (build and demo set) and `make check` (adds the test set). Debian 12.
set -eu
set_name=${1:-build}
build_pkgs="build-essential cmake pkg-config libjansson-dev libmicrohttpd-dev libncurses-dev
            libyaml-dev libgnutls28-dev libcrypt-dev
            openmpi-bin libopenmpi-dev mpich libmpich-dev gfortran python3 procps libslurm-dev opencl-headers"
test_pkgs="jq valgrind prometheus chromium clang curl util-linux passwd file gzip tar xz-utils
           strace ltrace fio rsync git sqlite3 zstd perl coreutils findutils sed make gcc systemd man-db stress-ng
           openssl python3-pil tmux slurmctld slurmd slurm-client munge libaio-dev liburing-dev
           ocl-icd-opencl-dev ocl-icd-dev pocl-opencl-icd clinfo python3-pyopencl"
pkgs=$build_pkgs
[ "$set_name" = test ] && pkgs="$build_pkgs $test_pkgs"

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
echo "vigil: installing missing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
