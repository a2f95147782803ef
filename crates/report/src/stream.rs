//! Streaming the large files (`slogans.tsv`, `slogans.csv`, `slogans.json`,
//! `slogan-reports.tsv`) into their destination instead of building them whole: on a large
//! corpus they are hundreds of megabytes or more, and holding them in memory would cost more
//! than the comparison itself.
//!
//! Rows are rendered on every core in chunks of consecutive rows, no heavier than
//! [`CHUNK_WEIGHT`], and the chunks are written in order, a few per core at a time, so memory
//! stays bounded and the bytes do not depend on the number of threads.

use std::io::{self, IoSlice, Write};
use std::ops::Range;

use rayon::prelude::*;

use crate::Error;

/// Rows rendered by one task: large enough that scheduling costs nothing, small enough that a
/// chunk of `slogans.json` stays under a megabyte; chunks four times as large made the stage
/// slower and its peak higher.
pub(crate) const CHUNK: usize = 256;

/// The most [`Row::weight`] a chunk of more than one row holds. A slogan's rows grow with the
/// reports it occurs in, and the most widespread slogans of a big corpus occur in tens of
/// thousands: 256 of them made chunks of hundreds of megabytes, held while they were written.
/// A chunk of ordinary rows stays under it.
const CHUNK_WEIGHT: usize = 1 << 15;

/// A row of a streamed file, with a weight that grows with the bytes it renders to.
pub(crate) trait Row {
    /// About how many entries (such as reports) its rendering lists; at least 1.
    fn weight(&self) -> usize {
        1
    }
}

impl Row for tifa_core::Slogan {
    /// Its reports, which its long-table rows and its report list in slogans.json repeat.
    fn weight(&self) -> usize {
        1 + self.per_doc.len()
    }
}

/// The chunks of `items`: consecutive rows, at most `rows` of them and, past the first row,
/// at most [`CHUNK_WEIGHT`] of weight.
fn chunks<T: Row>(items: &[T], rows: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut weight) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let w = item.weight();
        if i > start && (i - start == rows || weight + w > CHUNK_WEIGHT) {
            out.push(start..i);
            (start, weight) = (i, 0);
        }
        weight += w;
    }
    if start < items.len() {
        out.push(start..items.len());
    }
    out
}

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

/// Renders `items` in chunks of at most `chunk` rows (fewer where the rows weigh much, see
/// [`Row`]) on the rayon pool and writes the chunks to `w` in order. `render(first, rows, buf)`
/// appends the rows to `buf`, which it finds empty; `first` is the position of `rows[0]` in
/// `items`, for separators that depend on it.
pub(crate) fn write_chunks<T, F>(
    w: &mut (dyn Write + Send),
    items: &[T],
    chunk: usize,
    render: F,
) -> Result<(), Fail>
where
    T: Row + Sync,
    F: Fn(usize, &[T], &mut Vec<u8>) -> Result<(), Fail> + Sync,
{
    write_chunks_to(
        [w],
        items,
        chunk,
        |first, rows, [buf]: &mut [Vec<u8>; 1]| render(first, rows, buf),
    )
}

