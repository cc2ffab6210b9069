//! The content team's articles as files, `backend/content/<slug>.<lang>.md`, embedded in the
//! binary by `build.rs` (so a deployed server needs no content folder), parsed here, and seeded
//! into an empty library at start.
//!
//! A file is front matter between two `---` lines, one `key: value` per line, then the Markdown
//! body:
//!
//! ```text
//! ---
//! title: Living with high blood pressure
//! summary: What the numbers mean and what helps.
//! topics: condition, living_with
//! status: published
//! featured: true
//! medicine: corvessa
//! last_reviewed: 2025-03-01
//! review_by: 2026-03-01
//! approval_code: PP-UK-0142 11/2026
//! ---
//! Body in Markdown.
//! ```
//!
//! Parsing is strict (unknown, repeated or missing keys, bad values: each an error naming the
//! file and line), because a mistake here reaches patients. A value may be wrapped in one pair of
//! double or single quotes, which are removed. `medicine` is optional; `approval_code` may be
//! left out or empty for drafts only.

use crate::{
    articles::{
        is_iso_date, is_language, is_valid_slug, language_list, parse_topic, topic_list,
        topics_column, MAX_APPROVAL_CODE_CHARS, MAX_BODY_CHARS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
    },
    db::DbError,
};
use portal_core::{
    inquiry::char_count,
    learn::{ArticleStatus, ArticleTopic},
};
use rusqlite::{params, Connection};
use std::{collections::HashSet, fmt};

include!(concat!(env!("OUT_DIR"), "/content_files.rs"));

/// One article file, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFile {
    pub slug: String,
    pub language: String,
    pub title: String,
    pub summary: String,
    pub topics: Vec<ArticleTopic>,
    pub status: ArticleStatus,
    pub featured: bool,
    pub medicine_id: Option<String>,
    pub last_reviewed: String,
    pub review_by: String,
    /// Empty for a draft without one.
    pub approval_code: String,
    /// Markdown, without the blank lines after the front matter and trailing white space.
    pub body: String,
}

/// What is wrong with a content file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub file: String,
    /// 1-based line of the front matter the error is about, when it is about one line.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "content/{} line {line}: {}", self.file, self.message),
            None => write!(f, "content/{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ContentError {}

const KEYS: &[&str] = &[
    "title",
    "summary",
    "topics",
    "status",
    "featured",
    "medicine",
    "last_reviewed",
    "review_by",
    "approval_code",
];
const REQUIRED_KEYS: &[&str] = &[
    "title",
    "summary",
    "topics",
    "status",
    "featured",
    "last_reviewed",
    "review_by",
];

/// One front matter value with the line it came from.
struct Entry<'a> {
    line: usize,
    value: &'a str,
}

