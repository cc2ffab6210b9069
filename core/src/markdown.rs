//! Markdown for Learn articles, turned into a small typed tree the app renders itself.
//!
//! Articles are written by the content team, but the text still reaches patients' browsers, so the
//! body is never rendered as HTML: `pulldown-cmark` parses it and this module keeps only what the
//! [`Block`] and [`Inline`] types can say. There is no HTML variant at all. Raw HTML blocks are
//! dropped; inline HTML is shown as the literal text that was written. Link and image addresses go
//! through [`safe_url`], so `javascript:` and friends never become a link, however they are spelled.
//!
//! The tree is at most [`MAX_DEPTH`] containers deep whatever the input, because the app's renderer
//! (and the derived `Drop`, `Clone` and `PartialEq`) walk it recursively: ten thousand nested `>`
//! must not become ten thousand stack frames in the reader's browser. Building the tree itself uses
//! an explicit stack, never recursion.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use pulldown_cmark::{
    Alignment, BlockQuoteKind, Event, HeadingLevel, LinkType, Options, Parser, Tag,
};

/// How many containers may nest, counting every block or inline that holds children (a list and
/// its items count once). Deeper content is flattened into the deepest container allowed.
/// 24 keeps the deepest tree within serde_json's limit of 128 nested JSON values when the backend
/// sends it (a list with its items takes four).
pub const MAX_DEPTH: usize = 24;

/// Heading ids are cut to this many bytes so a very long heading does not make a very long URL.
const MAX_SLUG_BYTES: usize = 64;

/// A parsed article body. The backend sends it parsed with each published article, so patients'
/// browsers need no Markdown parser (only Studio's live preview parses).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Block {
    /// level 2..=6 (a `#` level-1 heading in the body becomes level 2: the page title is the only h1)
    Heading {
        level: u8,
        id: String,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// `start` is the first number of an ordered list; 1 for unordered lists.
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    Callout {
        kind: CalloutKind,
        blocks: Vec<Block>,
    },
    /// Every row (and the head) has exactly `align.len()` cells.
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A code block's text, shown as written (the language of a fenced block is ignored).
    Code(String),
    Rule,
}

/// The boxes an article can put around advice: `> [!DOCTOR]`, `> [!WARNING]`, `> [!NOTE]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CalloutKind {
    /// "Talk to your doctor": the content team's own marker.
    Doctor,
    /// Also GitHub's `[!CAUTION]`.
    Warning,
    /// Also GitHub's `[!TIP]` and `[!IMPORTANT]`.
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Inline {
    /// Shown as text, never as markup: it may contain `<` and `>` (inline HTML is kept literally).
    Text(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Code(String),
    /// `external` is true for absolute http(s) links to another site.
    Link {
        href: String,
        external: bool,
        content: Vec<Inline>,
    },
    /// Only when `src` is a safe URL; `alt` may be empty (the readability check reports that).
    Image {
        src: String,
        alt: String,
    },
    LineBreak,
}

/// Parses an article body. Never panics, whatever the input.
pub fn parse(markdown: &str) -> Document {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM;
    let mut builder = Builder::new();
    for event in Parser::new_ext(markdown, options) {
        builder.event(event);
    }
    builder.finish()
}

/// A written reply (the Medical Information team's answer to an inquiry), parsed for a card in a
/// list rather than a page of its own: headings become bold paragraphs, since a card's own heading
/// comes first and several cards would repeat the same heading ids; images become links to them,
/// since a reply should not load pictures from wherever its writer pointed.
pub fn parse_reply(markdown: &str) -> Document {
    Document {
        blocks: parse(markdown)
            .blocks
            .into_iter()
            .map(reply_block)
            .collect(),
    }
}

fn reply_block(block: Block) -> Block {
    let blocks = |list: Vec<Block>| list.into_iter().map(reply_block).collect();
    match block {
        Block::Heading { content, .. } => {
            Block::Paragraph(vec![Inline::Strong(reply_inlines(content))])
        }
        Block::Paragraph(inlines) => Block::Paragraph(reply_inlines(inlines)),
        Block::List {
            ordered,
            start,
            items,
        } => Block::List {
            ordered,
            start,
            items: items.into_iter().map(blocks).collect(),
        },
        Block::Quote(list) => Block::Quote(blocks(list)),
        Block::Callout { kind, blocks: list } => Block::Callout {
            kind,
            blocks: blocks(list),
        },
        Block::Table { align, head, rows } => Block::Table {
            align,
            head: head.into_iter().map(reply_inlines).collect(),
            rows: rows
                .into_iter()
                .map(|row| row.into_iter().map(reply_inlines).collect())
                .collect(),
        },
        other @ (Block::Code(_) | Block::Rule) => other,
    }
}

fn reply_inlines(inlines: Vec<Inline>) -> Vec<Inline> {
    inlines
        .into_iter()
        .map(|inline| match inline {
            Inline::Emphasis(inner) => Inline::Emphasis(reply_inlines(inner)),
            Inline::Strong(inner) => Inline::Strong(reply_inlines(inner)),
            Inline::Link {
                href,
                external,
                content,
            } => Inline::Link {
                href,
                external,
                content: reply_inlines(content),
            },
            Inline::Image { src, alt } => Inline::Link {
                external: is_external(&src),
                content: vec![Inline::Text(if alt.trim().is_empty() {
                    src.clone()
                } else {
                    alt
                })],
                href: src,
            },
            other @ (Inline::Text(_) | Inline::Code(_) | Inline::LineBreak) => other,
        })
        .collect()
}

/// Headings for a table of contents: (level, id, plain text).
///
/// Only the article's own sections: headings at the top level of the body, not those inside
/// quotes, callouts or lists.
pub fn toc(doc: &Document) -> Vec<(u8, String, String)> {
    doc.blocks
        .iter()
        .filter_map(|block| match block {
            Block::Heading { level, id, content } => {
                Some((*level, id.clone(), inline_text(content).trim().to_string()))
            }
            _ => None,
        })
        .collect()
}

/// A section of the table of contents (a level-2 heading) with its subsections (level 3), each
/// as (id, text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocSection {
    pub id: String,
    pub text: String,
    pub subsections: Vec<(String, String)>,
}

/// [`toc`] entries as an outline for the page: subsections nest under the section before them
/// (so the sections are numbered 1, 2, 3 whatever their subsections), a subsection before any
/// section stands as a section, and deeper headings are left out.
pub fn toc_outline(entries: Vec<(u8, String, String)>) -> Vec<TocSection> {
    let mut outline: Vec<TocSection> = Vec::new();
    for (level, id, text) in entries {
        match (level, outline.last_mut()) {
            (3, Some(section)) => section.subsections.push((id, text)),
            (2 | 3, _) => outline.push(TocSection {
                id,
                text,
                subsections: Vec::new(),
            }),
            _ => {}
        }
    }
    outline
}

/// The document as plain text (for search and reading time), paragraphs separated by blank lines.
///
/// Every paragraph, heading, list item paragraph and code block is its own paragraph; a table
/// contributes one paragraph per row with its cells joined by ` | `.
pub fn plain_text(doc: &Document) -> String {
    let mut paragraphs = Vec::new();
    for block in &doc.blocks {
        collect_plain(block, &mut paragraphs);
    }
    paragraphs.join("\n\n")
}

