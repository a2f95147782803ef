//! Plain text from HTML: tags dropped (block tags become line breaks), `<script>` and `<style>`
//! contents dropped, character entities decoded. A byte-level scanner, not a parser: report
//! pages are simple, and the cleaner only needs their text.

/// Extracts the text of an HTML document.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&rest[..lt], &mut out);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let closing = after.starts_with('/');
        let tag = after[..gt].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        rest = &after[gt + 1..];
        if !closing && (name == "script" || name == "style") {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            match lower.find(&close) {
                Some(p) => rest = &rest[p..],
                None => rest = "",
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "br" | "p"
                | "div"
                | "li"
                | "tr"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "title"
                | "section"
                | "article"
                | "table"
                | "ul"
                | "ol"
                | "blockquote"
        ) {
            out.push('\n');
        }
    }
    push_text(rest, &mut out);
    out
}

fn push_text(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| entity(&after[..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{00A0}',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "mdash" => '—',
        "hellip" => '…',
        "middot" => '·',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_tags_scripts_and_entities() {
        let html = "<html><head><style>p{}</style><script>alert(1)</script></head><body><p>增强&ldquo;四个意识&rdquo;</p><p>A&amp;B&#x4E2D;&#22269;</p></body></html>";
        let text = super::to_text(html);
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines, ["增强“四个意识”", "A&B中国"]);
    }
}