/// `value` without one pair of surrounding quotes, if it has them.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// Parses and checks the file `file_name` (`<slug>.<lang>.md`) with the text `text`.
///
/// Whether `medicine` names a product of the catalogue is not checked here: seeding checks it
/// against the database, and the content test against the demo catalogue.
pub fn parse(file_name: &str, text: &str) -> Result<ContentFile, ContentError> {
    let error = |line: Option<usize>, message: String| ContentError {
        file: file_name.to_owned(),
        line,
        message,
    };
    let (slug, language) = file_name
        .strip_suffix(".md")
        .and_then(|stem| stem.rsplit_once('.'))
        .ok_or_else(|| error(None, "the file name must be <slug>.<lang>.md".to_owned()))?;
    if !is_valid_slug(slug) {
        return Err(error(
            None,
            format!("the slug {slug:?} must be 3 to 80 characters from a-z, 0-9 and -"),
        ));
    }
    if !is_language(language) {
        return Err(error(
            None,
            format!(
                "the language {language:?} must be one of {}",
                language_list()
            ),
        ));
    }

    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n");
    let mut lines = text.split('\n').enumerate().map(|(i, l)| (i + 1, l));
    if lines.next().map(|(_, l)| l.trim_end()) != Some("---") {
        return Err(error(
            Some(1),
            "the file must start with a line --- opening the front matter".to_owned(),
        ));
    }
    let mut entries: Vec<(&str, Entry<'_>)> = Vec::new();
    let mut closed = false;
    for (n, line) in lines.by_ref() {
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| error(Some(n), format!("expected key: value, found {line:?}")))?;
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err(error(
                Some(n),
                format!("unknown key {key:?}; the keys are {}", KEYS.join(", ")),
            ));
        }
        if entries.iter().any(|(k, _)| *k == key) {
            return Err(error(Some(n), format!("{key} is given twice")));
        }
        entries.push((
            key,
            Entry {
                line: n,
                value: unquote(value.trim()).trim(),
            },
        ));
    }
    if !closed {
        return Err(error(
            None,
            "the front matter is not closed by a line ---".to_owned(),
        ));
    }
    if let Some(missing) = REQUIRED_KEYS
        .iter()
        .find(|k| !entries.iter().any(|(key, _)| key == *k))
    {
        return Err(error(None, format!("the front matter lacks {missing}")));
    }
    let get = |key: &str| entries.iter().find(|(k, _)| *k == key).map(|(_, e)| e);
    // Present: REQUIRED_KEYS were checked above.
    let required =
        |key: &str| get(key).ok_or_else(|| error(None, format!("the front matter lacks {key}")));

    let title = required("title")?;
    if title.value.is_empty() || char_count(title.value) > MAX_TITLE_CHARS {
        return Err(error(
            Some(title.line),
            format!("title must be 1 to {MAX_TITLE_CHARS} characters"),
        ));
    }
    let summary = required("summary")?;
    if char_count(summary.value) > MAX_SUMMARY_CHARS {
        return Err(error(
            Some(summary.line),
            format!("summary must be at most {MAX_SUMMARY_CHARS} characters"),
        ));
    }
    let topics_entry = required("topics")?;
    let mut topics = Vec::new();
    for name in topics_entry.value.split(',').map(str::trim) {
        let topic = parse_topic(name).ok_or_else(|| {
            error(
                Some(topics_entry.line),
                format!("unknown topic {name:?}; the topics are {}", topic_list()),
            )
        })?;
        if topics.contains(&topic) {
            return Err(error(
                Some(topics_entry.line),
                format!("topic {name} is given twice"),
            ));
        }
        topics.push(topic);
    }
    let status_entry = required("status")?;
    let status = match status_entry.value {
        "published" => ArticleStatus::Published,
        "draft" => ArticleStatus::Draft,
        other => {
            return Err(error(
                Some(status_entry.line),
                format!("status must be published or draft, not {other:?}"),
            ))
        }
    };
    let featured_entry = required("featured")?;
    let featured = match featured_entry.value {
        "true" => true,
        "false" => false,
        other => {
            return Err(error(
                Some(featured_entry.line),
                format!("featured must be true or false, not {other:?}"),
            ))
        }
    };
    let medicine_id = get("medicine")
        .map(|e| e.value)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let date = |key: &str| {
        let entry = required(key)?;
        if is_iso_date(entry.value) {
            Ok((entry.value.to_owned(), entry.line))
        } else {
            Err(error(
                Some(entry.line),
                format!("{key} must be a date written YYYY-MM-DD"),
            ))
        }
    };
    let (last_reviewed, _) = date("last_reviewed")?;
    let (review_by, review_by_line) = date("review_by")?;
    if review_by < last_reviewed {
        return Err(error(
            Some(review_by_line),
            "review_by is before last_reviewed".to_owned(),
        ));
    }
    let approval = get("approval_code");
    let approval_code = approval.map_or("", |e| e.value).to_owned();
    if char_count(&approval_code) > MAX_APPROVAL_CODE_CHARS {
        return Err(error(
            approval.map(|e| e.line),
            format!("approval_code must be at most {MAX_APPROVAL_CODE_CHARS} characters"),
        ));
    }

    let body: String = lines.map(|(_, l)| l).collect::<Vec<_>>().join("\n");
    let body = body.trim_start_matches('\n').trim_end().to_owned();
    if char_count(&body) > MAX_BODY_CHARS {
        return Err(error(
            None,
            format!("the body must be at most {MAX_BODY_CHARS} characters"),
        ));
    }
    if status == ArticleStatus::Published {
        // What publishing in Studio demands, so seeded articles meet the same bar.
        let missing = [
            (approval_code.is_empty(), "an approval_code"),
            (summary.value.is_empty(), "a summary"),
            (body.is_empty(), "a body"),
        ];
        if let Some((_, what)) = missing.iter().find(|(missing, _)| *missing) {
            return Err(error(None, format!("a published article needs {what}")));
        }
    }

    Ok(ContentFile {
        slug: slug.to_owned(),
        language: language.to_owned(),
        title: title.value.to_owned(),
        summary: summary.value.to_owned(),
        topics,
        status,
        featured,
        medicine_id,
        last_reviewed,
        review_by,
        approval_code,
        body,
    })
}

