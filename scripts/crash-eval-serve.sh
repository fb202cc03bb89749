#!/usr/bin/env bash
# Crash tests for `maestro eval` and `maestro serve` (the training one is scripts/crash-resume.sh).
#
# eval:  a reference run with a fixed seed, then starts of the identical command with --resume, each kill -9'd
#        after a random 0.5..MAX_SLEEP s, until KILLS kills have landed (a start that finishes first must give the
#        reference report, and the next start begins a fresh run). After every kill: report.json / report.html / the PNG are absent
#        or complete (they are written atomically), and every line of the traces file parses except at most a
#        torn LAST line (the one being appended at the kill; --resume cuts it off). Finally a --resume to completion
#        must give the reference report.json (minus the policy's measured decision time) and the same episodes.
# serve: SERVE_KILLS times: start `maestro serve` on a free port with a SQLite trace store, send requests from
#        4 clients, kill -9 it mid-load, check the database (PRAGMA integrity_check), restart it on the same
#        files, check it answers again (20 requests, all 200) and that /traces still lists episodes.
#
# Usage (from the repository root):  scripts/crash-eval-serve.sh [KILLS] [MAX_SLEEP_SECONDS] [SERVE_KILLS]
#   defaults: 20 eval kills, MAX_SLEEP = the reference eval's duration (measured after the jar is built), 3 serve kills.
# Needs: java 17, ./maestro (with a built jar), python3 (JSON and sqlite3 checks), curl.
# Exit status 0 = PASS, 1 = FAIL.
set -uo pipefail
cd "$(dirname "$0")/.."

KILLS="${1:-20}"
MAX_SLEEP="${2:-}"
SERVE_KILLS="${3:-3}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/maestro-crash-eval.XXXXXX")"
EVAL=(eval --suite blind --no-progress --seed 7 --threads 2)
T_START=$(date +%s)
fail=0

for tool in python3 curl; do command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }; done
unset MAESTRO_API_KEYS   # serve on loopback without keys

# --- helpers (python3 does the parsing) -------------------------------------------------------------------------
trace_check() { # FILE -> "BAD TORN_LAST LINES": lines that do not parse (not counting a torn last line), torn last line 0/1, lines
    python3 - "$1" <<'PY'
import json, sys
p = sys.argv[1]
try:
    data = open(p, 'rb').read()
except FileNotFoundError:
    print(0, 0, 0); sys.exit()
lines = data.split(b'\n')
torn = 0
if lines and lines[-1] != b'':
    torn = 1              # no newline at the end: the line being written at the kill
    lines = lines[:-1]
elif lines:
    lines = lines[:-1]
bad = 0
for l in lines:
    try:
        json.loads(l)
    except ValueError:
        bad += 1
print(bad, torn, len(lines))
PY
}

report_check() { # DIR REF_SYSTEMS -> prints "absent", "complete" or "BROKEN: why"
    python3 - "$1" "$2" <<'PY'
import json, os, sys
d, want = sys.argv[1], int(sys.argv[2])
files = {f: os.path.join(d, f) for f in ("report.json", "report.html", "accuracy_vs_cost.png")}
present = [f for f, p in files.items() if os.path.exists(p)]
if not present:
    print("absent"); sys.exit()
why = []
for f in present:
    b = open(files[f], 'rb').read()
    if f == "report.json":
        try:
            r = json.loads(b)
            if len(r.get("systems", [])) != want:
                why.append("report.json has %d systems, want %d" % (len(r.get("systems", [])), want))
        except ValueError as e:
            why.append("report.json does not parse: %s" % e)
    elif f == "report.html":
        if not b.rstrip().endswith(b"</html>"):
            why.append("report.html is cut short")
    elif not (b.startswith(b"\x89PNG") and b"IEND" in b[-16:]):
        why.append("accuracy_vs_cost.png is cut short")
# leftover temp files of an interrupted atomic write are harmless, but count them
tmp = [f for f in os.listdir(d) if f not in files]
print(("BROKEN: " + "; ".join(why)) if why else ("complete" + (" (+%d temp files)" % len(tmp) if tmp else "")))
PY
}

stable_report() { # report.json -> its JSON without the measured decision time, keys sorted
    python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
for s in r["systems"]: s.pop("decision_us_p50", None)
print(json.dumps(r, sort_keys=True))' "$1"
}

