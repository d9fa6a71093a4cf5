#!/usr/bin/env bash
# The service as a multi-node stack on one machine, with Debian's packages (docs/deploy.md):
#
#   HAProxy 127.0.0.1:$CLUSTER_PORT  -- health-checks /api/health/, round robin over
#     app node 1, app node 2         -- gunicorn (gunicorn.conf.py), each its own process group
#       PgBouncer (transaction pooling)
#         PostgreSQL 15 primary      -- initdb'd here
#         PostgreSQL 15 replica      -- pg_basebackup -R from the primary, streaming
#       Redis (the machine's, database $CLUSTER_REDIS_DB): cache, throttles, read-your-writes
#
# Usage: cluster.sh up | down | status
#        cluster.sh stop-replica | start-replica | kill-node N | start-node N   (for the drill)
#        cluster.sh python SCRIPT ARGS...   (a script in the nodes' environment)
#
# Everything lives in $CLUSTER_STATE_DIR and is stopped by the PID files there. Never touches
# the machine's own PostgreSQL (5432) or Redis beyond its own database number. Loopback only.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="${CLUSTER_STATE_DIR:-${TMPDIR:-/tmp}/healthcare-cluster}"
MARK="$STATE/.healthcare-cluster"
PORT="${CLUSTER_PORT:-8080}"
# Ports below Linux's ephemeral range (32768-60999), so no client socket can be holding them.
PRIMARY_PORT="${CLUSTER_PRIMARY_PORT:-25432}"
REPLICA_PORT="${CLUSTER_REPLICA_PORT:-25433}"
BOUNCER_PORT="${CLUSTER_PGBOUNCER_PORT:-26432}"
NODE_PORTS=(${CLUSTER_NODE_PORTS:-18081 18082})
REDIS_URL_CLUSTER="${CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/${CLUSTER_REDIS_DB:-10}}"
WORKERS="${CLUSTER_WORKERS:-2}"
PGBIN="${CLUSTER_PGBIN:-/usr/lib/postgresql/15/bin}"
PY="${CLUSTER_PYTHON:-$ROOT/.venv/bin/python}"
GUNICORN="$(dirname "$PY")/gunicorn"
DB=healthcare
APP_ROLE=healthcare
BASE_URL="http://127.0.0.1:$PORT"

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

if [ "$(id -u)" = 0 ]; then
    AS_PG=(runuser -u postgres --)
else
    AS_PG=()
fi

pg() { "${AS_PG[@]}" "$PGBIN/$1" "${@:2}"; }
psql_on() { # port, database, sql...
    local port="$1" db="$2"; shift 2
    "${AS_PG[@]}" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}
