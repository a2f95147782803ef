#!/usr/bin/env bash
# `make bench`: tifa's speed and memory per stage against jieba-rs alone, on the news
# transcripts (117 MB) and on a 1 GB corpus made from them, plus the Python jieba + Counter
# script on the government reports. Every figure is measured in this run; nothing is
# hard-coded. Results: bench/RESULTS.md, written by this script with the date, the machine and
# the command (and stdout); never edit that file by hand, run `make bench` again.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared/corpus}
BENCH_CORPUS=${BENCH_CORPUS:-$SHARED/cctv-news-2012-2026}
BIG_MB=${BIG_MB:-1000}
THREADS=${THREADS:-$(nproc)}
# Repetitions (the median is reported): the news corpus and the Python script, and the short
# runs on the government reports. The 1 GB corpus runs once.
RUNS=${RUNS:-3}
GOV_RUNS=${GOV_RUNS:-5}
OUT=target/bench
mkdir -p "$OUT"

cargo build --release --locked --quiet -p tifa-cli -p tifa-bench
# The code measured: the commit the binaries were built from, read now, as sources edited
# while the bench runs do not reach them.
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && ! git diff --quiet HEAD -- 2>/dev/null; then
  COMMIT="$COMMIT with uncommitted changes"
fi
TIFA=target/release/tifa
HMM=$(sed -n 's/^hmm *= *\(true\|false\).*/\1/p' config/segment.toml 2>/dev/null | head -1)
HMM_FLAG=""; [ "$HMM" = "false" ] && HMM_FLAG="--no-hmm"

# once LABEL I CMD... -> runs CMD once as repetition I of LABEL, keeping its time and peak
# memory in $OUT/runs-LABEL and its stdout and stderr as $OUT/LABEL.I.stdout and .stderr.
once() {
  local label=$1 i=$2; shift 2
  # A work folder left by the previous repetition would let `tifa run` skip its stages.
  [ -n "${CLEAN_BEFORE:-}" ] && rm -rf $CLEAN_BEFORE
  /usr/bin/time -f "%e %M" -o "$OUT/time.tmp" "$@" >"$OUT/$label.$i.stdout" 2>"$OUT/$label.$i.stderr" || {
    echo "bench: $label failed:"; cat "$OUT/$label.$i.stderr"; exit 2; }
  echo "$(cat "$OUT/time.tmp") $i" >>"$OUT/runs-$label"
}

# median LABEL -> appends "LABEL seconds peak_kb" of the median repetition (by seconds) to
# $OUT/times and keeps that repetition's stdout and stderr as $OUT/LABEL.stdout and .stderr.
median() {
  local label=$1 runs line i
  runs=$(wc -l <"$OUT/runs-$label")
  line=$(sort -n "$OUT/runs-$label" | sed -n "$(( (runs + 1) / 2 ))p")
  i=${line##* }
  mv "$OUT/$label.$i.stdout" "$OUT/$label.stdout"
  mv "$OUT/$label.$i.stderr" "$OUT/$label.stderr"
  rm -f "$OUT/$label".[0-9]*.stdout "$OUT/$label".[0-9]*.stderr "$OUT/runs-$label"
  echo "$label ${line% *}" >>"$OUT/times"
}

# Timings on a shared machine drift from minute to minute, the short ones most, so commands
# that are compared with each other run interleaved (repetition 1 of each, then 2 …): each
# median then comes from the same stretch of time as the one it is divided by.

mb() { du -sb --apparent-size "$1" | awk '{printf "%.1f", $1/1e6}'; }

# bench_corpus NAME DIR RUNS [JIEBA_RUNS]: jieba-rs alone, then the whole pipeline as one
# `tifa run` process, RUNS times, interleaved; jieba-rs alone runs JIEBA_RUNS times (default
# RUNS), its runs beyond RUNS after the last `tifa run`, so that a single long run of tifa is
# divided by a median taken on both sides of it. Per-stage seconds and peak memory come from
# `tifa -v` (the process's own accounting: each stage's peak resident memory); the total is
# the wall time of the whole process.
bench_corpus() {
  local name=$1 dir=$2 runs=$3 jieba_runs=${4:-$3} work="$OUT/work-$1" rep="$OUT/reports-$1"
  rm -rf "$work" "$rep"
  local i
  rm -f "$OUT/runs-$name-"*
  for ((i = 1; i <= runs || i <= jieba_runs; i++)); do
    if ((i <= jieba_runs)); then
      once "$name-jieba" "$i" target/release/jieba-baseline $HMM_FLAG -j "$THREADS" "$dir"
      # For reference: jieba-rs with its default HMM on, as most jieba scripts run it.
      if [ -n "$HMM_FLAG" ]; then
        once "$name-jieba-hmm" "$i" target/release/jieba-baseline -j "$THREADS" "$dir"
      fi
    fi
    if ((i <= runs)); then
      CLEAN_BEFORE="$work $rep" once "$name-run" "$i" \
        $TIFA -v --no-progress -j "$THREADS" run --corpus "$dir" --work-dir "$work" --out-dir "$rep"
    fi
  done
  median "$name-jieba"
  if [ -n "$HMM_FLAG" ]; then median "$name-jieba-hmm"; fi
  median "$name-run"
  sed -n 's/^ \{0,9\}\(clean\|segment\|count\|compare\|report\|run\): \([0-9.]*\) s, peak \([0-9]*\) MB$/'"$name"'-\1 \2 \3/p' \
    "$OUT/$name-run.stderr" >>"$OUT/stages"
  # What a run writes: the intermediates and the reports, in MB.
  echo "$name-work $(mb "$work")" >>"$OUT/sizes"
  echo "$name-reports $(mb "$rep")" >>"$OUT/sizes"
  echo "$name-size $(mb "$dir")" >>"$OUT/sizes"
  rm -rf "$work/segment.bin" "$work/count.bin"
}

: >"$OUT/times"
: >"$OUT/stages"
: >"$OUT/sizes"
# The machine, as RESULTS.md records it: cores, memory (/proc/meminfo) and CPU model.
CPU_MODEL=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
MEM_GB=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)
MACHINE="$(nproc) cores, ${MEM_GB:-?} GB RAM, ${CPU_MODEL:-unknown CPU} ($(uname -m))"
echo "bench: $MACHINE, threads $THREADS"
echo "bench: news transcripts ($(mb "$BENCH_CORPUS") MB)"
bench_corpus news "$BENCH_CORPUS" "$RUNS"

