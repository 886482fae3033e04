#!/usr/bin/env bash
# Throwaway district services for tests and benchmarks, on 127.0.0.1 only:
# a single-node Ceph (1 mon, 1 memstore OSD, radosgw with an S3 user) and a PostgreSQL cluster.
#
#   scripts/district-services.sh start DIR   # starts both, writes DIR/env (shell KEY=value lines)
#   scripts/district-services.sh gateway DIR NAME  # one more radosgw on the same cluster (a test may
#                                                  # stop it by pid); prints ENDPOINT= and PID_FILE=
#   scripts/district-services.sh stop DIR    # stops what DIR's pid files name, removes DIR
#
# Everything lives in DIR; nothing is installed or left behind. Needs the Debian packages
# ceph-mon ceph-osd radosgw postgresql (scripts/setup.sh installs them).
set -Eeuo pipefail
trap 'echo "district services: line $LINENO failed: $BASH_COMMAND" >&2' ERR

command=${1:-}
dir=${2:-}
if [[ -z $command || -z $dir ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    port_open "$port" || { echo "$port"; return; }
  done
}

# bash's /dev/tcp: no curl or ss needed on a fresh machine.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # seconds, description, command...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "district services: $what did not come up within ${seconds}s (logs in $dir)" >&2
      return 1
    fi
    sleep 0.2
  done
}

stop_pid() {
  local file=$1
  [[ -f $file ]] || return 0
  local pid
  pid=$(cat "$file")
  # Only a process of this folder: a stale pid file must not stop someone else's process.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir" || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

start_ceph() {
  local ceph=$dir/ceph mon_port rgw_port fsid
  mkdir -p "$ceph/mon" "$ceph/osd" "$ceph/run"
  mon_port=$(free_port)
  rgw_port=$(free_port)
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$ceph/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
public network = 127.0.0.1/32
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
paxos propose interval = 0.05
osd objectstore = memstore
memstore device bytes = 8589934592
osd crush chooseleaf type = 0
# The OSD's own crush and device-class updates at start race its first monmap on a loaded machine
# (the mon sees fsid 0 and refuses, and the OSD exits); the script places it in the map instead.
osd crush update on start = false
osd class update on start = false
run dir = $ceph/run
admin socket = $ceph/run/\$name.asok
log file = $ceph/\$name.log
pid file = $ceph/run/\$name.pid
mon data = $ceph/mon
osd data = $ceph/osd
keyring = $ceph/keyring
[client]
ms mon client mode = crc
rgw dns name = 127.0.0.1
EOF
  local conf=(-c "$ceph/ceph.conf")
  monmaptool --create --clobber --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$ceph/monmap" >/dev/null
  ceph-mon "${conf[@]}" --mkfs -i a --monmap "$ceph/monmap" >/dev/null
  ceph-mon "${conf[@]}" -i a
  wait_for 30 "ceph-mon" ceph "${conf[@]}" --connect-timeout 2 mon stat
  local osd_uuid
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph "${conf[@]}" osd new "$osd_uuid" >/dev/null
  ceph "${conf[@]}" osd crush add osd.0 1 root=default host=localhost >/dev/null 2>&1
  ceph-osd "${conf[@]}" -i 0 --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
  ceph-osd "${conf[@]}" -i 0 2>>"$ceph/osd.stderr"
  wait_for 30 "ceph-osd" bash -c "ceph ${conf[*]} osd stat | grep -q '1 up'"
  start_gateway rgw "$rgw_port"
  local access_key=district-test secret_key
  secret_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  radosgw-admin "${conf[@]}" -n client.admin user create --uid district --display-name district \
    --access-key "$access_key" --secret "$secret_key" >/dev/null
  cat >>"$dir/env" <<EOF
DISTRICT_SERVICES_DIR=$dir
DISTRICT_CEPH_CONF=$ceph/ceph.conf
DISTRICT_RGW_PID_FILE=$ceph/run/client.rgw.pid
DISTRICT_S3_ENDPOINT=http://127.0.0.1:$rgw_port
DISTRICT_S3_ACCESS_KEY_ID=$access_key
DISTRICT_S3_SECRET_ACCESS_KEY=$secret_key
EOF
}

start_gateway() { # name port
  local ceph=$dir/ceph
  mkdir -p "$ceph/$1"
  radosgw -c "$ceph/ceph.conf" -n "client.$1" --rgw-data "$ceph/$1" \
    --rgw-frontends "beast endpoint=127.0.0.1:$2"
  wait_for 60 "radosgw" port_open "$2"
}

# PostgreSQL refuses to run as root: the cluster belongs to an unprivileged user.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi
}

start_postgres() {
  local pg=$dir/postgres bin port
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  port=$(free_port)
  mkdir -p "$pg"
  [[ $(id -u) -ne 0 ]] || chown nobody "$pg"
  as_owner "$bin/initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$pg/initdb.log"
  as_owner "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pg -c fsync=off -c shared_buffers=256MB -c random_page_cost=1.1" start >/dev/null
  cat >>"$dir/env" <<EOF
DISTRICT_POSTGRES_PID_FILE=$pg/data/postmaster.pid
DISTRICT_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres
EOF
}

case $command in
start)
  mkdir -p "$dir"
  chmod 755 "$dir"
  : >"$dir/env"
  start_ceph
  start_postgres
  cat "$dir/env"
  ;;
gateway)
  name=${3:?gateway needs a NAME}
  port=${4:-$(free_port)}
  start_gateway "$name" "$port"
  echo "ENDPOINT=http://127.0.0.1:$port"
  echo "PID_FILE=$dir/ceph/run/client.$name.pid"
  echo "PORT=$port"
  ;;
stop)
  [[ -d $dir ]] || exit 0
  for gateway in "$dir"/ceph/run/client.*.pid; do stop_pid "$gateway"; done
  stop_pid "$dir/ceph/run/osd.0.pid"
  stop_pid "$dir/ceph/run/mon.a.pid"
  # postmaster.pid's first line is the server's pid.
  if [[ -f $dir/postgres/data/postmaster.pid ]]; then
    head -1 "$dir/postgres/data/postmaster.pid" >"$dir/postgres.pid"
    stop_pid "$dir/postgres.pid"
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR | gateway DIR NAME" >&2
  exit 2
  ;;
esac
