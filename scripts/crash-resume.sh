#!/usr/bin/env bash
# Crash test for training: kill -9 the trainer at random moments, resume each time, and check that the run ends
# byte-identical to an uninterrupted one.
#
# Usage (from the repository root):  scripts/crash-resume.sh [KILLS] [MAX_SLEEP_SECONDS]
#   KILLS              how many times to start with --resume and kill -9 (default 20)
#   MAX_SLEEP_SECONDS  each kill comes after a random 0.5..MAX seconds (default 15; a run takes ~22 s here, ~10 s of it JVM start and loading)
# Needs: java 17, ./maestro (builds the CLI jar if needed), sha256sum, and python3 or jq to parse JSON lines.
# Exit status 0 = PASS, 1 = FAIL.
set -uo pipefail
cd "$(dirname "$0")/.."

KILLS="${1:-20}"
MAX_SLEEP="${2:-15}"
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

ckpt_check() { java -cp "$JAR" dev.maestro.train.CheckpointCheck "$@"; }

echo "== reference: ./maestro ${ARGS[*]} --out $TMP/ref"
t0=$(date +%s.%N)
./maestro "${ARGS[@]}" --out "$TMP/ref" >"$TMP/ref.out" 2>&1 || { cat "$TMP/ref.out"; echo FAIL: reference run failed; exit 1; }
t1=$(date +%s.%N)
printf "   %.1f s, %s log lines\n" "$(awk -v a="$t0" -v b="$t1" "BEGIN{print b-a}")" "$(wc -l <"$TMP/ref/train_log.jsonl")"

fail=0; done_kills=0; mid_step=0; at_ckpt=0; in_startup=0; finished_early=0; torn=0; bad_ckpt=0
for i in $(seq 1 "$KILLS"); do
    # Log lines carry timings, so a step done (or redone) by this start writes a line that was not in the log
    # before it (a resume may also truncate the log, which alone is not progress).
    cp "$TMP/run/train_log.jsonl" "$TMP/log.before" 2>/dev/null || : >"$TMP/log.before"
    ./maestro "${ARGS[@]}" --out "$TMP/run" --resume >>"$TMP/run.out" 2>&1 &
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
    ckpts=("$TMP"/run/*.ckpt)
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
    if [ -f "$TMP/run/train_log.jsonl" ]; then
        b=$(json_lines_ok "$TMP/run/train_log.jsonl")
        if [ "$b" != 0 ]; then echo "   FAIL: $b torn line(s) in train_log.jsonl after kill $i"; torn=$((torn + b)); fail=1; fi
        logstep=$(last_step "$TMP/run/train_log.jsonl")
    fi
    # Where the kill landed: before the first new step (JVM start, loading, resume), mid-step (the log is ahead
    # of last.ckpt, so the resume must drop those lines and redo those steps), or right after a checkpoint.
    after=$(tail -n 1 "$TMP/run/train_log.jsonl" 2>/dev/null || true)
    if [ "$note" = killed ]; then
        if [ -z "$after" ] || grep -Fxq -- "$after" "$TMP/log.before"; then in_startup=$((in_startup + 1)); note="$note before its first step"
        elif [ "$logstep" -gt "$ckstep" ]; then mid_step=$((mid_step + 1)); note="$note mid-step"
        else at_ckpt=$((at_ckpt + 1)); note="$note at a checkpoint"; fi
    fi
    printf '   run %2d: %s after %5s s; last.ckpt step %s, log step %s\n' "$i" "$note" "$delay" "$ckstep" "$logstep"
done

echo "== final: ./maestro ${ARGS[*]} --out $TMP/run --resume (to completion)"
./maestro "${ARGS[@]}" --out "$TMP/run" --resume >>"$TMP/run.out" 2>&1 || { tail -20 "$TMP/run.out"; echo FAIL: final resume failed; exit 1; }

for f in policy.ckpt last.ckpt; do
    r=$(sha256sum <"$TMP/ref/$f" | cut -c1-64); g=$(sha256sum <"$TMP/run/$f" | cut -c1-64)
    printf '   %-11s ref %s\n   %-11s run %s\n' "$f" "$r" "" "$g"
    [ "$r" = "$g" ] || { echo "   FAIL: $f differs"; fail=1; }
done
rl=$(wc -l <"$TMP/ref/train_log.jsonl"); gl=$(wc -l <"$TMP/run/train_log.jsonl")
echo "   train_log.jsonl lines: ref $rl, run $gl"
[ "$rl" = "$gl" ] || { echo "   FAIL: log line counts differ"; fail=1; }
cmp -s "$TMP/ref/train_log.jsonl" "$TMP/run/train_log.jsonl" && echo "   train_log.jsonl identical" \
    || echo "   note: train_log.jsonl differs in content (timings are logged, so this alone is not a failure)"

echo "== corrupt checkpoint: flip one byte in a copy of last.ckpt"
cp "$TMP/run/last.ckpt" "$TMP/corrupt.ckpt"
size=$(stat -c %s "$TMP/corrupt.ckpt"); off=$((size / 2))
orig=$(od -An -tu1 -j "$off" -N1 "$TMP/corrupt.ckpt" | tr -d ' ')
printf "$(printf '\\%03o' $(( orig ^ 0xFF )))" | dd of="$TMP/corrupt.ckpt" bs=1 seek="$off" conv=notrunc status=none
if msg=$(ckpt_check "$TMP/corrupt.ckpt" 2>&1); then
    echo "   FAIL: corrupt checkpoint accepted: $msg"; fail=1
else
    echo "   refused (byte $off flipped): $msg"
fi

echo "== kills done $done_kills of $KILLS (runs that finished before the kill: $finished_early): mid-step $mid_step,"
echo "   right after a checkpoint $at_ckpt, before the run's first step $in_startup;"
echo "   unreadable checkpoints $bad_ckpt; torn log lines $torn"
if [ "$fail" = 0 ]; then
    echo "PASS (work folder $TMP)"; rm -rf "$TMP"; exit 0
else
    echo "FAIL (work folder kept: $TMP)"; exit 1
fi