/// [`write_chunks`] for `N` files made from the same rows, each row rendered once for all of
/// them: `render(first, rows, bufs)` appends to `bufs[k]` what goes to `ws[k]`.
///
/// Chunks go in waves of a few per thread, and one wave is written while the next is rendered:
/// copying hundreds of megabytes into the file takes as long as rendering them, so the two
/// overlap instead of taking turns. The buffers of a written wave are cleared and rendered into
/// again by the wave after next, so their pages stay mapped: fresh buffers for every chunk
/// cost a page fault per 4 KB of output. A wave goes to each file in one vectored write, which
/// a `BufWriter` passes straight to the file instead of copying it into its own buffer first.
pub(crate) fn write_chunks_to<const N: usize, T, F>(
    mut ws: [&mut (dyn Write + Send); N],
    items: &[T],
    chunk: usize,
    render: F,
) -> Result<(), Fail>
where
    T: Row + Sync,
    F: Fn(usize, &[T], &mut [Vec<u8>; N]) -> Result<(), Fail> + Sync,
{
    let chunks = chunks(items, chunk.max(1));
    let wave = 2 * rayon::current_num_threads();
    let render_wave = |batch: &[Range<usize>], mut bufs: Vec<[Vec<u8>; N]>| {
        bufs.resize_with(batch.len(), || std::array::from_fn(|_| Vec::new()));
        let done: Vec<Result<(), Fail>> = batch
            .par_iter()
            .zip(bufs.par_iter_mut())
            .map(|(rows, bufs)| {
                bufs.iter_mut().for_each(Vec::clear);
                render(rows.start, &items[rows.clone()], bufs)
            })
            .collect();
        // The first failure in file order, as a sequential writer would meet it.
        done.into_iter().collect::<Result<(), Fail>>()?;
        Ok::<_, Fail>(bufs)
    };
    let write_wave = |ws: &mut [&mut (dyn Write + Send); N], bufs: &[[Vec<u8>; N]]| {
        for (k, w) in ws.iter_mut().enumerate() {
            write_all_vectored(&mut **w, bufs.iter().map(|b| &b[k][..]))?;
        }
        Ok::<_, io::Error>(())
    };
    let mut waves = chunks.chunks(wave);
    let mut ready = waves.next().map(|b| render_wave(b, Vec::new()));
    let mut spare = Vec::new();
    while let Some(bufs) = ready {
        let bufs = bufs?;
        let (written, next) = rayon::join(
            || write_wave(&mut ws, &bufs),
            || waves.next().map(|b| render_wave(b, spare)),
        );
        written?;
        spare = bufs;
        ready = next;
    }
    Ok(())
}

/// Writes every byte of `parts`, in order, with as few vectored writes as the writer allows.
fn write_all_vectored<'a>(
    w: &mut (dyn Write + Send),
    parts: impl Iterator<Item = &'a [u8]>,
) -> io::Result<()> {
    let mut slices: Vec<IoSlice> = parts.filter(|p| !p.is_empty()).map(IoSlice::new).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match w.write_vectored(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Row for u32 {}

    /// A row that weighs its value.
    struct Heavy(usize);

    impl Row for Heavy {
        fn weight(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn heavy_rows_make_smaller_chunks_and_the_same_bytes() {
        let items: Vec<Heavy> = [1, 5, CHUNK_WEIGHT, 2, CHUNK_WEIGHT / 2, CHUNK_WEIGHT / 2, 3]
            .into_iter()
            .chain(std::iter::repeat_n(1, 600))
            .map(Heavy)
            .collect();
        let ranges = chunks(&items, 256);
        let sizes: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
        // A row heavier than the limit is a chunk of its own; light rows fill chunks of 256.
        assert_eq!(&sizes[..4], &[2, 1, 2, 256]);
        assert_eq!(sizes.iter().sum::<usize>(), items.len());
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        for r in &ranges {
            let w: usize = items[r.clone()].iter().map(Row::weight).sum();
            assert!(r.len() == 1 || w <= CHUNK_WEIGHT, "{r:?} weighs {w}");
        }
        let mut out = Vec::new();
        write_chunks(&mut out, &items, 256, |first, rows, buf| {
            for (i, row) in rows.iter().enumerate() {
                buf.extend_from_slice(format!("{}:{},", first + i, row.0).as_bytes());
            }
            Ok(())
        })
        .unwrap();
        let whole: String = items
            .iter()
            .enumerate()
            .map(|(i, row)| format!("{i}:{},", row.0))
            .collect();
        assert_eq!(String::from_utf8(out).unwrap(), whole);
    }

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

    #[test]
    fn first_failure_in_file_order_stops_the_file() {
        let items: Vec<u32> = (0..1000).collect();
        let mut out = Vec::new();
        let got = write_chunks(&mut out, &items, 10, |_, rows, buf| {
            if rows.contains(&700) || rows.contains(&500) {
                let msg = format!("row {}", rows[0]);
                return Err(Fail::Io(io::Error::other(msg)));
            }
            buf.extend(rows.iter().map(|&i| i as u8));
            Ok(())
        });
        match got {
            Err(Fail::Io(e)) => assert_eq!(e.to_string(), "row 500"),
            other => panic!("{other:?}"),
        }
        // Only whole chunks before the failure reach the file.
        assert!(out.len() <= 500 && out.len() % 10 == 0, "{}", out.len());
    }
}
