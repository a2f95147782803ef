//! Streaming the large files (`slogans.tsv`, `slogans.csv`, `slogans.json`) into their
//! destination instead of building them whole: on a large corpus they are hundreds of
//! megabytes, and holding them in memory would cost more than the comparison itself.
//!
//! Rows are rendered on every core in chunks of consecutive rows, and the chunks are written
//! in order, a few per core at a time, so memory stays bounded and the bytes do not depend on
//! the number of threads.

use std::io::{self, Write};

use rayon::prelude::*;

use crate::Error;

/// Rows rendered by one task: large enough that scheduling costs nothing, small enough that a
/// chunk of `slogans.json` stays a few megabytes.
pub(crate) const CHUNK: usize = 1024;

/// Why filling an output file stopped: the file could not be written, or its content could not
/// be rendered.
#[derive(Debug)]
pub(crate) enum Fail {
    /// Writing failed.
    Io(io::Error),
    /// Rendering failed.
    Report(Error),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail::Io(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Report(e)
    }
}

/// Renders `items` in chunks of `chunk` on the rayon pool and writes the chunks to `w` in
/// order. `render(first, rows, buf)` appends the rows to `buf`; `first` is the position of
/// `rows[0]` in `items`, for separators that depend on it.
///
/// Chunks go in waves of a few per thread, and one wave is written while the next is rendered:
/// copying hundreds of megabytes into the file takes as long as rendering them, so the two
/// overlap instead of taking turns.
pub(crate) fn write_chunks<T, F>(
    w: &mut (dyn Write + Send),
    items: &[T],
    chunk: usize,
    render: F,
) -> Result<(), Fail>
where
    T: Sync,
    F: Fn(usize, &[T], &mut Vec<u8>) -> Result<(), Fail> + Sync,
{
    let chunk = chunk.max(1);
    let wave = chunk * 2 * rayon::current_num_threads();
    let render_wave = |(w_i, batch): (usize, &[T])| -> Vec<Result<Vec<u8>, Fail>> {
        batch
            .par_chunks(chunk)
            .enumerate()
            .map(|(c_i, rows)| {
                let mut buf = Vec::new();
                render(w_i * wave + c_i * chunk, rows, &mut buf)?;
                Ok(buf)
            })
            .collect()
    };
    let write_wave = |w: &mut (dyn Write + Send), parts: Vec<Result<Vec<u8>, Fail>>| {
        for part in parts {
            w.write_all(&part?)?;
        }
        Ok::<_, Fail>(())
    };
    let mut waves = items.chunks(wave).enumerate();
    let mut ready = waves.next().map(render_wave);
    while let Some(parts) = ready {
        let (written, next) = rayon::join(
            || write_wave(&mut *w, parts),
            || waves.next().map(render_wave),
        );
        written?;
        ready = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_arrive_in_order_whatever_the_chunk_size() {
        let items: Vec<u32> = (0..1000).collect();
        let whole: Vec<u8> = items
            .iter()
            .map(|i| format!("{i},"))
            .collect::<String>()
            .into_bytes();
        for chunk in [0, 1, 3, 64, 999, 1000, 5000] {
            let mut out = Vec::new();
            write_chunks(&mut out, &items, chunk, |first, rows, buf| {
                assert_eq!(rows[0] as usize, first);
                for i in rows {
                    buf.extend_from_slice(format!("{i},").as_bytes());
                }
                Ok(())
            })
            .unwrap();
            assert_eq!(out, whole, "chunk {chunk}");
        }
    }
}