fn collect_plain(block: &Block, out: &mut Vec<String>) {
    let mut push = |text: String| {
        let text = text.trim();
        if !text.is_empty() {
            out.push(text.to_string());
        }
    };
    match block {
        Block::Heading { content, .. } | Block::Paragraph(content) => push(inline_text(content)),
        Block::Code(code) => push(code.clone()),
        Block::Table { head, rows, .. } => {
            for row in std::iter::once(head).chain(rows) {
                let cells: Vec<String> = row
                    .iter()
                    .map(|cell| inline_text(cell).trim().to_string())
                    .filter(|cell| !cell.is_empty())
                    .collect();
                push(cells.join(" | "));
            }
        }
        Block::List { items, .. } => {
            for block in items.iter().flatten() {
                collect_plain(block, out);
            }
        }
        Block::Quote(blocks) | Block::Callout { blocks, .. } => {
            for block in blocks {
                collect_plain(block, out);
            }
        }
        Block::Rule => {}
    }
}

/// Plain text of inlines. An image counts as its alt text (what a screen reader says); a line
/// break is a newline.
pub fn inline_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_inline_text(inlines, &mut out);
    out
}

fn push_inline_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(text) | Inline::Code(text) => out.push_str(text),
            Inline::Emphasis(content) | Inline::Strong(content) | Inline::Link { content, .. } => {
                push_inline_text(content, out)
            }
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::LineBreak => out.push('\n'),
        }
    }
}

/// Words are runs of non-space characters with at least one letter or digit, so a lone `-` or `|`
/// is not a word. Scripts written without spaces (Chinese, Japanese) count a run as one word.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count()
}

/// Minutes at 200 words a minute, at least 1.
pub fn reading_minutes(words: usize) -> u16 {
    u16::try_from(words.div_ceil(200).max(1)).unwrap_or(u16::MAX)
}

/// Whether a link/image URL is allowed: http, https, mailto, tel, or relative (`/path`, `path`,
/// `#frag`, `?q`); everything else is refused.
///
/// Browsers are generous about what they accept as a scheme: they drop tabs and newlines inside
/// it, strip leading spaces and control characters, treat `\` like `/` and `//host` as another
/// site. Rather than imitate all that, anything containing whitespace, control or invisible
/// formatting characters or a backslash is refused outright, and the text before the first `:`
/// (when no `/`, `?` or `#` comes first) must be exactly one of the allowed schemes. An empty URL
/// is refused too: a link to nowhere is not a link. `http(s)` needs `//` and a host.
pub fn safe_url(url: &str) -> bool {
    if url.is_empty() || url.chars().any(is_refused_url_char) {
        return false;
    }
    match split_scheme(url) {
        Some((scheme, rest)) => {
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
                rest.strip_prefix("//")
                    .and_then(|after| after.split(['/', '?', '#']).next())
                    .is_some_and(|host| !host.is_empty())
            } else if scheme.eq_ignore_ascii_case("mailto") || scheme.eq_ignore_ascii_case("tel") {
                !rest.is_empty()
            } else {
                false
            }
        }
        None => !url.starts_with("//"),
    }
}

/// Whether a (safe) URL leads to another site: every absolute http(s) URL does, since the app
/// links to its own pages with relative URLs.
fn is_external(url: &str) -> bool {
    split_scheme(url).is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// The text before the first `:` and the rest, when the `:` comes before any `/`, `?` or `#`
/// (otherwise the URL is relative and the colon is part of a path, query or fragment).
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let end = url.find([':', '/', '?', '#'])?;
    let (scheme, rest) = url.split_at(end);
    rest.strip_prefix(':').map(|rest| (scheme, rest))
}

fn is_refused_url_char(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || c == '\\'
        || matches!(
            c,
            '\u{00AD}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// A simple ASCII spelling of common accented Latin letters (lowercase input), for heading ids and
/// syllable counting. Other letters are kept as they are.
pub(crate) fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' | 'æ' => "ae",
        'ö' | 'œ' => "oe",
        'ü' => "ue",
        'ß' => "ss",
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// A heading's id: lowercase ASCII letters and digits joined by `-`, common accented letters
/// spelled in ASCII (`ü` → `ue`), other letters kept lowercase. Apostrophes vanish (`don't` →
/// `dont`), symbols such as emoji are dropped, spaces and punctuation separate words. May be
/// empty; the caller falls back to `section-N`.
fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut separate = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if slug.len() >= MAX_SLUG_BYTES {
            break;
        }
        if matches!(c, '\'' | '’' | 'ʼ') {
            continue;
        }
        if c.is_whitespace() || c.is_ascii_punctuation() || is_unicode_dash_or_punct(c) {
            separate = !slug.is_empty();
            continue;
        }
        let folded;
        let piece = if c.is_ascii_alphanumeric() {
            folded = c.to_string();
            folded.as_str()
        } else if let Some(ascii) = fold_latin(c) {
            ascii
        } else if c.is_alphanumeric() {
            folded = c.to_string();
            folded.as_str()
        } else {
            continue;
        };
        if separate {
            slug.push('-');
            separate = false;
        }
        slug.push_str(piece);
    }
    slug
}

fn is_unicode_dash_or_punct(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2018}'..='\u{201F}' | '\u{2026}' | '«' | '»' | '¿' | '¡' | '·'
    )
}

/// Reads `[!KIND]` at the start of a callout's first paragraph; returns the kind and the marker's
/// length in bytes.
fn callout_marker(text: &str) -> Option<(CalloutKind, usize)> {
    let inner = text.strip_prefix("[!")?;
    let (name, _) = inner.split_once(']')?;
    let kind = match name.to_ascii_lowercase().as_str() {
        "doctor" => CalloutKind::Doctor,
        "warning" | "caution" => CalloutKind::Warning,
        "note" | "tip" | "important" => CalloutKind::Note,
        _ => return None,
    };
    Some((kind, "[!".len() + name.len() + "]".len()))
}

fn gfm_callout(kind: BlockQuoteKind) -> CalloutKind {
    match kind {
        BlockQuoteKind::Note | BlockQuoteKind::Tip | BlockQuoteKind::Important => CalloutKind::Note,
        BlockQuoteKind::Warning | BlockQuoteKind::Caution => CalloutKind::Warning,
    }
}

