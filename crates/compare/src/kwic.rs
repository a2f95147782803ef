//! Keyword-in-context lines: a few example uses of each slogan, taken from reports spread across
//! the ones it occurs in.
//!
//! The choice is deterministic: the reports are taken at even steps through the slogan's
//! reports in corpus order, and in each the first occurrence is shown. Context stops at a
//! paragraph break so that a line never runs into a heading or the next paragraph.

use tifa_core::{Kwic, Segmented};

/// Up to `per_slogan` lines for a phrase, given its `(document, occurrences)` list.
pub fn lines(
    tokens: &[u32],
    per_doc: &[(u32, u32)],
    seg: &Segmented,
    per_slogan: usize,
    context_chars: usize,
) -> Vec<Kwic> {
    let k = per_slogan.min(per_doc.len());
    let mut out = Vec::with_capacity(k);
    for j in 0..k {
        let (d, _) = per_doc[j * per_doc.len() / k];
        if let Some(line) = line_in(tokens, d, seg, context_chars) {
            out.push(line);
        }
    }
    out
}

fn line_in(tokens: &[u32], d: u32, seg: &Segmented, context_chars: usize) -> Option<Kwic> {
    let doc = seg.docs.get(d as usize)?;
    let text = seg.documents.get(d as usize).map(|doc| doc.text.as_str())?;
    let first = *tokens.first()?;
    let at = doc
        .tokens
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t == first)
        .map(|(i, _)| i)
        .find(|&i| doc.tokens.get(i..i + tokens.len()) == Some(tokens))?;
    let start = *doc.starts.get(at)? as usize;
    let end = *doc.ends.get(at + tokens.len() - 1)? as usize;
    let phrase = text.get(start..end)?;
    let before = text.get(..start)?;
    let after = text.get(end..)?;
    let left: String = {
        let para = before.rsplit('\n').next().unwrap_or("");
        let mut chars: Vec<char> = para.chars().rev().take(context_chars).collect();
        chars.reverse();
        chars.into_iter().collect()
    };
    let right: String = after
        .split('\n')
        .next()
        .unwrap_or("")
        .chars()
        .take(context_chars)
        .collect();
    Some(Kwic {
        doc: d,
        left,
        phrase: phrase.to_string(),
        right,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::{Document, Meta, SegDoc};

    fn seg_of(texts: &[(&str, &[&str])]) -> (Segmented, Vec<String>) {
        let mut terms: Vec<String> = Vec::new();
        let mut documents = Vec::new();
        let mut docs = Vec::new();
        for (i, (text, toks)) in texts.iter().enumerate() {
            let mut doc = SegDoc::default();
            let mut pos = 0;
            for t in toks.iter() {
                let at = text[pos..].find(t).unwrap() + pos;
                let id = terms.iter().position(|x| x == t).unwrap_or_else(|| {
                    terms.push(t.to_string());
                    terms.len() - 1
                });
                doc.tokens.push(id as u32);
                doc.starts.push(at as u32);
                doc.ends.push((at + t.len()) as u32);
                pos = at + t.len();
            }
            docs.push(doc);
            documents.push(Document {
                id: format!("d{i}"),
                title: String::new(),
                source: String::new(),
                meta: Meta::default(),
                text: text.to_string(),
            });
        }
        (
            Segmented {
                documents,
                docs,
                ..Segmented::default()
            },
            terms,
        )
    }

    #[test]
    fn context_stops_at_paragraphs_and_is_spread() {
        let (seg, terms) = seg_of(&[
            ("标题\n我们要增强四个意识，坚定不移", &["增强", "四个意识"]),
            ("另一篇", &[]),
            ("必须增强四个意识。", &["增强", "四个意识"]),
        ]);
        let id = |t: &str| terms.iter().position(|x| x == t).unwrap() as u32;
        let phrase = [id("增强"), id("四个意识")];
        let k = lines(&phrase, &[(0, 1), (2, 1)], &seg, 5, 3);
        assert_eq!(k.len(), 2);
        assert_eq!(
            (
                k[0].doc,
                k[0].left.as_str(),
                k[0].phrase.as_str(),
                k[0].right.as_str()
            ),
            (0, "我们要", "增强四个意识", "，坚定")
        );
        assert_eq!((k[1].left.as_str(), k[1].right.as_str()), ("必须", "。"));
        // One line asked for: the first report.
        let one = lines(&phrase, &[(0, 1), (2, 1)], &seg, 1, 3);
        assert_eq!(one[0].doc, 0);
    }
}
