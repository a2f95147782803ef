//! An HTML builder that makes escaping the default: the only way to emit markup is a
//! `&'static str` (a literal written in this crate), and every runtime string — phrases,
//! titles, file names, keyword-in-context lines — goes through [`escape`]. Corpus text is
//! untrusted, and with this shape a forgotten escape is a compile error rather than a hole.
//!
//! Why not a templating crate: the page is mostly generated SVG and tables built in loops, which
//! read more plainly as Rust than as template logic; the builder gives the same guarantee as
//! auto-escaping templates (raw output only from literals) with no dependency, and the output
//! is byte-for-byte deterministic.

use serde::Serialize;

/// Escapes text for HTML element content and for double- or single-quoted attribute values.
pub fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Serialises `value` as JSON that is safe inside `<script type="application/json">`: `<`, `>`
/// and `&` become `\u003c`, `\u003e` and `\u0026`, so corpus text holding `</script>` or
/// `<!--` cannot end the block; JSON.parse reads the escapes back as the same characters.
pub fn script_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let raw = serde_json::to_string(value)?;
    let mut out = String::with_capacity(raw.len() + raw.len() / 16);
    let bytes = raw.as_bytes();
    // Every character replaced is ASCII or starts with the byte 0xE2, so the text is walked by
    // bytes, not chars, 16 at a time where none of them can start a replacement (most of the
    // text), and copied in runs between replacements.
    let starts = |b: u8| (b == b'<') | (b == b'>') | (b == b'&') | (b == 0xE2);
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(block) = bytes.get(i..i + 16) {
            if !block.iter().fold(false, |q, &b| q | starts(b)) {
                i += 16;
                continue;
            }
        }
        let rest = &bytes[i..];
        let (escape, len) = match rest[0] {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            0xE2 if rest.starts_with("\u{2028}".as_bytes()) => ("\\u2028", 3),
            0xE2 if rest.starts_with("\u{2029}".as_bytes()) => ("\\u2029", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&raw[run..i]);
        out.push_str(escape);
        i += len;
        run = i;
    }
    out.push_str(&raw[run..]);
    Ok(out)
}

/// JSON for a `<script type="application/json">` block, written piece by piece: the same text
/// [`script_json`] gives for the whole value, for data too large to go through serde value by
/// value. It holds no markup by construction: its only unescaped pieces are literals of this
/// crate, strings go through [`ScriptJson::str`] and other values through [`script_json`].
#[derive(Debug, Default, Clone)]
pub struct ScriptJson {
    buf: String,
}

impl ScriptJson {
    /// An empty piece.
    pub fn new() -> Self {
        ScriptJson::default()
    }

    /// Appends JSON punctuation or keys written in this crate.
    pub fn raw(&mut self, json: &'static str) -> &mut Self {
        self.buf.push_str(json);
        self
    }

    /// Appends `s` as a JSON string. Most corpus text holds nothing that JSON or the script
    /// block would escape, and is copied whole after one vectorised scan; the rest goes through
    /// [`script_json`].
    pub fn str(&mut self, s: &str) -> serde_json::Result<&mut Self> {
        let special = |b: u8| {
            (b < 0x20)
                | (b == b'"')
                | (b == b'\\')
                | (b == b'<')
                | (b == b'>')
                | (b == b'&')
                | (b == 0xE2)
        };
        if crate::text::any_byte(s, special) {
            self.buf.push_str(&script_json(&s)?);
        } else {
            self.buf.push('"');
            self.buf.push_str(s);
            self.buf.push('"');
        }
        Ok(self)
    }

    /// Appends an integer.
    pub fn int(&mut self, n: impl itoa::Integer) -> &mut Self {
        self.buf.push_str(itoa::Buffer::new().format(n));
        self
    }

    /// Appends any value, through [`script_json`].
    pub fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<&mut Self> {
        self.buf.push_str(&script_json(value)?);
        Ok(self)
    }