/// Turns a finished block quote into a callout when it is marked as one. GFM's own markers
/// (alone on the first line) arrive as `known`; otherwise the first paragraph is checked for a
/// marker, which also catches `[!DOCTOR]` and markers followed by text on the same line.
fn quote_or_callout(known: Option<CalloutKind>, blocks: Vec<Block>) -> Block {
    if let Some(kind) = known {
        return Block::Callout { kind, blocks };
    }
    let mut blocks = blocks.into_iter();
    let first = blocks.next();
    let Some(Block::Paragraph(inlines)) = first else {
        return Block::Quote(first.into_iter().chain(blocks).collect());
    };
    let mut inlines = inlines.into_iter();
    let lead = inlines.next();
    let marked = match &lead {
        Some(Inline::Text(text)) => callout_marker(text).map(|(kind, len)| (kind, text, len)),
        _ => None,
    };
    let Some((kind, text, len)) = marked else {
        let paragraph = Block::Paragraph(lead.into_iter().chain(inlines).collect());
        return Block::Quote(std::iter::once(paragraph).chain(blocks).collect());
    };
    let rest = text.get(len..).unwrap_or_default().to_string();
    let mut content: Vec<Inline> = std::iter::once(Inline::Text(rest))
        .chain(inlines)
        .skip_while(is_blank_inline)
        .collect();
    if let Some(Inline::Text(text)) = content.first_mut() {
        *text = text.trim_start().to_string();
    }
    let first = (!content.is_empty()).then_some(Block::Paragraph(content));
    Block::Callout {
        kind,
        blocks: first.into_iter().chain(blocks).collect(),
    }
}

