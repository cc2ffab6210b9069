//! Learn: the published library patients read (`/api/v1/articles`), and the storage and rendering
//! of articles that Studio (`studio.rs`) and the content files (`content.rs`) share.
//!
//! Each translation is one `articles` row with a draft and, once published, a published copy.
//! Patients only ever see the published copy: drafts, and changes saved since publishing, never
//! leave Studio. A translation's published copy changes only when an editor publishes.

use crate::{
    auth::{self, SessionCtx},
    db::DbError,
    problem::{ApiJson, ApiProblem},
    AppState, Compressible,
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use portal_core::{
    api::FieldError,
    inquiry::{char_count, Problem},
    language::Language,
    learn::{
        Article, ArticleFeedback, ArticlePage, ArticleStatus, ArticleSummary, ArticleTopic,
        RelatedArticle, MAX_FEEDBACK_CHARS,
    },
    markdown, readability,
};
use rusqlite::{params, Connection, OptionalExtension, Params, Row};
use serde::Serialize;
use std::collections::BTreeSet;

pub const MIN_SLUG_CHARS: usize = 3;
pub const MAX_SLUG_CHARS: usize = 80;
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_SUMMARY_CHARS: usize = 300;
pub const MAX_BODY_CHARS: usize = 100_000;
pub const MAX_APPROVAL_CODE_CHARS: usize = 60;
/// How many related articles an article page offers.
pub const MAX_RELATED: usize = 3;

/// The languages articles are written in: those the interface speaks, as BCP 47 tags.
pub fn languages() -> impl Iterator<Item = &'static str> {
    Language::ALL.into_iter().map(Language::tag)
}

/// Exactly one of the tags of [`languages`]; regional variants such as `de-AT` are not
/// translations of their own, and guessing would hide a client's mistake.
pub fn is_language(tag: &str) -> bool {
    languages().any(|l| l == tag)
}

/// The tags of [`languages`], as a list for a sentence.
pub fn language_list() -> String {
    languages().collect::<Vec<_>>().join(", ")
}

/// 3 to 80 characters from `a-z`, `0-9` and `-`: safe in a URL path without escaping, and in a
/// content file name.
pub fn is_valid_slug(slug: &str) -> bool {
    (MIN_SLUG_CHARS..=MAX_SLUG_CHARS).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A real calendar date written `YYYY-MM-DD`, the only form the contract uses.
pub fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && text.parse::<jiff::civil::Date>().is_ok()
}

/// The JSON name of a topic, as stored in the `topics` columns and written in content files.
pub fn topic_name(topic: ArticleTopic) -> &'static str {
    match topic {
        ArticleTopic::Condition => "condition",
        ArticleTopic::Medicine => "medicine",
        ArticleTopic::LivingWith => "living_with",
    }
}

pub fn parse_topic(name: &str) -> Option<ArticleTopic> {
    ArticleTopic::ALL
        .into_iter()
        .find(|t| topic_name(*t) == name)
}

