//! Learn: educational articles as the backend contract carries them, for patients (published
//! translations) and for the content team's Studio (drafts, publishing).

use serde::{Deserialize, Serialize};

use crate::markdown::Document;

/// The three shelves of the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleTopic {
    /// About a condition, e.g. high blood pressure.
    Condition,
    /// About medicines and how to take them.
    Medicine,
    /// Everyday life: talking to your doctor, travelling, storing medicines.
    LivingWith,
}

impl ArticleTopic {
    pub const ALL: [ArticleTopic; 3] = [
        ArticleTopic::Condition,
        ArticleTopic::Medicine,
        ArticleTopic::LivingWith,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    Published,
}

/// One published translation in the library list (`GET /api/v1/articles?lang=`). Carries the body
/// as plain text so the app can search as the reader types without another request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleSummary {
    pub slug: String,
    /// BCP 47 tag of this translation: `en`, `de`, `fr`, `es`.
    pub language: String,
    pub title: String,
    pub summary: String,
    pub topics: Vec<ArticleTopic>,
    pub reading_minutes: u16,
    pub featured: bool,
    /// RFC 3339 time this translation was first published (for "newest").
    pub published_at: String,
    /// ISO date `YYYY-MM-DD`.
    pub last_reviewed: String,
    /// The body as plain text, without Markdown, for search.
    pub body_text: String,
}

/// How many results a search on Learn shows, in the app and in the page the backend writes.
pub const SEARCH_RESULTS: usize = 20;

/// The longest search the backend writes results for; a longer one is cut here (no real search
/// for guides comes close).
pub const SEARCH_MAX_CHARS: usize = 200;

/// The search index over one language's library, built the same way by the app and the backend.
pub fn search_index(language: &str, articles: &[ArticleSummary]) -> crate::search::SearchIndex {
    let docs: Vec<crate::search::SearchDoc<'_>> = articles
        .iter()
        .map(|a| crate::search::SearchDoc {
            id: &a.slug,
            title: &a.title,
            summary: &a.summary,
            body: &a.body_text,
        })
        .collect();
    crate::search::SearchIndex::build(language, &docs)
}

/// One translation of an article, as a patient reads it or an editor previews it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub slug: String,
    pub language: String,
    pub title: String,
    pub summary: String,
    /// Markdown; rendered only through `markdown::parse`, never as HTML.
    pub body: String,
    pub topics: Vec<ArticleTopic>,
    pub reading_minutes: u16,
    /// US school grade by Flesch-Kincaid, for English text; `None` for other languages.
    pub reading_grade: Option<f32>,
    /// ISO date `YYYY-MM-DD` of the last medical review.
    pub last_reviewed: String,
    /// ISO date by which the next review is due.
    pub review_by: String,
    /// The approval reference of the published text, e.g. `PP-UK-0142 11/2026`; empty for a draft
    /// that was never approved.
    pub approval_code: String,
    pub status: ArticleStatus,
    /// A product id from `GET /api/v1/products` when the article is about one medicine; the article
    /// then offers "Ask a question about this medicine".
    pub medicine_id: Option<String>,
    pub featured: bool,
    /// RFC 3339 time of the last change to this translation.
    pub updated_at: String,
}

/// Answer of `GET /api/v1/articles/{slug}?lang=`: the translation in the asked language when it is
/// published, and the languages the article is published in, so a page that is not translated can
/// say so and offer those instead of mixing languages. 404 when the slug is published in no language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticlePage {
    pub article: Option<Article>,
    /// The article's body, parsed by [`crate::markdown::parse`]: what the reader's page shows.
    /// Empty when there is no article, and in copies kept on a device by older versions.
    #[serde(default)]
    pub document: Document,
    pub available_languages: Vec<String>,
    /// Up to three other published articles in the same language that share a topic.
    pub related: Vec<RelatedArticle>,
}

/// A link under "Related reading": just what the link shows. Unlike [`ArticleSummary`] it carries
/// no body text, which would triple what opening an article downloads and parses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedArticle {
    pub slug: String,
    /// Same language as the article it is shown under.
    pub language: String,
    pub title: String,
    pub summary: String,
}

impl From<ArticleSummary> for RelatedArticle {
    fn from(a: ArticleSummary) -> Self {
        Self {
            slug: a.slug,
            language: a.language,
            title: a.title,
            summary: a.summary,
        }
    }
}

