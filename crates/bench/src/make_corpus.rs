//! Makes a larger benchmark corpus from a smaller one: `make-corpus SRC DST TARGET_MB` writes
//! copies of the files of SRC into DST until TARGET_MB megabytes are written. Copy 0 is the
//! original; in copy k, file i takes its even lines from file i and its odd lines from file
//! i + k (in sorted order), so every file is new text of the same size and character while no
//! file repeats another (the clean stage drops exact duplicates, and a copy that repeated whole
//! files would measure deduplication, not the pipeline).

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
        for (i, p) in paths.iter().enumerate() {
            if written >= target {
                break;
            }
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let other = if k == 0 {
                String::new()
            } else {
                std::fs::read_to_string(&paths[(i + k) % paths.len()]).unwrap_or_default()
            };
            let (mine, theirs): (Vec<&str>, Vec<&str>) =
                (text.lines().collect(), other.lines().collect());
            let lines: Vec<&str> = mine
                .iter()
                .enumerate()
                .map(|(j, l)| {
                    if j % 2 == 1 {
                        theirs.get(j).copied().unwrap_or(l)
                    } else {
                        l
                    }
                })
                .collect();
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