episode_keys() { # traces file -> sorted unique (policy, task, seed), one per line
    python3 -c 'import json,sys
ks=set()
for l in open(sys.argv[1], "rb"):
    e=json.loads(l); ks.add("%s|%s|%s" % (e["policy"], e["taskId"], e["seed"]))
print("\n".join(sorted(ks)))' "$1"
}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# --- eval --------------------------------------------------------------------------------------------------------
./maestro --version >/dev/null 2>&1 || { echo "FAIL: ./maestro does not start"; exit 1; }  # builds the jar first if stale
echo "== eval reference: ./maestro ${EVAL[*]} --out $TMP/ref --traces $TMP/ref.jsonl"
t0=$(date +%s.%N)
./maestro "${EVAL[@]}" --out "$TMP/ref" --traces "$TMP/ref.jsonl" >"$TMP/ref.out" 2>&1 || { tail -20 "$TMP/ref.out"; echo "FAIL: reference eval failed"; exit 1; }
ref_systems=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["systems"]))' "$TMP/ref/report.json")
ref_s=$(elapsed "$t0")
echo "   $ref_s s, $ref_systems systems, $(wc -l <"$TMP/ref.jsonl") trace lines"
[ -n "$MAX_SLEEP" ] || MAX_SLEEP=$(awk -v r="$ref_s" 'BEGIN { printf "%.1f", (r < 2 ? 2 : r) }')
echo "   kills after a random 0.5..$MAX_SLEEP s"

kills=0; finished=0; torn_tails=0; bad_lines=0; broken_reports=0; reports_seen=0
runs=1; RUN="$TMP/run-1"; starts=0
while [ "$kills" -lt "$KILLS" ] && [ "$starts" -lt $((KILLS * 3)) ]; do
    starts=$((starts + 1))
    ./maestro "${EVAL[@]}" --out "$RUN" --traces "$RUN.jsonl" --resume >>"$TMP/run.out" 2>&1 &
    pid=$!   # ./maestro execs java: this is the JVM
    delay=$(awk -v s="$RANDOM" -v m="$MAX_SLEEP" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * (m - 0.5) }')
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); note="killed"; else finished=$((finished + 1)); note="had finished"; fi
    wait "$pid" 2>/dev/null
    read -r bad torn lines <<<"$(trace_check "$RUN.jsonl")"
    rep=$(report_check "$RUN" "$ref_systems")
    case "$rep" in
        BROKEN*) broken_reports=$((broken_reports + 1)); fail=1 ;;
        complete*) reports_seen=$((reports_seen + 1)) ;;
    esac
    [ "$bad" != 0 ] && { bad_lines=$((bad_lines + bad)); fail=1; }
    torn_tails=$((torn_tails + torn))
    printf '   start %2d (run %d): %-12s after %5s s; trace lines %6s, unparsable %s, torn last line %s; report %s\n' \
        "$starts" "$runs" "$note" "$delay" "$lines" "$bad" "$torn" "$rep"
    if [ "$note" = "had finished" ]; then
        # a run that completed between kills must already give the reference report; then begin a fresh one
        if [ "$(stable_report "$TMP/ref/report.json")" = "$(stable_report "$RUN/report.json")" ]; then
            echo "            run $runs complete: report.json equal to the reference"
        else
            echo "   FAIL: run $runs completed with a report that differs from the reference"; fail=1
        fi
        runs=$((runs + 1)); RUN="$TMP/run-$runs"
    fi
done
[ "$kills" -ge "$KILLS" ] || { echo "   FAIL: only $kills eval kills landed in $starts starts"; fail=1; }

echo "== eval final: --resume to completion"
t0=$(date +%s.%N)
./maestro "${EVAL[@]}" --out "$RUN" --traces "$RUN.jsonl" --resume >>"$TMP/run.out" 2>&1 || { tail -20 "$TMP/run.out"; echo "FAIL: final resume failed"; exit 1; }
echo "   $(elapsed "$t0") s"
read -r bad torn lines <<<"$(trace_check "$RUN.jsonl")"
echo "   trace lines $lines (reference $(wc -l <"$TMP/ref.jsonl")), unparsable $bad, torn last line $torn"
[ "$bad" = 0 ] && [ "$torn" = 0 ] || { echo "   FAIL: the final trace has broken lines"; fail=1; }
if [ "$(stable_report "$TMP/ref/report.json")" = "$(stable_report "$RUN/report.json")" ]; then
    echo "   report.json equal to the reference (decision_us_p50 aside)"
else
    echo "   FAIL: report.json differs from the reference"; fail=1
    diff <(stable_report "$TMP/ref/report.json" | python3 -m json.tool) <(stable_report "$RUN/report.json" | python3 -m json.tool) | head -20
fi
if [ "$(episode_keys "$TMP/ref.jsonl")" = "$(episode_keys "$RUN.jsonl")" ]; then
    echo "   same episodes as the reference ($(episode_keys "$TMP/ref.jsonl" | wc -l) distinct (policy, task, seed))"
else
    echo "   FAIL: the traces hold other episodes than the reference's"; fail=1
fi