    /// The JSON text held.
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// Bytes of JSON text held.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Writes the text held to `w` and empties the piece: a large block goes out as it is made.
    pub fn flush_to(&mut self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }
}

/// A growing piece of markup. Raw markup only from literals; text and attribute values always
/// escaped.
#[derive(Debug, Default, Clone)]
pub struct Html {
    buf: String,
}

impl Html {
    /// An empty piece.
    pub fn new() -> Self {
        Html::default()
    }

    /// Appends markup written in this crate.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.buf.push_str(markup);
        self
    }

    /// Appends text, escaped.
    pub fn text(&mut self, s: &str) -> &mut Self {
        escape(s, &mut self.buf);
        self
    }

    /// Appends a number or other `Display` value, escaped like text (numbers need no escaping,
    /// but the builder does not rely on that).
    pub fn num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        self.text(&n.to_string())
    }

    /// Opens `<tag a="v" …>` with escaped attribute values.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.attrs(attrs);
        self.buf.push('>');
        self
    }

    /// A self-closing element `<tag a="v" …/>` (for SVG).
    pub fn empty(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.attrs(attrs);
        self.buf.push_str("/>");
        self
    }

    /// Closes `</tag>`.
    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn elem(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// Appends another piece (already safe by construction).
    pub fn append(&mut self, other: &Html) -> &mut Self {
        self.buf.push_str(&other.buf);
        self
    }

    /// The markup held.
    #[cfg(test)]
    pub fn into_string(self) -> String {
        self.buf
    }

    /// Writes the markup held to `w` and empties the piece: a large page goes out in parts.
    pub fn flush_to(&mut self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    fn attrs(&mut self, attrs: &[(&'static str, &str)]) {
        for (k, v) in attrs {
            self.buf.push(' ');
            self.buf.push_str(k);
            self.buf.push_str("=\"");
            escape(v, &mut self.buf);
            self.buf.push('"');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut h = Html::new();
        h.open("td", &[("title", "\"><img src=x onerror=alert(1)>")])
            .text("<script>alert('x')</script>&")
            .close("td");
        assert_eq!(
            h.into_string(),
            "<td title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">\
             &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</td>"
        );
    }

    #[test]
    fn json_cannot_close_the_script_block() {
        let s = script_json(&vec!["</script><script>alert(1)</script>", "<!--", "a&b"]).unwrap();
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
        assert_eq!(back[2], "a&b");
    }

    /// What [`script_json`] must give: serde_json's text with the five characters replaced,
    /// done char by char.
    fn script_json_plain(s: &str) -> String {
        let raw = serde_json::to_string(s).unwrap();
        let mut want = String::new();
        for c in raw.chars() {
            match c {
                '<' => want.push_str("\\u003c"),
                '>' => want.push_str("\\u003e"),
                '&' => want.push_str("\\u0026"),
                '\u{2028}' => want.push_str("\\u2028"),
                '\u{2029}' => want.push_str("\\u2029"),
                c => want.push(c),
            }
        }
        want
    }

    #[test]
    fn script_json_replaces_at_every_offset_of_long_text() {
        for special in ["<", ">", "&", "\u{2028}", "\u{2029}", "—", "\u{2027}"] {
            for at in 0..40 {
                let s = format!("{}{special}{}", "全面a".repeat(at), "从严治党".repeat(9));
                assert_eq!(script_json(&s).unwrap(), script_json_plain(&s), "{s}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn script_json_replaces_exactly_the_unsafe_characters(
            s in "\\PC*|[<>&\u{2028}\u{2029}\u{2027}\u{202a}—…“a中]*"
        ) {
            let got = script_json(&s).unwrap();
            proptest::prop_assert_eq!(&got, &script_json_plain(&s));
            let mut built = ScriptJson::new();
            built.str(&s).unwrap();
            proptest::prop_assert_eq!(built.as_str(), &got);
            proptest::prop_assert_eq!(serde_json::from_str::<String>(&got).unwrap(), s);
        }
    }
}
