//! Data strings on their way into a chart.
//!
//! plotly.js renders a subset of HTML in every piece of chart text — titles, axis and tick
//! labels, legend names, hover text: `<a href>` becomes a clickable link, `<span style>` applies
//! CSS (whose `url(…)` makes the page fetch from another host), `<b>`, `<i>`, `<br>` format.
//! A value from a loaded file (an address, a protocol, a category level, a column name) must be
//! shown as the text it is, so every such string goes through [`escape`] before it reaches a
//! spec; the charts' own markup (`<br>` in a template, `<extra>`) is written by this crate only.

/// `s` with `&`, `<` and `>` replaced by the entities plotly.js decodes back to those
/// characters as plain text, so no data string can open a tag.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// [`escape`] over a list.
pub fn escape_all<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    items.into_iter().map(|s| escape(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_entities_become_text() {
        assert_eq!(
            escape(r#"<a href="https://evil.example/x">&amp;</a>"#),
            r#"&lt;a href="https://evil.example/x"&gt;&amp;amp;&lt;/a&gt;"#
        );
        assert_eq!(escape("tcp"), "tcp");
    }
}
