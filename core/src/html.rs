//! HTML for the first paint: the backend writes public pages (an article's body included) into the
//! page it sends, so a patient reads them before the app has loaded, or without it.
//!
//! The markup is the one the app's views make (`ArticleView` for articles), so the app can take the
//! page over without anything moving. Every text is escaped; nothing from content becomes markup.

use crate::markdown::{self, Align, Block, CalloutKind, Document, Inline};

/// Long pages get a table of contents: at least this many sections (as in the app).
pub const TOC_MIN_HEADINGS: usize = 4;

/// Appends `text` with the characters that mean something in HTML (text or attribute) escaped.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `text` escaped for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// The small line icons of the navigation, drawn the same by the app and the first paint.
/// Decorative: every icon sits next to a visible label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Learn,
    Reminders,
    Ask,
    Studio,
    Account,
    Language,
}

impl Icon {
    /// The SVG path of the icon, on a 24x24 grid.
    pub fn path(self) -> &'static str {
        match self {
            Icon::Learn => "M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2zM4 21V5M8 7h7M8 11h7",
            Icon::Reminders => "M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zM18 16V11a6 6 0 0 0-12 0v5l-2 2h16z",
            Icon::Ask => "M21 12a8 8 0 0 1-11.6 7.1L4 21l1.9-5.4A8 8 0 1 1 21 12zM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6M12 16.5v.01",
            Icon::Studio => "M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4",
            Icon::Account => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
            Icon::Language => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z",
        }
    }

    /// The icon as markup.
    pub fn svg(self) -> String {
        format!(
            "<svg class=\"icon\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\" aria-hidden=\"true\" focusable=\"false\">\
             <path d=\"{}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\"></path></svg>",
            self.path()
        )
    }
}

/// The interface texts an article's markup contains, in the reader's language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleLabels {
    pub contents: String,
    pub table: String,
    pub external: String,
    pub doctor: String,
    pub warning: String,
    pub note: String,
}

