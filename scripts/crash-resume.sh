#!/usr/bin/env bash
# Crash test for training: kill -9 the trainer at random moments, resume each time, and check that the run ends
# byte-identical to an uninterrupted one.
#
# Usage (from the repository root):  scripts/crash-resume.sh [KILLS] [MAX_SLEEP_SECONDS]
#   KILLS              how many kill -9s to land (default 20). A start that finishes before its kill is checked
#                      against the reference and the next start begins a fresh run folder, so every kill counts.
#   MAX_SLEEP_SECONDS  each kill comes after a random 0.5..MAX seconds (default: the reference run's duration)
# Needs: java 17, ./maestro (builds the CLI jar if needed), sha256sum, and python3 or jq to parse JSON lines.
# Exit status 0 = PASS, 1 = FAIL.
set -uo pipefail
cd "$(dirname "$0")/.."

KILLS="${1:-20}"
MAX_SLEEP="${2:-}"
JAR=maestro-cli/target/maestro.jar
TMP="$(mktemp -d "${TMPDIR:-/tmp}/maestro-crash.XXXXXX")"
# The fastest configuration measured that still exercises everything (the trainer always does >= 200 steps):
# blind suite (256 steps), the hashing embedder (no ONNX model load). Identical arguments for every run: resume
# refuses a different config.
ARGS=(train --suite blind --no-progress --epochs 1 --embedder hashing-384)

json_lines_ok() { # FILE -> prints the number of lines that do NOT parse as JSON
    if command -v python3 >/dev/null; then
        python3 - "$1" <<'PY'
import json, sys
bad = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        try:
            json.loads(line)
        except ValueError:
            bad += 1
print(bad)
PY
    elif command -v jq >/dev/null; then
        local bad=0
        while IFS= read -r line; do printf '%s' "$line" | jq -e . >/dev/null 2>&1 || bad=$((bad + 1)); done <"$1"
        echo "$bad"
    else
        echo "need python3 or jq to parse train_log.jsonl" >&2; exit 1
    fi
}

last_step() { # FILE -> the largest "step" in a train_log.jsonl (0 if none)
    python3 -c 'import json,sys
m=0
for l in open(sys.argv[1]):
    try: m=max(m,int(json.loads(l)["step"]))
    except Exception: pass
print(m)' "$1" 2>/dev/null || jq -s 'map(.step) | max // 0' "$1" 2>/dev/null || echo 0
}

ckpt_check() { java -cp "$JAR" dev.maestro.cli.CheckpointCheck "$@"; }

./maestro --version >/dev/null 2>&1 || { echo "FAIL: ./maestro does not start"; exit 1; }  # builds the jar first if stale, so the timing below is of the run only
echo "== reference: ./maestro ${ARGS[*]} --out $TMP/ref"
t0=$(date +%s.%N)
./maestro "${ARGS[@]}" --out "$TMP/ref" >"$TMP/ref.out" 2>&1 || { cat "$TMP/ref.out"; echo FAIL: reference run failed; exit 1; }
t1=$(date +%s.%N)
ref_s=$(awk -v a="$t0" -v b="$t1" "BEGIN{print b-a}")
printf "   %.1f s, %s log lines\n" "$ref_s" "$(wc -l <"$TMP/ref/train_log.jsonl")"
[ -n "$MAX_SLEEP" ] || MAX_SLEEP=$(awk -v r="$ref_s" 'BEGIN { printf "%.1f", (r < 2 ? 2 : r) }')
echo "   kills after a random 0.5..$MAX_SLEEP s"

same_as_ref() { # RUN_DIR -> 0 when policy.ckpt and last.ckpt equal the reference's
    for f in policy.ckpt last.ckpt; do
        [ "$(sha256sum <"$TMP/ref/$f" | cut -c1-64)" = "$(sha256sum <"$1/$f" | cut -c1-64)" ] || return 1
    done
}

