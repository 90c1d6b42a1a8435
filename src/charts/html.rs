//! What the HTML reports (`pad drift --report`, `pad fairness --report`) share: the page
//! around the content, its style sheet and the escaping of text. One self-contained file:
//! inline CSS, inline SVG, no network.

/// The style of every report, then each report's own rules.
const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #1f2933; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; font-size: 1.25rem; }
p.lead { color: #52606d; margin-top: 0; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1.2rem 0; }
.card { border: 1px solid #d9e2ec; border-radius: 8px; padding: 0.8rem 1.1rem; min-width: 10rem; }
.card b { display: block; font-size: 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #e4e7eb; }
th { background: #f5f7fa; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; }
";

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A whole HTML document: `title` (plain text) in the head and as the heading, the shared
/// style with `style` added, then `body` (HTML).
pub fn page(title: &str, style: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>{STYLE}{style}</style></head><body>\n<h1>{title}</h1>\n{body}</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_open_a_tag_or_close_an_attribute() {
        assert_eq!(escape("<b> & \"x\""), "&lt;b&gt; &amp; &quot;x&quot;");
        let html = page("A < B", "", "<p>x</p>");
        assert!(html.contains("<title>A &lt; B</title>") && html.contains("<h1>A &lt; B</h1>"));
        assert!(html.ends_with("<p>x</p></body></html>\n"));
    }
}
