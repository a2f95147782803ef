//! Running the stages: load the input intermediate, load the stage's config, call the stage
//! crate, write the output atomically with its fingerprints. `tifa run` chains them and skips a
//! stage whose output already carries the fingerprints of the current input and config.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tifa_core::format::{self, Header, Stage};
use tifa_core::{fingerprint, fingerprint_value, Comparison, Corpus, Counts, Progress, Segmented};

use crate::progress::Bars;
use crate::{config, Global, RunArgs, StageArgs};

/// The tool version is part of every config fingerprint, so a new tifa rebuilds everything.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Default corpus folder.
const DEFAULT_CORPUS: &str = "data/corpus";

/// Input and output paths of a stage command, with defaults in `work/`.
pub fn paths(a: StageArgs, default_in: &str, default_out: &str) -> (PathBuf, PathBuf) {
    let input = a
        .input
        .unwrap_or_else(|| Path::new("work").join(default_in));
    let out = a.out.unwrap_or_else(|| input.with_file_name(default_out));
    (input, out)
}

fn combine(parts: &[u64]) -> u64 {
    let bytes: Vec<u8> = parts.iter().flat_map(|p| p.to_le_bytes()).collect();
    fingerprint(&bytes)
}

/// Reads an intermediate, as a timed phase of its own.
fn read<T: serde::de::DeserializeOwned>(
    bars: &Bars,
    path: &Path,
    stage: Stage,
) -> anyhow::Result<(Header, T)> {
    bars.start(&format!("read {}", file_name(path)), 0);
    let r = format::read(path, stage);
    bars.finish();
    Ok(r?)
}

/// Reads an intermediate whose header was read earlier in this run, refusing it when the file
/// was replaced since.
fn read_again<T: serde::de::DeserializeOwned>(
    bars: &Bars,
    path: &Path,
    stage: Stage,
    known: &Header,
) -> anyhow::Result<T> {
    let (h, v) = read(bars, path, stage)?;
    if h.checksum != known.checksum {
        anyhow::bail!("{}: changed while tifa was running", path.display());
    }
    Ok(v)
}

/// Bytes of report text compare's examples free before their memory goes back to the system.
const GIVE_BACK_EVERY: usize = 16 << 20;

/// The examples in context of a selection, read from segment.bin (whose header was read earlier
/// in this run) wave by wave of token streams, so that only the reports' texts (each freed once
/// its wave is done) and a few waves of token streams are in memory; returns the lines and the
/// number of token streams. The file is decoded on this thread while the lines of the wave
/// before are taken on the others. Freed memory goes back to the system before the reading
/// (the callers have just let go of the counts) and after it (`tifa_core::memory`).
fn examples(
    bars: &Bars,
    selection: &tifa_compare::Selection,
    config: &tifa_compare::Config,
    segment: &Path,
    known: &Header,
) -> anyhow::Result<(Vec<Vec<tifa_core::Kwic>>, usize)> {
    use tifa_core::{Document, SegDoc};
    tifa_core::memory::give_back();
    let mut examples = selection.examples(config, bars);
    // A wave: (report index, text, token stream). No later wave reads these reports, so their
    // texts are taken from them (on the 1 GB corpus the texts are 1 GB).
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(usize, String, SegDoc)>>(1);
    let (read, taken) = std::thread::scope(|scope| {
        let taker = scope.spawn(move || {
            let mut freed = 0usize;
            for wave in rx {
                let docs: Vec<(usize, &str, &SegDoc)> =
                    wave.iter().map(|(i, t, d)| (*i, t.as_str(), d)).collect();
                examples.wave(&docs);
                freed += wave.iter().map(|(_, t, _)| t.capacity()).sum::<usize>();
                drop(docs);
                drop(wave);
                // The texts were read on another thread, whose heap cannot reuse their
                // memory for the lines, so it goes back to the system every
                // `GIVE_BACK_EVERY` bytes (`tifa_core::memory`).
                if freed >= GIVE_BACK_EVERY {
                    tifa_core::memory::give_back();
                    freed = 0;
                }
            }
            examples
        });
        let waves = tifa_core::SegDocWaves {
            size: tifa_compare::Examples::wave_size(),
            each: move |documents: &mut [Document], wave: Vec<(usize, SegDoc)>| {
                let wave = wave
                    .into_iter()
                    .map(|(i, d)| {
                        let text = documents.get_mut(i).map(|r| std::mem::take(&mut r.text));
                        (i, text.unwrap_or_default(), d)
                    })
                    .collect();
                // A send fails only when the taker has stopped, which its join reports.
                let _ = tx.send(wave);
            },
        };
        // The reader owns the sender: the taker's loop ends when the reading does.
        let read = format::read_seed(segment, Stage::Segment, waves);
        (read, taker.join())
    });
    tifa_core::memory::give_back();
    let examples = taken.map_err(|_| anyhow::anyhow!("taking the examples failed"))?;
    let (h, head) = read?;
    if h.checksum != known.checksum {
        anyhow::bail!("{}: changed while tifa was running", segment.display());
    }
    Ok((examples.into_lines(), head.n_docs))
}

