//! `tifa`: mine the formulaic slogans (提法) of Chinese official reports and rank how widely
//! each recurs. This crate is glue: it parses flags, loads config, wires the stage crates
//! together and prints. The work happens in the stage crates. The `tifa` binary is [`main`];
//! [`api`] is the same commands returning values instead of printing them, for the Python
//! package.

pub mod api;
pub mod config;
mod diff;
mod inspect;
mod lock;
mod memory;
mod progress;
mod stages;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  tifa run                                  # every stage on data/corpus -> reports/
  tifa run --corpus my-reports/ --group-by body
  tifa lookup 两个确立 全过程人民民主        # tf and df of any string
  tifa cut 增强四个意识、坚定四个自信、做到两个维护
  tifa inspect work/count.bin               # header and summary of an intermediate";

/// Mine the formulaic slogans (提法) of Chinese official reports and rank how widely each
/// recurs across reports, by region, level, body and year.
#[derive(Parser, Debug)]
#[command(name = "tifa", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// The most worker threads. More only slow a run down (each takes a share of every parallel
/// step); thousands stalled it.
pub const MAX_THREADS: usize = 1024;

/// `n` as a number of worker threads, 1 to [`MAX_THREADS`]: for `-j`, [`api::Settings`] and
/// Python's `threads`, which all refuse alike.
pub fn thread_count<N: TryInto<usize> + Copy + std::fmt::Display>(n: N) -> anyhow::Result<usize> {
    n.try_into()
        .ok()
        .filter(|n| (1..=MAX_THREADS).contains(n))
        .ok_or_else(|| {
            anyhow::anyhow!("threads: expected a number from 1 to {MAX_THREADS}, not {n}")
        })
}

/// Reads `-j` ([`thread_count`]).
fn threads(s: &str) -> Result<usize, String> {
    match s.parse::<i64>() {
        Ok(n) => thread_count(n).map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "threads: expected a number from 1 to {MAX_THREADS}, not {s:?}"
        )),
    }
}

/// Flags every subcommand takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Folder with one TOML file per stage (clean.toml, segment.toml …); a missing file means
    /// its defaults, and so does a missing `config` folder, but a folder named here must exist.
    #[arg(long, global = true, default_value = config::DEFAULT_DIR, value_name = "DIR")]
    pub config: PathBuf,
    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(short = 'j', long, global = true, value_name = "N", value_parser = threads,
          allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Never draw progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Say more: skipped stages, and the time and peak memory of each stage and phase.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// The reference reports of the diffusion tables (`run`, `report`), as FIELD=VALUE;
    /// overrides report.toml's `diffusion_reference` (default level=national).
    #[arg(long, global = true, value_name = "FIELD=VALUE")]
    pub diffusion_reference: Option<String>,
    /// The field the other reports are grouped by in the diffusion tables (`run`, `report`);
    /// overrides report.toml's `diffusion_by` (default region).
    #[arg(long, global = true, value_name = "FIELD")]
    pub diffusion_by: Option<String>,
    /// A memory budget such as 2G or 1500M (at least 64M): stages work in parts to stay under
    /// it, with the same outputs; overrides run.toml's `max_memory` (default: none). Compare
    /// still holds count.bin's phrases (without their per-report counts) and report the
    /// comparison whole (about twice compare.bin's size).
    #[arg(long, global = true, value_name = "SIZE", value_parser = config::parse_size,
          allow_negative_numbers = true)]
    pub max_memory: Option<u64>,
    /// Where messages go instead of stderr (the Python package's notebook output).
    #[arg(skip)]
    pub sink: Sink,
}

/// Where messages (stage lines, phases, warnings) go when not to stderr: a function given each
/// line. The command-line tool leaves it empty.
#[derive(Clone, Default)]
pub struct Sink(Option<std::sync::Arc<SayFn>>);

/// The function a [`Sink`] gives each line to.
type SayFn = dyn Fn(&str) + Send + Sync;

impl Sink {
    /// Lines go to `f`.
    pub fn to(f: impl Fn(&str) + Send + Sync + 'static) -> Sink {
        Sink(Some(std::sync::Arc::new(f)))
    }

    /// Gives `line` to the function, or prints it on stderr when there is none.
    pub(crate) fn say(&self, line: &str) {
        match &self.0 {
            Some(f) => f(line),
            None => to_stderr(line),
        }
    }

