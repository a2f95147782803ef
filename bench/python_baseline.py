#!/usr/bin/env python3
"""What users do today: Python jieba + collections.Counter over n-grams, with document
frequency by hand. The yardstick for tifa's "at least 50x faster" goal.

Usage: python_baseline.py OUT.tsv DIR...   (reads every .txt below the folders)
"""
import collections
import os
import re
import sys
import time

import jieba

BOUNDARY = re.compile(r"[，。！？；：\n,.!?;:]")


def main():
    out, dirs = sys.argv[1], sys.argv[2:]
    start = time.time()
    jieba.setLogLevel(60)
    tf = collections.Counter()
    df = collections.Counter()
    nbytes = 0
    for d in dirs:
        for root, _, files in os.walk(d):
            for name in sorted(files):
                if not name.endswith(".txt"):
                    continue
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    text = f.read()
                nbytes += len(text.encode("utf-8"))
                seen = set()
                for clause in BOUNDARY.split(text):
                    toks = [t for t in jieba.lcut(clause) if t.strip()]
                    for n in range(1, 7):
                        for i in range(len(toks) - n + 1):
                            g = "".join(toks[i : i + n])
                            tf[g] += 1
                            seen.add(g)
                df.update(seen)
    rows = sorted(((g, df[g], tf[g]) for g in df if df[g] >= 2), key=lambda r: (-r[1], -r[2], r[0]))
    with open(out, "w", encoding="utf-8") as f:
        f.write("phrase\tdf\ttf\n")
        for g, d, t in rows:
            f.write(f"{g}\t{d}\t{t}\n")
    secs = time.time() - start
    print(f"{nbytes} {len(rows)} {secs:.3f} {nbytes / 1e6 / secs:.2f}")


if __name__ == "__main__":
    main()