/// Writes an intermediate atomically, as a timed phase of its own.
fn write<T: serde::Serialize>(
    bars: &Bars,
    path: &Path,
    stage: Stage,
    input_fp: u64,
    config_fp: u64,
    value: &T,
) -> anyhow::Result<Header> {
    bars.start(&format!("write {}", file_name(path)), 0);
    let r = format::write(path, stage, input_fp, config_fp, value);
    bars.finish();
    Ok(r?)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The header of `out` when it is a complete, undamaged output of `stage` built from the given
/// input and config fingerprints; `None` when it must be (re)built.
fn fresh(out: &Path, stage: Stage, input_fp: u64, config_fp: u64) -> Option<Header> {
    // The fingerprints are in the header; the whole file is read only when they match.
    let h = format::read_header(out, Some(stage)).ok()?;
    if h.input_fingerprint != input_fp || h.config_fingerprint != config_fp {
        return None;
    }
    format::verify(out, Some(stage)).ok()
}

fn say(g: &Global, msg: impl AsRef<str>) {
    if !g.quiet {
        eprintln!("{}", msg.as_ref());
    }
}

/// A stage's wall time and peak memory, for `-v`. With `-v` each stage starts a new peak.
struct Timer(Instant);

impl Timer {
    fn start(g: &Global) -> Timer {
        if g.verbose && !g.quiet {
            crate::memory::reset_peak();
        }
        Timer(Instant::now())
    }

    /// Prints the stage's time and its own peak.
    fn done(self, g: &Global, stage: &str) {
        self.done_with(g, stage, crate::memory::peak);
    }

    /// Prints the time and the peak `peak` gives.
    fn done_with(self, g: &Global, stage: &str, peak: fn() -> Option<u64>) {
        if g.verbose && !g.quiet {
            eprintln!(
                "{stage:>10}: {:.2} s{}",
                self.0.elapsed().as_secs_f64(),
                crate::memory::note(peak())
            );
        }
    }
}

struct CleanPlan {
    roots: Vec<PathBuf>,
    config: tifa_clean::Config,
    input_fp: u64,
    config_fp: u64,
}

fn plan_clean(g: &Global, roots: &[PathBuf]) -> anyhow::Result<CleanPlan> {
    let roots = if roots.is_empty() {
        vec![PathBuf::from(DEFAULT_CORPUS)]
    } else {
        roots.to_vec()
    };
    for r in &roots {
        if !r.is_dir() {
            anyhow::bail!("{}: corpus folder not found", r.display());
        }
    }
    let config: tifa_clean::Config = config::load(&g.config, "clean")?;
    let input_fp = tifa_clean::inputs_fingerprint(&roots, &config)?;
    let config_fp = fingerprint_value(&("clean", VERSION, &config));
    Ok(CleanPlan {
        roots,
        config,
        input_fp,
        config_fp,
    })
}

/// `tifa clean`: corpus folders → clean.bin (+ clean-log.tsv beside it).
pub fn clean(g: &Global, bars: &Bars, roots: &[PathBuf], out: &Path) -> anyhow::Result<Header> {
    let plan = plan_clean(g, roots)?;
    let t = Timer::start(g);
    let corpus = cleaned(g, bars, &plan, out)?;
    let header = write(
        bars,
        out,
        Stage::Clean,
        plan.input_fp,
        plan.config_fp,
        &corpus,
    )?;
    t.done(g, "clean");
    Ok(header)
}

/// The clean stage but for writing clean.bin (`out`): cleans the corpus, writes clean-log.tsv
/// beside `out` and says what it did.
fn cleaned(g: &Global, bars: &Bars, plan: &CleanPlan, out: &Path) -> anyhow::Result<Corpus> {
    let corpus: Corpus = tifa_clean::run(&plan.roots, &plan.config, bars)?;
    let log = out.with_file_name("clean-log.tsv");
    tifa_core::atomic::write_atomic(&log, tifa_clean::log_tsv(&corpus).as_bytes())
        .with_context(|| format!("writing {}", log.display()))?;
    let chars: u64 = corpus.log.iter().map(|r| r.chars_out).sum();
    say(
        g,
        format!(
            "clean: {} reports, {} characters, {} files skipped -> {}",
            corpus.documents.len(),
            chars,
            corpus.skipped.len(),
            out.display()
        ),
    );
    Ok(corpus)
}

fn segmenter(g: &Global) -> anyhow::Result<(tifa_segment::Segmenter, u64)> {
    let config: tifa_segment::Config = config::load(&g.config, "segment")?;
    let seg = tifa_segment::Segmenter::new(&config, &g.config)?;
    let fp = combine(&[fingerprint(VERSION.as_bytes()), seg.fingerprint()]);
    Ok((seg, fp))
}

/// The config fingerprint segment.bin gets from [`segmenter`], without loading jieba.
fn segment_fingerprint(g: &Global) -> anyhow::Result<u64> {
    let config: tifa_segment::Config = config::load(&g.config, "segment")?;
    let fp = tifa_segment::fingerprint(&config, &g.config)?;
    Ok(combine(&[fingerprint(VERSION.as_bytes()), fp]))
}

/// `tifa segment`: clean.bin → segment.bin.
pub fn segment(g: &Global, bars: &Bars, input: &Path, out: &Path) -> anyhow::Result<Header> {
    let (seg, config_fp) = segmenter(g)?;
    let t = Timer::start(g);
    let (h, corpus): (Header, Corpus) = read(bars, input, Stage::Clean)?;
    let segmented = tifa_segment::run(corpus, &seg, bars)?;
    let header = write(bars, out, Stage::Segment, h.checksum, config_fp, &segmented)?;
    say(g, segment_line(&segmented, out));
    t.done(g, "segment");
    Ok(header)
}

/// The line a finished stage prints.
fn segment_line(s: &Segmented, out: &Path) -> String {
    let tokens: usize = s.docs.iter().map(|d| d.tokens.len()).sum();
    format!(
        "segment: {} tokens, {} distinct -> {}",
        tokens,
        s.vocab.len(),
        out.display()
    )
}

fn count_line(c: &Counts, out: &Path) -> String {
    format!(
        "count: {} phrases in {} reports -> {}",
        c.phrases.len(),
        c.docs.len(),
        out.display()
    )
}

fn compare_line(c: &Comparison, out: &Path) -> String {
    format!("compare: {} slogans -> {}", c.slogans.len(), out.display())
}

/// The folder `out` goes in, made if it is missing: where a stage keeps its scratch files.
fn scratch_dir(out: &Path) -> anyhow::Result<PathBuf> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    Ok(dir)
}