    /// True when lines go to a function.
    pub(crate) fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Sink(function)"
        } else {
            "Sink(stderr)"
        })
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every stage: clean, segment, count, compare, report (stages that are up to date are
    /// skipped).
    #[command(
        after_help = "Example:\n  tifa run --corpus data/corpus --work-dir work --out-dir reports --group-by body"
    )]
    Run(RunArgs),
    /// Clean: decode, normalise and split report files into clean documents.
    #[command(after_help = "Example:\n  tifa clean --in data/corpus --out work/clean.bin")]
    Clean(CleanArgs),
    /// Segment: cut every report into tokens with the political dictionary.
    #[command(after_help = "Example:\n  tifa segment --in work/clean.bin --out work/segment.bin")]
    Segment(StageArgs),
    /// Count: term and document frequency of every recurring phrase.
    #[command(after_help = "Example:\n  tifa count --in work/segment.bin --out work/count.bin")]
    Count(StageArgs),
    /// Compare: find the slogans, rank them, compare groups of reports.
    #[command(
        after_help = "Example:\n  tifa compare --in work/count.bin --out work/compare.bin --group-by level"
    )]
    Compare(CompareArgs),
    /// Report: write slogans.tsv, slogans.csv, slogans.json, summary.md, report.html and the
    /// diffusion views (slogan-reports.tsv, diffusion.tsv, adoption.tsv, leaders.tsv, diff.tsv).
    #[command(after_help = "Example:\n  tifa report --in work/compare.bin --out reports")]
    Report(StageArgs),
    /// Show the header and a summary of any intermediate file; --json prints all of it.
    #[command(
        after_help = "Example:\n  tifa inspect --json work/clean.bin | jq '.documents[0].meta'"
    )]
    Inspect {
        /// The intermediate file (clean.bin, segment.bin, count.bin or compare.bin).
        file: PathBuf,
        /// Print the whole content as JSON: reports, tokens as words, phrases with their counts,
        /// slogans.
        #[arg(long)]
        json: bool,
    },
    /// Term and document frequency of any strings in the cleaned texts (each string normalised
    /// as clean normalises the texts, quote marks ignored, occurrences not overlapping): a header
    /// `phrase tf df rank kind score`, then a row each; rank, kind and score are those of the
    /// string's row in slogans.tsv, empty when none.
    #[command(
        after_help = "Example:\n  tifa lookup 两个确立 八项规定\n  phrase\ttf\tdf\trank\tkind\tscore\n  两个确立\t69\t33\t5\tnumbered\t0.9459\n  八项规定\t27\t21\t\t\t"
    )]
    Lookup {
        /// Folder holding clean.bin (and compare.bin for the slogan columns).
        #[arg(long, default_value = "work", value_name = "DIR")]
        work_dir: PathBuf,
        /// The strings.
        #[arg(required = true)]
        phrases: Vec<String>,
    },
    /// What is new in each report of a series (same region, level and body) and what it dropped,
    /// edition by edition; reports/diff.tsv holds every series.
    #[command(after_help = "Example:\n  tifa diff --region 广东省 --body government")]
    Diff {
        /// Folder holding compare.bin.
        #[arg(long, default_value = "work", value_name = "DIR")]
        work_dir: PathBuf,
        /// Only the series of this region.
        #[arg(long)]
        region: Option<String>,
        /// Only the series of this level (national, provincial, city …).
        #[arg(long)]
        level: Option<String>,
        /// Only the series of this body (government, npc, cppcc, party …).
        #[arg(long)]
        body: Option<String>,
        /// List every new and dropped slogan, not the first 15.
        #[arg(long)]
        all: bool,
    },
    /// Show how the segmenter cuts a text, with the bundled dictionary.
    #[command(
        after_help = "Example:\n  tifa cut 增强四个意识、坚定四个自信、做到两个维护\n  增强 / 四个意识 / 、 / 坚定 / 四个自信 / 、 / 做到 / 两个维护"
    )]
    Cut {
        /// The text.
        #[arg(required = true)]
        text: Vec<String>,
    },
}

