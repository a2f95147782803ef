//! Makes a larger benchmark corpus from a smaller one: `make-corpus SRC DST TARGET_MB` writes
//! copies of every file of SRC into DST until TARGET_MB megabytes are written. Copy k of a file
//! has its lines rotated by k, so no two files are identical (the clean stage drops exact
//! duplicates) while the text stays real text of the same size and character.

use std::io::Write;
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: make-corpus SRC DST TARGET_MB");
        std::process::exit(2);
    }
    let (src, dst) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let target: u64 = args[3].parse().unwrap_or(1000) * 1_000_000;
    let paths = tifa_bench::files(&src, Some("txt"));
    std::fs::create_dir_all(&dst)?;
    let mut written = 0u64;
    let mut k = 0usize;
    while written < target && !paths.is_empty() {
        let sub = dst.join(format!("copy{k:02}"));
        std::fs::create_dir_all(&sub)?;
        for p in &paths {
            if written >= target {
                break;
            }
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let n = lines.len();
                lines.rotate_left(k % n);
            }
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut f = std::io::BufWriter::new(std::fs::File::create(sub.join(name))?);
            for l in &lines {
                f.write_all(l.as_bytes())?;
                f.write_all(b"\n")?;
            }
            f.flush()?;
            written += text.len() as u64;
        }
        k += 1;
    }
    println!("{written} bytes in {k} copies");
    Ok(())
}
