"""tifa: mine the formulaic slogans (提法) of Chinese official reports and rank how widely each
recurs across reports, by region, level, body and year.

The same pipeline as the ``tifa`` command, over the same Rust crates::

    import tifa
    r = tifa.run("data/corpus")          # every stage that is not up to date, as `tifa run`
    r.slogans                            # the rows of reports/slogans.tsv
    r.documents                          # the reports, with their metadata
    r.slogan_reports                     # one row per slogan and report it occurs in
    r.kwic("两个确立")                    # keyword-in-context lines of a slogan
    tifa.lookup(["八项规定"], "work")     # exact tf and df of any string, as `tifa lookup`
    tifa.cut("增强四个意识")              # how the segmenter cuts a text, as `tifa cut`
    tifa.open("work")                    # the results of an earlier run, nothing re-run

Tables are pandas DataFrames when pandas is installed, else pyarrow tables when pyarrow is,
else lists of dicts (one per row). Integer columns with gaps (``first_year`` of a corpus
without years) are pandas' nullable ``Int64``. Errors raise :class:`TifaError` with the
message the command line prints.
"""

import os

from . import _tifa
from ._tifa import TifaError

__all__ = ["run", "open", "lookup", "cut", "Result", "TifaError"]

# Columns that hold whole numbers, which pandas would make floats where a field is empty.
_INT_COLUMNS = {"rank", "df", "tf", "first_year", "last_year", "n_tokens", "year", "count",
                "chars", "tokens"}


def _frame(columns):
    """A table from a dict of columns (lists of equal length), in the best form installed."""
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        df = pd.DataFrame(columns, columns=list(columns))
        for name in df.columns:
            if name in _INT_COLUMNS and df[name].dtype.kind != "i":
                df[name] = df[name].astype("Int64")
        return df
    try:
        import pyarrow as pa
    except ImportError:
        pa = None
    if pa is not None:
        return pa.table(columns)
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    return [{name: columns[name][i] for name in names} for i in range(n)]


def _path(p, default):
    return os.fspath(default if p is None else p)


class Result:
    """The results of a run: the slogan list and the tables built on it, from the comparison
    :func:`run` returned, or read from the work folder's compare.bin (checked whole), at once
    or, with ``load=False``, when first needed. Tables are built on first use and kept."""

    def __init__(self, work_dir="work", out_dir=None, load=True, _work=None):
        self.work_dir = _path(work_dir, "work")
        self.out_dir = None if out_dir is None else os.fspath(out_dir)
        if _work is None and load:
            _work = _tifa.open(self.work_dir)
        self._loaded = _work
        self._tables = {}

    @property
    def _work(self):
        if self._loaded is None:
            self._loaded = _tifa.open(self.work_dir)
        return self._loaded

    def _table(self, name):
        if name not in self._tables:
            self._tables[name] = _frame(getattr(self._work, name)())
        return self._tables[name]

    @property
    def slogans(self):
        """The columns and rows of slogans.tsv, every row with its top_reports (and example,
        for the slogans compare.bin holds lines of), whatever report.toml's detail_slogans."""
        return self._table("slogans")

    @property
    def documents(self):
        """The reports: id, title, source, region, level, body, year, date, chars, tokens."""
        return self._table("documents")

    @property
    def slogan_reports(self):
        """The long table of slogan-reports.tsv: slogan, kind, report, title, region, level,
        body, year, date, count."""
        return self._table("slogan_reports")

    @property
    def summary(self):
        """The corpus: reports, characters, tokens, distinct phrases, years, skipped files, and
        how many of the rows are names (``n_names``)."""
        return self._work.summary()

    def kwic(self, phrase):
        """The keyword-in-context lines kept for a slogan (report, title, left, phrase,
        right): none past compare.toml's kwic_slogans (the first 3,000 rows by default).
        Raises KeyError when the phrase is not a row of the list."""
        lines = self._work.kwic(phrase)
        if lines is None:
            raise KeyError(phrase)
        return _frame(lines)

    def __len__(self):
        return len(self._work)

    def __repr__(self):
        s = self.summary
        names = s["n_names"]
        return (f"<tifa.Result {len(self) - names} slogans and {names} names from "
                f"{s['n_docs']} reports in {self.work_dir!r}>")


def run(corpus="data/corpus", work_dir=None, config=None, threads=None, progress=True,
        out_dir=None, group_by=None, force=False, max_memory=None):
    """Runs every stage that is not up to date, as ``tifa run``, and returns the
    :class:`Result`. ``corpus`` is a folder or a list of folders; ``work_dir`` (default
    ``work``) holds the intermediates and ``out_dir`` (default ``reports``) the reports;
    ``config`` is the folder of stage settings (default ``config``, defaults where absent).
    An empty list of corpus folders raises :class:`TifaError`.
    Progress and warnings go to ``sys.stderr`` unless ``progress=False``. A second call on
    the same input finds every stage up to date and returns at once. ``max_memory`` is a
    memory budget such as ``"2G"`` (``--max-memory``: clean, segment and count keep to it;
    compare holds count.bin's phrases without their per-report counts, and report the
    comparison whole), with the same results. The result holds
    the comparison the run made, or read for its summary, so its tables do not read
    compare.bin again; it is freed with the result. ``group_by`` is a metadata field or a
    list of them (``--group-by``)."""
    corpora = [corpus] if isinstance(corpus, (str, os.PathLike)) else list(corpus)
    if not corpora:
        # An empty list (a glob that matched nothing) names no corpus: never the default one.
        raise TifaError("corpus: no folder given (an empty list)")
    # One field as a string, like ``corpus``: not its letters.
    group_by = [group_by] if isinstance(group_by, str) else list(group_by or [])
    work_dir = _path(work_dir, "work")
    out_dir = _path(out_dir, "reports")
    work = _tifa.run([os.fspath(c) for c in corpora], work_dir, out_dir, _path(config, "config"),
                     threads=threads, progress=progress, group_by=group_by,
                     force=force, max_memory=None if max_memory is None else str(max_memory))
    return Result(work_dir, out_dir, _work=work)


def open(work_dir="work"):  # noqa: A001 - the name mirrors the command's folder argument
    """The results of an earlier run in ``work_dir``, read without running anything."""
    return Result(work_dir)


def lookup(phrases, work_dir="work", config=None, threads=None):
    """Exact term and document frequency of any strings over the cleaned texts, as ``tifa
    lookup``: columns phrase, tf, df, rank, kind, score (the last three from slogans.tsv,
    empty when the string is not a row)."""
    if isinstance(phrases, str):
        phrases = [phrases]
    return _frame(_tifa.lookup(list(phrases), _path(work_dir, "work"),
                               _path(config, "config"), threads=threads))


def cut(text, config=None):
    """The words the segmenter cuts ``text`` into, as ``tifa cut``."""
    return _tifa.cut(text, _path(config, "config"))