/// Flags of `tifa run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Corpus folder (repeat for several); holds .txt/.htm/.md files and optionally manifest.tsv.
    #[arg(long, value_name = "DIR")]
    pub corpus: Vec<PathBuf>,
    /// Where intermediates go.
    #[arg(long, default_value = "work", value_name = "DIR")]
    pub work_dir: PathBuf,
    /// Where the reports go.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Compare groups of reports by a metadata field (body, level, region, year or any
    /// manifest column); repeatable.
    #[arg(long, value_name = "FIELD")]
    pub group_by: Vec<String>,
    /// Re-run every stage even when its output is up to date.
    #[arg(long)]
    pub force: bool,
}

/// Flags of `tifa clean`.
#[derive(Args, Debug)]
pub struct CleanArgs {
    /// Corpus folder (repeatable).
    #[arg(long = "in", alias = "corpus", value_name = "DIR")]
    pub input: Vec<PathBuf>,
    /// Output file; clean-log.tsv is written beside it.
    #[arg(long, default_value = "work/clean.bin", value_name = "FILE")]
    pub out: PathBuf,
}

/// Flags of a stage that reads one intermediate and writes one output.
#[derive(Args, Debug)]
pub struct StageArgs {
    /// Input file (default: the previous stage's output in work/).
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output file, or folder for `report` (default: work/<stage>.bin, reports/).
    #[arg(long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
}

/// Flags of `tifa compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Input and output.
    #[command(flatten)]
    pub stage: StageArgs,
    /// The segment stage's output, for keyword-in-context (default: segment.bin beside --in).
    #[arg(long, value_name = "FILE")]
    pub segment: Option<PathBuf>,
    /// Compare groups of reports by a metadata field; repeatable.
    #[arg(long, value_name = "FIELD")]
    pub group_by: Vec<String>,
}

/// The `tifa` command: parses the command line, runs the command, prints an error as one line
/// and returns the exit code (0, or 2 on any error).
pub fn main() -> ExitCode {
    // A panic is a bug, but even then the user gets one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        to_stderr(&format!("error: internal error{at}: {msg}"));
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(cli))) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            to_stderr(&format!("error: {}", one_line(&e)));
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

/// A command line clap refused: `--help` and `--version` print as clap prints them; a mistake
/// is one line on stderr, as every error is (clap's tip, if any, in brackets; its usage and
/// "For more information" lines left out), and the exit code 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
    }
    let text = e.render().to_string();
    let mut raw = text.lines().map(str::trim);
    let mut line = raw.next().unwrap_or("error: bad command line").to_string();
    // A first line that ends in a colon is followed by what it lists, up to a blank line
    // (`the following required arguments were not provided: <TEXT>...`).
    if line.ends_with(':') {
        for item in raw.by_ref().take_while(|l| !l.is_empty()) {
            line.push(' ');
            line.push_str(item);
        }
    }
    let lines = raw.filter(|l| !l.is_empty());
    for tip in lines.filter_map(|l| l.strip_prefix("tip:")) {
        line.push_str(&format!(" (tip:{tip})"));
    }
    to_stderr(&line);
    ExitCode::from(2)
}

/// Prints `line` on stderr. A stderr that is closed or full (`2>&1 | head -1`, `2>/dev/full`)
/// loses the line; it never stops tifa, which would then leave its work half done.
pub(crate) fn to_stderr(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Prints `text` on stdout. A reader that stops early (`| head`) ends the output quietly: a
/// closed pipe is not an error.
pub(crate) fn to_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("standard output: cannot write"))
        }
        _ => Ok(()),
    }
}

/// The error chain on one line, outermost context first, without repeating a message that a
/// context already contains.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ").replace('\n', " ")
}

/// What a memory budget does not bound yet, said by `tifa run`, `tifa compare` and `tifa
/// report` when one is set.
pub(crate) const BUDGET_NOTE: &str = "note: under the memory budget, compare still holds \
    count.bin's phrases without their per-report counts, and report the comparison whole \
    (about twice compare.bin's size)";

