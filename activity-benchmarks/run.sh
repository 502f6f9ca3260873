#!/usr/bin/env bash
# Runs the JMH suite with a preset and records the results.
#
#   activity-benchmarks/run.sh quick      # every benchmark once, short iterations (smoke test, ~1 min)
#   activity-benchmarks/run.sh moderate   # 1 fork, 2 warmup + 3 measured 1 s iterations (~7 min)
#   activity-benchmarks/run.sh standard   # 1 fork, 3 warmup + 5 measured 1 s iterations (~10 min)
#   activity-benchmarks/run.sh full       # the classes' own settings: 2 forks, 5 + 5 iterations (~30 min)
#
# Options: --status TEXT (a note printed above the table, e.g. "preliminary, machine was shared"),
# --readme (also replace the results block of activity-benchmarks/README.md), and, after "--",
# extra JMH arguments (a benchmark regex, -p name=value, ...).
#
# Every preset runs with -prof gc (allocation in B/op) and -foe true (a failing benchmark fails
# the run). quick writes to target/quick-results/; the others to results/<mode>-<timestamp>.json
# and a Markdown table beside it. The jar is built first if it is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"

mode="${1:-}"
[ $# -gt 0 ] && shift
status=""
readme=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --status) status="$2"; shift 2 ;;
    --readme) readme="$here/README.md"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

case "$mode" in
  quick)    preset=(-f 1 -wi 1 -i 1 -w 100ms -r 100ms) ;;
  moderate) preset=(-f 1 -wi 2 -i 3 -w 1s -r 1s) ;;
  standard) preset=(-f 1 -wi 3 -i 5 -w 1s -r 1s) ;;
  full)     preset=() ;;
  *) echo "usage: run.sh quick|moderate|standard|full [--status TEXT] [--readme] [-- JMH args]" >&2
     exit 2 ;;
esac

if [ ! -f "$jar" ]; then
  echo "building $jar"
  (cd "$root" && mvn -B -q -pl activity-benchmarks -am package -DskipTests)
fi

if [ "$mode" = quick ]; then
  out="$here/target/quick-results"
  name="quick"
else
  out="$here/results"
  name="$mode-$(date -u +%Y%m%d-%H%M%S)"
fi
mkdir -p "$out"
json="$out/$name.json"
log="$out/$name.log"

echo "running the $mode preset: java -jar benchmarks.jar ${preset[*]} -prof gc -foe true ${extra[*]:-}"
echo "log: $log"
start=$(date +%s)
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
set +e
java -jar "$jar" "${preset[@]}" -prof gc -foe true -rf json -rff "$json" "${extra[@]}" >"$log" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

if [ $rc -ne 0 ] || [ ! -s "$json" ]; then
  tail -n 60 "$log"
  echo "benchmarks failed (exit $rc) after ${elapsed}s; full log in $log" >&2
  exit 1
fi

table=(java -cp "$jar" dev.inflight.activity.benchmarks.ResultsTable "$json" --out "$out/$name.md"
  --note "Load average (1, 5, 15 min) at start: $load_before; at end: $load_after (2 cores: above 2 means other work competed)"
  --note "Preset: $mode (${preset[*]:-annotation settings}) -prof gc ${extra[*]:-}; ${elapsed} s")
[ -n "$status" ] && table+=(--status "$status")
[ -n "$readme" ] && table+=(--readme "$readme")
"${table[@]}"

# the summary JMH prints at the end, without the gc rate/count/time lines
sed -n '/^Benchmark  /,$p' "$log" | grep -v -E ':gc\.(alloc\.rate|count|time) ' || true
ran=$(grep -c '"benchmark"' "$json")
echo "results: $json and $out/$name.md (${elapsed}s)"
echo "benchmarks: $ran passed, 0 failed"
