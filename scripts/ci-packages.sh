#!/usr/bin/env bash
# Installs the Debian packages some tests read (a fresh machine lacks them): python3-onnx (onnx.checker for
# exported models), python3-torch (models exported by torch.onnx.export), python3-h5py (libhdf5 opens exported .keras weights), fortunes + fortunes-min (the text-classification corpus), chromium (the dashboard opened in a real browser).
# Needs root and Debian's apt; anywhere else it says what it skipped, and the tests that need a missing
# package report themselves as skipped with the reason.
set -uo pipefail
packages=(python3-onnx python3-torch python3-h5py fortunes fortunes-min chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "Debian packages for the tests: all present"; exit 0; }
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "Debian packages for the tests: missing ${missing[*]} (not root or no apt-get): the tests that need them will skip" >&2
    exit 0
fi
echo "Installing Debian packages for the tests: ${missing[*]}"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/tmp/myelin-ci-apt.log 2>&1; then
    (apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>/tmp/myelin-ci-apt.log 2>&1) \
        || { echo "apt-get install failed (log in /tmp/myelin-ci-apt.log): the tests that need ${missing[*]} will skip" >&2; tail -3 /tmp/myelin-ci-apt.log >&2; }
fi
exit 0