alive() { [ -f "$1" ] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_packages() {
    local missing=()
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: apt-get install -y ${missing[*]}"
    log "installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------- PostgreSQL primary and replica
pg_conf() { # data dir, port
    cat >>"$1/postgresql.conf" <<EOF

# healthcare cluster (ops/cluster/cluster.sh)
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$STATE/run'
timezone = 'UTC'
# The app connects through PgBouncer, which can't pass it per connection (healthcare/db/postgresql).
jit = off
max_connections = 100
wal_level = replica
max_wal_senders = 5
hot_standby = on
hot_standby_feedback = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
EOF
}

start_primary() {
    log "PostgreSQL primary on $PRIMARY_PORT (initdb)"
    pg initdb -D "$STATE/pg-primary" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
        --no-sync >"$STATE/logs/initdb.log" 2>&1
    pg_conf "$STATE/pg-primary" "$PRIMARY_PORT"
    # Loopback only, trust: a demo on one machine. Real hosts: scram-sha-256 (docs/deploy.md).
    cat >"$STATE/pg-primary/pg_hba.conf" <<EOF
local   all          all                 trust
host    all          all  127.0.0.1/32   trust
host    replication  all  127.0.0.1/32   trust
EOF
    pg pg_ctl -D "$STATE/pg-primary" -l "$STATE/logs/pg-primary.log" -w -t 60 start >/dev/null
    psql_on "$PRIMARY_PORT" postgres <<EOF
CREATE ROLE $APP_ROLE LOGIN;
GRANT pg_read_all_stats TO $APP_ROLE;
CREATE DATABASE $DB OWNER $APP_ROLE;
EOF
    psql_on "$PRIMARY_PORT" "$DB" -c "CREATE EXTENSION pg_stat_statements"
}

start_replica_server() {
    pg pg_ctl -D "$STATE/pg-replica" -l "$STATE/logs/pg-replica.log" -w -t 60 start >/dev/null
}

create_replica() {
    log "PostgreSQL replica on $REPLICA_PORT (pg_basebackup -R from the primary)"
    "${AS_PG[@]}" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
        -D "$STATE/pg-replica" -R -X stream -c fast --no-sync
    sed -i "s/^port = $PRIMARY_PORT\$/port = $REPLICA_PORT/" "$STATE/pg-replica/postgresql.conf"
    start_replica_server
    wait_streaming
}

wait_streaming() {
    for _ in $(seq 1 60); do
        local state
        state="$(psql_on "$PRIMARY_PORT" postgres -tAc \
            "SELECT state FROM pg_stat_replication LIMIT 1" 2>/dev/null || true)"
        [ "$state" = streaming ] && return 0
        sleep 0.5
    done
    die "the replica did not start streaming (see $STATE/logs/pg-replica.log)"
}

# ---------------------------------------------------------------- PgBouncer
start_pgbouncer() {
    log "PgBouncer on $BOUNCER_PORT (transaction pooling)"
    mkdir -p "$STATE/pgbouncer"
    cat >"$STATE/pgbouncer/pgbouncer.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=$PRIMARY_PORT dbname=$DB
${DB}_replica = host=127.0.0.1 port=$REPLICA_PORT dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir = $STATE/run
auth_type = trust
auth_file = $STATE/pgbouncer/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
server_reset_query =
; A server that is down must fail fast, so the app's replica check turns to the primary
; (clients here never outnumber the pool, so no healthy query waits in the queue that long).
server_connect_timeout = 2
server_login_retry = 1
query_wait_timeout = 2
logfile = $STATE/logs/pgbouncer.log
pidfile = $STATE/pgbouncer/pgbouncer.pid
EOF
    printf '"%s" ""\n"postgres" ""\n' "$APP_ROLE" >"$STATE/pgbouncer/userlist.txt"
    chown -R --reference="$STATE/run" "$STATE/pgbouncer"
    "${AS_PG[@]}" /usr/sbin/pgbouncer -d "$STATE/pgbouncer/pgbouncer.ini"
    for _ in $(seq 1 20); do alive "$STATE/pgbouncer/pgbouncer.pid" && return 0; sleep 0.25; done
    die "PgBouncer did not start (see $STATE/logs/pgbouncer.log)"
}

# ---------------------------------------------------------------- the app
# The contract's settings (THROTTLE_*, DJANGO_SECURE_SSL_REDIRECT, JWT_*, TIME_ZONE, ...) pass
# from this script's environment to every node; only the topology's own settings are set here.
# The contract's settings as `up` saw them, so a node restarted later runs with the same ones.
SETTINGS_RE='^(DJANGO_[A-Z_]+|THROTTLE_[A-Z_]+|JWT_[A-Z_]+|BOOKING_[A-Z_]+|CANCEL_[A-Z_]+|NOTIFY_[A-Z_]+|SMS_[A-Z_]+|EMAIL_URL|DEFAULT_FROM_EMAIL|REMINDER_[A-Z_]+|WEBHOOK_[A-Z_]+|CELERY_[A-Z_]+|REPLICA_MAX_LAG_SECONDS|TIME_ZONE|PHONE_REGION|CORS_ALLOWED_ORIGINS|CLINIC_NAME|CURRENCY)$'

save_settings() {
    local name
    (umask 077 && : >"$STATE/node.env")
    while IFS= read -r name; do
        [ "$name" = DJANGO_SECRET_KEY ] && continue
        printf 'export %s=%q\n' "$name" "${!name}" >>"$STATE/node.env"
    done < <(compgen -e | grep -E "$SETTINGS_RE" || true)
}

app_env() {
    local name
    while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E "$SETTINGS_RE" || true)
    # shellcheck disable=SC1091
    . "$STATE/node.env"
    export DATABASE_URL="postgresql://$APP_ROLE@127.0.0.1:$BOUNCER_PORT/$DB"
    export DATABASE_REPLICA_URL="postgresql://$APP_ROLE@127.0.0.1:$BOUNCER_PORT/${DB}_replica"
    export DATABASE_POOLER=pgbouncer-transaction
    export REDIS_URL="$REDIS_URL_CLUSTER"
    export DJANGO_DEBUG="${DJANGO_DEBUG:-0}"
    # Plain HTTP on loopback: on real hosts HAProxy terminates TLS and this stays 0.
    export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
    # HAProxy appends the client's address to X-Forwarded-For: one trusted hop.
    export DJANGO_TRUSTED_PROXIES="${DJANGO_TRUSTED_PROXIES:-1}"
    # One key for every node (a token signed by one is checked by the other), fixed at `up`.
    DJANGO_SECRET_KEY="$(cat "$STATE/secret-key")"
    export DJANGO_SECRET_KEY
    export DJANGO_SUPERUSER_MOBILE_NUMBER="${DJANGO_SUPERUSER_MOBILE_NUMBER:-01700000000}"
    export DJANGO_SUPERUSER_PASSWORD="${DJANGO_SUPERUSER_PASSWORD:-Healthy-Visit-2026}"
    export DJANGO_SUPERUSER_FULL_NAME="${DJANGO_SUPERUSER_FULL_NAME:-Clinic Admin}"
    export DJANGO_SUPERUSER_EMAIL="${DJANGO_SUPERUSER_EMAIL:-admin@example.com}"
}

prepare_app() {
    log "migrate (directly on the primary), collectstatic, createsuperuser"
    (
        app_env
        # Migrations take the primary directly, not through the pooler: DDL and long
        # transactions have no business in a transaction pool.
        export DATABASE_URL="postgresql://$APP_ROLE@127.0.0.1:$PRIMARY_PORT/$DB"
        unset DATABASE_REPLICA_URL DATABASE_POOLER
        cd "$ROOT"
        "$PY" manage.py migrate --noinput >"$STATE/logs/migrate.log" 2>&1
        "$PY" manage.py collectstatic --noinput >"$STATE/logs/collectstatic.log" 2>&1
        "$PY" manage.py createsuperuser --noinput >"$STATE/logs/createsuperuser.log" 2>&1
    ) || die "preparing the app failed (see $STATE/logs/)"
}

start_node() { # n (1-based)
    local n="$1" port="${NODE_PORTS[$(($1 - 1))]}"
    port_free "$port" || die "port $port (node $n) is taken"
    log "app node $n on $port ($WORKERS workers)"
    (
        app_env
        export GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS="$WORKERS"
        cd "$ROOT"
        # setsid: each node its own process group, so killing one never touches the other.
        setsid "$GUNICORN" -c gunicorn.conf.py --pid "$STATE/node$n.pid" \
            >>"$STATE/logs/node$n.log" 2>&1 </dev/null &
    )
    for _ in $(seq 1 120); do
        if alive "$STATE/node$n.pid" && curl -fsS -o /dev/null "http://127.0.0.1:$port/api/health/"; then
            return 0
        fi
        sleep 0.25
    done
    die "app node $n did not become healthy (see $STATE/logs/node$n.log)"
}

# ---------------------------------------------------------------- HAProxy
start_haproxy() {
    log "HAProxy on 127.0.0.1:$PORT"
    {
        cat <<EOF
global
    maxconn 2000
    stats socket $STATE/haproxy.sock mode 600 level admin
    log stdout format raw local0 notice

defaults
    mode http
    timeout connect 2s
    timeout client 35s
    timeout server 35s
    timeout http-request 10s
    # Only a connection that never reached a node is retried, on another one: a request a
    # node may have run (a booking) is never sent twice.
    retries 2
    option redispatch 1
    retry-on conn-failure

frontend api
    bind 127.0.0.1:$PORT
    option forwardfor
    # Overwritten, never passed through: the app trusts this header from its proxy.
    http-request set-header X-Forwarded-Proto http
    default_backend app
    # Which node answered, for the drill to show requests landing on both (a demo aid: drop it
    # on real hosts, where topology is nobody's business).
    http-response set-header X-Served-By %[srv_name]

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /api/health/ ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
EOF
        local i
        for i in "${!NODE_PORTS[@]}"; do
            echo "    server node$((i + 1)) 127.0.0.1:${NODE_PORTS[$i]}"
        done
    } >"$STATE/haproxy.cfg"
    haproxy -c -q -f "$STATE/haproxy.cfg"
    haproxy -D -f "$STATE/haproxy.cfg" -p "$STATE/haproxy.pid" >>"$STATE/logs/haproxy.log" 2>&1
}

wait_balancer() {
    for _ in $(seq 1 120); do
        if curl -fsS -o /dev/null "$BASE_URL/api/health/" && [ "$(servers_up)" = "${#NODE_PORTS[@]}" ]; then
            return 0
        fi
        sleep 0.25
    done
    die "the balancer did not answer healthy on $BASE_URL"
}

haproxy_cmd() {
    "$PY" - "$STATE/haproxy.sock" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while chunk := s.recv(65536):
    out += chunk
print(out.decode(), end="")
EOF
}

servers_up() {
    haproxy_cmd "show stat" 2>/dev/null | awk -F, '$1 == "app" && $2 ~ /^node/ && $18 == "UP"' | wc -l
}

# ---------------------------------------------------------------- commands
stop_pidfile() { # pidfile, name: TERM the process group (or process), then KILL after 15 s
    local file="$1" pid
    [ -f "$file" ] || return 0
    pid="$(head -n1 "$file")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "stopping $2 (pid $pid)"
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

stop_postgres() { # data dir, name
    [ -f "$1/postmaster.pid" ] || return 0
    log "stopping $2"
    pg pg_ctl -D "$1" -m fast -w -t 30 stop >/dev/null 2>&1 || {
        local pid
        pid="$(head -n1 "$1/postmaster.pid" 2>/dev/null || true)"
        [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    }
}

cmd_down() {
    if [ -d "$STATE" ] && [ ! -f "$MARK" ]; then
        die "$STATE is not a cluster state dir (no $(basename "$MARK")); not touching it"
    fi
    [ -d "$STATE" ] || { log "nothing to stop"; return 0; }
    stop_pidfile "$STATE/haproxy.pid" HAProxy
    local i
    for i in "${!NODE_PORTS[@]}"; do stop_pidfile "$STATE/node$((i + 1)).pid" "app node $((i + 1))"; done
    stop_pidfile "$STATE/pgbouncer/pgbouncer.pid" PgBouncer
    stop_postgres "$STATE/pg-replica" "PostgreSQL replica"
    stop_postgres "$STATE/pg-primary" "PostgreSQL primary"
    # The cluster's own Redis database: its throttle counters and read-your-writes markers.
    "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL_CLUSTER" \
        2>/dev/null || true
    rm -rf -- "$STATE"
    log "down; state removed"
}

is_up() {
    [ -f "$MARK" ] || return 1
    alive "$STATE/haproxy.pid" && alive "$STATE/pgbouncer/pgbouncer.pid" || return 1
    local i
    for i in "${!NODE_PORTS[@]}"; do alive "$STATE/node$((i + 1)).pid" || return 1; done
    [ -f "$STATE/pg-primary/postmaster.pid" ] && [ -f "$STATE/pg-replica/postmaster.pid" ] || return 1
    curl -fsS -o /dev/null "$BASE_URL/api/health/"
}

show_logs() {
    local f
    for f in "$STATE"/logs/*.log; do
        [ -s "$f" ] || continue
        echo "--- $(basename "$f") (last lines)" >&2
        tail -n 15 "$f" >&2
    done
}

cmd_up() {
    install_packages
    [ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 binaries not found in $PGBIN"
    [ -x "$PY" ] || die "no Python at $PY (make venv)"
    if is_up; then
        log "already up"
        echo "$BASE_URL"
        return 0
    fi
    [ -d "$STATE" ] && cmd_down
    local p
    for p in "$PORT" "$PRIMARY_PORT" "$REPLICA_PORT" "$BOUNCER_PORT" "${NODE_PORTS[@]}"; do
        port_free "$p" || die "port $p is taken (set CLUSTER_*PORT*, see ops/cluster/cluster.sh)"
    done
    # A failed start leaves nothing behind.
    trap 'log "start failed; the logs, then cleaning up"; show_logs; cmd_down || true' EXIT
    mkdir -p "$STATE/logs" "$STATE/run"
    touch "$MARK"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$STATE" "$STATE/run" "$STATE/logs"; fi
    # The nodes' key: the environment's DJANGO_SECRET_KEY if given, else a new one (mode 600).
    (umask 077 && if [ -n "${DJANGO_SECRET_KEY:-}" ]; then printf '%s\n' "$DJANGO_SECRET_KEY"
        else "$PY" -c "import secrets; print(secrets.token_urlsafe(50))"; fi >"$STATE/secret-key")
    save_settings
    start_primary
    create_replica
    start_pgbouncer
    prepare_app
    local i
    for i in "${!NODE_PORTS[@]}"; do start_node "$((i + 1))"; done
    # TASK WORKERS: a later issue adds Celery; its workers start here (app_env, their own process
    # group and PID file beside the nodes', stopped in cmd_down). Nothing runs in their place yet.
    start_haproxy
    wait_balancer
    trap - EXIT
    log "up: ${#NODE_PORTS[@]} app nodes behind HAProxy, PgBouncer, primary $PRIMARY_PORT, replica $REPLICA_PORT, $REDIS_URL_CLUSTER"
    echo "$BASE_URL"
}

status_row() { printf '%-22s %s\n' "$1" "$2"; }

cmd_status() {
    if [ ! -f "$MARK" ]; then
        echo "down"
        return 3
    fi
    local i code=0
    alive "$STATE/haproxy.pid" && status_row "haproxy :$PORT" "running" || { status_row "haproxy :$PORT" "DOWN"; code=1; }
    for i in "${!NODE_PORTS[@]}"; do
        local f="$STATE/node$((i + 1)).pid"
        if alive "$f"; then status_row "node$((i + 1)) :${NODE_PORTS[$i]}" "running (pid $(cat "$f"))"
        else status_row "node$((i + 1)) :${NODE_PORTS[$i]}" "DOWN"; code=1; fi
    done
    alive "$STATE/pgbouncer/pgbouncer.pid" && status_row "pgbouncer :$BOUNCER_PORT" "running" \
        || { status_row "pgbouncer :$BOUNCER_PORT" "DOWN"; code=1; }
    status_row "primary :$PRIMARY_PORT" "$(psql_on "$PRIMARY_PORT" postgres -tAc \
        "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby?!' ELSE 'primary' END || ', replicas streaming: ' || (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming')" \
        2>/dev/null || { code=1; echo DOWN; })"
    status_row "replica :$REPLICA_PORT" "$(psql_on "$REPLICA_PORT" postgres -tAc \
        "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'not a standby' END || ', replay lag ' || COALESCE(round(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::numeric, 1)::text || ' s since last commit', 'n/a') || CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN ' (caught up)' ELSE '' END" \
        2>/dev/null || { code=1; echo DOWN; })"
    status_row "balancer nodes UP" "$(servers_up 2>/dev/null || echo 0) of ${#NODE_PORTS[@]}"
    if curl -fsS -o /dev/null "$BASE_URL/api/health/"; then status_row "health" "$BASE_URL ok"
    else status_row "health" "$BASE_URL NOT OK"; code=1; fi
    return $code
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    stop-replica) stop_postgres "$STATE/pg-replica" "PostgreSQL replica" ;;
    start-replica) start_replica_server && wait_streaming ;;
    kill-node)
        f="$STATE/node${2:?node number}.pid"
        pid="$(cat "$f")"
        kill -KILL -- "-$pid"
        rm -f "$f"
        ;;
    start-node) start_node "${2:?node number}" ;;
    servers-up) servers_up ;;
    python) # run a Python script in the nodes' environment (the drill's data: drill_data.py)
        app_env
        cd "$ROOT"
        exec "$PY" "${@:2}"
        ;;
    *) echo "usage: $0 up|down|status|stop-replica|start-replica|kill-node N|start-node N" >&2; exit 2 ;;
esac