fn count_config(g: &Global) -> anyhow::Result<(tifa_count::Config, u64)> {
    let config: tifa_count::Config = config::load(&g.config, "count")?;
    let fp = fingerprint_value(&("count", VERSION, &config));
    Ok((config, fp))
}

/// `tifa count`: segment.bin → count.bin. The segmented corpus is freed as soon as the count
/// no longer needs it.
pub fn count(g: &Global, bars: &Bars, input: &Path, out: &Path) -> anyhow::Result<Header> {
    let (config, config_fp) = count_config(g)?;
    let t = Timer::start(g);
    let (h, seg): (Header, Segmented) = read(bars, input, Stage::Segment)?;
    let prepared = tifa_count::prepare(seg, &config, bars)?;
    let counts = tifa_count::finish(prepared, &config, bars, Some(&scratch_dir(out)?))?;
    let header = write(bars, out, Stage::Count, h.checksum, config_fp, &counts)?;
    say(g, count_line(&counts, out));
    t.done(g, "count");
    Ok(header)
}

fn compare_config(g: &Global, group_by: &[String]) -> anyhow::Result<(tifa_compare::Config, u64)> {
    let mut config: tifa_compare::Config = config::load(&g.config, "compare")?;
    for f in group_by {
        if !config.group_by.contains(f) {
            config.group_by.push(f.clone());
        }
    }
    let fp = fingerprint_value(&("compare", VERSION, &config));
    Ok((config, fp))
}