# The diffusion views' share of a run: the report stage on the news corpus's compare.bin with
# them (the default) and without (report.toml's `diffusion = false`), interleaved.
NODIFF="$OUT/config-nodiffusion"
rm -rf "$NODIFF" && mkdir -p "$NODIFF" && cp -r config/. "$NODIFF/"
echo "diffusion = false" >>"$NODIFF/report.toml"
rm -f "$OUT/runs-news-report-"*
for ((i = 1; i <= RUNS; i++)); do
  once news-report-diffusion "$i" $TIFA -q --no-progress -j "$THREADS" report \
    --in "$OUT/work-news/compare.bin" --out "$OUT/reports-news-diffusion"
  once news-report-plain "$i" $TIFA -q --no-progress -j "$THREADS" --config "$NODIFF" report \
    --in "$OUT/work-news/compare.bin" --out "$OUT/reports-news-plain"
done
median news-report-diffusion
median news-report-plain
rm -rf "$OUT/reports-news-diffusion" "$OUT/reports-news-plain"

BIG="$OUT/corpus-big"
if [ ! -d "$BIG" ]; then
  target/release/make-corpus "$BENCH_CORPUS" "$BIG" "$BIG_MB" >/dev/null
fi
echo "bench: scaled corpus ($(mb "$BIG") MB)"
bench_corpus big "$BIG" 1 3

# The memory budget on the 1 GB corpus, with a budget below its size: each stage command that
# works in parts under it (clean, then segment on the clean.bin it wrote, count on that
# segment.bin, compare on that count.bin, report on that compare.bin), without and with the
# budget, interleaved, BUDGET_RUNS times (one run each moved by a third between benches).
export BUDGET=${BUDGET:-700M}
BUDGET_RUNS=${BUDGET_RUNS:-3}
rm -f "$OUT/runs-budget-"* && rm -rf "$OUT/work-budget"
BUDGET_WORK="$OUT/work-budget"
# budget_runs STAGE ARGS...: `tifa STAGE ARGS...` without and with the budget, interleaved.
budget_runs() {
  local stage=$1 i bound flag
  shift
  for ((i = 1; i <= BUDGET_RUNS; i++)); do
    for bound in free bound; do
      flag=""; [ "$bound" = bound ] && flag="--max-memory $BUDGET"
      once "budget-$stage-$bound" "$i" $TIFA -q --no-progress -j "$THREADS" $flag "$stage" "$@"
    done
  done
}
budget_runs clean --in "$BIG" --out "$BUDGET_WORK/clean.bin"
budget_runs segment --in "$BUDGET_WORK/clean.bin" --out "$BUDGET_WORK/segment.bin"
budget_runs count --in "$BUDGET_WORK/segment.bin" --out "$BUDGET_WORK/count.bin"
budget_runs compare --in "$BUDGET_WORK/count.bin" --out "$BUDGET_WORK/compare.bin"
budget_runs report --in "$BUDGET_WORK/compare.bin" --out "$BUDGET_WORK/reports"
for stage in clean segment count compare report; do
  for bound in free bound; do median "budget-$stage-$bound"; done
