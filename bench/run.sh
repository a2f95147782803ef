#!/usr/bin/env bash
# `make bench`: tifa's speed and memory per stage against jieba-rs alone, on the news
# transcripts (117 MB) and on a 1 GB corpus made from them, plus the Python jieba + Counter
# script on the government reports. Every figure is measured in this run; nothing is
# hard-coded. Results: target/bench/results.md (and stdout).
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared/corpus}
BENCH_CORPUS=${BENCH_CORPUS:-$SHARED/cctv-news-2012-2026}
BIG_MB=${BIG_MB:-1000}
THREADS=${THREADS:-$(nproc)}
OUT=target/bench
mkdir -p "$OUT"

cargo build --release --locked --quiet -p tifa-cli -p tifa-bench
TIFA=target/release/tifa
HMM=$(sed -n 's/^hmm *= *\(true\|false\).*/\1/p' config/segment.toml 2>/dev/null | head -1)
HMM_FLAG=""; [ "$HMM" = "false" ] && HMM_FLAG="--no-hmm"

# measure LABEL CMD... -> appends "LABEL seconds peak_kb" to $OUT/times
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.tmp" "$@" >"$OUT/$label.stdout" 2>"$OUT/$label.stderr" || {
    echo "bench: $label failed:"; cat "$OUT/$label.stderr"; exit 2; }
  echo "$label $(cat "$OUT/time.tmp")" >>"$OUT/times"
}

mb() { du -sb --apparent-size "$1" | awk '{printf "%.1f", $1/1e6}'; }

bench_corpus() {
  local name=$1 dir=$2 work="$OUT/work-$1" rep="$OUT/reports-$1"
  rm -rf "$work" "$rep"
  measure "$name-jieba" target/release/jieba-baseline $HMM_FLAG -j "$THREADS" "$dir"
  local T="$TIFA -q --no-progress -j $THREADS"
  measure "$name-clean" $T clean --in "$dir" --out "$work/clean.bin"
  measure "$name-segment" $T segment --in "$work/clean.bin" --out "$work/segment.bin"
  measure "$name-count" $T count --in "$work/segment.bin" --out "$work/count.bin"
  measure "$name-compare" $T compare --in "$work/count.bin" --out "$work/compare.bin"
  measure "$name-report" $T report --in "$work/compare.bin" --out "$rep"
  rm -rf "$work/segment.bin"
}

: >"$OUT/times"
echo "bench: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM, $(uname -m), threads $THREADS"
echo "bench: news transcripts ($(mb "$BENCH_CORPUS") MB)"
bench_corpus news "$BENCH_CORPUS"

BIG="$OUT/corpus-big"
if [ ! -d "$BIG" ]; then
  target/release/make-corpus "$BENCH_CORPUS" "$BIG" "$BIG_MB" >/dev/null
fi
echo "bench: scaled corpus ($(mb "$BIG") MB)"
bench_corpus big "$BIG"

# Python jieba + Counter on the government reports, against `tifa run` on the same folders.
GOV=("$SHARED/national-work-reports" "$SHARED/provincial-work-reports-2025" "$SHARED/party-congress-reports")
PY=""
if python3 -c "import jieba" 2>/dev/null || pip install -q jieba >/dev/null 2>&1; then
  measure gov-python python3 bench/python_baseline.py "$OUT/python-ngrams.tsv" "${GOV[@]}"
  rm -rf "$OUT/work-gov" "$OUT/reports-gov"
  measure gov-tifa $TIFA -q --no-progress -j "$THREADS" run --work-dir "$OUT/work-gov" --out-dir "$OUT/reports-gov" \
    --corpus "${GOV[0]}" --corpus "${GOV[1]}" --corpus "${GOV[2]}"
  PY=1
fi

python3 - "$OUT/times" "$(mb "$BENCH_CORPUS")" "$(mb "$BIG")" "$PY" "$(mb "${GOV[0]}") $(mb "${GOV[1]}") $(mb "${GOV[2]}")" <<'PYEOF' | tee "$OUT/results.md"
import sys
times = {}
for line in open(sys.argv[1]):
    label, secs, kb = line.split()
    times[label] = (float(secs), int(kb))
sizes = {"news": float(sys.argv[2]), "big": float(sys.argv[3])}
print("| corpus | stage | seconds | MB/s | peak memory MB | peak / corpus |")
print("|---|---|---:|---:|---:|---:|")
for name, size in sizes.items():
    total = 0.0
    peak = 0
    for stage in ["clean", "segment", "count", "compare", "report"]:
        s, kb = times[f"{name}-{stage}"]
        total += s
        peak = max(peak, kb)
        print(f"| {name} {size:.0f} MB | {stage} | {s:.2f} | {size / max(s, 1e-9):.1f} | {kb / 1024:.0f} | {kb / 1024 / size:.2f} |")
    js, jkb = times[f"{name}-jieba"]
    print(f"| {name} {size:.0f} MB | **all stages** | {total:.2f} | {size / total:.1f} | {peak / 1024:.0f} | {peak / 1024 / size:.2f} |")
    print(f"| {name} {size:.0f} MB | jieba-rs alone | {js:.2f} | {size / js:.1f} | {jkb / 1024:.0f} | |")
    print(f"| {name} {size:.0f} MB | **ratio tifa / jieba** | {total / js:.2f} | | | |")
n, b = times, None
ts = sum(times[f"news-{s}"][0] for s in ["clean", "segment", "count", "compare", "report"])
tb = sum(times[f"big-{s}"][0] for s in ["clean", "segment", "count", "compare", "report"])
print()
print(f"Scaling news -> big: size x{sizes['big'] / sizes['news']:.2f}, time x{tb / ts:.2f}, "
      f"peak memory x{max(times[f'big-{s}'][1] for s in ['clean','segment','count','compare','report']) / max(times[f'news-{s}'][1] for s in ['clean','segment','count','compare','report']):.2f}")
if sys.argv[4]:
    py, _ = times["gov-python"]
    tf, _ = times["gov-tifa"]
    gov = sum(float(x) for x in sys.argv[5].split())
    print(f"Government reports ({gov:.1f} MB): Python jieba + Counter {py:.2f} s, tifa run {tf:.2f} s: tifa is {py / tf:.0f}x faster")
PYEOF