/// Body of `POST /api/v1/articles/{slug}/feedback`: "Was this helpful?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleFeedback {
    pub language: String,
    pub helpful: bool,
    /// Optional, at most [`MAX_FEEDBACK_CHARS`] characters.
    #[serde(default)]
    pub comment: String,
}

pub const MAX_FEEDBACK_CHARS: usize = 1_000;

/// One translation in Studio's list (`GET /api/v1/studio/articles`): drafts and published alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudioArticleSummary {
    pub slug: String,
    pub language: String,
    pub title: String,
    pub status: ArticleStatus,
    /// True when the draft differs from what patients see.
    pub has_unpublished_changes: bool,
    pub updated_at: String,
    pub review_by: String,
}

/// Body of `PUT /api/v1/studio/articles/{slug}/{lang}`: saves the draft (autosave). Creates the
/// translation as a draft when it does not exist yet. Sent with `If-Match: "<version>"` from the last
/// answer; a stale version gets 412 so two editors never overwrite each other silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftUpdate {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub topics: Vec<ArticleTopic>,
    pub medicine_id: Option<String>,
    pub last_reviewed: String,
    pub review_by: String,
}

/// The draft of a translation as Studio edits it (answer of GET and PUT on
/// `/api/v1/studio/articles/{slug}/{lang}`), with the version to send back in `If-Match`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudioDraft {
    /// The draft rendered as an article (status is that of the translation).
    pub article: Article,
    /// Increases with every save.
    pub version: u64,
    /// Languages this slug exists in (draft or published).
    pub languages: Vec<String>,
}

/// Body of `POST /api/v1/studio/articles/{slug}/{lang}/publish`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishRequest {
    /// Required, non-blank: the approval reference of exactly this text.
    pub approval_code: String,
    /// The version being published; 412 when the draft changed meanwhile.
    pub version: u64,
}

impl ArticlePage {
    /// Whether the page holds everything the reader's page shows. Copies kept on a device by
    /// versions from before the backend sent articles parsed have a body but no document.
    pub fn is_complete(&self) -> bool {
        !self.document.blocks.is_empty()
            || self
                .article
                .as_ref()
                .is_none_or(|a| a.body.trim().is_empty())
    }
}

/// A new article's address from its working title: lowercase ASCII letters, digits and single dashes,
/// at most 80 characters, as the backend requires of slugs.
pub fn slug_from_title(title: &str) -> String {
    let mut slug = String::new();
    for c in title.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 80 {
            break;
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_page_kept_without_its_document_is_incomplete() {
        let old: ArticlePage = serde_json::from_value(serde_json::json!({
            "article": {
                "slug": "a", "language": "en", "title": "A", "summary": "S", "body": "Some text.",
                "topics": [], "readingMinutes": 1, "readingGrade": null, "lastReviewed": "2026-01-01",
                "reviewBy": "2027-01-01", "approvalCode": "X", "status": "published",
                "medicineId": null, "featured": false, "updatedAt": "2026-01-01T00:00:00Z"
            },
            "availableLanguages": ["en"],
            // Older versions kept related reading as whole library entries.
            "related": [{
                "slug": "b", "language": "en", "title": "B", "summary": "About B.",
                "topics": ["medicine"], "readingMinutes": 2, "featured": false,
                "publishedAt": "2026-01-01T00:00:00Z", "lastReviewed": "2026-01-01",
                "bodyText": "All of B."
            }]
        }))
        .expect("a copy kept by an older version still reads");
        assert!(!old.is_complete());
        assert_eq!(
            old.related,
            [RelatedArticle {
                slug: "b".into(),
                language: "en".into(),
                title: "B".into(),
                summary: "About B.".into()
            }]
        );
        let mut fresh = old.clone();
        fresh.document = crate::markdown::parse(&fresh.article.as_ref().unwrap().body);
        assert!(fresh.is_complete());
        let untranslated = ArticlePage {
            article: None,
            ..old
        };
        assert!(untranslated.is_complete());
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            slug_from_title("  Sleep & your Medicines! "),
            "sleep-your-medicines"
        );
        assert_eq!(slug_from_title("Über uns"), "ber-uns");
        assert_eq!(slug_from_title("???"), "");
    }

    proptest! {
        #[test]
        fn slugs_always_fit_the_backend_rule(title in ".{0,300}") {
            let slug = slug_from_title(&title);
            prop_assert!(slug.len() <= 80);
            prop_assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
        }
    }
}