/// Whether an inline is blank (a line break or whitespace), as left after a callout marker.
fn is_blank_inline(inline: &Inline) -> bool {
    match inline {
        Inline::LineBreak => true,
        Inline::Text(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// What an open element will become once its end arrives.
enum Kind {
    Root,
    Quote(Option<CalloutKind>),
    Item,
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Paragraph,
    Heading(u8),
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Row {
        head: bool,
        cells: Vec<Vec<Inline>>,
    },
    Cell,
    Emphasis,
    Strong,
    Link {
        href: String,
        external: bool,
    },
    /// Collects the alt text; `src` is `None` when the address was refused.
    Image {
        src: Option<String>,
    },
    Code(String),
    /// Raw HTML block: everything inside is dropped.
    Skip,
}

impl Kind {
    /// Whether this element's children sit one level deeper in the finished tree.
    fn adds_level(&self) -> bool {
        matches!(
            self,
            Kind::Quote(_)
                | Kind::List { .. }
                | Kind::Paragraph
                | Kind::Heading(_)
                | Kind::Table { .. }
                | Kind::Emphasis
                | Kind::Strong
                | Kind::Link { .. }
        )
    }

    /// Holds blocks (and inlines not yet wrapped in a paragraph, as in tight list items).
    fn holds_blocks(&self) -> bool {
        matches!(self, Kind::Root | Kind::Quote(_) | Kind::Item)
    }
}

struct Frame {
    kind: Kind,
    blocks: Vec<Block>,
    /// Content of inline-holding elements; for block holders, inlines waiting to become a paragraph.
    inlines: Vec<Inline>,
}

impl Frame {
    fn new(kind: Kind) -> Frame {
        Frame {
            kind,
            blocks: Vec::new(),
            inlines: Vec::new(),
        }
    }

    /// Wraps waiting inlines (tight list items, flattened content) in a paragraph.
    fn flush_pending(&mut self) {
        if !self.inlines.is_empty() {
            let inlines = std::mem::take(&mut self.inlines);
            if !inlines
                .iter()
                .all(|inline| matches!(inline, Inline::Text(t) if t.trim().is_empty()))
            {
                self.blocks.push(Block::Paragraph(inlines));
            }
        }
    }
}

/// How a start event was handled, so its end event does the matching thing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// A frame was pushed.
    Frame,
    /// Nothing was pushed; the content flows into the enclosing element.
    Transparent,
    /// As `Transparent`, for a block-level element: its start and end still separate paragraphs.
    TransparentBlock,
}

/// Turns the parser's event stream into the tree with an explicit stack (never recursion).
struct Builder {
    /// Never empty: the root is at the bottom and is only taken by `finish`.
    stack: Vec<Frame>,
    opens: Vec<Open>,
    /// Levels of the finished tree open right now (see [`Kind::adds_level`]).
    depth: usize,
    used_ids: HashSet<String>,
    next_suffix: HashMap<String, usize>,
    headings: usize,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            stack: vec![Frame::new(Kind::Root)],
            opens: Vec::new(),
            depth: 0,
            used_ids: HashSet::new(),
            next_suffix: HashMap::new(),
            headings: 0,
        }
    }

    fn top_kind(&self) -> &Kind {
        self.stack.last().map_or(&Kind::Root, |frame| &frame.kind)
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(_) => self.end(),
            Event::Text(text) => self.push_inline(Inline::Text(text.into_string())),
            Event::Code(code) => self.push_inline(Inline::Code(code.into_string())),
            // Inline HTML is shown as what was written, never interpreted.
            Event::InlineHtml(html) => self.push_inline(Inline::Text(html.into_string())),
            // Block HTML (only ever inside an HTML block) is dropped with its block.
            Event::Html(_) => {}
            Event::SoftBreak => self.push_inline(Inline::Text(" ".to_string())),
            Event::HardBreak => self.push_inline(Inline::LineBreak),
            Event::Rule => self.push_block(Block::Rule),
            // The extensions below are not enabled; should they ever appear, they stay text.
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.push_inline(Inline::Text(text.into_string()))
            }
            Event::FootnoteReference(label) => {
                self.push_inline(Inline::Text(format!("[^{}]", label.as_ref())))
            }
            Event::TaskListMarker(done) => {
                self.push_inline(Inline::Text(if done { "[x] " } else { "[ ] " }.to_string()))
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        // Inside an image everything is alt text; inside raw HTML or code everything is dropped
        // or kept as text by the frame itself.
        if matches!(
            self.top_kind(),
            Kind::Image { .. } | Kind::Skip | Kind::Code(_)
        ) {
            self.opens.push(Open::Transparent);
            return;
        }
        let block_level = matches!(
            tag,
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::Table(_)
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell
        );
        let fits = |extra: usize| self.depth + 1 + extra <= MAX_DEPTH;
        // Inlines straight inside a block holder (tight list items) get wrapped in a paragraph
        // later, which takes a level too.
        let inline_extra = usize::from(self.top_kind().holds_blocks());
        let kind = match tag {
            Tag::Paragraph => fits(0).then_some(Kind::Paragraph),
            Tag::Heading { level, .. } => fits(0).then_some(Kind::Heading(heading_level(level))),
            // Containers of blocks keep one level free for their paragraphs' inlines.
            Tag::BlockQuote(kind) => fits(1).then_some(Kind::Quote(kind.map(gfm_callout))),
            Tag::List(start) => fits(1).then_some(Kind::List {
                ordered: start.is_some(),
                start: start.unwrap_or(1),
                items: Vec::new(),
            }),
            Tag::Item => matches!(self.top_kind(), Kind::List { .. }).then_some(Kind::Item),
            Tag::CodeBlock(_) => Some(Kind::Code(String::new())),
            Tag::HtmlBlock => Some(Kind::Skip),
            Tag::Table(align) => fits(0).then(|| Kind::Table {
                align: align.into_iter().map(align_of).collect(),
                head: Vec::new(),
                rows: Vec::new(),
            }),
            Tag::TableHead => matches!(self.top_kind(), Kind::Table { .. }).then_some(Kind::Row {
                head: true,
                cells: Vec::new(),
            }),
            Tag::TableRow => matches!(self.top_kind(), Kind::Table { .. }).then_some(Kind::Row {
                head: false,
                cells: Vec::new(),
            }),
            Tag::TableCell => matches!(self.top_kind(), Kind::Row { .. }).then_some(Kind::Cell),
            Tag::Emphasis => fits(inline_extra).then_some(Kind::Emphasis),
            Tag::Strong => fits(inline_extra).then_some(Kind::Strong),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let href = if link_type == LinkType::Email {
                    format!("mailto:{}", dest_url.as_ref())
                } else {
                    dest_url.into_string()
                };
                (fits(inline_extra) && safe_url(&href)).then(|| Kind::Link {
                    external: is_external(&href),
                    href,
                })
            }
            Tag::Image { dest_url, .. } => Some(Kind::Image {
                src: safe_url(&dest_url).then(|| dest_url.into_string()),
            }),
            // Strikethrough shows as its text; the rest are extensions that are not enabled.
            Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {
                self.opens.push(Open::Transparent);
                return;
            }
        };
        match kind {
            Some(kind) => {
                if kind.adds_level() {
                    self.depth += 1;
                }
                self.stack.push(Frame::new(kind));
                self.opens.push(Open::Frame);
            }
            None => {
                // Too deep (or out of place): the content joins the enclosing element. Block-level
                // elements still end the paragraph before them, so items do not run together.
                if block_level {
                    self.flush_top();
                    self.opens.push(Open::TransparentBlock);
                } else {
                    self.opens.push(Open::Transparent);
                }
            }
        }
    }

    fn flush_top(&mut self) {
        if let Some(frame) = self.stack.last_mut() {
            if frame.kind.holds_blocks() {
                frame.flush_pending();
            }
        }
    }

    fn end(&mut self) {
        match self.opens.pop() {
            Some(Open::Frame) => self.close_top(),
            Some(Open::TransparentBlock) => self.flush_top(),
            Some(Open::Transparent) | None => {}
        }
    }

    fn close_top(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        if frame.kind.adds_level() {
            self.depth = self.depth.saturating_sub(1);
        }
        match frame.kind {
            Kind::Root | Kind::Skip => {}
            Kind::Paragraph => {
                if !frame.inlines.is_empty() {
                    self.push_block(Block::Paragraph(frame.inlines));
                }
            }
            Kind::Heading(level) => {
                let id = self.heading_id(&frame.inlines);
                self.push_block(Block::Heading {
                    level,
                    id,
                    content: frame.inlines,
                });
            }
            Kind::Quote(known) => {
                frame.flush_pending();
                self.push_block(quote_or_callout(known, frame.blocks));
            }
            Kind::Item => {
                frame.flush_pending();
                match self.stack.last_mut() {
                    Some(Frame {
                        kind: Kind::List { items, .. },
                        ..
                    }) => items.push(frame.blocks),
                    _ => {
                        for block in frame.blocks {
                            self.push_block(block);
                        }
                    }
                }
            }
            Kind::List {
                ordered,
                start,
                items,
            } => self.push_block(Block::List {
                ordered,
                start,
                items,
            }),
            Kind::Table { align, head, rows } => self.push_block(rectangular(align, head, rows)),
            Kind::Row { head, cells } => {
                if let Some(Frame {
                    kind:
                        Kind::Table {
                            head: table_head,
                            rows,
                            ..
                        },
                    ..
                }) = self.stack.last_mut()
                {
                    if head && table_head.is_empty() {
                        *table_head = cells;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            Kind::Cell => match self.stack.last_mut() {
                Some(Frame {
                    kind: Kind::Row { cells, .. },
                    ..
                }) => cells.push(frame.inlines),
                _ => {
                    for inline in frame.inlines {
                        self.push_inline(inline);
                    }
                }
            },
            Kind::Emphasis => {
                if !frame.inlines.is_empty() {
                    self.push_inline(Inline::Emphasis(frame.inlines));
                }
            }
            Kind::Strong => {
                if !frame.inlines.is_empty() {
                    self.push_inline(Inline::Strong(frame.inlines));
                }
            }
            Kind::Link { href, external } => self.push_inline(Inline::Link {
                href,
                external,
                content: frame.inlines,
            }),
            Kind::Image { src } => {
                let alt = inline_text(&frame.inlines);
                match src {
                    Some(src) => self.push_inline(Inline::Image { src, alt }),
                    None if !alt.trim().is_empty() => self.push_inline(Inline::Text(alt)),
                    None => {}
                }
            }
            Kind::Code(text) => self.push_block(Block::Code(text)),
        }
    }

    /// Adds a block to the innermost element that holds blocks.
    fn push_block(&mut self, block: Block) {
        if let Some(frame) = self
            .stack
            .iter_mut()
            .rev()
            .find(|frame| frame.kind.holds_blocks())
        {
            frame.flush_pending();
            frame.blocks.push(block);
        }
    }

    fn push_inline(&mut self, inline: Inline) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        match &mut frame.kind {
            Kind::Code(code) => {
                if let Inline::Text(text) = inline {
                    code.push_str(&text);
                }
            }
            Kind::Skip | Kind::List { .. } | Kind::Table { .. } | Kind::Row { .. } => {}
            _ => push_merged(&mut frame.inlines, inline),
        }
    }

    fn heading_id(&mut self, content: &[Inline]) -> String {
        self.headings += 1;
        let mut base = slugify(&inline_text(content));
        if base.is_empty() {
            base = format!("section-{}", self.headings);
        }
        if self.used_ids.insert(base.clone()) {
            return base;
        }
        let next = self.next_suffix.entry(base.clone()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.used_ids.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    fn finish(mut self) -> Document {
        while self.stack.len() > 1 {
            self.close_top();
        }
        let mut root = self.stack.pop().unwrap_or_else(|| Frame::new(Kind::Root));
        root.flush_pending();
        Document {
            blocks: root.blocks,
        }
    }
}

/// Adds an inline, joining neighbouring text (the parser splits text at every `[`, `<`, entity…).
fn push_merged(inlines: &mut Vec<Inline>, inline: Inline) {
    if let (Some(Inline::Text(last)), Inline::Text(text)) = (inlines.last_mut(), &inline) {
        last.push_str(text);
        return;
    }
    inlines.push(inline);
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn align_of(alignment: Alignment) -> Align {
    match alignment {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}

/// Gives the head and every row exactly one cell per column, so the renderer never has to guess.
fn rectangular(
    align: Vec<Align>,
    mut head: Vec<Vec<Inline>>,
    mut rows: Vec<Vec<Vec<Inline>>>,
) -> Block {
    let columns = align.len();
    head.resize(columns, Vec::new());
    for row in &mut rows {
        row.resize(columns, Vec::new());
    }
    Block::Table { align, head, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_string())
    }

    fn para(s: &str) -> Block {
        Block::Paragraph(vec![text(s)])
    }

    /// Every link and image in the document, at any depth.
    fn links(doc: &Document) -> Vec<Inline> {
        fn in_inlines(inlines: &[Inline], out: &mut Vec<Inline>) {
            for inline in inlines {
                match inline {
                    Inline::Link { content, .. } => {
                        out.push(inline.clone());
                        in_inlines(content, out);
                    }
                    Inline::Image { .. } => out.push(inline.clone()),
                    Inline::Emphasis(content) | Inline::Strong(content) => in_inlines(content, out),
                    _ => {}
                }
            }
        }
        fn in_blocks(blocks: &[Block], out: &mut Vec<Inline>) {
            for block in blocks {
                match block {
                    Block::Heading { content, .. } | Block::Paragraph(content) => {
                        in_inlines(content, out)
                    }
                    Block::List { items, .. } => {
                        for item in items {
                            in_blocks(item, out);
                        }
                    }
                    Block::Quote(blocks) | Block::Callout { blocks, .. } => in_blocks(blocks, out),
                    Block::Table { head, rows, .. } => {
                        for cell in head.iter().chain(rows.iter().flatten()) {
                            in_inlines(cell, out);
                        }
                    }
                    Block::Code(_) | Block::Rule => {}
                }
            }
        }
        let mut out = Vec::new();
        in_blocks(&doc.blocks, &mut out);
        out
    }

    /// Containers nested inside each other (a list and its items count once), as the renderer
    /// recurses.
    fn depth(doc: &Document) -> usize {
        fn inlines(content: &[Inline]) -> usize {
            content
                .iter()
                .map(|inline| match inline {
                    Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                        1 + inlines(c)
                    }
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        fn blocks(content: &[Block]) -> usize {
            content
                .iter()
                .map(|block| match block {
                    Block::Heading { content, .. } | Block::Paragraph(content) => {
                        1 + inlines(content)
                    }
                    Block::List { items, .. } => {
                        1 + items.iter().map(|item| blocks(item)).max().unwrap_or(0)
                    }
                    Block::Quote(content)
                    | Block::Callout {
                        blocks: content, ..
                    } => 1 + blocks(content),
                    Block::Table { head, rows, .. } => {
                        1 + head
                            .iter()
                            .chain(rows.iter().flatten())
                            .map(|cell| inlines(cell))
                            .max()
                            .unwrap_or(0)
                    }
                    Block::Code(_) | Block::Rule => 0,
                })
                .max()
                .unwrap_or(0)
        }
        blocks(&doc.blocks)
    }

    fn assert_links_safe(doc: &Document) {
        for inline in links(doc) {
            match inline {
                Inline::Link { href, .. } => assert!(safe_url(&href), "unsafe link {href:?}"),
                Inline::Image { src, .. } => assert!(safe_url(&src), "unsafe image {src:?}"),
                _ => {}
            }
        }
    }

    #[test]
    fn headings_become_levels_two_to_six_with_unique_ids() {
        let doc = parse("# Blood pressure\n\n## Blood pressure\n\n### Über Nebenwirkungen!\n\n###### Six\n\nSetext\n======\n\n## 🙂\n\n## ???\n\n## Blood pressure-2\n\n## Blood pressure");
        let toc = toc(&doc);
        let expected: Vec<(u8, &str, &str)> = vec![
            (2, "blood-pressure", "Blood pressure"),
            (2, "blood-pressure-2", "Blood pressure"),
            (3, "ueber-nebenwirkungen", "Über Nebenwirkungen!"),
            (6, "six", "Six"),
            (2, "setext", "Setext"),
            (2, "section-6", "🙂"),
            (2, "section-7", "???"),
            (2, "blood-pressure-2-2", "Blood pressure-2"),
            (2, "blood-pressure-3", "Blood pressure"),
        ];
        let got: Vec<(u8, &str, &str)> = toc
            .iter()
            .map(|(l, id, t)| (*l, id.as_str(), t.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn slugs_are_url_friendly() {
        assert_eq!(slugify("Don't stop: what to do?"), "dont-stop-what-to-do");
        assert_eq!(slugify("  Côte d’Ivoire — 2025  "), "cote-divoire-2025");
        assert_eq!(slugify("Straße & Öl"), "strasse-oel");
        assert_eq!(slugify("Давление"), "давление");
        assert_eq!(slugify("a".repeat(500).as_str()).len(), MAX_SLUG_BYTES);
        assert_eq!(slugify("<>!"), "");
    }

    #[test]
    fn toc_lists_only_top_level_headings() {
        let doc = parse("## One\n\n> ## Quoted\n\n- ## In list\n\n## Two *em*");
        let ids: Vec<String> = toc(&doc).into_iter().map(|(_, id, _)| id).collect();
        assert_eq!(ids, vec!["one", "two-em"]);
    }

    #[test]
    fn paragraphs_emphasis_and_breaks() {
        let doc = parse("Some *em*, **strong** and `code`.\nNext line  \nafter break ~~struck~~");
        assert_eq!(
            doc.blocks,
            vec![Block::Paragraph(vec![
                text("Some "),
                Inline::Emphasis(vec![text("em")]),
                text(", "),
                Inline::Strong(vec![text("strong")]),
                text(" and "),
                Inline::Code("code".into()),
                text(". Next line"),
                Inline::LineBreak,
                text("after break struck"),
            ])]
        );
    }

    #[test]
    fn lists_tight_loose_ordered_nested() {
        let doc = parse("3. three\n4. four\n   - inner\n\n- loose\n\n- list\n");
        assert_eq!(
            doc.blocks,
            vec![
                Block::List {
                    ordered: true,
                    start: 3,
                    items: vec![
                        vec![para("three")],
                        vec![
                            para("four"),
                            Block::List {
                                ordered: false,
                                start: 1,
                                items: vec![vec![para("inner")]],
                            }
                        ],
                    ],
                },
                Block::List {
                    ordered: false,
                    start: 1,
                    items: vec![vec![para("loose")], vec![para("list")]],
                },
            ]
        );
    }

    #[test]
    fn links_and_images() {
        let doc = parse(
            "[Our page](/learn/bp \"t\") [NHS](https://www.nhs.uk/) [mail](mailto:mi@example.com) \
             [call](tel:+441234) <https://example.org> <mi@example.com> ![A cuff](/img/cuff.png) \
             ![](cuff.png) [![logo](/logo.png)](#top)",
        );
        let Some(Block::Paragraph(inlines)) = doc.blocks.first() else {
            panic!("{doc:?}");
        };
        let link = |href: &str, external: bool, t: &str| Inline::Link {
            href: href.into(),
            external,
            content: vec![text(t)],
        };
        assert_eq!(
            inlines,
            &vec![
                link("/learn/bp", false, "Our page"),
                text(" "),
                link("https://www.nhs.uk/", true, "NHS"),
                text(" "),
                link("mailto:mi@example.com", false, "mail"),
                text(" "),
                link("tel:+441234", false, "call"),
                text(" "),
                link("https://example.org", true, "https://example.org"),
                text(" "),
                link("mailto:mi@example.com", false, "mi@example.com"),
                text(" "),
                Inline::Image {
                    src: "/img/cuff.png".into(),
                    alt: "A cuff".into()
                },
                text(" "),
                Inline::Image {
                    src: "cuff.png".into(),
                    alt: String::new()
                },
                text(" "),
                Inline::Link {
                    href: "#top".into(),
                    external: false,
                    content: vec![Inline::Image {
                        src: "/logo.png".into(),
                        alt: "logo".into()
                    }],
                },
            ]
        );
    }

    #[test]
    fn tables_keep_alignment_and_are_rectangular() {
        let doc =
            parse("| Dose | *When* | Note |\n|:--|:-:|--:|\n| 1 | morning | a | extra |\n| 2 |\n");
        assert_eq!(
            doc.blocks,
            vec![Block::Table {
                align: vec![Align::Left, Align::Center, Align::Right],
                head: vec![
                    vec![text("Dose")],
                    vec![Inline::Emphasis(vec![text("When")])],
                    vec![text("Note")],
                ],
                rows: vec![
                    vec![vec![text("1")], vec![text("morning")], vec![text("a")]],
                    vec![vec![text("2")], vec![], vec![]],
                ],
            }]
        );
    }

    #[test]
    fn callouts_custom_and_github_markers() {
        let doc = parse(
            "> [!DOCTOR]\n> Talk to your doctor.\n\n> [!warning] Do not double a dose.\n\n\
             > [!NOTE]\n> A note.\n\n> [!Tip]\n> A tip.\n\n> [!IMPORTANT]\n> Important.\n\n\
             > [!CAUTION]\n> Careful.\n\n> [!doctor]\n\n> [!OTHER] Not a callout.\n\n> Plain quote.",
        );
        let callout = |kind, blocks| Block::Callout { kind, blocks };
        assert_eq!(
            doc.blocks,
            vec![
                callout(CalloutKind::Doctor, vec![para("Talk to your doctor.")]),
                callout(CalloutKind::Warning, vec![para("Do not double a dose.")]),
                callout(CalloutKind::Note, vec![para("A note.")]),
                callout(CalloutKind::Note, vec![para("A tip.")]),
                callout(CalloutKind::Note, vec![para("Important.")]),
                callout(CalloutKind::Warning, vec![para("Careful.")]),
                callout(CalloutKind::Doctor, vec![]),
                Block::Quote(vec![para("[!OTHER] Not a callout.")]),
                Block::Quote(vec![para("Plain quote.")]),
            ]
        );
    }

    #[test]
    fn callout_keeps_formatting_after_the_marker() {
        let doc = parse("> [!DOCTOR]\n> **Call 999** if it hurts.\n>\n> - one");
        assert_eq!(
            doc.blocks,
            vec![Block::Callout {
                kind: CalloutKind::Doctor,
                blocks: vec![
                    Block::Paragraph(vec![
                        Inline::Strong(vec![text("Call 999")]),
                        text(" if it hurts."),
                    ]),
                    Block::List {
                        ordered: false,
                        start: 1,
                        items: vec![vec![para("one")]],
                    },
                ],
            }]
        );
    }

    #[test]
    fn code_blocks_and_rules() {
        let doc = parse("```html\n<b>x</b>\n```\n\n---\n\n    indented <i>\n");
        assert_eq!(
            doc.blocks,
            vec![
                Block::Code("<b>x</b>\n".into()),
                Block::Rule,
                Block::Code("indented <i>\n".into()),
            ]
        );
    }

    #[test]
    fn raw_html_blocks_are_dropped_and_inline_html_is_literal_text() {
        let doc = parse(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<div>\n*hi*\n</div>\n\n\
             Hello <script>alert(1)</script> and <img src=x onerror=alert(1)> and \
             <a href=\"javascript:alert(1)\">click</a>.",
        );
        assert_eq!(
            doc.blocks,
            vec![para(
                "Hello <script>alert(1)</script> and <img src=x onerror=alert(1)> and \
                 <a href=\"javascript:alert(1)\">click</a>."
            )]
        );
        assert!(links(&doc).is_empty());
    }

    #[test]
    fn html_comments_and_html_in_headings_stay_text_or_vanish() {
        let doc = parse("<!-- hidden -->\n\n## Title <em>x</em>\n\nA <!-- note --> b");
        assert_eq!(doc.blocks.len(), 2);
        assert_eq!(toc(&doc)[0].2, "Title <em>x</em>");
        assert_eq!(doc.blocks[1], para("A <!-- note --> b"));
    }

    #[test]
    fn unsafe_links_keep_their_text_and_lose_the_link() {
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java&#09;script:alert(1)",
            "java&#x0A;script:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;avascript:alert(1)",
            "<java\tscript:alert(1)>",
            "< javascript:alert(1)>",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "http:evil.example",
            "https:///nohost",
            "%6Aavascript:alert(1)",
            "java\u{200B}script:alert(1)",
        ] {
            let doc = parse(&format!("[x]({url}) after"));
            assert!(links(&doc).is_empty(), "{url}: {doc:?}");
            let Some(Block::Paragraph(inlines)) = doc.blocks.first() else {
                panic!("{url}: {doc:?}");
            };
            assert!(inline_text(inlines).contains("after"), "{url}: {doc:?}");
        }
        let doc = parse("[keep *this*](javascript:alert(1))");
        assert_eq!(
            doc.blocks,
            vec![Block::Paragraph(vec![
                text("keep "),
                Inline::Emphasis(vec![text("this")]),
            ])]
        );
    }

    #[test]
    fn unsafe_images_are_dropped_but_alt_text_remains() {
        let doc =
            parse("![x](data:image/svg+xml,%3Csvg%20onload=alert(1)%3E) ![](javascript:alert(1))");
        assert!(links(&doc).is_empty());
        assert_eq!(plain_text(&doc), "x");
        let doc = parse("[![x](javascript:1)](https://example.org)");
        assert_eq!(
            doc.blocks,
            vec![Block::Paragraph(vec![Inline::Link {
                href: "https://example.org".into(),
                external: true,
                content: vec![text("x")],
            }])]
        );
    }

    #[test]
    fn reference_links_are_checked_like_inline_ones() {
        let doc = parse("[a][r] [b][s]\n\n[r]: javascript:alert(1)\n[s]: /ok");
        let hrefs: Vec<Inline> = links(&doc);
        assert_eq!(hrefs.len(), 1);
        assert!(matches!(&hrefs[0], Inline::Link { href, .. } if href == "/ok"));
    }

    #[test]
    fn safe_url_rules() {
        for ok in [
            "https://www.nhs.uk/conditions/",
            "HTTP://example.org",
            "mailto:mi@example.com",
            "tel:+44 20".replace(' ', "").as_str(),
            "/learn/blood-pressure",
            "learn/other",
            "../up",
            "#section",
            "?q=a:b",
            "/path/with:colon",
            "#frag:colon",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "",
            "javascript:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "file:///c:/x",
            "//evil.example",
            "/\\evil.example",
            "https:/\\evil.example",
            "mailto:",
            "ftp://example.org",
            ":nothing",
            "foo:bar",
            "https://exa mple.org",
            "javascript\u{00AD}:x",
        ] {
            assert!(!safe_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn broken_nesting_and_unclosed_structures_parse() {
        let doc = parse("**a _b** c_");
        assert_eq!(
            doc.blocks,
            vec![Block::Paragraph(vec![
                Inline::Strong(vec![text("a _b")]),
                text(" c_"),
            ])]
        );
        let doc = parse("- a\n- b\n  > quote\n  > - inner\n\n  lazy");
        assert!(matches!(doc.blocks.first(), Some(Block::List { items, .. }) if items.len() == 2));
        let doc = parse("> unclosed quote\ncontinues\n> > deeper");
        assert!(matches!(doc.blocks.first(), Some(Block::Quote(_))));
        let doc = parse("[unclosed link(\n![unclosed image\n`unclosed code\n```\nunclosed fence");
        assert_eq!(doc.blocks.len(), 2);
    }

    #[test]
    fn deep_quotes_are_flattened_at_the_depth_cap() {
        let doc = parse(&format!("{} deep **text**", ">".repeat(10_000)));
        assert!(depth(&doc) <= MAX_DEPTH, "{}", depth(&doc));
        assert_eq!(plain_text(&doc), "deep text");
        let doc = parse(&"> ".repeat(10_000));
        assert!(depth(&doc) <= MAX_DEPTH);
        let nested: String = (0..10_000)
            .map(|i| format!("{}> q{i}\n", "> ".repeat(i % 100)))
            .collect();
        assert!(depth(&parse(&nested)) <= MAX_DEPTH);
    }

    #[test]
    fn deep_lists_are_flattened_at_the_depth_cap() {
        for marker in ["- ", "* ", "1. ", "- > "] {
            let doc = parse(&format!("{}item", marker.repeat(10_000)));
            assert!(depth(&doc) <= MAX_DEPTH, "{marker}: {}", depth(&doc));
            assert_eq!(plain_text(&doc), "item");
        }
        // Nested by indentation: every level's items must stay separate paragraphs when flattened.
        let nested: String = (0..60)
            .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
            .collect();
        let doc = parse(&nested);
        assert!(depth(&doc) <= MAX_DEPTH);
        let expected: Vec<String> = (0..60).map(|i| format!("item {i}")).collect();
        assert_eq!(plain_text(&doc), expected.join("\n\n"));
    }

    #[test]
    fn deep_inline_nesting_is_flattened() {
        let src = format!("{}a{}", "*".repeat(10_000), "*".repeat(10_000));
        let doc = parse(&src);
        assert!(depth(&doc) <= MAX_DEPTH);
        assert_eq!(plain_text(&doc), "a");
        let src = format!("{}x{}", "[".repeat(5_000), "](/a)".repeat(5_000));
        assert!(depth(&parse(&src)) <= MAX_DEPTH);
        let src = format!("{}x{}", "![".repeat(5_000), "](/a)".repeat(5_000));
        assert!(depth(&parse(&src)) <= MAX_DEPTH);
        let src = format!("{}**a** [l](/x)", "> - ".repeat(40));
        let doc = parse(&src);
        assert!(depth(&doc) <= MAX_DEPTH);
        assert_eq!(plain_text(&doc), "a l");
    }

    #[test]
    fn a_megabyte_parses() {
        let article = "## Section\n\nSome *text* with a [link](/x) and `code`.\n\n- a\n- b\n\n\
                       | a | b |\n|---|---|\n| 1 | 2 |\n\n> [!NOTE]\n> note\n\n";
        let big = article.repeat(1_000_000 / article.len() + 1);
        let start = std::time::Instant::now();
        let doc = parse(&big);
        let elapsed = start.elapsed();
        assert!(doc.blocks.len() > 10_000);
        // Generous for unoptimised test builds; release parses this in a few tens of milliseconds.
        assert!(elapsed.as_secs() < 20, "{elapsed:?}");
        for hostile in [
            "[".repeat(1 << 20),
            "*a".repeat(1 << 19),
            ">".repeat(1 << 20),
            "- ".repeat(1 << 19),
            "<a>".repeat(1 << 18),
            "|a".repeat(1 << 19),
            "![".repeat(1 << 19),
            "`".repeat(1 << 20),
            "# \n".repeat(1 << 18),
        ] {
            let doc = parse(&hostile);
            assert!(depth(&doc) <= MAX_DEPTH);
            assert_links_safe(&doc);
        }
    }

    #[test]
    fn plain_text_words_and_minutes() {
        let doc = parse(
            "## Title\n\nOne *two* three.\n\n- four\n- five\n\n| a | b |\n|--|--|\n| c | d |\n\n\
             > [!NOTE]\n> six ![seven](/i.png)\n\n---\n\n```\ncode\n```",
        );
        assert_eq!(
            plain_text(&doc),
            "Title\n\nOne two three.\n\nfour\n\nfive\n\na | b\n\nc | d\n\nsix seven\n\ncode"
        );
        assert_eq!(word_count(&plain_text(&doc)), 13);
        assert_eq!(word_count("a - b | c —"), 3);
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(200), 1);
        assert_eq!(reading_minutes(201), 2);
        assert_eq!(reading_minutes(usize::MAX), u16::MAX);
        assert_eq!(
            inline_text(&[text("a"), Inline::LineBreak, text("b")]),
            "a\nb"
        );
    }

    #[test]
    fn not_enabled_extensions_stay_text() {
        let doc = parse("- [ ] task\n\nmath $x^2$ and ^sup^ ~struck~\n\n---\ntitle: x\n---");
        assert_eq!(
            plain_text(&doc),
            "[ ] task\n\nmath $x^2$ and ^sup^ struck\n\ntitle: x"
        );
    }

    /// Markdown-ish fragments that make proptest's strings reach links, HTML and nesting quickly.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[".to_string()),
            Just("]".to_string()),
            Just("](".to_string()),
            Just(")".to_string()),
            Just("![".to_string()),
            Just("<".to_string()),
            Just(">".to_string()),
            Just("> ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("- ".to_string()),
            Just("1. ".to_string()),
            Just("*".to_string()),
            Just("**".to_string()),
            Just("_".to_string()),
            Just("`".to_string()),
            Just("```\n".to_string()),
            Just("# ".to_string()),
            Just("| a | b |\n|---|:-:|\n".to_string()),
            Just("[!DOCTOR]".to_string()),
            Just("[!NOTE]\n".to_string()),
            Just("javascript:".to_string()),
            Just("JaVaScRiPt:".to_string()),
            Just("java&#09;script:".to_string()),
            Just("&#106;".to_string()),
            Just("data:".to_string()),
            Just("vbscript:".to_string()),
            Just("//".to_string()),
            Just("\\".to_string()),
            Just("\t".to_string()),
            Just("http://x".to_string()),
            Just("<script>".to_string()),
            Just("<a href=\"javascript:alert(1)\">".to_string()),
            Just("[r]: javascript:alert(1)\n".to_string()),
            Just("[r]".to_string()),
            Just("alert(1)".to_string()),
            Just(" ".to_string()),
            "[a-zA-Z0-9:/#?&;]{0,6}",
        ]
    }

    #[test]
    fn the_outline_nests_subsections_under_their_section() {
        let doc = parse("### Before\n\n## One\n\n### One a\n\n#### Deep\n\n### One b\n\n## Two\n");
        let outline = toc_outline(toc(&doc));
        let shape: Vec<(&str, Vec<&str>)> = outline
            .iter()
            .map(|s| {
                (
                    s.text.as_str(),
                    s.subsections.iter().map(|(_, t)| t.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("Before", vec![]),
                ("One", vec!["One a", "One b"]),
                ("Two", vec![]),
            ]
        );
        assert_eq!(outline[1].subsections[0].0, "one-a");
    }

    #[test]
    fn the_deepest_documents_survive_the_trip_as_json() {
        for marker in ["- ", "> ", "1. ", "> - "] {
            let doc = parse(&format!("{}x", marker.repeat(100)));
            assert!(depth(&doc) <= MAX_DEPTH);
            let json = serde_json::to_string(&doc).expect("a document serialises");
            let back: Document = serde_json::from_str(&json).expect("and deserialises");
            assert_eq!(back, doc, "{marker:?}");
        }
    }

    #[test]
    fn documents_are_sent_as_the_contract_names_them() {
        let doc = parse("## Hi\n\n*a* [b](https://example.org)\n\n---\n\n> [!DOCTOR]\n> c");
        let json = serde_json::to_value(&doc).expect("a document serialises");
        assert_eq!(json["blocks"][0]["heading"]["level"], 2);
        assert_eq!(
            json["blocks"][1]["paragraph"][0]["emphasis"][0]["text"],
            "a"
        );
        assert_eq!(json["blocks"][1]["paragraph"][2]["link"]["external"], true);
        assert_eq!(json["blocks"][2], "rule");
        assert_eq!(json["blocks"][3]["callout"]["kind"], "doctor");
    }

    #[test]
    fn replies_have_no_headings_or_pictures_of_their_own() {
        let doc = parse_reply(
            "# Dear Ann\n\nThank you.\n\n- ## Dose\n  Take ![the chart](https://example.org/c.png) \
             and ![](/img/x.png)\n\n> [!DOCTOR]\n> Ask **your** GP.",
        );
        let strong = |t: &str| Block::Paragraph(vec![Inline::Strong(vec![Inline::Text(t.into())])]);
        assert_eq!(doc.blocks[0], strong("Dear Ann"));
        let Block::List { items, .. } = &doc.blocks[2] else {
            panic!("a list: {:?}", doc.blocks[2]);
        };
        assert_eq!(items[0][0], strong("Dose"));
        let Block::Paragraph(take) = &items[0][1] else {
            panic!("a paragraph: {:?}", items[0][1]);
        };
        assert_eq!(
            take[1],
            Inline::Link {
                href: "https://example.org/c.png".into(),
                external: true,
                content: vec![Inline::Text("the chart".into())],
            }
        );
        assert_eq!(
            take[3],
            Inline::Link {
                href: "/img/x.png".into(),
                external: false,
                content: vec![Inline::Text("/img/x.png".into())],
            }
        );
        assert!(matches!(
            doc.blocks[3],
            Block::Callout {
                kind: CalloutKind::Doctor,
                ..
            }
        ));
        // A heading made bold at the deepest level still comes back from JSON.
        for marker in ["- ", "> ", "> - "] {
            let deep = parse_reply(&format!("{}# **[x](/a)**", marker.repeat(100)));
            let json = serde_json::to_string(&deep).expect("a reply serialises");
            let back: Document = serde_json::from_str(&json).expect("and deserialises");
            assert_eq!(back, deep, "{marker:?}");
        }
    }

    /// Whether any block, at any depth, is a heading.
    fn has_heading(blocks: &[Block]) -> bool {
        blocks.iter().any(|block| match block {
            Block::Heading { .. } => true,
            Block::List { items, .. } => items.iter().any(|item| has_heading(item)),
            Block::Quote(inner) | Block::Callout { blocks: inner, .. } => has_heading(inner),
            _ => false,
        })
    }

    proptest! {
        #[test]
        fn replies_keep_safe_links_and_survive_the_trip_as_json(parts in prop::collection::vec(fragment(), 0..80)) {
            let doc = parse_reply(&parts.concat());
            prop_assert!(!has_heading(&doc.blocks));
            for inline in links(&doc) {
                match inline {
                    Inline::Link { href, .. } => prop_assert!(safe_url(&href), "{:?}", href),
                    other => prop_assert!(false, "{:?}", other),
                }
            }
            let json = serde_json::to_string(&doc).expect("a reply serialises");
            let back: Document = serde_json::from_str(&json).expect("and deserialises");
            prop_assert_eq!(back, doc);
        }

        #[test]
        fn arbitrary_text_never_panics_or_yields_unsafe_links(src in "\\PC{0,400}") {
            let doc = parse(&src);
            prop_assert!(depth(&doc) <= MAX_DEPTH);
            for inline in links(&doc) {
                match inline {
                    Inline::Link { href, .. } => prop_assert!(safe_url(&href), "{:?}", href),
                    Inline::Image { src, .. } => prop_assert!(safe_url(&src), "{:?}", src),
                    _ => {}
                }
            }
            let _ = (plain_text(&doc), toc(&doc));
        }

        #[test]
        fn markdownish_text_never_yields_unsafe_links(parts in prop::collection::vec(fragment(), 0..80)) {
            let src: String = parts.concat();
            let doc = parse(&src);
            prop_assert!(depth(&doc) <= MAX_DEPTH);
            for inline in links(&doc) {
                match inline {
                    Inline::Link { href, .. } => prop_assert!(safe_url(&href), "{:?}", href),
                    Inline::Image { src, .. } => prop_assert!(safe_url(&src), "{:?}", src),
                    _ => {}
                }
            }
            let json = serde_json::to_string(&doc).expect("a document serialises");
            prop_assert_eq!(serde_json::from_str::<Document>(&json).ok(), Some(doc.clone()));
            // Heading ids are never empty and never repeat.
            let ids: Vec<String> = toc(&doc).into_iter().map(|(_, id, _)| id).collect();
            let unique: HashSet<&String> = ids.iter().collect();
            prop_assert_eq!(unique.len(), ids.len());
            prop_assert!(ids.iter().all(|id| !id.is_empty()));
        }

        #[test]
        fn safe_urls_never_start_a_dangerous_scheme(url in "\\PC{0,40}") {
            if safe_url(&url) {
                let lower: String = url
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                for scheme in ["javascript:", "data:", "vbscript:", "file:", "//"] {
                    prop_assert!(!lower.starts_with(scheme), "{:?}", url);
                }
            }
        }

        #[test]
        fn deep_random_nesting_stays_capped(parts in prop::collection::vec(
            prop_oneof![Just("> "), Just("- "), Just("1. "), Just("* "), Just("**"), Just("["), Just("  ")],
            0..200,
        )) {
            let doc = parse(&format!("{}x", parts.concat()));
            prop_assert!(depth(&doc) <= MAX_DEPTH);
            // The backend sends it as JSON: even the deepest tree must come back the same.
            let json = serde_json::to_string(&doc).expect("a document serialises");
            let back: Document = serde_json::from_str(&json).expect("and deserialises");
            prop_assert_eq!(back, doc);
        }

        #[test]
        fn word_count_and_minutes_are_sane(text in "\\PC{0,300}") {
            let words = word_count(&text);
            prop_assert!(words <= text.split_whitespace().count());
            prop_assert!(reading_minutes(words) >= 1);
        }
    }
}