/// `tifa compare`: count.bin (+ segment.bin for keyword-in-context) → compare.bin. The counts
/// are freed before segment.bin is read, so the two are never in memory together, and
/// segment.bin is read wave by wave of token streams.
pub fn compare(
    g: &Global,
    bars: &Bars,
    input: &Path,
    segment: &Path,
    out: &Path,
    group_by: &[String],
) -> anyhow::Result<Header> {
    let (config, config_fp) = compare_config(g, group_by)?;
    let t = Timer::start(g);
    let hs = format::read_header(segment, Some(Stage::Segment))?;
    let (hc, counts): (Header, Counts) = read(bars, input, Stage::Count)?;
    same_run(input, &hc, segment, &hs)?;
    let selection = tifa_compare::select(&counts, &config, bars)?;
    drop(counts);
    let (lines, n_streams) = examples(bars, &selection, &config, segment, &hs)?;
    let cmp = tifa_compare::complete(selection, lines, n_streams, &config, bars)?;
    let input_fp = combine(&[hc.checksum, hs.checksum]);
    let header = write(bars, out, Stage::Compare, input_fp, config_fp, &cmp)?;
    say(g, compare_line(&cmp, out));
    t.done(g, "compare");
    Ok(header)
}

/// Refuses a count.bin that was not made from this segment.bin: mixing a stale count with a
/// fresh segmentation would give keyword-in-context lines and lookups that do not match.
fn same_run(count: &Path, hc: &Header, segment: &Path, hs: &Header) -> anyhow::Result<()> {
    if hc.input_fingerprint != hs.checksum {
        anyhow::bail!(
            "{}: stale: not made from {} (re-run `tifa count`)",
            count.display(),
            segment.display()
        );
    }
    Ok(())
}

fn report_config(g: &Global) -> anyhow::Result<(tifa_report::Config, u64)> {
    let mut config: tifa_report::Config = config::load(&g.config, "report")?;
    if let Some(r) = &g.diffusion_reference {
        if !r.contains('=') {
            anyhow::bail!("--diffusion-reference {r}: expected FIELD=VALUE, e.g. level=national");
        }
        config.diffusion_reference = r.clone();
    }
    if let Some(b) = &g.diffusion_by {
        config.diffusion_by = b.clone();
    }
    let fp = fingerprint_value(&("report", VERSION, &config));
    Ok((config, fp))
}

/// `tifa report`: compare.bin → the report files.
pub fn report(g: &Global, bars: &Bars, input: &Path, out_dir: &Path) -> anyhow::Result<()> {
    let (config, config_fp) = report_config(g)?;
    let t = Timer::start(g);
    let (h, cmp): (Header, Comparison) = read(bars, input, Stage::Compare)?;
    tifa_report::run(&cmp, &config, out_dir, bars)?;
    write_stamp(out_dir, h.checksum, config_fp)?;
    say(g, report_line(out_dir));
    t.done(g, "report");
    // As in `run_all`: the process ends next, and the system frees the comparison at once.
    std::mem::forget(cmp);
    Ok(())
}

fn report_line(out_dir: &Path) -> String {
    format!("report: {}", out_dir.join("report.html").display())
}

/// The report folder records which compare output and config it was made from, so `tifa run`
/// can tell whether it is up to date.
const STAMP: &str = ".tifa-report";

fn stamp_text(input_fp: u64, config_fp: u64) -> String {
    format!("{input_fp:016x} {config_fp:016x}\n")
}

fn write_stamp(out_dir: &Path, input_fp: u64, config_fp: u64) -> anyhow::Result<()> {
    let p = out_dir.join(STAMP);
    tifa_core::atomic::write_atomic(&p, stamp_text(input_fp, config_fp).as_bytes())
        .with_context(|| format!("writing {}", p.display()))
}

