"""What a user would do without tifa, and an independent check of tifa's slogans.

1. Baseline: Python jieba (default dictionary) + n-gram document frequency over the cleaned
   reports (`tifa inspect --json work/clean.bin`): n-grams of 1..6 jieba tokens inside a clause,
   no punctuation inside except 、 never (jieba users split on punctuation), n-grams whose edge
   token is a stop word dropped, ranked by df then tf; top N.
2. Check: for a ranked list of phrases (tifa's slogans.tsv or the baseline), find every
   occurrence in the cleaned text and ask whether jieba (an independent segmentation: Python
   jieba with its own default dictionary, not tifa's bundled dictionary) puts a word boundary at
   its start and at its end; a phrase is "cut" when fewer than half of its occurrences are
   aligned on both sides, "particle" when its first or last jieba word is a function word.

usage: python3 bench/jieba_ngram_df.py CLEAN_JSON SLOGANS_TSV [N]
(BASE_MIN_CHARS=4 keeps only baseline n-grams of at least four characters, a fairer variant.)
"""
import collections
import json
import re
import sys
import time

import jieba

jieba.setLogLevel(60)

PARTICLES = set(
    "的 地 得 之 了 着 过 和 与 及 以及 或 并 而 且 对 对于 关于 在 于 把 被 将 为 为了 由 从 向 以 "
    "等 是 也 都 就 又 还 所 其 这 那 该 此 要 会 能 可 使 让 个 各".split()
)
QUOTES = re.compile(r"[“”‘’《》「」『』〈〉]")
PUNCT = re.compile(r"[，。；：！？、“”‘’《》（）()〔〕【】…—\s,.;:!?\"'·]+")

KNOWN = [
    "四个意识", "四个自信", "两个维护", "两个确立", "四个机关", "全过程人民民主", "一府一委两院",
    "一法一条例", "五位一体", "习近平新时代中国特色社会主义思想", "以习近平同志为核心的党中央",
    "习近平总书记关于坚持和完善人民代表大会制度的重要思想", "习近平法治思想",
    "有件必备、有备必审、有错必纠", "科学立法、民主立法、依法立法", "正确监督、有效监督、依法监督",
    "坚持党的领导、人民当家作主、依法治国有机统一", "踔厉奋发、勇毅前行", "第一议题",
    "更加紧密地团结在以习近平同志为核心的党中央周围", "急难愁盼", "全面从严治党", "中国式现代化",
]


def load(path):
    docs = json.load(open(path, encoding="utf-8"))["documents"]
    return [d["text"] for d in docs]


MIN_CHARS = int(__import__("os").environ.get("BASE_MIN_CHARS", "2"))


def baseline(texts, n_max=6, top=200):
    tf = collections.Counter()
    df = collections.Counter()
    for text in texts:
        seen = set()
        for clause in PUNCT.split(text):
            if not clause:
                continue
            toks = jieba.lcut(clause)
            for n in range(1, n_max + 1):
                for i in range(len(toks) - n + 1):
                    g = toks[i : i + n]
                    if g[0] in PARTICLES or g[-1] in PARTICLES:
                        continue
                    s = "".join(g)
                    if len(s) < MIN_CHARS:
                        continue
                    tf[s] += 1
                    seen.add(s)
        for s in seen:
            df[s] += 1
    ranked = sorted(df, key=lambda s: (-df[s], -tf[s], s))
    return [(s, df[s], tf[s]) for s in ranked[:top]]


def boundaries(texts):
    out = []
    for text in texts:
        b = {0}
        pos = 0
        for w in jieba.cut(text):
            pos += len(w)
            b.add(pos)
        out.append(b)
    return out


def check(phrases, texts, bounds):
    """For each phrase: (aligned share, starts/ends with particle)."""
    res = {}
    for p in phrases:
        # An enumeration is judged item by item: each item must be aligned.
        items = p.split("、")
        ok = total = 0
        first_last = []
        for t, b in zip(texts, bounds):
            start = t.find(p)
            while start >= 0:
                total += 1
                pos = start
                aligned = True
                for it in items:
                    if pos not in b or pos + len(it) not in b:
                        aligned = False
                    pos += len(it) + 1
                ok += aligned
                start = t.find(p, start + 1)
        words = jieba.lcut(items[0]) + (jieba.lcut(items[-1]) if len(items) > 1 else [])
        particle = any(
            w in PARTICLES for w in (jieba.lcut(it)[0] for it in items)
        ) or any(w in PARTICLES for w in (jieba.lcut(it)[-1] for it in items))
        res[p] = (ok / total if total else 0.0, particle, total)
    return res


def main():
    clean, slogans = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    texts = load(clean)
    rows = [l.rstrip("\n").split("\t") for l in open(slogans, encoding="utf-8")][1:]
    # Names (kind `name`) are listed apart by tifa, not as slogans.
    tifa = [(r[1], int(r[3]), int(r[5]), r[2]) for r in rows if r[2] != "name"][:n]
    t0 = time.time()
    base = baseline(texts, top=n)
    t_base = time.time() - t0
    # tifa reads across quotation marks (they are not part of a phrase), so phrases are looked
    # up, and jieba's boundaries taken, in the texts without them.
    texts = [QUOTES.sub("", t) for t in texts]
    bounds = boundaries(texts)
    for name, lst in (("tifa", [r[0] for r in tifa]), ("jieba+ngram", [r[0] for r in base])):
        c = check(lst, texts, bounds)
        cut = [p for p in lst if c[p][0] < 0.5]
        part = [p for p in lst if c[p][1]]
        bad = sorted(set(cut) | set(part), key=lst.index)
        print(f"== {name}: top {len(lst)}: {len(cut)} cut inside a word, {len(part)} with a particle "
              f"at an edge, {len(bad)} bad ({100 * len(bad) / max(1, len(lst)):.1f}%)")
        for p in bad:
            print(f"   {'cut' if p in cut else 'particle'}\t{p}\taligned {c[p][0]:.2f} of {c[p][2]}")
        found = [k for k in KNOWN if k in lst]
        print(f"   well-known formulations in the list: {len(found)} of {len(KNOWN)}")
        print(f"   missing: {' '.join(k for k in KNOWN if k not in lst)}")
        # Known formulations cut into pieces: a piece of a known one is listed, the whole is not.
        frag = [p for p in lst if any(p != k and p in k and k not in lst for k in KNOWN)]
        print(f"   pieces of a missing well-known formulation: {' '.join(frag) or '-'}")
    print(f"== baseline took {t_base:.1f}s")
    tifa_set = {r[0] for r in tifa}
    base_set = {r[0] for r in base}
    print(f"== overlap: {len(tifa_set & base_set)} phrases in both top {n}")
    print("   only jieba+ngram (first 40):", " ".join([r[0] for r in base if r[0] not in tifa_set][:40]))
    print("   only tifa (first 40):", " ".join([r[0] for r in tifa if r[0] not in base_set][:40]))
    kinds = collections.Counter(r[3] for r in tifa)
    print("== tifa kinds in top", n, dict(kinds))
    print("== baseline rows with 、:", sum("、" in r[0] for r in base))


if __name__ == "__main__":
    main()
