#!/usr/bin/env bash
# `make eval`: the slogan list of the development corpus judged by the development set's own
# scorer (an independent method: Python jieba, not tifa), with the bundled political dictionary
# on and off. Prints recall of the listed slogans in the top 200, the share of the top 100
# listed as not slogans, and the fragment rate, each with its goal.
#   EVAL_DIR     folder with score.py and the labels (default ../shared/eval)
#   EVAL_CORPUS  the corpus the labels describe (default ../shared/corpus/provincial-work-reports-2025)
set -euo pipefail
cd "$(dirname "$0")/.."

EVAL_DIR=${EVAL_DIR:-../shared/eval}
EVAL_CORPUS=${EVAL_CORPUS:-../shared/corpus/provincial-work-reports-2025}
TIFA=${TIFA:-target/release/tifa}
CONFIG=${CONFIG:-config}
OUT=${EVAL_WORK:-work-eval}

if [ ! -f "$EVAL_DIR/score.py" ]; then
  echo "eval: $EVAL_DIR/score.py not found; set EVAL_DIR" >&2
  exit 2
fi
python3 -c "import jieba" 2>/dev/null || python3 -m pip install --quiet jieba

mkdir -p "$OUT/config-off"
cp -r "$CONFIG"/. "$OUT/config-off/"
sed -i 's/^political_dictionary *= *true/political_dictionary = false/' "$OUT/config-off/segment.toml"
grep -q '^political_dictionary = false' "$OUT/config-off/segment.toml" \
  || echo 'political_dictionary = false' >> "$OUT/config-off/segment.toml"

for mode in on off; do
  cfg=$CONFIG
  [ "$mode" = off ] && cfg=$OUT/config-off
  "$TIFA" --config "$cfg" run -q --corpus "$EVAL_CORPUS" \
    --work-dir "$OUT/$mode/work" --out-dir "$OUT/$mode/reports"
  echo "== political dictionary $mode ($EVAL_CORPUS)"
  python3 "$EVAL_DIR/score.py" "$OUT/$mode/reports/slogans.tsv" \
    "$EVAL_DIR/provincial-2025.tsv" "$EVAL_CORPUS"
done
