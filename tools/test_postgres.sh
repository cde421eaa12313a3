#!/usr/bin/env bash
# A local PostgreSQL for the server's tests (tests/server_support.py): makes and starts the
# distribution's cluster if it is not running, makes a role that may CREATE DATABASE (each
# test server gets a database of its own, dropped after), and prints the URL the tests read
# from WEICHA_TEST_PG_URL. Run as root (.ci/run does; by hand: sudo):
#
#   export WEICHA_TEST_PG_URL="$(sudo bash tools/test_postgres.sh)"
#
# Debian's cluster tools (postgresql-common). The server itself runs as the postgres user (it
# refuses root), so the cluster is started through runuser. A cluster this script starts is a
# test cluster: fsync, synchronous_commit and full_page_writes are off (its data need not
# survive a power cut; the tests' commits then cost no disk flush). A running cluster is used
# as it is. Everything but the URL goes to stderr.
set -euo pipefail

ROLE=weicha_test
PASSWORD=weicha_test

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "tools/test_postgres.sh: PostgreSQL is not installed (apt-get install postgresql)." >&2
  exit 1
fi
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
cluster() { pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main" {print $'"$1"'}'; }

if [[ -z "$(cluster 2)" ]]; then
  pg_createcluster "$version" main >&2
fi
if [[ "$(cluster 4)" != online* ]]; then
  runuser -u postgres -- pg_ctlcluster "$version" main start -- \
    -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2
fi
port="$(cluster 3)"
runuser -u postgres -- psql -p "$port" -X -q -v ON_ERROR_STOP=1 -d postgres -c "
  DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
      CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    END IF;
  END\$\$;" >&2
# The test role logs in from this machine without a password exchange: SCRAM costs ~4.5 ms of
# the server's CPU and ~3.3 ms of the client's per connection (~200 in a run), and the role's
# password is in this file for everyone to read anyway. One line, for this role on 127.0.0.1
# only, before the distribution's own; added once, the configuration then reloaded.
hba="$(runuser -u postgres -- psql -p "$port" -X -A -t -d postgres -c "SHOW hba_file")"
line="host all $ROLE 127.0.0.1/32 trust"
if ! grep -qxF "$line" "$hba"; then
  { echo "$line"; cat "$hba"; } > "$hba.new" && cat "$hba.new" > "$hba" && rm -f "$hba.new"
  runuser -u postgres -- psql -p "$port" -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null
fi
echo "postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/postgres"
