//! The examples in context of a selection, read from segment.bin wave by wave of token
//! streams and from the clean.bin beside it wave by wave of texts, so that only a few waves of
//! each are in memory. segment.bin is decoded on the calling thread, clean.bin on another, and
//! the lines of the wave before are taken on a third.

use std::path::Path;

use tifa_core::format::{self, Header, Stage};
use tifa_core::{Document, Kwic, Progress, SegDoc, SegDocWaves, TextWaves};

use crate::{Config, Error, Examples, Selection};

/// Bytes of report text per wave read from clean.bin.
const TEXT_WAVE: usize = 4 << 20;

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
    // segment.bin holds no texts: they are the clean.bin's beside it, checked by its header to
    // be the one segment.bin was made from (and by its checksum as it is read). Its texts are
    // decoded wave by wave on a thread of their own, beside segment.bin's token streams on this
    // one, so the two files are read at once and the corpus's texts are never all in memory.
    let clean = tifa_core::segmented::clean_path_beside(segment, known)?;
    let mut examples = selection.examples(config, progress);
    let (text_tx, text_rx) = std::sync::mpsc::sync_channel::<Vec<String>>(2);
    // A wave: (report index, text, token stream). No later wave reads these reports.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(usize, String, SegDoc)>>(1);
    let mut short = false;
    let short_seen = &mut short;
    let (texts, read, taken) = std::thread::scope(|scope| {
        let texts = scope.spawn(move || {
            let each = |wave: Vec<Vec<u8>>| {
                // A text that is not UTF-8 comes from a damaged file, which its checksum
                // reports once it is read; an empty text stands in until then.
                let wave = wave
                    .into_iter()
                    .map(|t| String::from_utf8(t).unwrap_or_default())
                    .collect();
                // A send fails only when segment.bin's reading has stopped, which reports why.
                let _ = text_tx.send(wave);
            };
            let bytes = TEXT_WAVE;
            format::read_seed(&clean, Stage::Clean, TextWaves { bytes, each })
        });
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
        // The texts decoded and not yet paired with their token streams, in report order.
        let mut pending: std::collections::VecDeque<String> = Default::default();
        let waves = SegDocWaves {
            size: Examples::wave_size(),
            // A move closure: the reading owns the text receiver and the sender of waves, so
            // both ends close when it stops, whatever stopped it.
            each: move |_: &mut [Document], wave: Vec<(usize, SegDoc)>| {
                let wave = wave
                    .into_iter()
                    .map(|(i, d)| {
                        while pending.is_empty() {
                            match text_rx.recv() {
                                Ok(texts) => pending.extend(texts),
                                Err(_) => {
                                    *short_seen = true;
                                    break;
                                }
                            }
                        }
                        (i, pending.pop_front().unwrap_or_default(), d)
                    })
                    .collect();
                // A send fails only when the taker has stopped, which its join reports.
                let _ = tx.send(wave);
            },
        };
        let read = format::read_seed(segment, Stage::Segment, waves);
        (texts.join(), read, taker.join())
    });
    tifa_core::memory::give_back();
    let examples = taken.map_err(|_| Error::ExamplesFailed)?;
    let (_, n_texts) = texts.map_err(|_| Error::ExamplesFailed)??;
    let (h, head) = read?;
    if short || n_texts != head.documents.len() {
        return Err(tifa_core::segmented::other_reports(segment).into());
    }
    if h.checksum != known.checksum {
        return Err(Error::Changed {
            path: segment.display().to_string(),
        });
    }
    Ok((examples.into_lines(), head.n_docs))
}