/// The folder a stage's `--out` file is written in (`.` for a bare name). A path that names a
/// folder is refused before anything is written: the stage would write beside it, in its
/// parent (clean's log would replace a clean-log.tsv there), then fail.
fn folder_of<'p>(file: &'p Path, name: &str) -> anyhow::Result<&'p Path> {
    let slash = file.as_os_str().as_encoded_bytes().last() == Some(&b'/')
        || (cfg!(windows) && file.as_os_str().as_encoded_bytes().last() == Some(&b'\\'));
    if slash || file.is_dir() {
        // No file to suggest in a folder that already bears the file's name.
        let hint = match file.file_name() {
            Some(n) if n == name => String::new(),
            _ => format!(" (e.g. {})", file.join(name).display()),
        };
        anyhow::bail!(
            "{}: is a folder; --out names the file to write{hint}",
            file.display()
        );
    }
    let folder = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    can_be_folder(folder).map_err(|e| e.context(format!("cannot write {}", file.display())))?;
    Ok(folder)
}

/// Refuses a folder to write in that cannot be one, before anything is written: it, or the
/// nearest of its ancestors that is there, is a file, or a link to nothing.
pub(crate) fn can_be_folder(dir: &Path) -> anyhow::Result<()> {
    for at in dir.ancestors().filter(|a| !a.as_os_str().is_empty()) {
        match std::fs::metadata(at) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => anyhow::bail!("{}: not a folder", at.display()),
            Err(_) if at.symlink_metadata().is_ok() => {
                anyhow::bail!("{}: a link to nothing", at.display())
            }
            Err(_) => {}
        }
    }
    Ok(())
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let flags = cli.global;
    config::check_dir(&flags.config)?;
    if !flags.quiet {
        for w in config::unknown_files(&flags.config) {
            flags.sink.say(&w);
        }
    }
    if let Some(n) = flags.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| anyhow::anyhow!("cannot start {n} threads: {e}"))?;
    }
    let bars = progress::Bars::new(&flags);
    let unbounded = matches!(cli.command, Command::Report(_) | Command::Compare(_));
    if unbounded && !flags.quiet && config::max_memory(&flags)?.is_some() {
        flags.sink.say(BUDGET_NOTE);
    }
    match cli.command {
        // The process ends next: freeing hundreds of thousands of slogans one by one would
        // only delay the exit; the system reclaims the memory at once.
        Command::Run(args) => stages::run_all(&flags, &bars, args, false).map(std::mem::forget),
        // A stage command holds the lock of the folder it writes to while it runs.
        Command::Clean(args) => {
            let _lock = lock::lock(&[folder_of(&args.out, "clean.bin")?])?;
            stages::clean(&flags, &bars, &args.input, &args.out).map(|_| ())
        }
        Command::Segment(args) => {
            let (i, o) = stages::paths(args, "clean.bin", "segment.bin");
            let _lock = lock::lock(&[folder_of(&o, "segment.bin")?])?;
            stages::segment(&flags, &bars, &i, &o).map(|_| ())
        }
        Command::Count(args) => {
            let (i, o) = stages::paths(args, "segment.bin", "count.bin");
            let _lock = lock::lock(&[folder_of(&o, "count.bin")?])?;
            stages::count(&flags, &bars, &i, &o).map(|_| ())
        }
        Command::Compare(args) => {
            let seg = args.segment.clone();
            let groups = args.group_by.clone();
            let (i, o) = stages::paths(args.stage, "count.bin", "compare.bin");
            let seg = seg.unwrap_or_else(|| i.with_file_name("segment.bin"));
            let _lock = lock::lock(&[folder_of(&o, "compare.bin")?])?;
            stages::compare(&flags, &bars, &i, &seg, &o, &groups).map(|_| ())
        }
        Command::Report(args) => {
            let i = args
                .input
                .unwrap_or_else(|| PathBuf::from("work/compare.bin"));
            let o = args.out.unwrap_or_else(|| PathBuf::from("reports"));
            let _lock = lock::lock(&[&o])?;
            stages::report(&flags, &bars, &i, &o).map(|_| ())
        }
        Command::Inspect { file, json } => inspect::inspect(&file, json),
        Command::Lookup { work_dir, phrases } => stages::lookup(&flags, &work_dir, &phrases),
        Command::Cut { text } => stages::cut(&flags, &text.join(" ")),
        Command::Diff {
            work_dir,
            region,
            level,
            body,
            all,
        } => diff::diff(
            &work_dir,
            &diff::Series {
                region,
                level,
                body,
            },
            all,
        ),
    }
}
