"""The Python package against the command line: the same rows, the same counts, the same
errors. Runs the real pipeline on the seed reports (data/corpus) in a temporary folder."""

import csv
import math
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import tifa

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "data", "corpus")
CONFIG = os.path.join(ROOT, "config")
TIFA = os.environ.get("TIFA_BIN", os.path.join(ROOT, "target", "release", "tifa"))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("run")
    work, out = base / "work", base / "reports"
    result = tifa.run(CORPUS, work_dir=work, out_dir=out, config=CONFIG, progress=False)
    return result, work, out


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def same(value, field):
    """A data frame cell equals a TSV field: empty is missing, numbers compare as parsed."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if field == "":
        return missing
    if missing:
        return False
    if isinstance(value, str):
        return value == field
    return float(value) == float(field)


def test_slogans_equal_the_tsv_row_for_row(run):
    result, _, out = run
    rows = read_tsv(out / "slogans.tsv")
    df = result.slogans
    assert list(df.columns) == rows[0]
    assert len(df) == len(rows) - 1 > 100
    for i, row in enumerate(rows[1:]):
        for name, field in zip(rows[0], row):
            cell = df[name].iloc[i]
            cell = None if cell is None or str(cell) == "<NA>" else cell
            assert same(cell, field), (i, name, cell, field)
    # What a user checks first: the well-known formulations, ranked by document frequency.
    assert {"两个确立", "两个维护", "全过程人民民主"} <= set(df["phrase"][:60])
    assert df["rank"].tolist() == list(range(1, len(df) + 1))
    assert df["df"].is_monotonic_decreasing


def test_long_table_and_documents(run):
    result, _, out = run
    rows = read_tsv(out / "slogan-reports.tsv")
    table = result.slogan_reports
    assert list(table.columns) == rows[0]
    assert len(table) == len(rows) - 1
    assert table["count"].sum() == sum(int(r[-1]) for r in rows[1:])
    # Every field is the file's, in the file's order (an empty field is missing).
    fields = [["" if pd.isna(v) else str(v) for v in row]
              for row in table.itertuples(index=False)]
    assert fields == rows[1:]
    docs = result.documents
    assert len(docs) == result.summary["n_docs"] == 35
    assert set(table["report"]) <= set(docs["id"])
    # A report's fields are the same in both tables: the date is the manifest's, empty (not
    # the year) when it gives none.
    by_id = docs.set_index("id")
    for name in ["title", "region", "level", "body", "year", "date"]:
        for rid, value in table.groupby("report")[name].first().items():
            want = by_id.at[rid, name]
            assert (pd.isna(value) and pd.isna(want)) or value == want, (rid, name, value, want)


def test_kwic_lines_hold_the_phrase(run):
    result, _, _ = run
    lines = result.kwic("两个确立")
    assert len(lines) > 0
    assert all(p.replace("“", "").replace("”", "") == "两个确立" for p in lines["phrase"])
    with pytest.raises(KeyError):
        result.kwic("不是一个口号的字符串")


def test_a_second_run_does_nothing(run):
    _, work, out = run

    def files():
        # The intermediates and the log; not the folder's lock file (.tifa-lock), which a run
        # may make.
        return {f: os.stat(work / f).st_mtime_ns for f in os.listdir(work)
                if not f.startswith(".")}

    before = files()
    again = tifa.run(CORPUS, work_dir=work, out_dir=out, config=CONFIG, progress=False)
    assert files() == before
    assert len(again) == len(run[0])


def rss_mb():
    with open("/proc/self/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0]) // 1024


def test_a_run_hands_over_its_comparison_and_frees_it(run, tmp_path):
    result, work, _ = run
    mine = tmp_path / "work"
    shutil.copytree(work, mine)
    # Nothing to do: the run reads compare.bin for its summary and returns what it read, so
    # the tables need no file.
    again = tifa.run(CORPUS, work_dir=mine, out_dir=tmp_path / "reports", config=CONFIG,
                     progress=False)
    os.remove(mine / "compare.bin")
    assert again.slogans.equals(result.slogans)
    assert len(again) == len(result)
    if not os.path.exists("/proc/self/status"):
        return
    # Each run's comparison (a few megabytes on the seeds) goes with its result: twenty runs
    # in a loop, as a notebook cell run again and again, do not add up.
    shutil.copytree(work, tmp_path / "loop")
    tifa.run(CORPUS, work_dir=tmp_path / "loop", out_dir=tmp_path / "r", config=CONFIG,
             progress=False)
    before = rss_mb()
    for _ in range(20):
        tifa.run(CORPUS, work_dir=tmp_path / "loop", out_dir=tmp_path / "r", config=CONFIG,
                 progress=False)
    assert rss_mb() - before < 20


def test_the_result_says_slogans_and_names_apart(run):
    result = run[0]
    names = int((result.slogans["kind"] == "name").sum())
    assert result.summary["n_names"] == names > 0
    assert f"{len(result) - names} slogans and {names} names from 35 reports" in repr(result)


def test_open_reads_without_running(run):
    result, work, _ = run
    opened = tifa.open(work)
    assert opened.slogans.equals(result.slogans)


def test_a_damaged_intermediate_raises_with_the_cli_message(run, tmp_path):
    _, work, _ = run
    bad = tmp_path / "work"
    shutil.copytree(work, bad)
    path = bad / "compare.bin"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(tifa.TifaError) as err:
        tifa.open(bad)
    assert "compare.bin" in str(err.value)
    assert "\n" not in str(err.value)
    if os.path.exists(TIFA):
        cli = subprocess.run([TIFA, "inspect", str(path)], capture_output=True, text=True)
        assert cli.returncode == 2
        assert str(err.value) in cli.stderr


def test_a_run_under_a_memory_budget_gives_the_same_slogans(run, tmp_path):
    result, work, _ = run
    bounded = tifa.run(CORPUS, work_dir=tmp_path / "work", out_dir=tmp_path / "reports",
                       config=CONFIG, progress=False, max_memory="1G")
    assert bounded.slogans.equals(result.slogans)
    for f in ["clean.bin", "segment.bin", "count.bin", "compare.bin"]:
        assert (tmp_path / "work" / f).read_bytes() == (work / f).read_bytes(), f
    with pytest.raises(tifa.TifaError) as err:
        tifa.run(CORPUS, work_dir=tmp_path / "w2", config=CONFIG, progress=False,
                 max_memory="lots")
    assert "max_memory" in str(err.value) and "lots" in str(err.value)


def test_a_missing_corpus_raises(tmp_path):
    with pytest.raises(tifa.TifaError) as err:
        tifa.run(tmp_path / "nonexistent", work_dir=tmp_path / "work", progress=False)
    assert "nonexistent" in str(err.value)
    # Nothing is made for a run that cannot start.
    assert not (tmp_path / "work").exists()


def test_an_empty_list_of_corpora_raises_and_runs_nothing(tmp_path):
    with pytest.raises(tifa.TifaError, match="corpus: no folder given"):
        tifa.run([], work_dir=tmp_path / "work", out_dir=tmp_path / "reports", progress=False)
    assert not (tmp_path / "work").exists()


def test_a_config_folder_that_is_not_there_raises(tmp_path):
    missing = tmp_path / "no-such-config"
    for call in (lambda: tifa.cut("两个确立", config=missing),
                 lambda: tifa.lookup(["两个确立"], tmp_path, config=missing),
                 lambda: tifa.run(CORPUS, work_dir=tmp_path / "w", config=missing)):
        with pytest.raises(tifa.TifaError, match="no-such-config: not found"):
            call()


def test_a_thread_count_out_of_range_raises_tifa_error(tmp_path):
    for n in (-1, 0, 2000):
        with pytest.raises(tifa.TifaError, match=f"threads: expected a number from 1 to 1024, not {n}"):
            tifa.lookup(["两个确立"], tmp_path, config=CONFIG, threads=n)


def test_group_by_takes_one_field_as_a_string(tmp_path):
    tifa.run(CORPUS, work_dir=tmp_path / "w", out_dir=tmp_path / "r", config=CONFIG,
             group_by="body", progress=False)
    made = sorted(p.name for p in (tmp_path / "r").glob("compare-*.tsv"))
    assert made == ["compare-body.tsv"]


@pytest.mark.skipif(not os.path.exists(TIFA), reason="the tifa binary is not built")
def test_lookup_matches_the_cli(run):
    _, work, _ = run
    phrases = ["两个确立", "八项规定", "营商", "没有这个词"]
    df = tifa.lookup(phrases, work, config=CONFIG)
    cli = subprocess.run([TIFA, "--config", CONFIG, "lookup", "--work-dir", str(work), *phrases],
                         capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in cli.stdout.splitlines()]
    assert rows[0] == list(df.columns)
    for i, row in enumerate(rows[1:]):
        for name, field in zip(rows[0], row):
            cell = df[name].iloc[i]
            cell = None if cell is None or str(cell) == "<NA>" else cell
            assert same(cell, field), (name, cell, field)
    assert df["tf"].iloc[3] == 0


@pytest.mark.skipif(not os.path.exists(TIFA), reason="the tifa binary is not built")
def test_cut_matches_the_cli():
    text = "坚持有件必备、有备必审、有错必纠"
    cli = subprocess.run([TIFA, "--config", CONFIG, "cut", text], capture_output=True,
                         text=True, check=True)
    assert tifa.cut(text, config=CONFIG) == cli.stdout.strip().split(" / ")


def test_progress_goes_to_python_stderr(tmp_path, capsys):
    tifa.run(CORPUS, work_dir=tmp_path / "w", out_dir=tmp_path / "r", config=CONFIG)
    err = capsys.readouterr().err
    assert "tifa: compare: scoring" in err
    assert " slogans and " in err and " names found; " in err
    tifa.run(CORPUS, work_dir=tmp_path / "w", out_dir=tmp_path / "r", config=CONFIG,
             progress=False)
    assert capsys.readouterr().err == ""


def test_without_pandas_tables_are_rows(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = tifa.open(run[1])
    rows = result.slogans
    assert isinstance(rows, list) and isinstance(rows[0], dict)
    assert rows[0]["rank"] == 1
    assert [r["phrase"] for r in rows] == run[0].slogans["phrase"].tolist()


def test_lookup_says_why_it_leaves_the_row_out(run, tmp_path, capsys):
    _, work, _ = run
    broken = tmp_path / "work"
    shutil.copytree(work, broken)
    (broken / "segment.bin").unlink()
    rows = tifa.lookup(["两个确立"], work_dir=broken, config=CONFIG)
    assert rows["df"][0] > 0 and pd.isna(rows["rank"][0])
    err = capsys.readouterr().err
    assert "compare.bin: cannot be traced to" in err and "segment.bin" in err, err
    # The score is the one slogans.tsv writes, to 4 decimals.
    scored = tifa.lookup(list(run[0].slogans.phrase[:200]), work_dir=work, config=CONFIG)
    assert list(scored.score) == list(run[0].slogans.score[:200])


def test_a_config_file_tifa_does_not_read_is_warned_of(tmp_path, capsys):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    (config / "compre.toml").write_text("min_df = 5\n", encoding="utf-8")
    assert tifa.cut("增强四个意识", config=config) == ["增强", "四个意识"]
    err = capsys.readouterr().err
    assert "compre.toml: not a tifa config file" in err, err


def test_documents_carry_the_manifests_further_columns(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"r{i}.txt").write_text(
            f"报告{i}\n\n第{i}年，我们增强“四个意识”、坚定“四个自信”，工作{i}项。\n", encoding="utf-8")
    (corpus / "manifest.tsv").write_text(
        "file\tyear\tsource\tpaper\trank\tmanifest_source\n"
        + "".join(f"r{i}.txt\t202{i}\t人民日报\t第{i}版\t副省级\tMS{i}\n" for i in range(3)),
        encoding="utf-8")
    r = tifa.run(str(corpus), work_dir=tmp_path / "w", out_dir=tmp_path / "o", config=CONFIG,
                 progress=False)
    docs = r.documents.set_index("id")
    # `source` is the input file; the manifest's own `source` column is kept beside it.
    assert docs.at["r1.txt", "source"] == "r1.txt"
    assert docs.at["r1.txt", "manifest_source"] == "人民日报"
    assert docs.at["r2.txt", "manifest_paper"] == "第2版"
    # Every manifest column is text under its own prefixed name, whatever it is called.
    assert docs.at["r0.txt", "manifest_rank"] == "副省级"
    assert docs.at["r0.txt", "manifest_manifest_source"] == "MS0"
    assert list(docs.columns)[-4:] == ["manifest_manifest_source", "manifest_paper",
                                       "manifest_rank", "manifest_source"]