# --- serve -------------------------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_health() { # PORT PID -> 0 when /health answers 200 within 90 s
    for _ in $(seq 1 180); do
        kill -0 "$2" 2>/dev/null || return 1
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health")" = 200 ] && return 0
        sleep 0.5
    done
    return 1
}
ask() { # PORT N -> prints the HTTP status of N requests, one per line
    for k in $(seq 1 "$2"); do
        curl -s -o /dev/null -w '%{http_code}\n' -m 30 -H 'Content-Type: application/json' \
            -d "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"What is $k + $RANDOM? Answer with a number.\"}]}" \
            "http://127.0.0.1:$1/v1/chat/completions"
    done
}
db_check() { # FILE -> "ok ROWS" or the problem
    python3 - "$1" <<'PY'
import sqlite3, sys
try:
    c = sqlite3.connect(sys.argv[1])
    r = c.execute("PRAGMA integrity_check").fetchone()[0]
    n = c.execute("SELECT count(*) FROM traces").fetchone()[0]
    print(r, n)
except Exception as e:
    print("error:", e)
PY
}

SERVE=(serve --registry paper-simulated --host 127.0.0.1)
DB="$TMP/serve/traces.db"
port=$(free_port)
serve_kills=0; serve_fail=0; answered_total=0
echo "== serve: ./maestro ${SERVE[*]} --port $port --traces $DB; kill -9 under load, restart, $SERVE_KILLS times"
for i in $(seq 1 "$SERVE_KILLS"); do
    ./maestro "${SERVE[@]}" --port "$port" --traces "$DB" >>"$TMP/serve.out" 2>&1 &
    pid=$!
    t0=$(date +%s.%N)
    if ! wait_health "$port" "$pid"; then echo "   FAIL: start $i never answered /health"; tail -20 "$TMP/serve.out"; fail=1; kill -9 "$pid" 2>/dev/null; break; fi
    up=$(elapsed "$t0")
    # after a restart (i > 1) it must serve again: 20 requests, all 200, and /traces lists the stored episodes
    if [ "$i" -gt 1 ]; then
        ok=$(ask "$port" 20 | grep -c '^200$')
        listed=$(curl -s "http://127.0.0.1:$port/traces" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d) if isinstance(d, list) else len(d.get("traces", d.get("data", []))))' 2>/dev/null || echo "?")
        echo "   restart $((i - 1)): up after $up s; 20 requests -> $ok answered 200; /traces lists $listed"
        [ "$ok" = 20 ] || { echo "   FAIL: the restarted server did not answer every request"; serve_fail=1; fail=1; }
    fi
    # load from 4 clients, then kill -9 at a random moment while they are sending
    for c in 1 2 3 4; do ask "$port" 200 >"$TMP/load.$c" 2>/dev/null & done
    delay=$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * 3 }')
    sleep "$delay"
    answered=$(cat "$TMP"/load.* | grep -c '^200$')
    kill -9 "$pid" 2>/dev/null && serve_kills=$((serve_kills + 1))
    wait "$pid" 2>/dev/null
    wait 2>/dev/null   # the clients end on connection refused
    answered_total=$((answered_total + answered))
    read -r integrity rows <<<"$(db_check "$DB")"
    printf '   kill %d: after %s s of load (%s requests answered by then); trace db integrity %s, %s rows\n' \
        "$i" "$delay" "$answered" "$integrity" "$rows"
    [ "$integrity" = ok ] || { echo "   FAIL: trace database damaged"; serve_fail=1; fail=1; }
    rm -f "$TMP"/load.*
done
# one last start: it must come up on the killed store and serve
./maestro "${SERVE[@]}" --port "$port" --traces "$DB" >>"$TMP/serve.out" 2>&1 &
pid=$!
if wait_health "$port" "$pid"; then
    ok=$(ask "$port" 20 | grep -c '^200$')
    echo "   final restart: 20 requests -> $ok answered 200"
    [ "$ok" = 20 ] || { echo "   FAIL: the restarted server did not answer every request"; fail=1; }
else
    echo "   FAIL: the final restart never answered /health"; tail -20 "$TMP/serve.out"; fail=1
fi
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
read -r integrity rows <<<"$(db_check "$DB")"
echo "   after a clean stop: trace db integrity $integrity, $rows rows"
[ "$integrity" = ok ] || fail=1

echo "== eval: $kills kills in $starts starts over $runs run(s) (starts that finished before their kill: $finished); unparsable trace lines $bad_lines;"
echo "   torn last lines $torn_tails (cut off by the next --resume); broken report files $broken_reports (complete seen $reports_seen)"
echo "== serve: $serve_kills kills under load ($answered_total requests answered before them), database damaged: $([ $serve_fail = 0 ] && echo no || echo YES)"
echo "== total $(( $(date +%s) - T_START )) s"
if [ "$fail" = 0 ]; then
    echo "PASS (work folder $TMP)"; rm -rf "$TMP"; exit 0
else
    echo "FAIL (work folder kept: $TMP)"; exit 1
fi