done
rm -rf "$OUT/work-budget"

# The start: `tifa cut` on a short text, which loads the dictionaries and cuts. It takes a few
# milliseconds, under the hundredths of a second /usr/bin/time counts in, so it is timed here in
# nanoseconds (11 runs, the median).
rm -f "$OUT/runs-cut"
for ((i = 1; i <= 11; i++)); do
  t0=$(date +%s%N)
  $TIFA cut 增强四个意识、坚定四个自信、做到两个维护 >/dev/null
  t1=$(date +%s%N)
  echo "$(( t1 - t0 ))" >>"$OUT/runs-cut"
done
echo "cut $(sort -n "$OUT/runs-cut" | sed -n 6p | awk '{printf "%.4f", $1 / 1e9}') 0" >>"$OUT/times"
rm -f "$OUT/runs-cut"

# Python jieba + Counter on the government reports, against `tifa run` on the same folders.
GOV=("$SHARED/national-work-reports" "$SHARED/provincial-work-reports-2025" "$SHARED/party-congress-reports")
PY=""
# The Python package, which `make bench` builds into target/pyenv first: tifa.run on the same
# folders, and a second call in a new process that finds every stage up to date.
PKG=""
if target/pyenv/bin/python -c "import tifa" 2>/dev/null; then
  PKG=1
else
  echo "bench: the Python package is not built (make python-env): its row is left out" >&2
fi
if python3 -c "import jieba" 2>/dev/null || pip install -q jieba >/dev/null 2>&1; then
  rm -f "$OUT/runs-gov-"*
  for ((i = 1; i <= GOV_RUNS; i++)); do
    # The Python script takes seconds, so it runs RUNS times, alongside the first repetitions.
    if ((i <= RUNS)); then
      once gov-python "$i" python3 bench/python_baseline.py "$OUT/python-ngrams.tsv" "${GOV[@]}"
    fi
    once gov-jieba "$i" target/release/jieba-baseline $HMM_FLAG -j "$THREADS" "${GOV[@]}"
    CLEAN_BEFORE="$OUT/work-gov $OUT/reports-gov" once gov-tifa "$i" \
      $TIFA -q --no-progress -j "$THREADS" run --work-dir "$OUT/work-gov" --out-dir "$OUT/reports-gov" \
      --corpus "${GOV[0]}" --corpus "${GOV[1]}" --corpus "${GOV[2]}"
    if [ -n "$PKG" ]; then
      CLEAN_BEFORE="$OUT/work-pkg $OUT/reports-pkg" once gov-pkg "$i" target/pyenv/bin/python \
        bench/python_package.py "$OUT/work-pkg" "$OUT/reports-pkg" "$THREADS" "${GOV[@]}"
      once gov-pkg-again "$i" target/pyenv/bin/python \
        bench/python_package.py "$OUT/work-pkg" "$OUT/reports-pkg" "$THREADS" "${GOV[@]}"
    fi
  done
  median gov-python
  median gov-jieba
  median gov-tifa
  if [ -n "$PKG" ]; then median gov-pkg; median gov-pkg-again; fi
  PY=1
fi

python3 - "$OUT/times" "$OUT/stages" "$(mb "$BENCH_CORPUS")" "$(mb "$BIG")" "$PY" "$(mb "${GOV[0]}") $(mb "${GOV[1]}") $(mb "${GOV[2]}")" "$OUT" <<'PYEOF' >"$OUT/table.md"
import os
import sys
times = {}
for line in open(sys.argv[1]):
    label, secs, kb = line.split()
    times[label] = (float(secs), int(kb) * 1024 / 1e6)
stages = {}
for line in open(sys.argv[2]):
    label, secs, mb = line.split()
    stages[label] = (float(secs), float(mb))
