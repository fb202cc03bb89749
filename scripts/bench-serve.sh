#!/usr/bin/env bash
# Serving benchmark: MaestroServer with in-code fake experts in one JVM, dev.maestro.bench.ServeLoad in another.
# Usage: scripts/bench-serve.sh            (from the repository root; offline Maven)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -pl maestro-server,maestro-bench -am test-compile
mvn -q -o -pl maestro-server -am dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/serve-cp.txt >/dev/null
CP="maestro-server/target/test-classes:maestro-server/target/classes:maestro-core/target/classes:$(cat maestro-server/target/serve-cp.txt)"
exec java -Xmx1g -cp "$CP" -Dserve.load.cp=maestro-bench/target/classes dev.maestro.serve.ServeBench