/// The topics' names for a sentence: `condition, medicine, living_with`.
pub fn topic_list() -> String {
    ArticleTopic::ALL
        .into_iter()
        .map(topic_name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `topics` column for `topics`: each once, in the order of [`ArticleTopic::ALL`], so equal
/// sets are equal strings and "has the draft changed" is a plain comparison.
pub fn topics_column(topics: &[ArticleTopic]) -> String {
    ArticleTopic::ALL
        .into_iter()
        .filter(|t| topics.contains(t))
        .map(topic_name)
        .collect::<Vec<_>>()
        .join(",")
}

fn topics_from_column(column: &str) -> Result<Vec<ArticleTopic>, DbError> {
    column
        .split(',')
        .map(|name| {
            parse_topic(name)
                .ok_or_else(|| DbError::new(format!("unknown article topic {name:?} stored")))
        })
        .collect()
}

/// What the library shows about a body besides the body itself.
pub struct Reading {
    /// The body as plain text without Markdown, for the app's search as the reader types, and
    /// for scoring readability.
    pub text: String,
    /// The running prose only (no headings, code or table layout), which is what readability
    /// formulas score; the same text Studio's checks score, so both show the same grade.
    pub prose: String,
    /// At 200 words a minute, at least 1.
    pub minutes: u16,
}

/// Parses `body` once for everything derived from it.
pub fn reading(body: &str) -> Reading {
    let doc = markdown::parse(body);
    let text = markdown::plain_text(&doc);
    let prose = readability::prose_text(&doc);
    let minutes = markdown::reading_minutes(markdown::word_count(&text));
    Reading {
        text,
        prose,
        minutes,
    }
}

/// The US school grade (Flesch-Kincaid) of an English text, to one decimal; `None` for other
/// languages, whose sentences the formula was not made for, and for text it cannot score.
pub fn reading_grade(language: &str, text: &str) -> Option<f32> {
    if language != Language::En.tag() {
        return None;
    }
    let scores = readability::scores(text)?;
    let grade = (scores.grade * 10.0).round() / 10.0;
    grade.is_finite().then_some(grade as f32)
}

/// The changeable text of a translation: the draft, or its published copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text {
    pub title: String,
    pub summary: String,
    pub body: String,
    /// As stored: see [`topics_column`].
    pub topics: String,
    pub medicine_id: Option<String>,
    pub last_reviewed: String,
    pub review_by: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Published {
    pub text: Text,
    pub approval_code: String,
    /// First publication of the current published run.
    pub published_at: i64,
    /// When the published text last changed.
    pub last_published_at: i64,
}

/// One `articles` row: a translation.
#[derive(Debug, Clone)]
pub(crate) struct ArticleRow {
    pub slug: String,
    pub language: String,
    pub draft: Text,
    pub featured: bool,
    pub version: i64,
    pub updated_at: i64,
    pub published: Option<Published>,
}

const SELECT_ROWS: &str = "
    SELECT slug, language, title, summary, body, topics, medicine_id, featured, last_reviewed,
           review_by, version, updated_at,
           published_title, published_summary, published_body, published_topics,
           published_medicine_id, published_last_reviewed, published_review_by, approval_code,
           published_at, published_version, last_published_at
    FROM articles";

fn read_row(r: &Row<'_>) -> rusqlite::Result<ArticleRow> {
    // `published_version` says whether the translation is published; the table's CHECK
    // guarantees the other published columns are filled then.
    let published = match r.get::<_, Option<i64>>(21)? {
        None => None,
        Some(_) => Some(Published {
            text: Text {
                title: r.get(12)?,
                summary: r.get(13)?,
                body: r.get(14)?,
                topics: r.get(15)?,
                medicine_id: r.get(16)?,
                last_reviewed: r.get(17)?,
                review_by: r.get(18)?,
            },
            approval_code: r.get(19)?,
            published_at: r.get(20)?,
            last_published_at: r.get(22)?,
        }),
    };
    Ok(ArticleRow {
        slug: r.get(0)?,
        language: r.get(1)?,
        draft: Text {
            title: r.get(2)?,
            summary: r.get(3)?,
            body: r.get(4)?,
            topics: r.get(5)?,
            medicine_id: r.get(6)?,
            last_reviewed: r.get(8)?,
            review_by: r.get(9)?,
        },
        featured: r.get(7)?,
        version: r.get(10)?,
        updated_at: r.get(11)?,
        published,
    })
}

/// The rows `filter` (a `WHERE` and/or `ORDER BY` clause over `articles`) selects.
pub(crate) fn load_rows(
    conn: &Connection,
    filter: &str,
    params: impl Params,
) -> Result<Vec<ArticleRow>, DbError> {
    let mut stmt = conn.prepare(&format!("{SELECT_ROWS} {filter}"))?;
    let rows = stmt.query_map(params, read_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One translation, published or not.
pub(crate) fn load_translation(
    conn: &Connection,
    slug: &str,
    language: &str,
) -> Result<Option<ArticleRow>, DbError> {
    Ok(conn
        .query_row(
            &format!("{SELECT_ROWS} WHERE slug = ?1 AND language = ?2"),
            params![slug, language],
            read_row,
        )
        .optional()?)
}

impl ArticleRow {
    fn render(
        &self,
        text: &Text,
        status: ArticleStatus,
        approval_code: &str,
        updated_at: i64,
    ) -> Result<Article, ApiProblem> {
        let reading = reading(&text.body);
        Ok(Article {
            slug: self.slug.clone(),
            language: self.language.clone(),
            title: text.title.clone(),
            summary: text.summary.clone(),
            body: text.body.clone(),
            topics: topics_from_column(&text.topics)?,
            reading_minutes: reading.minutes,
            reading_grade: reading_grade(&self.language, &reading.prose),
            last_reviewed: text.last_reviewed.clone(),
            review_by: text.review_by.clone(),
            approval_code: approval_code.to_owned(),
            status,
            medicine_id: text.medicine_id.clone(),
            featured: self.featured,
            updated_at: auth::rfc3339(updated_at)?,
        })
    }

    pub fn status(&self) -> ArticleStatus {
        match self.published {
            Some(_) => ArticleStatus::Published,
            None => ArticleStatus::Draft,
        }
    }

    /// The translation as patients read it; `None` while it is not published.
    pub fn public_article(&self) -> Result<Option<Article>, ApiProblem> {
        self.published
            .as_ref()
            .map(|p| {
                self.render(
                    &p.text,
                    ArticleStatus::Published,
                    &p.approval_code,
                    p.last_published_at,
                )
            })
            .transpose()
    }

    /// The translation in the library list; `None` while it is not published.
    pub fn public_summary(&self) -> Result<Option<ArticleSummary>, ApiProblem> {
        let Some(p) = &self.published else {
            return Ok(None);
        };
        let reading = reading(&p.text.body);
        Ok(Some(ArticleSummary {
            slug: self.slug.clone(),
            language: self.language.clone(),
            title: p.text.title.clone(),
            summary: p.text.summary.clone(),
            topics: topics_from_column(&p.text.topics)?,
            reading_minutes: reading.minutes,
            featured: self.featured,
            published_at: auth::rfc3339(p.published_at)?,
            last_reviewed: p.text.last_reviewed.clone(),
            body_text: reading.text,
        }))
    }

    /// The draft as Studio previews it, with the status and approval code of the translation.
    pub fn draft_article(&self) -> Result<Article, ApiProblem> {
        let code = self
            .published
            .as_ref()
            .map_or("", |p| p.approval_code.as_str());
        self.render(&self.draft, self.status(), code, self.updated_at)
    }

    /// Whether the draft differs from what patients see (always, while nothing is published).
    pub fn has_unpublished_changes(&self) -> bool {
        self.published.as_ref().is_none_or(|p| p.text != self.draft)
    }
}

/// The `lang` of a query: required, exactly once, and one of [`languages`].
fn language_param(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<String, ApiProblem> {
    let refused = || {
        ApiProblem::bad_request(format!(
            "Add the language to read in as ?lang=, one of {}.",
            language_list()
        ))
    };
    let Ok(Query(pairs)) = query else {
        return Err(refused());
    };
    let mut langs = pairs.into_iter().filter(|(name, _)| name == "lang");
    match (langs.next(), langs.next()) {
        (Some((_, lang)), None) if is_language(&lang) => Ok(lang),
        _ => Err(refused()),
    }
}

/// `GET /api/v1/articles?lang=`: the published translations in one language, newest first.
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiProblem> {
    let list = published(&state, language_param(query)?).await?;
    Ok(Compressible::mark(Json(list).into_response()))
}

/// The library in `lang` (a tag [`language_param`] accepted), as [`list`] answers it.
pub async fn published(state: &AppState, lang: String) -> Result<Vec<ArticleSummary>, ApiProblem> {
    let rows = state
        .db
        .call(move |conn| {
            load_rows(
                conn,
                "WHERE language = ?1 AND published_version IS NOT NULL
                 ORDER BY published_at DESC, slug",
                params![lang],
            )
        })
        .await?;
    let list = rows
        .iter()
        .filter_map(|row| row.public_summary().transpose())
        .collect::<Result<Vec<ArticleSummary>, _>>()?;
    Ok(list)
}

/// What an article page is made of, read in one go.
struct PageRows {
    /// The slug's published translations, by language.
    translations: Vec<ArticleRow>,
    /// Every other published article in the page's language, in the order related ones are offered.
    others: Vec<ArticleRow>,
}

/// `GET /api/v1/articles/{slug}?lang=`: the translation in `lang` if it is published, the
/// languages it is published in, and related reading in `lang`. 404 when nothing of the slug
/// is published, so a draft cannot be found by guessing its address.
pub async fn page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiProblem> {
    let page = published_page(&state, slug, language_param(query)?).await?;
    Ok(Compressible::mark(Json(page).into_response()))
}

/// The article page of `slug` in `lang` (a tag [`language_param`] accepted), as [`page`] answers it.
pub async fn published_page(
    state: &AppState,
    slug: String,
    lang: String,
) -> Result<ArticlePage, ApiProblem> {
    let read_lang = lang.clone();
    let rows = state
        .db
        .call(move |conn| {
            let translations = load_rows(
                conn,
                "WHERE slug = ?1 AND published_version IS NOT NULL ORDER BY language",
                params![slug],
            )?;
            if translations.is_empty() {
                return Ok(None);
            }
            let others = load_rows(
                conn,
                "WHERE language = ?1 AND slug <> ?2 AND published_version IS NOT NULL
                 ORDER BY featured DESC, published_at DESC, slug",
                params![read_lang, slug],
            )?;
            Ok(Some(PageRows {
                translations,
                others,
            }))
        })
        .await?;
    let rows = rows.ok_or_else(|| {
        ApiProblem::not_found().with_detail("There is no published article with this address.")
    })?;

    let this = rows.translations.iter().find(|r| r.language == lang);
    let article = this.map(ArticleRow::public_article).transpose()?.flatten();
    // An untranslated page still points to reading in the reader's language: related by the
    // topics of the translations there are.
    let topics: BTreeSet<ArticleTopic> = match &article {
        Some(a) => a.topics.iter().copied().collect(),
        None => rows
            .translations
            .iter()
            .filter_map(|r| r.published.as_ref())
            .map(|p| topics_from_column(&p.text.topics))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect(),
    };
    let mut related = Vec::new();
    for row in &rows.others {
        if related.len() == MAX_RELATED {
            break;
        }
        let Some(p) = &row.published else { continue };
        let shares_a_topic = topics_from_column(&p.text.topics)?
            .iter()
            .any(|t| topics.contains(t));
        if shares_a_topic {
            related.extend(row.public_summary()?.map(RelatedArticle::from));
        }
    }
    // Parsed here, so patients' browsers need no Markdown parser.
    let document = article
        .as_ref()
        .map(|a| portal_core::markdown::parse(&a.body))
        .unwrap_or_default();
    Ok(ArticlePage {
        article,
        document,
        available_languages: rows.translations.into_iter().map(|r| r.language).collect(),
        related,
    })
}

/// The answer to feedback: nothing to show, but a JSON object, so it can grow without breaking
/// clients.
#[derive(Debug, Serialize)]
pub struct FeedbackReceipt {}

fn feedback_errors(feedback: &ArticleFeedback) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !is_language(&feedback.language) {
        let problem = if feedback.language.trim().is_empty() {
            Problem::Required
        } else {
            Problem::UnknownChoice
        };
        errors.push(FieldError {
            field: "language".to_owned(),
            code: problem.code().to_owned(),
            detail: format!(
                "Give the language of the article read: one of {}.",
                language_list()
            ),
        });
    }
    if char_count(feedback.comment.trim()) > MAX_FEEDBACK_CHARS {
        errors.push(FieldError {
            field: "comment".to_owned(),
            code: Problem::TooLong {
                max: MAX_FEEDBACK_CHARS,
            }
            .code()
            .to_owned(),
            detail: format!("Keep the comment to at most {MAX_FEEDBACK_CHARS} characters."),
        });
    }
    errors
}

/// `POST /api/v1/articles/{slug}/feedback`: "Was this helpful?", from anyone, about a published
/// translation.
///
/// A live session links the feedback to the person; the session is read, not used, so giving
/// feedback does not keep an idle session alive. The comment may be personal or medical: it is
/// stored, never logged.
pub async fn feedback(
    State(state): State<AppState>,
    SessionCtx(ctx): SessionCtx,
    Path(slug): Path<String>,
    ApiJson(feedback): ApiJson<ArticleFeedback>,
) -> Result<Response, ApiProblem> {
    let errors = feedback_errors(&feedback);
    if !errors.is_empty() {
        return Err(ApiProblem::validation(errors));
    }
    let user_id = ctx.user_id().map(str::to_owned);
    let now = state.clock.now();
    let (log_slug, language, helpful) = (slug.clone(), feedback.language.clone(), feedback.helpful);
    let stored = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let published: Option<bool> = tx
                .query_row(
                    "SELECT published_version IS NOT NULL FROM articles
                     WHERE slug = ?1 AND language = ?2",
                    params![slug, feedback.language],
                    |r| r.get(0),
                )
                .optional()?;
            if published != Some(true) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO article_feedback (slug, language, helpful, comment, user_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    slug,
                    feedback.language,
                    feedback.helpful,
                    feedback.comment.trim(),
                    user_id,
                    now
                ],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await?;
    if !stored {
        return Err(ApiProblem::not_found()
            .with_detail("There is no published article with this address in this language."));
    }
    tracing::info!(slug = %log_slug, %language, helpful, "article feedback received");
    Ok((StatusCode::CREATED, Json(FeedbackReceipt {})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_are_what_serde_writes() {
        for topic in ArticleTopic::ALL {
            assert_eq!(
                serde_json::to_value(topic).unwrap(),
                serde_json::Value::from(topic_name(topic))
            );
            assert_eq!(parse_topic(topic_name(topic)), Some(topic));
        }
        assert_eq!(parse_topic("Condition"), None);
    }

    #[test]
    fn topics_are_stored_once_in_a_fixed_order() {
        use ArticleTopic::*;
        assert_eq!(
            topics_column(&[LivingWith, Condition, LivingWith]),
            "condition,living_with"
        );
        assert_eq!(
            topics_from_column("condition,living_with").unwrap(),
            [Condition, LivingWith]
        );
        assert!(topics_from_column("condition,hobbies").is_err());
    }

    #[test]
    fn slugs_languages_and_dates() {
        for good in [
            "abc",
            "high-blood-pressure",
            "type-2-diabetes",
            &"a".repeat(80),
        ] {
            assert!(is_valid_slug(good), "{good}");
        }
        for bad in [
            "ab",
            "High-Blood",
            "blood_pressure",
            "über",
            "a b c",
            &"a".repeat(81),
        ] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
        assert!(is_language("de"));
        for bad in ["DE", "de-AT", "pt", ""] {
            assert!(!is_language(bad), "{bad}");
        }
        assert!(is_iso_date("2024-02-29"));
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "24-02-29",
            "2024/02/29",
            "+02024-02-29",
            "",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }
}
