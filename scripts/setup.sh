#!/usr/bin/env bash
# Brings a fresh Debian/Ubuntu/UOS machine from clone to ready: system packages, npm ci, the build.
# Safe to run again; installs only what is missing. Needs root (or sudo) for apt.
# With --service (installing scripts/bwc-station.service) it also makes the station's system user
# and its private data folder /var/lib/bwc-station (0700).
set -euo pipefail
cd "$(dirname "$0")/.."

# Ceph, PostgreSQL and rclone for the district tests and bench; dc3dd and GNU time only for `npm run bench`.
packages=(ffmpeg chromium fonts-wqy-microhei exfatprogs exfat-fuse fuse3 xorriso util-linux espeak-ng ceph-mon ceph-osd radosgw postgresql rclone dc3dd time)
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

if [ "${1:-}" = "--service" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! id bwc-station >/dev/null 2>&1; then
    echo "creating system user bwc-station"
    $sudo useradd --system --user-group --home-dir /var/lib/bwc-station --no-create-home \
      --shell /usr/sbin/nologin --comment "bwc-station collection station" bwc-station
  fi
  getent group plugdev >/dev/null && $sudo usermod -a -G plugdev bwc-station
  $sudo install -d -m 0700 -o bwc-station -g bwc-station /var/lib/bwc-station
  # An older install ran as root: its files become the station user's, private to it.
  $sudo chown -R bwc-station:bwc-station /var/lib/bwc-station
  $sudo chmod 0700 /var/lib/bwc-station
fi