fail=0; done_kills=0; mid_step=0; at_ckpt=0; in_startup=0; finished_early=0; torn=0; bad_ckpt=0
runs=1; RUN="$TMP/run-1"; i=0
while [ "$done_kills" -lt "$KILLS" ] && [ "$i" -lt $((KILLS * 3)) ]; do
    i=$((i + 1))
    # Log lines carry timings, so a step done (or redone) by this start writes a line that was not in the log
    # before it (a resume may also truncate the log, which alone is not progress).
    cp "$RUN/train_log.jsonl" "$TMP/log.before" 2>/dev/null || : >"$TMP/log.before"
    ./maestro "${ARGS[@]}" --out "$RUN" --resume >>"$TMP/run.out" 2>&1 &
    pid=$!   # ./maestro execs java, so this is the JVM's pid
    delay=$(awk -v s="$RANDOM" -v m="$MAX_SLEEP" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * (m - 0.5) }')
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then
        done_kills=$((done_kills + 1)); note="killed"
    else
        finished_early=$((finished_early + 1)); note="had already finished"
    fi
    wait "$pid" 2>/dev/null
    # What survived must be readable: every checkpoint, every log line.
    ckpts=("$RUN"/*.ckpt)
    ckstep=0
    if [ -e "${ckpts[0]}" ]; then
        if out=$(ckpt_check "${ckpts[@]}" 2>&1); then
            ckstep=$(printf '%s\n' "$out" | grep '/last.ckpt:' | sed -n 's/.* step=\([0-9]*\).*/\1/p')
            ckstep=${ckstep:-0}
        else
            echo "   FAIL: unreadable checkpoint after kill $i: $out"; bad_ckpt=$((bad_ckpt + 1)); fail=1
        fi
    fi
    logstep=0
    if [ -f "$RUN/train_log.jsonl" ]; then
        b=$(json_lines_ok "$RUN/train_log.jsonl")
        if [ "$b" != 0 ]; then echo "   FAIL: $b torn line(s) in train_log.jsonl after kill $i"; torn=$((torn + b)); fail=1; fi
        logstep=$(last_step "$RUN/train_log.jsonl")
    fi
    # Where the kill landed: before the first new step (JVM start, loading, resume), mid-step (the log is ahead
    # of last.ckpt, so the resume must drop those lines and redo those steps), or right after a checkpoint.
    after=$(tail -n 1 "$RUN/train_log.jsonl" 2>/dev/null || true)
    if [ "$note" = killed ]; then
        if [ -z "$after" ] || grep -Fxq -- "$after" "$TMP/log.before"; then in_startup=$((in_startup + 1)); note="$note before its first step"
        elif [ "$logstep" -gt "$ckstep" ]; then mid_step=$((mid_step + 1)); note="$note mid-step"
        else at_ckpt=$((at_ckpt + 1)); note="$note at a checkpoint"; fi
    fi
    printf '   start %2d (run %d): %s after %5s s; last.ckpt step %s, log step %s\n' "$i" "$runs" "$note" "$delay" "$ckstep" "$logstep"
    if [ "$note" = "had already finished" ]; then
        # a run that completed between kills must already equal the reference; then begin a fresh one
        if same_as_ref "$RUN"; then echo "            run $runs complete: policy.ckpt and last.ckpt equal the reference"
        else echo "   FAIL: run $runs completed with checkpoints that differ from the reference"; fail=1; fi
        runs=$((runs + 1)); RUN="$TMP/run-$runs"
    fi
done

echo "== final: ./maestro ${ARGS[*]} --out $RUN --resume (to completion)"
./maestro "${ARGS[@]}" --out "$RUN" --resume >>"$TMP/run.out" 2>&1 || { tail -20 "$TMP/run.out"; echo FAIL: final resume failed; exit 1; }

for f in policy.ckpt last.ckpt; do
    r=$(sha256sum <"$TMP/ref/$f" | cut -c1-64); g=$(sha256sum <"$RUN/$f" | cut -c1-64)
    printf '   %-11s ref %s\n   %-11s run %s\n' "$f" "$r" "" "$g"
    [ "$r" = "$g" ] || { echo "   FAIL: $f differs"; fail=1; }
done
rl=$(wc -l <"$TMP/ref/train_log.jsonl"); gl=$(wc -l <"$RUN/train_log.jsonl")
echo "   train_log.jsonl lines: ref $rl, run $gl"
[ "$rl" = "$gl" ] || { echo "   FAIL: log line counts differ"; fail=1; }
cmp -s "$TMP/ref/train_log.jsonl" "$RUN/train_log.jsonl" && echo "   train_log.jsonl identical" \
    || echo "   note: train_log.jsonl differs in content (timings are logged, so this alone is not a failure)"

echo "== corrupt checkpoint: flip one byte in a copy of last.ckpt"
cp "$RUN/last.ckpt" "$TMP/corrupt.ckpt"
size=$(stat -c %s "$TMP/corrupt.ckpt"); off=$((size / 2))
orig=$(od -An -tu1 -j "$off" -N1 "$TMP/corrupt.ckpt" | tr -d ' ')
printf "$(printf '\\%03o' $(( orig ^ 0xFF )))" | dd of="$TMP/corrupt.ckpt" bs=1 seek="$off" conv=notrunc status=none
if msg=$(ckpt_check "$TMP/corrupt.ckpt" 2>&1); then
    echo "   FAIL: corrupt checkpoint accepted: $msg"; fail=1
else
    echo "   refused (byte $off flipped): $msg"
fi

[ "$done_kills" -ge "$KILLS" ] || { echo "   FAIL: only $done_kills kills landed in $i starts"; fail=1; }
echo "== kills done $done_kills of $KILLS in $i starts over $runs run(s) (starts that finished before their kill: $finished_early): mid-step $mid_step,"
echo "   right after a checkpoint $at_ckpt, before the run's first step $in_startup;"
echo "   unreadable checkpoints $bad_ckpt; torn log lines $torn"
if [ "$fail" = 0 ]; then
    echo "PASS (work folder $TMP)"; rm -rf "$TMP"; exit 0
else
    echo "FAIL (work folder kept: $TMP)"; exit 1
fi
