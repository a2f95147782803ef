//! Renders `report.html` in headless Chromium and checks what a person would see: the slogan
//! table has rows drawn by the script, the charts are drawn, hostile corpus text shows as text
//! and injects no element, the script ran without error, and nothing was fetched from the
//! network. Writes a screenshot to `target/report-screenshot.png` (and the whole page to
//! `target/report-screenshot-full.png`) and the rendered sample to `target/report-sample/`.
//!
//! Run with `cargo test -p tifa-report --test browser -- --nocapture`. It needs Debian's
//! `chromium` (or `TIFA_CHROMIUM=/path/to/chrome`). Without a browser the test is skipped with
//! a message, except under `CI=true`, where a missing browser fails it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{sample, XSS_SCRIPT};
use tifa_core::NoProgress;
use tifa_report::{run, Config};

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TIFA_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// Runs Chromium headless on `page` with `args`, a fresh profile and a network log; returns
/// stdout and the network log's text. Kills the browser after two minutes.
fn chromium(browser: &Path, page: &Path, args: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let netlog = profile.path().join("netlog.json");
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--hide-scrollbars",
        // Any name lookup fails, so even a request the log missed could not leave the machine.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .arg(format!("--log-net-log={}", netlog.display()))
    .args(args)
    .arg(page)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("starting chromium");
    // Read stdout on a thread so a large DOM cannot fill the pipe and stall the browser.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = reader.join().unwrap();
    let err = err_reader.join().unwrap();
    assert!(status.success(), "chromium failed: {status}\n{err}");
    let log = std::fs::read_to_string(&netlog).unwrap_or_default();
    (out, log)
}

/// URLs of the requests in a Chromium network log that a page started. The browser's own
/// background requests (update checks, clock sync) carry the initiator "not an origin"; a
/// request from a page opened as a file carries the page's opaque origin ("null") and a
/// `file://` isolation key. The text is scanned rather than parsed, so a log cut short at exit
/// is still read.
fn page_requests(netlog: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for event in netlog.split("\"params\":{").skip(1) {
        let from_page = event.contains("\"initiator\":\"null\"")
            || event.contains("\"initiator\":\"file:")
            || event.contains("\"network_isolation_key\":\"file:");
        if !from_page {
            continue;
        }
        if let Some(i) = event.find("\"url\":\"") {
            let after = &event[i + 7..];
            urls.push(after[..after.find('"').unwrap_or(after.len())].to_string());
        }
    }
    urls.sort();
    urls.dedup();
    urls
}

#[test]
fn report_renders_in_chromium() {
    let Some(browser) = find_chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium is not installed, and CI=true requires the browser test to run");
        }
        eprintln!("SKIPPED report_renders_in_chromium: no chromium found (install Debian's `chromium` or set TIFA_CHROMIUM)");
        return;
    };
    let out_dir = target_dir().join("report-sample");
    let cmp = sample();
    run(&cmp, &Config::default(), &out_dir, &NoProgress).unwrap();
    let page = out_dir.join("report.html").canonicalize().unwrap();

    let (dom, netlog) = chromium(&browser, &page, &["--dump-dom".to_string()]);

    // The script ran to the end without an error, and nothing injected ran: the page script
    // marks <body> with data-ready (or data-error), an injected one would add data-pwned.
    let body = &dom[dom.find("<body").expect("body")..];
    let body = &body[..body.find('>').unwrap() + 1];
    assert!(
        body.contains(&format!("data-ready=\"{}\"", cmp.slogans.len())),
        "the page script did not finish: {body}"
    );
    assert!(!body.contains("data-error"), "script error: {body}");
    assert!(!body.contains("data-pwned"), "injected script ran: {body}");

    // The table has one row per slogan, drawn by the script, with sparklines.
    let tbody = &dom[dom.find("<tbody id=\"rows\">").expect("table body")..];
    let tbody = &tbody[..tbody.find("</tbody>").unwrap()];
    assert_eq!(tbody.matches("<tr ").count(), cmp.slogans.len());
    assert!(tbody.contains(">四个意识</td>"));
    assert!(tbody.contains("class=\"spark\""));

    // The charts are drawn.
    assert_eq!(dom.matches("<g class=\"bar\"").count(), cmp.slogans.len());
    assert!(dom.matches("<g class=\"hrow\"").count() >= 5);
    assert!(dom.contains("<rect"));

    // How slogans spread from the national reports to the regions: adoption curves with the
    // reference's first use marked, the group × slogan grid of lags, leaders and laggards; and
    // what each national report added to its series.
    let spread = &dom[dom.find("id=\"diffusion\"").expect("diffusion section")..];
    let spread = &spread[..spread.find("</section>").unwrap()];
    assert!(spread.contains("<polyline") && spread.contains("class=\"refline\""));
    assert!(spread.contains("class=\"data grid\"") && spread.contains(">北京市</th>"));
    assert!(spread.contains("class=\"data leaders\""));
    assert!(dom.contains("id=\"editions\""), "edition diff section");

    // The detail view shows the first slogan in context, with its adoption curve across the
    // regions and the reference's first use marked.
    assert!(dom.contains("class=\"kwic\""));
    let curve = dom
        .split("class=\"adoption\"")
        .nth(1)
        .expect("the detail view draws the adoption curve");
    let curve = &curve[..curve.find("</svg>").unwrap_or(curve.len())];
    assert!(curve.contains("class=\"fg\"") && curve.contains("class=\"pt\""));
    assert!(
        curve.contains("class=\"ref\""),
        "reference's first use marked: {curve}"
    );
    assert!(dom.contains("牢固树立"));

    // Hostile strings are text: no element was injected, the escaped text is there.
    assert!(!dom.contains("<img"), "an <img> element was injected");
    assert_eq!(
        dom.matches("<script").count(),
        2,
        "only the page's own scripts"
    );
    let escaped = XSS_SCRIPT.replace('<', "&lt;").replace('>', "&gt;");
    assert!(dom.contains(&escaped), "hostile phrase not shown as text");

    // Nothing was requested by the page. A control page that does fetch shows the check
    // sees page requests on this browser.
    assert_eq!(
        page_requests(&netlog),
        Vec::<String>::new(),
        "network requests"
    );
    let control = tempfile::tempdir().unwrap();
    let bad = control.path().join("fetches.html");
    std::fs::write(
        &bad,
        "<html><body><img src=\"http://tifa.invalid/x.png\"></body></html>",
    )
    .unwrap();
    let (_, control_log) = chromium(&browser, &bad, &["--dump-dom".to_string()]);
    assert_eq!(
        page_requests(&control_log),
        ["http://tifa.invalid/x.png"],
        "the network check did not see a control page's request"
    );

    // Pictures for a person to look at.
    let shot = target_dir().join("report-screenshot.png");
    let full = target_dir().join("report-screenshot-full.png");
    for (path, size) in [(&shot, "1400,1000"), (&full, "1400,3400")] {
        let _ = std::fs::remove_file(path);
        chromium(
            &browser,
            &page,
            &[
                format!("--screenshot={}", path.display()),
                format!("--window-size={size}"),
            ],
        );
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        assert!(
            len > 10_000,
            "screenshot {} missing or blank",
            path.display()
        );
    }
    eprintln!("screenshot: {}", shot.display());
}