/// Every embedded file, parsed, in file name order.
pub fn embedded() -> Vec<Result<ContentFile, ContentError>> {
    FILES.iter().map(|(name, text)| parse(name, text)).collect()
}

/// Unix seconds of midnight UTC starting `date` (`YYYY-MM-DD`).
fn start_of_day(date: &str) -> Option<i64> {
    let date: jiff::civil::Date = date.parse().ok()?;
    let zoned = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(zoned.timestamp().as_second())
}

/// Fills the library with the embedded articles if it is empty; returns how many it added.
///
/// Runs on every start, like the product catalogue, and leaves a library that has anything in
/// it alone: from then on, Studio is where articles change. A file that does not parse, or names
/// a product the catalogue lacks, is logged and skipped rather than stopping the server (the
/// content test fails for it long before a deployment).
///
/// A seeded article has no real publication time, so it counts as published, and last changed,
/// on its last review date (at the latest now): the library's newest-first order then means
/// something from the first start.
pub fn seed_articles_if_empty(conn: &mut Connection, now: i64) -> Result<usize, DbError> {
    let articles: i64 = conn.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))?;
    if articles > 0 {
        return Ok(0);
    }
    let tx = conn.transaction()?;
    let products: HashSet<String> = {
        let mut stmt = tx.prepare("SELECT id FROM products")?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        ids.collect::<Result<_, _>>()?
    };
    let mut added = 0;
    for parsed in embedded() {
        let file = match parsed {
            Ok(file) => file,
            Err(e) => {
                tracing::error!(error = %e, "content file skipped");
                continue;
            }
        };
        if let Some(id) = file
            .medicine_id
            .as_deref()
            .filter(|id| !products.contains(*id))
        {
            tracing::error!(
                slug = %file.slug,
                language = %file.language,
                medicine = %id,
                "content file skipped: the medicine is not in the product catalogue"
            );
            continue;
        }
        let at = start_of_day(&file.last_reviewed).unwrap_or(now).min(now);
        let published = file.status == ArticleStatus::Published;
        let topics = topics_column(&file.topics);
        // The published columns repeat the draft's, or are all NULL for a draft.
        let copy = |v: &str| published.then(|| v.to_owned());
        tx.execute(
            "INSERT INTO articles
                 (slug, language, title, summary, body, topics, medicine_id, featured,
                  last_reviewed, review_by, version, updated_at,
                  published_title, published_summary, published_body, published_topics,
                  published_medicine_id, published_last_reviewed, published_review_by,
                  approval_code, published_at, published_version, last_published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11,
                     ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?20)",
            params![
                file.slug,
                file.language,
                file.title,
                file.summary,
                file.body,
                topics,
                file.medicine_id,
                file.featured,
                file.last_reviewed,
                file.review_by,
                at,
                copy(&file.title),
                copy(&file.summary),
                copy(&file.body),
                copy(&topics),
                file.medicine_id.clone().filter(|_| published),
                copy(&file.last_reviewed),
                copy(&file.review_by),
                copy(&file.approval_code),
                published.then_some(at),
                published.then_some(1_i64),
            ],
        )?;
        added += 1;
    }
    tx.commit()?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---
title: Living with high blood pressure
summary: \"What the numbers mean: and what helps.\"
topics: condition, living_with
status: published
featured: true
medicine: corvessa
last_reviewed: 2025-03-01
review_by: 2026-03-01
approval_code: PP-UK-0142 11/2026
---

# High blood pressure

