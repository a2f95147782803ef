//! `tifa run`: every stage in one process, handing data over in memory, writing the
//! intermediates alongside, and skipping a stage whose output already carries the fingerprints
//! of its current input and config.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tifa_core::format::{self, Header, Stage};
use tifa_core::{Comparison, Corpus, Counts, Segmented};

use super::*;
use crate::progress::Bars;
use crate::{Global, RunArgs};

/// A stage's output in `tifa run`: its file, and the value itself once this run made or read it.
/// A value this run made is written on a thread of its own while the next stage works on it;
/// its header (whose checksum the next stage's output records) is known once the write ends.
pub(crate) struct Output<T> {
    pub(crate) path: PathBuf,
    pub(crate) stage: Stage,
    pub(crate) value: Option<Arc<T>>,
    pub(crate) header: Written,
}

/// The header of a stage's output file: known, or still being written.
pub(crate) enum Written {
    Known(Header),
    Writing(Option<std::thread::JoinHandle<anyhow::Result<(Header, f64)>>>),
}

impl Written {
    /// The header, waiting for the write to end.
    pub(crate) fn get(&mut self, flags: &Global, path: &Path) -> anyhow::Result<Header> {
        if let Written::Writing(handle) = self {
            let (h, secs) = handle
                .take()
                .ok_or_else(|| anyhow::anyhow!("{}: write failed", path.display()))?
                .join()
                .map_err(|_| anyhow::anyhow!("{}: write failed", path.display()))??;
            if flags.verbose && !flags.quiet {
                crate::to_stderr(&format!(
                    "{:>10}  write {} (alongside the next stage): {secs:.2} s",
                    "",
                    file_name(path)
                ));
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
    T: format::Intermediate + Send + Sync + 'static,
{
    pub(crate) fn on_disk(header: Header, path: PathBuf, stage: Stage) -> Output<T> {
        Output {
            path,
            stage,
            value: None,
            header: Written::Known(header),
        }
    }

    /// A value this run made: starts writing it to `path` on a thread of its own.
    pub(crate) fn made(
        value: T,
        path: PathBuf,
        stage: Stage,
        input_fp: u64,
        config_fp: u64,
    ) -> Output<T> {
        Output::made_then(value, path, stage, input_fp, config_fp, || Ok(()))
    }

    /// [`Output::made`], calling `then` on the same thread once the file is written.
    pub(crate) fn made_then(
        value: T,
        path: PathBuf,
        stage: Stage,
        input_fp: u64,
        config_fp: u64,
        then: impl FnOnce() -> anyhow::Result<()> + Send + 'static,
    ) -> Output<T> {
        let value = Arc::new(value);
        let (v, p) = (Arc::clone(&value), path.clone());
        let handle = std::thread::spawn(move || {
            let t = Instant::now();
            let h = format::write(&p, stage, input_fp, config_fp, &*v)?;
            then()?;
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

    pub(crate) fn header(&mut self, flags: &Global) -> anyhow::Result<Header> {
        self.header.get(flags, &self.path)
    }

    /// Lets go of the value: once its write has ended and no stage holds it, its memory is
    /// freed, and a later [`Output::load`] reads it back from its file.
    pub(crate) fn release(&mut self) {
        self.value = None;
    }

    /// The value, read from its file when this run did not make it.
    pub(crate) fn load(&mut self, flags: &Global, bars: &Bars) -> anyhow::Result<Arc<T>> {
        if let Some(v) = &self.value {
            return Ok(Arc::clone(v));
        }
        let known = self.header(flags)?;
        let v = Arc::new(read_again(bars, &self.path, self.stage, &known)?);
        self.value = Some(Arc::clone(&v));
        Ok(v)
    }
}

/// `tifa run`: every stage in one process, skipping those whose output is up to date. Each
/// stage hands its output to the next in memory and writes it to the work folder on a thread
/// of its own while the next stage runs, so a later run (or a single stage command) can start
/// from it. Once a stage has run, every later stage runs too: its input has just been made.
/// With `keep`, returns the comparison, made by this run or read from compare.bin: the Python
/// package hands it to its result. Without, only a comparison this run made or read for the
/// report (the command lets the process end without freeing it); with compare and report up to
/// date, the summary line's figures are read from compare.bin past the rest, which is not held.
pub fn run_all(
    flags: &Global,
    bars: &Bars,
    args: RunArgs,
    keep: bool,
) -> anyhow::Result<Option<Arc<Comparison>>> {
    // Loading jieba's whole dictionary takes the same time whatever the corpus: for a large
    // corpus it loads beside the clean stage, and not at all when segment.bin is up to date. A
    // small corpus is cut with only the dictionary words it uses, found once it is clean, which
    // takes less (`tifa_segment::Segmenter::for_texts`).
    std::thread::scope(|threads| {
        rayon::in_place_scope(|pool| {
            let checked = check_outputs(flags, &args)?;
            // Once the corpus is known to be there: the folders are made (a run that cannot
            // start makes none) and locked, so that two runs started together on a fresh
            // folder do not both write in it.
            let (work_dir, out_dir) = (args.work_dir.clone(), args.out_dir.clone());
            let dirs = [work_dir.as_path(), out_dir.as_path()];
            for dir in dirs {
                crate::can_be_folder(dir)
                    .map_err(|e| e.context(format!("cannot make the folder {}", dir.display())))?;
            }
            let made: Vec<PathBuf> = dirs.iter().flat_map(|d| missing_folders(d)).collect();
            let ran = (|| {
                for dir in dirs {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        anyhow::anyhow!("{}: cannot create the folder: {e}", dir.display())
                    })?;
                }
                let _locks = crate::lock::lock(&dirs)?;
                tifa_core::memory::for_input(checked.plan.input_bytes);
                let large = checked.plan.input_bytes > tifa_segment::RESTRICTED_MAX_BYTES as u64;
                let building = (large && checked.segment.is_none())
                    .then(|| load_segmenter(threads, pool, flags));
                run_stages(flags, bars, args, checked, building, keep)
            })();
            if ran.is_err() {
                remove_unused(made);
            }
            ran
        })
    })
}

/// `dir` and the folders above it that are not there yet, deepest first.
fn missing_folders(dir: &Path) -> Vec<PathBuf> {
    dir.ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err())
        .map(Path::to_path_buf)
        .collect()
}

/// Removes the folders of `made` (made by a run that then failed) that hold nothing but the
/// run's lock file, deepest first: a run on an empty or wrong corpus leaves no empty work and
/// report folders behind. A folder anything was written in stays as it is.
fn remove_unused(mut made: Vec<PathBuf>) {
    // A folder sorts after those above it: in reverse, it comes first.
    made.sort_unstable_by(|a, b| b.cmp(a));
    made.dedup();
    for dir in made {
        let Ok(mut entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        if entries.all(|e| e.is_ok_and(|e| e.file_name() == crate::lock::LOCK_FILE)) {
            let _ = std::fs::remove_file(dir.join(crate::lock::LOCK_FILE));
            let _ = std::fs::remove_dir(&dir);
        }
    }
}

/// The segmenter being loaded by [`load_segmenter`].
pub(crate) type Building =
    std::sync::mpsc::Receiver<anyhow::Result<(tifa_segment::Segmenter, u64)>>;

/// Starts loading the segmenter beside the stages before segment. With several worker threads
/// it loads on one of them, so that the clean stage has one worker fewer until it is loaded:
/// segment waits for the dictionary, a single thread's work, and on a thread of its own it got
/// only its share of the cores clean kept busy, and was ready later. With one worker it loads on a
/// thread of its own, as the worker would otherwise clean only once it is loaded.
pub(crate) fn load_segmenter<'s>(
    threads: &'s std::thread::Scope<'s, '_>,
    pool: &rayon::Scope<'s>,
    flags: &'s Global,
) -> Building {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let load = move || {
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| segmenter(flags)))
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
pub(crate) struct Checked {
    pub(crate) plan: CleanPlan,
    pub(crate) clean: Option<Header>,
    pub(crate) segment: Option<Header>,
}

pub(crate) fn check_outputs(flags: &Global, args: &RunArgs) -> anyhow::Result<Checked> {
    // Every stage's settings are read and checked before any stage runs: a mistake in
    // count.toml or report.toml stops the run at once, not once clean and segment have run.
    crate::config::load::<tifa_segment::Config>(&flags.config, "segment")?;
    count_config(flags)?;
    compare_config(flags, &[])?;
    report_config(flags)?;
    let plan = plan_clean(flags, &args.corpus)?;
    let clean_out = args.work_dir.join("clean.bin");
    let clean = (!args.force)
        .then(|| fresh(&clean_out, Stage::Clean, plan.input_fp, plan.config_fp))
        .flatten();
    let segment = match clean {
        Some(h) => fresh(
            &args.work_dir.join("segment.bin"),
            Stage::Segment,
            h.checksum,
            segment_fingerprint(flags)?,
        ),
        None => None,
    };
    Ok(Checked {
        plan,
        clean,
        segment,
    })
}

pub(crate) fn run_stages(
    flags: &Global,
    bars: &Bars,
    args: RunArgs,
    checked: Checked,
    building: Option<Building>,
    keep: bool,
) -> anyhow::Result<Option<Arc<Comparison>>> {
    let w = &args.work_dir;
    let (clean_out, seg_out, count_out, cmp_out) = (
        w.join("clean.bin"),
        w.join("segment.bin"),
        w.join("count.bin"),
        w.join("compare.bin"),
    );
    let skip = |stage: &str| {
        if flags.verbose && !flags.quiet {
            crate::to_stderr(&format!("{stage}: up to date"));
        }
    };
    // The whole run's time; its peak is the highest of the stages'.
    let total = Timer(Instant::now());
    // True once a stage has run: every later stage must run too.
    let mut dirty = args.force;

    let budget = crate::config::max_memory(flags)?;
    if budget.is_some() {
        // This line goes once every stage keeps to the budget.
        say(flags, crate::BUDGET_NOTE);
    }
    let Checked {
        plan,
        clean: clean_fresh,
        segment: segment_fresh,
    } = checked;
    let mut clean = match clean_fresh {
        Some(h) if !dirty => {
            skip("clean");
            Output::<Corpus>::on_disk(h, clean_out.clone(), Stage::Clean)
        }
        _ => {
            dirty = true;
            let t = Timer::start(flags);
            let output = match budget {
                // Written in waves, and read back by segment.
                Some(budget) => Output::on_disk(
                    clean_in_waves(flags, bars, &plan, &clean_out, budget)?,
                    clean_out.clone(),
                    Stage::Clean,
                ),
                None => {
                    // clean-log.tsv goes once clean.bin is written.
                    let (corpus, log) = cleaned(flags, bars, &plan, &clean_out)?;
                    Output::made_then(
                        corpus,
                        clean_out.clone(),
                        Stage::Clean,
                        plan.input_fp,
                        plan.config_fp,
                        move || log.write(),
                    )
                }
            };
            t.done(flags, "clean");
            output
        }
    };

    let mut segmented = match segment_fresh.filter(|_| !dirty) {
        Some(h) => {
            skip("segment");
            Output::<Segmented>::on_disk(h, seg_out.clone(), Stage::Segment)
        }
        None => {
            dirty = true;
            // Loading beside clean for a large corpus; else built for the corpus once it is
            // clean, as part of this stage.
            let loaded = match building {
                Some(b) => Some(
                    b.recv()
                        .map_err(|_| anyhow::anyhow!("loading the segmenter failed"))??,
                ),
                None => None,
            };
            let t = Timer::start(flags);
            if let Some(budget) = budget {
                // Read back from clean.bin in waves.
                let known = clean.header(flags)?;
                let h = segment_in_waves(
                    flags,
                    bars,
                    &clean_out,
                    Some(&known),
                    &seg_out,
                    segment_wave(budget),
                    loaded,
                )?;
                t.done(flags, "segment");
                Output::on_disk(h, seg_out.clone(), Stage::Segment)
            } else {
                let corpus = clean.load(flags, bars)?;
                // Clean's file buffers are freed but still resident (`tifa_core::memory`).
                tifa_core::memory::give_back();
                let (seg, seg_fp) = match loaded {
                    Some(loaded) => loaded,
                    None => segmenter_for_corpus(flags, bars, &corpus)?,
                };
                // The reports' texts are let go of as they are cut, so the write of clean.bin
                // from them ends first (on 1 GB, 1–4 s against 17–23 s of cutting).
                let h_clean = clean.header(flags)?;
                drop(clean);
                // The write has ended, so this is the only holder and the clone never happens.
                let mut corpus = Arc::try_unwrap(corpus).unwrap_or_else(|shared| (*shared).clone());
                let tokens = tifa_segment::tokens(&mut corpus.documents, &seg, bars)?;
                let s = tokens.with_documents(corpus.documents, corpus.skipped);
                say(flags, segment_line(&s, &seg_out));
                t.done(flags, "segment");
                Output::made(s, seg_out.clone(), Stage::Segment, h_clean.checksum, seg_fp)
            }
        }
    };

    let (count_cfg, count_fp) = count_config(flags)?;
    let on_disk = if dirty {
        None
    } else {
        fresh(
            &count_out,
            Stage::Count,
            segmented.header(flags)?.checksum,
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
            let t = Timer::start(flags);
            // The count takes the segmented corpus once segment.bin is written (compare reads
            // it back for its examples) and lets go of it as its own stream is laid out, texts
            // first, so the two are not in memory together.
            let h_seg = segmented.header(flags)?;
            match budget {
                // segment.bin is on disk: it is read in waves, and count.bin is written from
                // the count's scratch files.
                Some(budget) => {
                    let (h, c) = count_file(&seg_out, &count_cfg, bars, &count_out, budget)?;
                    if h.checksum != h_seg.checksum {
                        anyhow::bail!("{}: changed while tifa was running", seg_out.display());
                    }
                    let header = write(bars, &count_out, Stage::Count, h.checksum, count_fp, &c)?;
                    say(
                        flags,
                        count_line(c.phrases.size().phrases, c.docs.len(), &count_out),
                    );
                    t.done(flags, "count");
                    Output::on_disk(header, count_out.clone(), Stage::Count)
                }
                None => {
                    let seg = segmented.load(flags, bars)?;
                    segmented.release();
                    // The write has ended, so this is the only holder and the clone never
                    // happens.
                    let seg = Arc::try_unwrap(seg).unwrap_or_else(|shared| (*shared).clone());
                    let c = count_corpus(seg, &seg_out, &count_cfg, bars, &count_out)?;
                    say(flags, count_line(c.phrases.len(), c.docs.len(), &count_out));
                    t.done(flags, "count");
                    Output::made(c, count_out.clone(), Stage::Count, h_seg.checksum, count_fp)
                }
            }
        }
    };

    let (cmp_cfg, cmp_fp) = compare_config(flags, &args.group_by)?;
    let on_disk = if dirty {
        None
    } else {
        let (hc, hs) = (counts.header(flags)?, segmented.header(flags)?);
        same_run(&count_out, &hc, &seg_out, &hs)?;
        fresh(
            &cmp_out,
            Stage::Compare,
            inputs_fingerprint(&[hc.checksum, hs.checksum]),
            cmp_fp,
        )
    };
    let mut cmp = match on_disk {
        Some(h) => {
            skip("compare");
            Output::<Comparison>::on_disk(h, cmp_out.clone(), Stage::Compare)
        }
        None => {
            let t = Timer::start(flags);
            // The counts are let go of before the segmented corpus is needed, so the two are
            // not in memory together.
            let known = segmented.header(flags)?;
            let result = match budget {
                // count.bin is on disk: its per-report counts stay in a scratch file.
                Some(_) => {
                    let (h, c, aside) = read_counts_aside(bars, &count_out, &cmp_out)?;
                    if h.checksum != counts.header(flags)?.checksum {
                        anyhow::bail!("{}: changed while tifa was running", count_out.display());
                    }
                    counts.release();
                    compare_counts(
                        Taken::Aside(Box::new(c), aside),
                        &count_out,
                        &cmp_cfg,
                        &seg_out,
                        &known,
                        bars,
                    )?
                }
                None => {
                    let c = counts.load(flags, bars)?;
                    counts.release();
                    compare_counts(
                        Taken::Whole(c),
                        &count_out,
                        &cmp_cfg,
                        &seg_out,
                        &known,
                        bars,
                    )?
                }
            };
            // Both inputs were checked to belong together above, or made together in this run.
            let (hc, hs) = (counts.header(flags)?, segmented.header(flags)?);
            let input = inputs_fingerprint(&[hc.checksum, hs.checksum]);
            match budget {
                // Written now, its rows made as they are written, and read back by report.
                Some(_) => {
                    let (header, found) =
                        write_comparison(bars, &cmp_out, input, cmp_fp, result, true)?;
                    say(flags, compare_line(found, &cmp_out));
                    t.done(flags, "compare");
                    Output::on_disk(header, cmp_out.clone(), Stage::Compare)
                }
                None => {
                    let result = result.into_comparison(bars);
                    say(flags, compare_line(Found::of(&result.slogans), &cmp_out));
                    t.done(flags, "compare");
                    Output::made(result, cmp_out.clone(), Stage::Compare, input, cmp_fp)
                }
            }
        }
    };
    drop(counts);
    drop(segmented);
    tifa_core::memory::give_back();

    let (report_cfg, report_fp) = report_config(flags)?;
    let fresh = !dirty && report_fresh(&args.out_dir, cmp.header(flags)?.checksum, report_fp);
    let value = match (fresh, keep || cmp.value.is_some()) {
        // Only the summary line needs it: its figures are read, not the comparison.
        (true, false) => None,
        _ => Some(cmp.load(flags, bars)?),
    };
    let (s, found) = match &value {
        Some(v) => (v.summary.clone(), Found::of(&v.slogans)),
        None => read_figures(bars, &cmp_out, &cmp.header(flags)?)?,
    };
    match &value {
        Some(value) if !fresh => {
            let t = Timer::start(flags);
            // The stamp names compare.bin's checksum, so it waits for that write.
            let checksum = || Ok(cmp.header(flags)?.checksum);
            write_reports(value, &report_cfg, &args.out_dir, bars, checksum, report_fp)?;
            say(flags, report_line(&args.out_dir));
            t.done(flags, "report");
        }
        _ => skip("report"),
    }

    let warned = bars.warnings();
    say(
        flags,
        format!(
            "tifa: {} read{}, {}, {} counted, {} found; report: {}",
            tifa_core::text::counted(s.n_docs, "report"),
            if warned > 0 {
                format!(" ({})", tifa_core::text::counted(warned, "warning"))
            } else {
                String::new()
            },
            tifa_core::text::counted(s.n_tokens, "token"),
            tifa_core::text::counted(s.n_phrases, "phrase"),
            found,
            args.out_dir.join("report.html").display()
        ),
    );
    total.done_with(flags, "run", crate::memory::highest);
    drop(cmp);
    Ok(value)
}
