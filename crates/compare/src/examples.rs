//! The examples in context of a selection, read from segment.bin wave by wave of token
//! streams, so that only the reports' texts (each freed once its wave is done) and a few waves
//! of token streams are in memory. The file is decoded on the calling thread while the lines of
//! the wave before are taken on another.

use std::path::Path;

use tifa_core::format::{self, Header, Stage};
use tifa_core::{Document, Kwic, Progress, SegDoc, SegDocWaves};

use crate::{Config, Error, Examples, Selection};

/// Bytes of report text taken before their memory goes back to the system: the texts were read
/// on another thread, whose heap cannot reuse it for the lines (`tifa_core::memory`).
const GIVE_BACK_EVERY: usize = 16 << 20;

/// The lines of each slogan of `selection`, from `segment` (whose header `known` was read
/// before: a file that changed since is refused), and the number of token streams read. Freed
/// memory goes back to the system before the reading (callers have just let go of the counts)
/// and after it.
pub fn examples_from_file(
    selection: &Selection,
    config: &Config,
    segment: &Path,
    known: &Header,
    progress: &dyn Progress,
) -> Result<(Vec<Vec<Kwic>>, usize), Error> {
    tifa_core::memory::give_back();
    // segment.bin holds no texts: they are the clean.bin's beside it, checked to be the one it
    // was made from, and below to list segment.bin's reports.
    let mut clean = tifa_core::segmented::clean_beside(segment, known)?;
    let mut same = None;
    let (texts, checked) = (&mut clean, &mut same);
    let mut examples = selection.examples(config, progress);
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
                if freed >= GIVE_BACK_EVERY {
                    tifa_core::memory::give_back();
                    freed = 0;
                }
            }
            examples
        });
        let waves = SegDocWaves {
            size: Examples::wave_size(),
            // A move closure: the reader owns the sender (below).
            each: move |documents: &mut [Document], wave: Vec<(usize, SegDoc)>| {
                let same = checked.get_or_insert_with(|| {
                    tifa_core::segmented::same_reports(segment, texts, documents)
                });
                if same.is_err() {
                    return;
                }
                let wave = wave
                    .into_iter()
                    .map(|(i, d)| {
                        let text = texts.get_mut(i).map(|r| std::mem::take(&mut r.text));
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
    let examples = taken.map_err(|_| Error::ExamplesFailed)?;
    let (h, head) = read?;
    same.unwrap_or_else(|| tifa_core::segmented::same_reports(segment, &clean, &head.documents))?;
    if h.checksum != known.checksum {
        return Err(Error::Changed {
            path: segment.display().to_string(),
        });
    }
    Ok((examples.into_lines(), head.n_docs))
}
