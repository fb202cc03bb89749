#!/usr/bin/env bash
# Serving benchmark: MaestroServer with in-code fake experts in one JVM, dev.maestro.bench.ServeLoad in another.
# By default the server keeps its record/replay cache and traces in an embedded PostgreSQL (-Dserve.store=postgresql;
# also sqlite, none, or a postgresql:// URL whose password comes from password-env or PGPASSWORD).
# Prints, per concurrency (1 2 4 8 16), the client-observed and exact server-side overhead percentiles
# (p50/p90/p99/p99.9/max, measured after warm-up), the difference to the constant-answer control (target: p99 within
# 1.5 ms) and the throughput at concurrency 16; then the 1,000-concurrent
# overload phase. Usage (from anywhere; offline Maven):
#   scripts/bench-serve.sh [-Dserve.levels=1,2,4] [-Dserve.requests=5000] [-Dserve.slow.phase=false] ...
#   SERVE_JAVA_OPTS='-Xmx1g -XX:+UseParallelGC' scripts/bench-serve.sh     (server JVM options)
# See docs/serve.md "Load benchmark" for the method and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -pl maestro-bench -am test-compile
# in the same reactor as test-compile, so maestro-core's test fixtures (a test-jar dependency) resolve to its test-classes
mvn -q -o -pl maestro-server -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/serve-cp.txt >/dev/null
CP="maestro-server/target/test-classes:maestro-server/target/classes:maestro-core/target/classes:$(cat maestro-server/target/serve-cp.txt)"
# shellcheck disable=SC2086
exec java ${SERVE_JAVA_OPTS:--Xmx1g} -cp "$CP" -Dserve.load.cp=maestro-bench/target/classes "$@" dev.maestro.serve.ServeBench