sizes = {"news": float(sys.argv[3]), "big": float(sys.argv[4])}
print("| corpus | stage | seconds | MB/s | peak memory MB | peak / corpus |")
print("|---|---|---:|---:|---:|---:|")
for name, size in sizes.items():
    for stage in ["clean", "segment", "count", "compare", "report"]:
        s, mb = stages[f"{name}-{stage}"]
        print(f"| {name} {size:.0f} MB | {stage} | {s:.2f} | {size / max(s, 1e-9):.1f} | {mb:.0f} | {mb / size:.2f} |")
    total, _ = times[f"{name}-run"]
    _, peak = stages[f"{name}-run"]
    js, jmb = times[f"{name}-jieba"]
    print(f"| {name} {size:.0f} MB | **tifa run, all stages** | {total:.2f} | {size / total:.1f} | {peak:.0f} | {peak / size:.2f} |")
    print(f"| {name} {size:.0f} MB | jieba-rs alone | {js:.2f} | {size / js:.1f} | {jmb:.0f} | |")
    if f"{name}-jieba-hmm" in times:
        hs, hmb = times[f"{name}-jieba-hmm"]
        print(f"| {name} {size:.0f} MB | jieba-rs alone, HMM on (not tifa's setting) | {hs:.2f} | {size / hs:.1f} | {hmb:.0f} | |")
    print(f"| {name} {size:.0f} MB | **ratio tifa / jieba** | {total / js:.2f} | | | |")
print()
print(f"Scaling news -> big: size x{sizes['big'] / sizes['news']:.2f}, "
      f"time x{times['big-run'][0] / times['news-run'][0]:.2f}, "
      f"peak memory x{stages['big-run'][1] / stages['news-run'][1]:.2f}")
budget = os.environ.get("BUDGET", "700M")
for stage in ["clean", "segment", "count", "compare", "report"]:
    fs, fmb = times[f"budget-{stage}-free"]
    bs, bmb = times[f"budget-{stage}-bound"]
    print(f"Memory budget on the big corpus: tifa {stage} {fs:.2f} s, peak {fmb:.0f} MB; with "
          f"--max-memory {budget} {bs:.2f} s ({bs / fs:.2f}x), peak {bmb:.0f} MB")
if sys.argv[5]:
    py, _ = times["gov-python"]
    tf, _ = times["gov-tifa"]
    gov = sum(float(x) for x in sys.argv[6].split())
    jg, _ = times["gov-jieba"]
    print(f"Government reports ({gov:.1f} MB): Python jieba + Counter {py:.2f} s, tifa run {tf:.2f} s: tifa is {py / tf:.0f}x faster "
          f"(jieba-rs alone {jg:.2f} s, {py / jg:.0f}x faster than the Python script)")
    if "gov-pkg" in times:
        pk, _ = times["gov-pkg"]
        again, _ = times["gov-pkg-again"]
        inside = None
        for line in open(f"{sys.argv[7]}/gov-pkg.stdout"):
            if line.startswith("run_seconds "):
                inside = float(line.split()[1])
        print(f"Python package on the government reports: tifa.run {inside:.2f} s inside Python "
              f"against tifa run {tf:.2f} s ({inside / tf:.2f}x; goal at most 1.10x); the whole process, "
              f"interpreter start and import included, {pk:.2f} s; a second run with nothing to do "
              f"{again:.2f} s (a new process)")
if "news-report-diffusion" in times:
    on, _ = times["news-report-diffusion"]
    off, _ = times["news-report-plain"]
    total, _ = times["news-run"]
    print(f"Diffusion views on the news corpus: the report stage takes {on:.2f} s with them and {off:.2f} s "
          f"without (report.toml's diffusion = false): {on - off:.2f} s, {100 * (on - off) / total:.1f}% of "
          f"the run's {total:.2f} s (goal at most 10%)")
PYEOF
cat "$OUT/table.md"