fn report_fresh(out_dir: &Path, input_fp: u64, config_fp: u64) -> bool {
    let stamp = std::fs::read_to_string(out_dir.join(STAMP)).unwrap_or_default();
    stamp == stamp_text(input_fp, config_fp)
        && ["slogans.tsv", "slogans.json", "report.html"]
            .iter()
            .all(|f| out_dir.join(f).is_file())
}

/// A stage's output in `tifa run`: its file, and the value itself once this run made or read it.
/// A value this run made is written on a thread of its own while the next stage works on it;
/// its header (whose checksum the next stage's output records) is known once the write ends.
struct Output<T> {
    path: PathBuf,
    stage: Stage,
    value: Option<Arc<T>>,
    header: Written,
}

/// The header of a stage's output file: known, or still being written.
enum Written {
    Known(Header),
    Writing(Option<std::thread::JoinHandle<anyhow::Result<(Header, f64)>>>),
}

impl Written {
    /// The header, waiting for the write to end.
    fn get(&mut self, g: &Global, path: &Path) -> anyhow::Result<Header> {
        if let Written::Writing(handle) = self {
            let (h, secs) = handle
                .take()
                .ok_or_else(|| anyhow::anyhow!("{}: write failed", path.display()))?
                .join()
                .map_err(|_| anyhow::anyhow!("{}: write failed", path.display()))??;
            if g.verbose && !g.quiet {
                eprintln!(
                    "{:>10}  write {} (alongside the next stage): {secs:.2} s",
                    "",
                    file_name(path)
                );
            }
            *self = Written::Known(h);
        }
        match self {
            Written::Known(h) => Ok(*h),
            Written::Writing(_) => anyhow::bail!("{}: write failed", path.display()),
        }
    }
}

impl Drop for Written {
    /// A run that stops early still lets a write in progress finish, so no temporary file is
    /// left behind.
    fn drop(&mut self) {
        if let Written::Writing(handle) = self {
            if let Some(h) = handle.take() {
                let _ = h.join();
            }
        }
    }
}

impl<T> Output<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    fn on_disk(header: Header, path: PathBuf, stage: Stage) -> Output<T> {
        Output {
            path,
            stage,
            value: None,
            header: Written::Known(header),
        }
    }

    /// A value this run made: starts writing it to `path` on a thread of its own.
    fn made(value: T, path: PathBuf, stage: Stage, input_fp: u64, config_fp: u64) -> Output<T> {
        let value = Arc::new(value);
        let (v, p) = (Arc::clone(&value), path.clone());
        let handle = std::thread::spawn(move || {
            let t = Instant::now();
            let h = format::write(&p, stage, input_fp, config_fp, &*v)?;
            // When the stages are done with the value, this write frees it: the freed pages go
            // back to the system (`tifa_core::memory`).
            if Arc::into_inner(v).is_some() {
                tifa_core::memory::give_back();
            }
            Ok((h, t.elapsed().as_secs_f64()))
        });
        Output {
            path,
            stage,
            value: Some(value),
            header: Written::Writing(Some(handle)),
        }
    }

    fn header(&mut self, g: &Global) -> anyhow::Result<Header> {
        self.header.get(g, &self.path)
    }

    /// Lets go of the value: once its write has ended and no stage holds it, its memory is
    /// freed, and a later [`Output::load`] reads it back from its file.
    fn release(&mut self) {
        self.value = None;
    }

    /// The value, read from its file when this run did not make it.
    fn load(&mut self, g: &Global, bars: &Bars) -> anyhow::Result<Arc<T>> {
        if let Some(v) = &self.value {
            return Ok(Arc::clone(v));
        }
        let known = self.header(g)?;
        let v = Arc::new(read_again(bars, &self.path, self.stage, &known)?);
        self.value = Some(Arc::clone(&v));
        Ok(v)
    }
}

