#!/usr/bin/env bash
# The whole benchmark set on SQLite (./var/bench.db) and PostgreSQL (database otklik_bench),
# each step's output saved under bench/results/. Local only: the server listens on 127.0.0.1.
#
#   bench/run_all.sh                      # 1,000,000 tickets, both databases
#   BENCH_TICKETS=100000 bench/run_all.sh # quicker
#   BENCH_ONLY=sqlite bench/run_all.sh    # one database (sqlite | postgresql)
#   BENCH_KEEP=1 bench/run_all.sh         # keep the databases afterwards (default: drop them)
#   BENCH_OUT=/tmp/smoke bench/run_all.sh # write the results elsewhere (default: bench/results)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
TICKETS=${BENCH_TICKETS:-1000000}
MESSAGES=${BENCH_MESSAGES:-20000}        # inbound messages per throughput run
CONCURRENCY=${BENCH_CONCURRENCY:-32}
RUNS=${BENCH_RUNS:-300}                  # queue calls per scenario
QUIET=${BENCH_QUIET_WAIT:-60}            # wait up to this long for the shared machine to be quiet
ONLY=${BENCH_ONLY:-}
PG_SERVER=${BENCH_PG_SERVER:-postgresql://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-otklik_bench}
PG_URL="postgresql+psycopg://${PG_SERVER#postgresql://}/$PG_DB"
SQLITE_URL="sqlite:///./var/bench.db"
OUT=${BENCH_OUT:-bench/results}
mkdir -p "$OUT" var

# step NAME COMMAND...: run it, echo the command and the machine's load, keep the output in $OUT/NAME.txt
step() {
    local name=$1
    shift
    {
        echo "+ $*"
        echo "# $(date -u +%FT%TZ) nproc=$(nproc) $(uptime)"
        "$@" 2>&1 | tr '\r' '\n' | grep -v '━'
        echo "# done $(date -u +%FT%TZ) $(uptime)"
    } | tee "$OUT/$name.txt"
}

if [[ -z $ONLY || $ONLY == sqlite ]]; then
    rm -f var/bench.db var/bench.db-wal var/bench.db-shm
    step load_sqlite "$PY" bench/load_tickets.py --url "$SQLITE_URL" --tickets "$TICKETS" \
        --json-out "$OUT/load_sqlite.json"
    step queue_sqlite "$PY" bench/queue_latency.py --url "$SQLITE_URL" --runs "$RUNS" --quiet-wait "$QUIET" \
        --json-out "$OUT/queue_sqlite.json"
    step inbound_sqlite_w1 "$PY" bench/inbound_throughput.py --url "$SQLITE_URL" --workers 1 \
        --messages "$MESSAGES" --concurrency "$CONCURRENCY" --quiet-wait "$QUIET" --json-out "$OUT/inbound_sqlite_w1.json"
    step intake_cpu_sqlite "$PY" bench/intake_cpu.py --url "$SQLITE_URL" --json-out "$OUT/intake_cpu_sqlite.json"
    [[ -n ${BENCH_KEEP:-} ]] || rm -f var/bench.db var/bench.db-wal var/bench.db-shm
fi

if [[ -z $ONLY || $ONLY == postgresql ]]; then
    psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
    step load_postgresql "$PY" bench/load_tickets.py --url "$PG_URL" --tickets "$TICKETS" \
        --json-out "$OUT/load_postgresql.json"
    step queue_postgresql "$PY" bench/queue_latency.py --url "$PG_URL" --runs "$RUNS" --quiet-wait "$QUIET" \
        --json-out "$OUT/queue_postgresql.json"
    step healthz_postgresql_w2 "$PY" bench/inbound_throughput.py --url "$PG_URL" --workers 2 --baseline \
        --messages "$MESSAGES" --concurrency "$CONCURRENCY" --quiet-wait "$QUIET" --json-out "$OUT/healthz_postgresql_w2.json"
    step inbound_postgresql_w2 "$PY" bench/inbound_throughput.py --url "$PG_URL" --workers 2 \
        --messages "$MESSAGES" --concurrency "$CONCURRENCY" --quiet-wait "$QUIET" --json-out "$OUT/inbound_postgresql_w2.json"
    step intake_cpu_postgresql "$PY" bench/intake_cpu.py --url "$PG_URL" --json-out "$OUT/intake_cpu_postgresql.json"
    [[ -n ${BENCH_KEEP:-} ]] || psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
fi
[[ -n ${BENCH_KEEP:-} ]] || rm -f var/bench_tokens.json
echo "figures in $OUT/; bench/report.py renders the tables for docs/performance.md"