# bench/RESULTS.md: the figures above with when, where and how they were measured. Written
# whole to a temporary file and renamed, so a failed run leaves the previous results.
RESULTS=bench/RESULTS.md
{
  echo "# Benchmark results"
  echo
  echo "Written by \`make bench\` (\`bench/run.sh\`); never edited by hand. Medians of the repetitions"
  echo "below, per-stage figures from \`tifa -v\`; earlier releases' figures are in CHANGELOG.md."
  echo
  echo "| what | value |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') (the bench took $((SECONDS / 60)) min) |"
  echo "| machine | $MACHINE |"
  echo "| code | commit $COMMIT |"
  echo "| command | \`BENCH_CORPUS=$BENCH_CORPUS BIG_MB=$BIG_MB THREADS=$THREADS RUNS=$RUNS GOV_RUNS=$GOV_RUNS BUDGET=$BUDGET BUDGET_RUNS=$BUDGET_RUNS bench/run.sh\` |"
  echo "| news, big | \`tifa -v --no-progress -j $THREADS run\` ($RUNS runs on the news corpus, 1 on the big one), beside \`jieba-baseline ${HMM_FLAG:+$HMM_FLAG }-j $THREADS\` (as many runs on news, 3 on the big one: before the \`tifa run\` and twice after) |"
  echo "| memory budget | \`tifa clean\`, then \`tifa segment\`, \`tifa count\`, \`tifa compare\` and \`tifa report\`, on the big corpus without and with \`--max-memory $BUDGET\` ($BUDGET_RUNS runs each, interleaved) |"
  echo "| diffusion views | \`tifa report\` on the news corpus's compare.bin with and without them ($RUNS runs each, interleaved) |"
  if [ -n "$PY" ]; then
    echo "| government reports | \`tifa -q --no-progress -j $THREADS run\` and \`jieba-baseline\` ($GOV_RUNS runs), \`python3 bench/python_baseline.py\` ($RUNS runs) |"
  fi
  if [ -n "$PKG" ]; then
    echo "| Python package | \`bench/python_package.py\` (\`tifa.run\`, built into target/pyenv by \`make bench\`) on the government reports, $GOV_RUNS runs interleaved with \`tifa run\`, and again with nothing to do |"
  fi
  echo
  cat "$OUT/table.md"
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo "bench: results written to $RESULTS"

# The README's performance section: one short table of the goals, between its two markers,
# rewritten whole (a temporary file renamed).
python3 - "$OUT/times" "$OUT/stages" "$OUT/sizes" "$MACHINE" "$(date -u '+%Y-%m-%d')" \
  "$COMMIT" "$PY" "$PKG" <<'PYEOF'
import os
import sys

times = {l.split()[0]: float(l.split()[1]) for l in open(sys.argv[1])}
peaks_kb = {l.split()[0]: int(l.split()[2]) for l in open(sys.argv[1])}
peaks = {l.split()[0]: float(l.split()[2]) for l in open(sys.argv[2])}
sizes = {l.split()[0]: float(l.split()[1]) for l in open(sys.argv[3])}
machine, day, commit, py, pkg = sys.argv[4:9]
news = sizes["news-size"]
rows = [
    ("news: `tifa run` / jieba-rs alone", f"{times['news-run'] / times['news-jieba']:.1f}x", "at most 4x"),
    ("1 GB: `tifa run` / jieba-rs alone", f"{times['big-run'] / times['big-jieba']:.1f}x", "at most 4x"),
    ("1 GB: peak memory / corpus", f"{peaks['big-run'] / sizes['big-size']:.2f}x", "under 3x"),
    (f"1 GB under `--max-memory {os.environ.get('BUDGET', '700M')}`: peak; time / without",
     "; ".join(f"{st} {peaks_kb[f'budget-{st}-bound'] * 1024 / 1e6:.0f} MB, "
               f"{times[f'budget-{st}-bound'] / times[f'budget-{st}-free']:.2f}x"
               for st in ["clean", "segment", "count", "compare", "report"]),
     "under the budget, at most 1.5x; compare and report hold the comparison whole"),
    ("news: reports written / corpus", f"{sizes['news-reports'] / news:.1f}x", "at most 1x"),
    ("news: intermediates written / corpus", f"{sizes['news-work'] / news:.1f}x", "at most 4x"),
    ("`tifa cut` (start, load, cut)", f"{times['cut'] * 1000:.1f} ms", "under 50 ms"),
]
if py:
    rows.append(("government reports: Python jieba script / `tifa run`",
                 f"{times['gov-python'] / times['gov-tifa']:.0f}x", "at least 50x"))
if pkg:
    rows.append(("Python package, whole process / `tifa run`",
                 f"{times['gov-pkg'] / times['gov-tifa']:.2f}x", "at most 1.10x"))
if "news-report-diffusion" in times:
    share = (times["news-report-diffusion"] - times["news-report-plain"]) / times["news-run"]
    rows.append(("news: the diffusion views' share of a run", f"{100 * share:.1f}%", "at most 10%"))
lines = [f"Latest `make bench`: {day}, commit {commit}, {machine}. Details: "
         "[bench/RESULTS.md](bench/RESULTS.md).", "",
         "| measure | measured | goal |", "|---|---:|---|"]
lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
readme = open("README.md", encoding="utf-8").read()
begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
if begin in readme and end in readme:
    head, rest = readme.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open("README.md.tmp", "w", encoding="utf-8") as f:
        f.write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)
    os.replace("README.md.tmp", "README.md")
    print("bench: the README's performance table is updated")
PYEOF