/// `tifa run`: every stage in one process, skipping those whose output is up to date. Each
/// stage hands its output to the next in memory and writes it to the work folder on a thread
/// of its own while the next stage runs, so a later run (or a single stage command) can start
/// from it. Once a stage has run, every later stage runs too: its input has just been made.
pub fn run_all(g: &Global, bars: &Bars, a: RunArgs) -> anyhow::Result<()> {
    // Loading jieba's dictionary takes a good part of a second: it overlaps the clean stage,
    // and is skipped when segment.bin is up to date. Without a segment.bin (a first run) it
    // starts at once, before the corpus folders are walked.
    let early = a.force || !a.work_dir.join("segment.bin").exists();
    std::thread::scope(|threads| {
        rayon::in_place_scope(|pool| {
            let mut building = early.then(|| load_segmenter(threads, pool, g));
            let first = check_first(g, &a)?;
            if building.is_none() && first.segment.is_none() {
                building = Some(load_segmenter(threads, pool, g));
            }
            run_stages(g, bars, a, first, building)
        })
    })
}

/// The segmenter being loaded by [`load_segmenter`].
type Building = std::sync::mpsc::Receiver<anyhow::Result<(tifa_segment::Segmenter, u64)>>;

/// Starts loading the segmenter beside the stages before segment. With several worker threads
/// it loads on one of them, so that the clean stage has one worker fewer until it is loaded:
/// segment waits for the dictionary, a single thread's work, and on a thread of its own it got
/// only its share of the cores clean kept busy (government reports, 2 cores: the dictionary
/// was ready 70–80 ms after clean ended, now about 40 ms). With one worker it loads on a
/// thread of its own, as the worker would otherwise clean only once it is loaded.
fn load_segmenter<'s>(
    threads: &'s std::thread::Scope<'s, '_>,
    pool: &rayon::Scope<'s>,
    g: &'s Global,
) -> Building {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let load = move || {
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| segmenter(g)))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("loading the segmenter failed")));
        // The receiver is gone only when the run has already failed.
        let _ = tx.send(built);
    };
    if rayon::current_num_threads() > 1 {
        pool.spawn(move |_| load());
    } else {
        threads.spawn(load);
    }
    rx
}

/// What `tifa run` knows before a stage runs: the clean stage's plan, and whether clean.bin and
/// segment.bin are up to date (their headers when they are).
struct First {
    plan: CleanPlan,
    clean: Option<Header>,
    segment: Option<Header>,
}

fn check_first(g: &Global, a: &RunArgs) -> anyhow::Result<First> {
    let plan = plan_clean(g, &a.corpus)?;
    let clean_out = a.work_dir.join("clean.bin");
    let clean = (!a.force)
        .then(|| fresh(&clean_out, Stage::Clean, plan.input_fp, plan.config_fp))
        .flatten();
    let segment = match clean {
        Some(h) => fresh(
            &a.work_dir.join("segment.bin"),
            Stage::Segment,
            h.checksum,
            segment_fingerprint(g)?,
        ),
        None => None,
    };
    Ok(First {
        plan,
        clean,
        segment,
    })
}