Most people feel nothing.
";

    #[test]
    fn a_well_formed_file_is_read() {
        let file = parse("high-blood-pressure.en.md", GOOD).unwrap();
        assert_eq!(
            file,
            ContentFile {
                slug: "high-blood-pressure".into(),
                language: "en".into(),
                title: "Living with high blood pressure".into(),
                summary: "What the numbers mean: and what helps.".into(),
                topics: vec![ArticleTopic::Condition, ArticleTopic::LivingWith],
                status: ArticleStatus::Published,
                featured: true,
                medicine_id: Some("corvessa".into()),
                last_reviewed: "2025-03-01".into(),
                review_by: "2026-03-01".into(),
                approval_code: "PP-UK-0142 11/2026".into(),
                body: "# High blood pressure\n\nMost people feel nothing.".into(),
            }
        );
        // Windows line ends and a byte order mark change nothing.
        let windows = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
        assert_eq!(parse("high-blood-pressure.en.md", &windows).unwrap(), file);
    }

    #[test]
    fn a_draft_needs_no_approval_code_or_medicine() {
        let text = "---
title: Travelling with medicines
summary:
topics: living_with
status: draft
featured: false
last_reviewed: 2025-03-01
review_by: 2025-03-01
approval_code:
---
";
        let file = parse("travelling.de.md", text).unwrap();
        assert_eq!(file.status, ArticleStatus::Draft);
        assert_eq!(file.approval_code, "");
        assert_eq!(file.medicine_id, None);
        assert_eq!(file.body, "");
        let without_key = text.replace("approval_code:\n", "");
        assert!(parse("travelling.de.md", &without_key).is_ok());
    }

    fn error_of(file_name: &str, text: &str) -> String {
        parse(file_name, text).unwrap_err().to_string()
    }

    #[test]
    fn mistakes_are_named_with_file_and_line() {
        let with = |from: &str, to: &str| {
            assert!(GOOD.contains(from), "{from}");
            GOOD.replacen(from, to, 1)
        };
        let cases: Vec<(String, &str)> = vec![
            (
                with(
                    "topics: condition, living_with",
                    "topics: condition, hobbies",
                ),
                "content/a-b.en.md line 4: unknown topic \"hobbies\"",
            ),
            (
                with(
                    "topics: condition, living_with",
                    "topics: condition, condition",
                ),
                "line 4: topic condition is given twice",
            ),
            (
                with("status: published", "status: live"),
                "line 5: status must be published or draft",
            ),
            (
                with("featured: true", "featured: yes"),
                "line 6: featured must be true or false",
            ),
            (
                with("last_reviewed: 2025-03-01", "last_reviewed: 1.3.2025"),
                "line 8: last_reviewed must be a date",
            ),
            (
                with("review_by: 2026-03-01", "review_by: 2026-02-30"),
                "line 9: review_by must be a date",
            ),
            (
                with("review_by: 2026-03-01", "review_by: 2024-03-01"),
                "line 9: review_by is before last_reviewed",
            ),
            (
                with("approval_code: PP-UK-0142 11/2026", "approval_code:"),
                "content/a-b.en.md: a published article needs an approval_code",
            ),
            (
                with("title: Living with high blood pressure", "title: \"\""),
                "line 2: title must be 1 to 120 characters",
            ),
            (
                with("featured: true", "featured: true\nauthor: Eddie"),
                "line 7: unknown key \"author\"",
            ),
            (
                with("featured: true", "featured: true\nfeatured: false"),
                "line 7: featured is given twice",
            ),
            (
                with("featured: true\n", ""),
                "the front matter lacks featured",
            ),
            (
                with("featured: true", "featured true"),
                "line 6: expected key: value",
            ),
            (GOOD.replacen("---\n", "", 1), "line 1: the file must start"),
            (
                GOOD.split("---\n\n").next().unwrap().to_owned(),
                "the front matter is not closed",
            ),
            (
                with("Most people feel nothing.", &"x".repeat(MAX_BODY_CHARS + 1)),
                "the body must be at most 100000 characters",
            ),
        ];
        for (text, expected) in cases {
            let message = error_of("a-b.en.md", &text);
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
        for (name, expected) in [
            ("a-b.md", "file name must be <slug>.<lang>.md"),
            ("a-b.en.txt", "file name must be"),
            ("A_B.en.md", "the slug \"A_B\""),
            ("a-b.pt.md", "the language \"pt\""),
        ] {
            let message = error_of(name, GOOD);
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
    }

    #[test]
    fn seeded_articles_count_as_published_on_their_review_date() {
        assert_eq!(start_of_day("1970-01-02"), Some(86_400));
        assert_eq!(start_of_day("2025-13-01"), None);
    }
}
