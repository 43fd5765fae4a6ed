#!/usr/bin/env bash
# Runs a command with a throw-away MariaDB for the service module's database tests
# (ApiDatabaseTest, TenancyDatabaseTest, the API resource tests that need one): starts mariadbd on
# a free port with a fresh data directory, creates the database, exports GPUCLOUD_API_TEST_DB_URL,
# runs the command, and removes the server and its data whatever the command's outcome.
# The integration tests start their own stack; this is only for the module tests that run before.
#   scripts/with-test-db.sh mvn -B verify
# TEST_DB_ARGS adds mariadbd options (make bench sizes the buffer pool and redo log as a server would be).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=$(mktemp -d "${TMPDIR:-/tmp}/gpucloud-test-db.XXXXXX")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
USER_ARG=()
[ "$(id -u)" = 0 ] && USER_ARG=(--user=root) # mariadbd refuses to run as root otherwise

mariadb-install-db --no-defaults --datadir="$DIR/data" "${USER_ARG[@]}" --auth-root-authentication-method=normal \
  --skip-test-db >"$DIR/install.log" 2>&1 || { cat "$DIR/install.log" >&2; exit 1; }
mariadbd --no-defaults --datadir="$DIR/data" --socket="$DIR/mariadb.sock" --port="$PORT" \
  --bind-address=127.0.0.1 --skip-grant-tables "${USER_ARG[@]}" ${TEST_DB_ARGS:-} >"$DIR/server.log" 2>&1 &
DB_PID=$!
cleanup() {
  kill "$DB_PID" 2>/dev/null || true
  wait "$DB_PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  mariadb --no-defaults -h127.0.0.1 -P"$PORT" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
  kill -0 "$DB_PID" 2>/dev/null || { echo "with-test-db: mariadbd exited" >&2; cat "$DIR/server.log" >&2; exit 1; }
  sleep 0.5
done
mariadb --no-defaults -h127.0.0.1 -P"$PORT" -uroot \
  -e "CREATE DATABASE apitest CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

export GPUCLOUD_API_TEST_DB_URL="jdbc:mariadb://127.0.0.1:$PORT/apitest?user=root"
echo "with-test-db: MariaDB for the module tests on port $PORT"
"$@"