fn run_stages(
    g: &Global,
    bars: &Bars,
    a: RunArgs,
    first: First,
    building: Option<Building>,
) -> anyhow::Result<()> {
    let w = &a.work_dir;
    let (clean_out, seg_out, count_out, cmp_out) = (
        w.join("clean.bin"),
        w.join("segment.bin"),
        w.join("count.bin"),
        w.join("compare.bin"),
    );
    let skip = |stage: &str| {
        if g.verbose && !g.quiet {
            eprintln!("{stage}: up to date");
        }
    };
    // The whole run's time; its peak is the highest of the stages'.
    let total = Timer(Instant::now());
    // True once a stage has run: every later stage must run too.
    let mut dirty = a.force;

    let First {
        plan,
        clean: clean_fresh,
        segment: segment_fresh,
    } = first;
    let mut clean = match clean_fresh {
        Some(h) if !dirty => {
            skip("clean");
            Output::<Corpus>::on_disk(h, clean_out.clone(), Stage::Clean)
        }
        _ => {
            dirty = true;
            let t = Timer::start(g);
            let corpus = cleaned(g, bars, &plan, &clean_out)?;
            t.done(g, "clean");
            Output::made(
                corpus,
                clean_out.clone(),
                Stage::Clean,
                plan.input_fp,
                plan.config_fp,
            )
        }
    };

    let mut segmented = match segment_fresh.filter(|_| !dirty) {
        Some(h) => {
            skip("segment");
            Output::<Segmented>::on_disk(h, seg_out.clone(), Stage::Segment)
        }
        None => {
            dirty = true;
            // Loading since the run began, unless segment.bin was found up to date then (and
            // this arm does not run).
            let (seg, seg_fp) = match building {
                Some(b) => b
                    .recv()
                    .map_err(|_| anyhow::anyhow!("loading the segmenter failed"))??,
                None => segmenter(g)?,
            };
            let t = Timer::start(g);
            let corpus = clean.load(g, bars)?;
            // Clean's file buffers are freed but still resident (`tifa_core::memory`).
            tifa_core::memory::give_back();
            // The reports are cut while clean.bin is still being written from them; the
            // segmented corpus takes them over once the write has ended.
            let tokens = tifa_segment::tokens(&corpus.documents, &seg, bars)?;
            let h_clean = clean.header(g)?;
            drop(clean);
            // The write has ended, so this is the only holder and the clone never happens.
            let corpus = Arc::try_unwrap(corpus).unwrap_or_else(|shared| (*shared).clone());
            let s = tokens.with_documents(corpus.documents, corpus.skipped);
            say(g, segment_line(&s, &seg_out));
            t.done(g, "segment");
            Output::made(s, seg_out.clone(), Stage::Segment, h_clean.checksum, seg_fp)
        }
    };

    let (count_cfg, count_fp) = count_config(g)?;
    let on_disk = if dirty {
        None
    } else {
        fresh(
            &count_out,
            Stage::Count,
            segmented.header(g)?.checksum,
            count_fp,
        )
    };
    let mut counts = match on_disk {
        Some(h) => {
            skip("count");
            Output::<Counts>::on_disk(h, count_out.clone(), Stage::Count)
        }
        None => {
            dirty = true;
            let t = Timer::start(g);
            // The count takes the segmented corpus once segment.bin is written (compare reads
            // it back for its examples) and lets go of it as its own stream is laid out, texts
            // first, so the two are not in memory together.
            let seg = segmented.load(g, bars)?;
            segmented.release();
            let h_seg = segmented.header(g)?;
            // The write has ended, so this is the only holder and the clone never happens.
            let seg = Arc::try_unwrap(seg).unwrap_or_else(|shared| (*shared).clone());
            let prepared = tifa_count::prepare(seg, &count_cfg, bars)?;
            let c =
                tifa_count::finish(prepared, &count_cfg, bars, Some(&scratch_dir(&count_out)?))?;
            say(g, count_line(&c, &count_out));
            t.done(g, "count");
            Output::made(c, count_out.clone(), Stage::Count, h_seg.checksum, count_fp)
        }
    };

    let (cmp_cfg, cmp_fp) = compare_config(g, &a.group_by)?;
    let on_disk = if dirty {
        None
    } else {
        let (hc, hs) = (counts.header(g)?, segmented.header(g)?);
        same_run(&count_out, &hc, &seg_out, &hs)?;
        fresh(
            &cmp_out,
            Stage::Compare,
            combine(&[hc.checksum, hs.checksum]),
            cmp_fp,
        )
    };
    let mut cmp = match on_disk {
        Some(h) => {
            skip("compare");
            Output::<Comparison>::on_disk(h, cmp_out.clone(), Stage::Compare)
        }
        None => {
            let t = Timer::start(g);
            // The counts are let go of before the segmented corpus is needed, so the two are
            // not in memory together.
            let c = counts.load(g, bars)?;
            counts.release();
            let selection = tifa_compare::select(&c, &cmp_cfg, bars)?;
            drop(c);
            let known = segmented.header(g)?;
            let (lines, n_streams) = examples(bars, &selection, &cmp_cfg, &seg_out, &known)?;
            let result = tifa_compare::complete(selection, lines, n_streams, &cmp_cfg, bars)?;
            // Both inputs were checked to belong together above, or made together in this run.
            let (hc, hs) = (counts.header(g)?, segmented.header(g)?);
            say(g, compare_line(&result, &cmp_out));
            t.done(g, "compare");
            let input = combine(&[hc.checksum, hs.checksum]);
            Output::made(result, cmp_out.clone(), Stage::Compare, input, cmp_fp)
        }
    };
    drop(counts);
    drop(segmented);
    tifa_core::memory::give_back();

    let (report_cfg, report_fp) = report_config(g)?;
    let value = cmp.load(g, bars)?;
    if !dirty && report_fresh(&a.out_dir, cmp.header(g)?.checksum, report_fp) {
        skip("report");
    } else {
        let t = Timer::start(g);
        tifa_report::run(&value, &report_cfg, &a.out_dir, bars)?;
        // The stamp names compare.bin's checksum, so it waits for that write.
        write_stamp(&a.out_dir, cmp.header(g)?.checksum, report_fp)?;
        say(g, report_line(&a.out_dir));
        t.done(g, "report");
    }

    let s = &value.summary;
    let warned = bars.warnings();
    say(
        g,
        format!(
            "tifa: {} reports read{}, {} tokens, {} phrases counted, {} slogans found; report: {}",
            s.n_docs,
            if warned > 0 {
                format!(" ({warned} warnings)")
            } else {
                String::new()
            },
            s.n_tokens,
            s.n_phrases,
            value.slogans.len(),
            a.out_dir.join("report.html").display()
        ),
    );
    total.done_with(g, "run", crate::memory::highest);
    // The process ends here: freeing hundreds of thousands of slogans one by one would only
    // delay the exit (about 0.2 s on the news corpus); the system reclaims the memory at once.
    drop(cmp);
    std::mem::forget(value);
    Ok(())
}

