#!/usr/bin/env bash
# Brings a fresh Debian/Ubuntu/UOS machine from clone to ready: system packages, npm ci, the build.
# Safe to run again; installs only what is missing. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

# dc3dd only for `npm run bench`, which measures the station against it.
packages=(ffmpeg chromium fonts-wqy-microhei exfatprogs exfat-fuse fuse3 xorriso util-linux dc3dd)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci builds dist/ (the `prepare` script); otherwise build here, so dist/ matches this checkout.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run build
fi