/// The table of contents (for long articles) and the body, as `ArticleView` shows them.
pub fn article_body(doc: &Document, labels: &ArticleLabels) -> String {
    let mut out = String::new();
    let toc = markdown::toc(doc);
    if toc.len() >= TOC_MIN_HEADINGS {
        out.push_str(
            r#"<nav class="toc" aria-labelledby="toc-title"><h2 id="toc-title" class="toc-title">"#,
        );
        push_escaped(&mut out, &labels.contents);
        out.push_str("</h2><ol>");
        for section in markdown::toc_outline(toc) {
            out.push_str("<li>");
            link(&mut out, &section.id, &section.text);
            if !section.subsections.is_empty() {
                out.push_str("<ul>");
                for (id, text) in &section.subsections {
                    out.push_str("<li>");
                    link(&mut out, id, text);
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ol></nav>");
    }
    out.push_str(r#"<div class="article-body">"#);
    for block in &doc.blocks {
        write_block(&mut out, block, labels);
    }
    out.push_str("</div>");
    out
}

fn link(out: &mut String, id: &str, text: &str) {
    out.push_str("<a href=\"#");
    push_escaped(out, id);
    out.push_str("\">");
    push_escaped(out, text);
    out.push_str("</a>");
}

fn write_block(out: &mut String, block: &Block, labels: &ArticleLabels) {
    match block {
        Block::Heading { level, id, content } => {
            let level = (*level).clamp(2, 6);
            out.push_str(&format!("<h{level} id=\""));
            push_escaped(out, id);
            out.push_str("\">");
            write_inlines(out, content, labels);
            out.push_str(&format!("</h{level}>"));
        }
        Block::Paragraph(inlines) => {
            out.push_str("<p>");
            write_inlines(out, inlines, labels);
            out.push_str("</p>");
        }
        Block::List {
            ordered,
            start,
            items,
        } => {
            if *ordered {
                out.push_str(&format!("<ol start=\"{start}\">"));
            } else {
                out.push_str("<ul>");
            }
            for item in items {
                out.push_str("<li>");
                for block in item {
                    write_block(out, block, labels);
                }
                out.push_str("</li>");
            }
            out.push_str(if *ordered { "</ol>" } else { "</ul>" });
        }
        Block::Quote(blocks) => {
            out.push_str("<blockquote>");
            for block in blocks {
                write_block(out, block, labels);
            }
            out.push_str("</blockquote>");
        }
        Block::Callout { kind, blocks } => {
            let (class, label) = match kind {
                CalloutKind::Doctor => ("callout callout-doctor", &labels.doctor),
                CalloutKind::Warning => ("callout callout-warning", &labels.warning),
                CalloutKind::Note => ("callout callout-note", &labels.note),
            };
            out.push_str(&format!(
                "<div class=\"{class}\" role=\"note\"><p class=\"callout-label\">"
            ));
            push_escaped(out, label);
            out.push_str("</p>");
            for block in blocks {
                write_block(out, block, labels);
            }
            out.push_str("</div>");
        }
        Block::Table { align, head, rows } => {
            let cell_class = |i: usize| match align.get(i) {
                Some(Align::Center) => " class=\"align-center\"",
                Some(Align::Right) => " class=\"align-right\"",
                Some(Align::Left) => " class=\"align-left\"",
                _ => "",
            };
            out.push_str(r#"<div class="table-scroll" tabindex="0" role="region" aria-label=""#);
            push_escaped(out, &labels.table);
            out.push_str("\"><table><thead><tr>");
            for (i, cell) in head.iter().enumerate() {
                out.push_str(&format!("<th scope=\"col\"{}>", cell_class(i)));
                write_inlines(out, cell, labels);
                out.push_str("</th>");
            }
            out.push_str("</tr></thead><tbody>");
            for row in rows {
                out.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    out.push_str(&format!("<td{}>", cell_class(i)));
                    write_inlines(out, cell, labels);
                    out.push_str("</td>");
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody></table></div>");
        }
        Block::Code(text) => {
            out.push_str("<pre><code>");
            push_escaped(out, text);
            out.push_str("</code></pre>");
        }
        Block::Rule => out.push_str("<hr>"),
    }
}

fn write_inlines(out: &mut String, inlines: &[Inline], labels: &ArticleLabels) {
    for inline in inlines {
        write_inline(out, inline, labels);
    }
}

fn write_inline(out: &mut String, inline: &Inline, labels: &ArticleLabels) {
    match inline {
        Inline::Text(text) => push_escaped(out, text),
        Inline::Emphasis(inner) => {
            out.push_str("<em>");
            write_inlines(out, inner, labels);
            out.push_str("</em>");
        }
        Inline::Strong(inner) => {
            out.push_str("<strong>");
            write_inlines(out, inner, labels);
            out.push_str("</strong>");
        }
        Inline::Code(text) => {
            out.push_str("<code>");
            push_escaped(out, text);
            out.push_str("</code>");
        }
        Inline::LineBreak => out.push_str("<br>"),
        Inline::Image { src, alt } => {
            out.push_str("<img src=\"");
            push_escaped(out, src);
            out.push_str("\" alt=\"");
            push_escaped(out, alt);
            out.push_str("\" loading=\"lazy\" decoding=\"async\">");
        }
        Inline::Link {
            href,
            external,
            content,
        } => {
            out.push_str("<a href=\"");
            push_escaped(out, href);
            if *external {
                out.push_str(
                    "\" target=\"_blank\" rel=\"noopener noreferrer external\" class=\"external\">",
                );
                write_inlines(out, content, labels);
                out.push_str("<span class=\"visually-hidden\">");
                push_escaped(out, &labels.external);
                out.push_str("</span></a>");
            } else {
                out.push_str("\">");
                write_inlines(out, content, labels);
                out.push_str("</a>");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn labels() -> ArticleLabels {
        ArticleLabels {
            contents: "Contents".into(),
            table: "Table".into(),
            external: "(opens another site)".into(),
            doctor: "Talk to your doctor".into(),
            warning: "Warning".into(),
            note: "Note".into(),
        }
    }

    #[test]
    fn writes_the_markup_the_app_makes() {
        let doc = markdown::parse(
            "Take it **with food**.\n\n> [!DOCTOR]\n> Ask first.\n\n| A | B |\n|:-:|--:|\n| 1 | 2 |\n\n\
             See [the leaflet](https://example.org/x) or [Learn](/learn).",
        );
        let html = article_body(&doc, &labels());
        assert_eq!(
            html,
            "<div class=\"article-body\"><p>Take it <strong>with food</strong>.</p>\
             <div class=\"callout callout-doctor\" role=\"note\"><p class=\"callout-label\">Talk to your doctor</p><p>Ask first.</p></div>\
             <div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table\"><table><thead><tr>\
             <th scope=\"col\" class=\"align-center\">A</th><th scope=\"col\" class=\"align-right\">B</th></tr></thead>\
             <tbody><tr><td class=\"align-center\">1</td><td class=\"align-right\">2</td></tr></tbody></table></div>\
             <p>See <a href=\"https://example.org/x\" target=\"_blank\" rel=\"noopener noreferrer external\" class=\"external\">the leaflet\
             <span class=\"visually-hidden\">(opens another site)</span></a> or <a href=\"/learn\">Learn</a>.</p></div>"
        );
    }

    #[test]
    fn long_articles_get_the_outline() {
        let doc = markdown::parse("## One\n\n### One a\n\n## Two\n\n## Three\n\nText");
        let html = article_body(&doc, &labels());
        assert!(html.starts_with(
            "<nav class=\"toc\" aria-labelledby=\"toc-title\"><h2 id=\"toc-title\" class=\"toc-title\">Contents</h2>\
             <ol><li><a href=\"#one\">One</a><ul><li><a href=\"#one-a\">One a</a></li></ul></li>"
        ), "{html}");
        let short = article_body(&markdown::parse("## One\n\n## Two"), &labels());
        assert!(!short.contains("toc"), "{short}");
    }

    #[test]
    fn content_never_becomes_markup() {
        let doc = markdown::parse(
            "Text <script>alert(1)</script> here, `<b>` and \"quotes\" & 'apostrophes'",
        );
        let html = article_body(&doc, &labels());
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains("&quot;quotes&quot; &amp; &#39;apostrophes&#39;"),
            "{html}"
        );
    }

    /// Every tag the writer opens, it closes, in order: the page around the body stays intact.
    fn balanced(html: &str) -> bool {
        const VOID: [&str; 3] = ["br", "hr", "img"];
        let mut open: Vec<String> = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else {
                return false;
            };
            let tag = &rest[start + 1..start + end];
            rest = &rest[start + end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if open.pop().as_deref() != Some(name) {
                    return false;
                }
            } else {
                let name = tag.split(' ').next().unwrap_or_default();
                if !VOID.contains(&name) {
                    open.push(name.to_string());
                }
            }
        }
        open.is_empty()
    }

    proptest! {
        #[test]
        fn any_article_writes_balanced_markup(text in "[a-z<>&\"'*_#>|\\-\\[\\]()!` \n]{0,200}") {
            let html = article_body(&markdown::parse(&text), &labels());
            prop_assert!(balanced(&html), "{}", html);
        }
    }
}