/// `tifa lookup`: tf and df of each phrase, searched in the cleaned texts of clean.bin, and
/// its slogan row from compare.bin when that file is there and was made from this clean.bin.
/// compare.bin is read on a thread of its own while clean.bin is read and searched.
pub fn lookup(g: &Global, work_dir: &Path, phrases: &[String]) -> anyhow::Result<()> {
    let path = work_dir.join("clean.bin");
    let hc = format::read_header(&path, Some(Stage::Clean))?;
    let lookup = tifa_count::Lookup::new(phrases);
    let (hits, rows) = std::thread::scope(|scope| {
        let rows = scope.spawn(|| slogans_of(g, work_dir, &hc, &lookup));
        (lookup.search_file(&path), rows.join())
    });
    let (h, hits) = hits?;
    if h.checksum != hc.checksum {
        anyhow::bail!("{}: changed while tifa was running", path.display());
    }
    let kept = rows.map_err(|_| anyhow::anyhow!("reading compare.bin failed"))??;
    let rows = tifa_count::lookup::slogans(&kept, phrases);
    print!("{}", tifa_count::lookup::table(phrases, &hits, &rows));
    Ok(())
}

/// The slogans of compare.bin in `work_dir` that `lookup` wants, when compare.bin exists and
/// was made from the clean.bin whose header is `clean` (through segment.bin and count.bin); a
/// stale one is passed over with a warning (unless quiet).
fn slogans_of(
    g: &Global,
    work_dir: &Path,
    clean: &Header,
    lookup: &tifa_count::Lookup,
) -> anyhow::Result<Vec<tifa_core::Slogan>> {
    let path = work_dir.join("compare.bin");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let header = |f: &str, stage| format::read_header(&work_dir.join(f), Some(stage)).ok();
    let hs = header("segment.bin", Stage::Segment);
    let hc = header("count.bin", Stage::Count);
    let fresh = match (hs, hc, format::read_header(&path, Some(Stage::Compare))?) {
        (Some(hs), Some(hc), h) => {
            hs.input_fingerprint == clean.checksum
                && hc.input_fingerprint == hs.checksum
                && h.input_fingerprint == combine(&[hc.checksum, hs.checksum])
        }
        _ => false,
    };
    if !fresh {
        if !g.quiet {
            eprintln!(
                "warning: {}: stale: not made from {}; rank, kind and score left empty",
                path.display(),
                work_dir.join("clean.bin").display()
            );
        }
        return Ok(Vec::new());
    }
    let keep = |p: &str| lookup.wants(p);
    let seed = tifa_core::SomeSlogans { keep };
    Ok(format::read_seed(&path, Stage::Compare, seed)?.1)
}

/// `tifa cut`: how the segmenter cuts a text.
pub fn cut(g: &Global, text: &str) -> anyhow::Result<()> {
    let (seg, _) = segmenter(g)?;
    let words: Vec<String> = seg.cut(text).into_iter().map(|(w, _)| w).collect();
    println!("{}", words.join(" / "));
    Ok(())
}
