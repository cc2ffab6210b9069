//! An educational article as patients read it. Studio's preview uses this very component, so what the
//! content team checks is what patients get.
//!
//! The body is a typed document from `portal_core::markdown` (parsed by the backend for patients, by
//! Studio itself for its live preview), which has no HTML variant at all: every text below is set
//! as text, so nothing in an article can run script.

use leptos::prelude::*;
use portal_core::language::{medium_date, Language};
use portal_core::learn::Article;
use portal_core::markdown::{self, Align, Block, CalloutKind, Document, Inline};
use send_wrapper::SendWrapper;

use crate::i18n::{tr, use_i18n, Key};

/// Long pages get a table of contents: at least this many sections.
const TOC_MIN_HEADINGS: usize = 4;

/// The article's meta line, table of contents and body. The page supplies the `<h1>`.
#[component]
pub fn ArticleView(
    #[prop(into)] article: Signal<Article>,
    /// The article's body, parsed.
    #[prop(into)]
    document: Signal<Document>,
    /// Studio marks what its checks found (long words and sentences); patients' pages pass nothing.
    #[prop(optional, into)]
    marks: Option<Signal<Marks>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let meta = move || {
        article.with(|a| {
            i18n.fill(
                Key::LearnMeta,
                &[
                    ("minutes", &a.reading_minutes.to_string()),
                    (
                        "date",
                        &medium_date(
                            &a.last_reviewed,
                            Language::from_tag(&a.language).unwrap_or(Language::En),
                        ),
                    ),
                ],
            )
        })
    };
    // A patient's first page: the body the backend wrote is this very document, so it moves over.
    // The document of a patient's page never changes; Studio (with marks) always renders its own.
    let body = NodeRef::<leptos::html::Div>::new();
    let written = StoredValue::new(
        marks
            .is_none()
            .then(|| {
                article.with_untracked(|a| {
                    crate::first_paint::written_article_body(&a.title, &a.language, &a.updated_at)
                })
            })
            .flatten()
            .map(SendWrapper::new),
    );
    Effect::new(move |_| {
        if let (Some(target), Some(source)) = (body.get(), written.get_value()) {
            while let Some(child) = source.first_child() {
                let _ = target.append_child(&child);
            }
        }
    });
    view! {
        <div class="article" lang=move || article.with(|a| a.language.clone())>
            <p class="article-summary lead">{move || article.with(|a| a.summary.clone())}</p>
            <p class="article-meta">{meta}</p>
            {move || document.with(|d| {
                let toc = markdown::toc(d);
                (toc.len() >= TOC_MIN_HEADINGS).then(|| view! { <TableOfContents entries=toc /> })
            })}
            <div class="article-body" node_ref=body>
                {move || {
                    if written.with_value(|w| w.is_some()) {
                        return ().into_any();
                    }
                    let m = marks.map(|s| s.get()).unwrap_or_default();
                    document.with(|d| render_document(d, &m))
                }}
            </div>
            <p class="article-approval">
                {move || article.with(|a| {
                    if a.approval_code.is_empty() {
                        i18n.t(Key::LearnNotApproved).to_string()
                    } else {
                        i18n.fill(Key::LearnApproval, &[("code", &a.approval_code)])
                    }
                })}
            </p>
        </div>
    }
}

#[component]
fn TableOfContents(entries: Vec<(u8, String, String)>) -> impl IntoView {
    view! {
        <nav class="toc" aria-labelledby="toc-title">
            <h2 id="toc-title" class="toc-title">{tr(Key::LearnContents)}</h2>
            <ol>
                {markdown::toc_outline(entries).into_iter().map(|section| {
                    let href = format!("#{}", section.id);
                    let subsections = (!section.subsections.is_empty()).then(|| view! {
                        <ul>
                            {section.subsections.into_iter().map(|(id, text)| {
                                let href = format!("#{id}");
                                view! { <li><a href=href>{text}</a></li> }
                            }).collect_view()}
                        </ul>
                    });
                    view! { <li><a href=href>{section.text}</a>{subsections}</li> }
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// Passages to mark in the text: lowercase words, and sentences as they appear in the text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    pub words: Vec<String>,
    pub sentences: Vec<String>,
}

/// `text` with every marked word (whole words, ASCII case-insensitive) and sentence in `<mark>`.
fn marked_text(text: &str, m: &Marks) -> AnyView {
    if m.words.is_empty() && m.sentences.is_empty() {
        return text.to_owned().into_any();
    }
    // ASCII lowercasing keeps byte offsets, so ranges found in `lower` slice `text` safely.
    let lower = text.to_ascii_lowercase();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for sentence in m.sentences.iter().filter(|s| !s.is_empty()) {
        if let Some(start) = text.find(sentence.as_str()) {
            ranges.push((start, start + sentence.len()));
        }
    }
    for word in m.words.iter().filter(|w| !w.is_empty()) {
        let mut from = 0;
        while let Some(i) = lower.get(from..).and_then(|rest| rest.find(word.as_str())) {
            let (start, end) = (from + i, from + i + word.len());
            let alone = !lower[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && !lower[end..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if alone {
                ranges.push((start, end));
            }
            from = end;
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut parts = Vec::new();
    let mut at = 0;
    for (start, end) in merged {
        if start > at {
            parts.push(text[at..start].to_owned().into_any());
        }
        parts.push(
            view! { <mark class="check-mark">{text[start..end].to_owned()}</mark> }.into_any(),
        );
        at = end;
    }
    if at < text.len() {
        parts.push(text[at..].to_owned().into_any());
    }
    parts.into_iter().collect_view().into_any()
}

/// The body's blocks as views.
pub fn render_document(doc: &Document, m: &Marks) -> AnyView {
    doc.blocks
        .iter()
        .map(|b| render_block(b, m))
        .collect_view()
        .into_any()
}

fn render_blocks(blocks: &[Block], m: &Marks) -> AnyView {
    blocks
        .iter()
        .map(|b| render_block(b, m))
        .collect_view()
        .into_any()
}

fn render_block(block: &Block, m: &Marks) -> AnyView {
    match block {
        Block::Heading { level, id, content } => {
            let inner = render_inlines(content, m);
            let id = id.clone();
            match level {
                2 => view! { <h2 id=id>{inner}</h2> }.into_any(),
                3 => view! { <h3 id=id>{inner}</h3> }.into_any(),
                4 => view! { <h4 id=id>{inner}</h4> }.into_any(),
                5 => view! { <h5 id=id>{inner}</h5> }.into_any(),
                _ => view! { <h6 id=id>{inner}</h6> }.into_any(),
            }
        }
        Block::Paragraph(inlines) => view! { <p>{render_inlines(inlines, m)}</p> }.into_any(),
        Block::List {
            ordered,
            start,
            items,
        } => {
            let items = items
                .iter()
                .map(|item| view! { <li>{render_blocks(item, m)}</li> })
                .collect_view();
            if *ordered {
                view! { <ol start=*start>{items}</ol> }.into_any()
            } else {
                view! { <ul>{items}</ul> }.into_any()
            }
        }
        Block::Quote(blocks) => {
            view! { <blockquote>{render_blocks(blocks, m)}</blockquote> }.into_any()
        }
        Block::Callout { kind, blocks } => render_callout(*kind, blocks, m),
        Block::Table { align, head, rows } => {
            // Classes, not style attributes: the Content-Security-Policy allows no inline styles.
            let align_of = |i: usize| match align.get(i) {
                Some(Align::Center) => Some("align-center"),
                Some(Align::Right) => Some("align-right"),
                Some(Align::Left) => Some("align-left"),
                _ => None,
            };
            let head = head
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    view! { <th scope="col" class=align_of(i)>{render_inlines(cell, m)}</th> }
                })
                .collect_view();
            let rows = rows
                .iter()
                .map(|row| {
                    let cells = row
                        .iter()
                        .enumerate()
                        .map(|(i, cell)| {
                            view! { <td class=align_of(i)>{render_inlines(cell, m)}</td> }
                        })
                        .collect_view();
                    view! { <tr>{cells}</tr> }
                })
                .collect_view();
            // Wide tables scroll inside their own box instead of pushing the page sideways; the box
            // is focusable so keyboard users can scroll it too.
            let i18n = use_i18n();
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(Key::LearnTable)>
                    <table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
                </div>
            }
            .into_any()
        }
        Block::Code(text) => view! { <pre><code>{text.clone()}</code></pre> }.into_any(),
        Block::Rule => view! { <hr /> }.into_any(),
    }
}

fn render_callout(kind: CalloutKind, blocks: &[Block], m: &Marks) -> AnyView {
    let (class, label) = match kind {
        CalloutKind::Doctor => ("callout callout-doctor", Key::LearnCalloutDoctor),
        CalloutKind::Warning => ("callout callout-warning", Key::LearnCalloutWarning),
        CalloutKind::Note => ("callout callout-note", Key::LearnCalloutNote),
    };
    // A note, not an <aside>: several callouts on a page would be indistinguishable landmarks.
    view! {
        <div class=class role="note">
            <p class="callout-label">{tr(label)}</p>
            {render_blocks(blocks, m)}
        </div>
    }
    .into_any()
}

fn render_inlines(inlines: &[Inline], m: &Marks) -> AnyView {
    inlines
        .iter()
        .map(|i| render_inline(i, m))
        .collect_view()
        .into_any()
}

fn render_inline(inline: &Inline, m: &Marks) -> AnyView {
    match inline {
        Inline::Text(text) => marked_text(text, m),
        Inline::Emphasis(inner) => view! { <em>{render_inlines(inner, m)}</em> }.into_any(),
        Inline::Strong(inner) => view! { <strong>{render_inlines(inner, m)}</strong> }.into_any(),
        Inline::Code(text) => view! { <code>{text.clone()}</code> }.into_any(),
        Inline::LineBreak => view! { <br /> }.into_any(),
        Inline::Image { src, alt } => {
            view! { <img src=src.clone() alt=alt.clone() loading="lazy" decoding="async" /> }
                .into_any()
        }
        Inline::Link {
            href,
            external,
            content,
        } => {
            if *external {
                // Another site: a new tab without access back to this one, and said so in words.
                view! {
                    <a href=href.clone() target="_blank" rel="noopener noreferrer external" class="external">
                        {render_inlines(content, m)}
                        <span class="visually-hidden">{tr(Key::LearnExternal)}</span>
                    </a>
                }
                .into_any()
            } else {
                view! { <a href=href.clone()>{render_inlines(content, m)}</a> }.into_any()
            }
        }
    }
}
