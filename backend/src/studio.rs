//! Studio: the content team's endpoints under `/api/v1/studio` (role `editor` only). Editors
//! save drafts (the app autosaves), publish a draft under its approval code, and unpublish.
//!
//! Two editors on one draft must never overwrite each other silently, so every change names the
//! version it was made on: `If-Match: "<version>"` when saving (the `ETag` of the last answer),
//! `version` when publishing. A stale version gets `412 /problems/version-conflict`; a save to an
//! existing translation without `If-Match` gets `428 /problems/precondition-required`.

use crate::{
    articles::{
        is_iso_date, is_language, is_valid_slug, language_list, load_rows, load_translation,
        topic_list, topics_column, ArticleRow, MAX_APPROVAL_CODE_CHARS, MAX_BODY_CHARS,
        MAX_SLUG_CHARS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, MIN_SLUG_CHARS,
    },
    auth::{Editors, RequireRole},
    db::DbError,
    problem::{ApiJson, ApiProblem},
    AppState,
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use portal_core::{
    api::{FieldError, API_PREFIX},
    inquiry::{char_count, Problem},
    learn::{DraftUpdate, PublishRequest, StudioArticleSummary, StudioDraft},
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::HashSet;

/// Largest body `PUT /api/v1/studio/articles/{slug}/{lang}` accepts: room for a body of
/// [`MAX_BODY_CHARS`] characters of any script, JSON-escaped, which the API's usual 64 KiB is not.
pub const DRAFT_BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// `GET /api/v1/studio/articles`: every translation, drafts and published, by slug and language.
pub async fn list(
    State(state): State<AppState>,
    _editor: RequireRole<Editors>,
) -> Result<Json<Vec<StudioArticleSummary>>, ApiProblem> {
    let rows = state
        .db
        .call(|conn| load_rows(conn, "ORDER BY slug, language", []))
        .await?;
    let list = rows
        .iter()
        .map(|row| {
            Ok(StudioArticleSummary {
                slug: row.slug.clone(),
                language: row.language.clone(),
                title: row.draft.title.clone(),
                status: row.status(),
                has_unpublished_changes: row.has_unpublished_changes(),
                updated_at: crate::auth::rfc3339(row.updated_at)?,
                review_by: row.draft.review_by.clone(),
            })
        })
        .collect::<Result<_, ApiProblem>>()?;
    Ok(Json(list))
}

/// The languages `slug` exists in, drafts included, in tag order.
fn languages_of(conn: &Connection, slug: &str) -> Result<Vec<String>, DbError> {
    let mut stmt =
        conn.prepare("SELECT language FROM articles WHERE slug = ?1 ORDER BY language")?;
    let rows = stmt.query_map(params![slug], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A translation with the languages of its slug, as a Studio answer needs them.
struct Loaded {
    row: ArticleRow,
    languages: Vec<String>,
}

fn load(conn: &Connection, slug: &str, language: &str) -> Result<Option<Loaded>, DbError> {
    let Some(row) = load_translation(conn, slug, language)? else {
        return Ok(None);
    };
    Ok(Some(Loaded {
        row,
        languages: languages_of(conn, slug)?,
    }))
}

fn no_such_translation() -> ApiProblem {
    ApiProblem::not_found().with_detail(
        "There is no such translation; create it with PUT on this address (without If-Match).",
    )
}

/// `"<version>"`, the entity tag of a draft.
fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A `StudioDraft` answer, with the draft's version as its `ETag` for the next `If-Match`.
fn draft_response(status: StatusCode, loaded: Loaded) -> Result<Response, ApiProblem> {
    let Loaded { row, languages } = loaded;
    let version = u64::try_from(row.version).map_err(|_| {
        DbError::new(format!(
            "article {}/{} has version {}",
            row.slug, row.language, row.version
        ))
    })?;
    let draft = StudioDraft {
        article: row.draft_article()?,
        version,
        languages,
    };
    let mut res = (status, Json(draft)).into_response();
    // Digits and quotes only, so this cannot fail.
    if let Ok(tag) = HeaderValue::from_str(&etag(row.version)) {
        res.headers_mut().insert(header::ETAG, tag);
    }
    Ok(res)
}

/// `GET /api/v1/studio/articles/{slug}/{lang}`: the draft, with its version as `ETag`.
pub async fn get_draft(
    State(state): State<AppState>,
    _editor: RequireRole<Editors>,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Response, ApiProblem> {
    let loaded = state
        .db
        .call(move |conn| load(conn, &slug, &lang))
        .await?
        .ok_or_else(no_such_translation)?;
    draft_response(StatusCode::OK, loaded)
}

/// What a save demands of the translation's current state, from its conditional headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// No condition: only creating a translation may do without one.
    None,
    /// `If-None-Match: *`: create only; the translation must not exist.
    Absent,
    /// `If-Match`: one of these versions must be current.
    Versions(Vec<i64>),
}

/// Reads `If-Match` (strong entity tags `"<version>"`, comma-separated) and `If-None-Match: *`.
///
/// `If-Match: *` is refused (428): it matches any version, which is exactly the silent
/// overwrite the header is here to prevent.
pub(crate) fn precondition(headers: &HeaderMap) -> Result<Precondition, ApiProblem> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().map(str::to_owned))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ApiProblem::bad_request("Conditional headers must be plain ASCII."))
    };
    let if_match = values(header::IF_MATCH)?;
    let if_none_match = values(header::IF_NONE_MATCH)?;
    match (if_match.is_empty(), if_none_match.is_empty()) {
        (true, true) => Ok(Precondition::None),
        (false, false) => Err(ApiProblem::bad_request(
            "Send If-Match (to change a draft) or If-None-Match: * (to create one), not both.",
        )),
        (true, false) => {
            if if_none_match.iter().all(|v| v.trim() == "*") {
                Ok(Precondition::Absent)
            } else {
                Err(ApiProblem::bad_request(
                    "The only If-None-Match this takes is *, to create a translation that must not exist yet.",
                ))
            }
        }
        (false, true) => {
            let tags: Vec<&str> = if_match
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .collect();
            if tags.contains(&"*") {
                return Err(ApiProblem::precondition_required(
                    "If-Match: * would overwrite whatever is there; send the ETag of what you \
                     edited (the draft, reminder, ...), such as \"3\".",
                ));
            }
            tags.iter()
                .map(|tag| {
                    tag.strip_prefix('"')
                        .and_then(|t| t.strip_suffix('"'))
                        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|t| t.parse::<i64>().ok())
                })
                .collect::<Option<Vec<_>>>()
                .map(Precondition::Versions)
                .ok_or_else(|| {
                    ApiProblem::bad_request(
                        "If-Match must be the ETag of what you edited, such as \"3\" (with the quotes).",
                    )
                })
        }
    }
}

/// Whether the save may go ahead on a translation at `current` (`None`: it does not exist).
fn check_precondition(wanted: &Precondition, current: Option<i64>) -> Result<(), ApiProblem> {
    match (wanted, current) {
        (Precondition::None | Precondition::Absent, None) => Ok(()),
        (Precondition::None, Some(_)) => Err(ApiProblem::precondition_required(
            "This translation exists already: send If-Match with the ETag of the draft you \
             edited, so changes saved meanwhile are not overwritten.",
        )),
        (Precondition::Absent, Some(_)) => Err(ApiProblem::version_conflict(
            "This translation exists already (someone created it meanwhile); load it and edit that.",
        )),
        (Precondition::Versions(_), None) => Err(ApiProblem::version_conflict(
            "This translation does not exist; create it without If-Match.",
        )),
        (Precondition::Versions(versions), Some(v)) if versions.contains(&v) => Ok(()),
        (Precondition::Versions(_), Some(v)) => Err(ApiProblem::version_conflict(format!(
            "The draft was saved by someone else after you loaded it (it is at version {v} now). \
             Load it again and redo your change there."
        ))),
    }
}

fn field_error(field: &str, problem: Problem, detail: String) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: problem.code().to_owned(),
        detail,
    }
}

/// The address of a translation to create: its slug and language.
fn address_errors(slug: &str, lang: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !is_valid_slug(slug) {
        errors.push(field_error(
            "slug",
            Problem::Invalid,
            format!(
                "Use {MIN_SLUG_CHARS} to {MAX_SLUG_CHARS} characters from a-z, 0-9 and - for the \
                 address, such as high-blood-pressure."
            ),
        ));
    }
    if !is_language(lang) {
        errors.push(field_error(
            "language",
            Problem::UnknownChoice,
            format!(
                "Choose the language of the translation: {}.",
                language_list()
            ),
        ));
    }
    errors
}

/// The rules every saved draft follows; `known_product` tells product ids of the catalogue.
///
/// Lengths are in characters. Text is checked as sent and stored as sent: the app autosaves
/// while the editor types, and trimming would fight the cursor.
fn draft_errors(update: &DraftUpdate, known_product: impl Fn(&str) -> bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let title = format!("Give a title of at most {MAX_TITLE_CHARS} characters.");
    if update.title.trim().is_empty() {
        errors.push(field_error("title", Problem::Required, title));
    } else if char_count(&update.title) > MAX_TITLE_CHARS {
        let too_long = Problem::TooLong {
            max: MAX_TITLE_CHARS,
        };
        errors.push(field_error("title", too_long, title));
    }
    if char_count(&update.summary) > MAX_SUMMARY_CHARS {
        errors.push(field_error(
            "summary",
            Problem::TooLong {
                max: MAX_SUMMARY_CHARS,
            },
            format!("Keep the summary to at most {MAX_SUMMARY_CHARS} characters."),
        ));
    }
    if char_count(&update.body) > MAX_BODY_CHARS {
        errors.push(field_error(
            "body",
            Problem::TooLong {
                max: MAX_BODY_CHARS,
            },
            format!("Keep the text to at most {MAX_BODY_CHARS} characters."),
        ));
    }
    if update.topics.is_empty() {
        errors.push(field_error(
            "topics",
            Problem::Required,
            format!("Choose at least one topic: {}.", topic_list()),
        ));
    }
    if let Some(id) = update.medicine_id.as_deref().map(str::trim) {
        if !id.is_empty() && !known_product(id) {
            errors.push(field_error(
                "medicineId",
                Problem::UnknownChoice,
                format!(
                    "Choose a product listed by GET {API_PREFIX}/products, or none for an \
                     article that is not about one medicine."
                ),
            ));
        }
    }
    let mut date = |field: &str, value: &str, what: &str| {
        let ok = is_iso_date(value);
        if !ok {
            let problem = if value.trim().is_empty() {
                Problem::Required
            } else {
                Problem::Invalid
            };
            errors.push(field_error(
                field,
                problem,
                format!("Give the date {what} as YYYY-MM-DD, such as 2025-03-31."),
            ));
        }
        ok
    };
    let reviewed = date(
        "lastReviewed",
        &update.last_reviewed,
        "of the last medical review",
    );
    let review_by = date(
        "reviewBy",
        &update.review_by,
        "by which the next review is due",
    );
    // Both are YYYY-MM-DD, so text order is date order.
    if reviewed && review_by && update.review_by < update.last_reviewed {
        errors.push(field_error(
            "reviewBy",
            Problem::Invalid,
            "The next review cannot be due before the last one took place.".to_owned(),
        ));
    }
    errors
}

fn product_ids(conn: &Connection) -> Result<HashSet<String>, DbError> {
    let mut stmt = conn.prepare("SELECT id FROM products")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn current_version(tx: &Transaction<'_>, slug: &str, lang: &str) -> Result<Option<i64>, DbError> {
    Ok(tx
        .query_row(
            "SELECT version FROM articles WHERE slug = ?1 AND language = ?2",
            params![slug, lang],
            |r| r.get(0),
        )
        .optional()?)
}

/// `PUT /api/v1/studio/articles/{slug}/{lang}`: saves the draft (the app's autosave), creating
/// the translation, or the whole article, when it does not exist yet. Every save is a new
/// version. Patients see none of it until the draft is published.
///
/// A stale or unconditional save is refused before its fields are judged: the editor must first
/// see the other change, and field errors about a text that would replace it would mislead.
pub async fn save_draft(
    State(state): State<AppState>,
    editor: RequireRole<Editors>,
    Path((slug, lang)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(update): ApiJson<DraftUpdate>,
) -> Result<Response, ApiProblem> {
    let wanted = precondition(&headers)?;
    let address = address_errors(&slug, &lang);
    if !address.is_empty() {
        return Err(ApiProblem::validation(address));
    }
    let now = state.clock.now();
    let (log_slug, log_lang) = (slug.clone(), lang.clone());
    let saved = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let current = current_version(&tx, &slug, &lang)?;
            if let Err(p) = check_precondition(&wanted, current) {
                return Ok(Err(p));
            }
            let known = product_ids(&tx)?;
            let errors = draft_errors(&update, |id| known.contains(id));
            if !errors.is_empty() {
                return Ok(Err(ApiProblem::validation(errors)));
            }
            let medicine_id = update
                .medicine_id
                .as_deref()
                .map(str::trim)
                .filter(|id| !id.is_empty());
            let topics = topics_column(&update.topics);
            if current.is_some() {
                tx.execute(
                    "UPDATE articles
                     SET title = ?3, summary = ?4, body = ?5, topics = ?6, medicine_id = ?7,
                         last_reviewed = ?8, review_by = ?9, version = version + 1,
                         updated_at = ?10
                     WHERE slug = ?1 AND language = ?2",
                    params![
                        slug,
                        lang,
                        update.title,
                        update.summary,
                        update.body,
                        topics,
                        medicine_id,
                        update.last_reviewed,
                        update.review_by,
                        now
                    ],
                )?;
            } else {
                // A new translation of a featured article is featured as well; `featured`
                // itself is set by the content files only.
                tx.execute(
                    "INSERT INTO articles
                         (slug, language, title, summary, body, topics, medicine_id, featured,
                          last_reviewed, review_by, version, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                             COALESCE((SELECT MAX(featured) FROM articles WHERE slug = ?1), 0),
                             ?8, ?9, 1, ?10)",
                    params![
                        slug,
                        lang,
                        update.title,
                        update.summary,
                        update.body,
                        topics,
                        medicine_id,
                        update.last_reviewed,
                        update.review_by,
                        now
                    ],
                )?;
            }
            let loaded = load(&tx, &slug, &lang)?
                .ok_or_else(|| DbError::new("a saved draft cannot be read back"))?;
            tx.commit()?;
            Ok(Ok((current.is_none(), loaded)))
        })
        .await?;
    let (created, loaded) = saved?;
    tracing::info!(
        slug = %log_slug,
        language = %log_lang,
        version = loaded.row.version,
        created,
        by = %editor.id,
        "article draft saved"
    );
    if !created {
        return draft_response(StatusCode::OK, loaded);
    }
    let mut res = draft_response(StatusCode::CREATED, loaded)?;
    // Slugs and languages are checked to be plain ASCII, so this cannot fail.
    if let Ok(location) = HeaderValue::from_str(&format!(
        "{API_PREFIX}/studio/articles/{log_slug}/{log_lang}"
    )) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}

/// The approval code a publish request carries, without surrounding spaces.
fn checked_approval_code(request: &PublishRequest) -> Result<String, ApiProblem> {
    let code = request.approval_code.trim();
    let detail = format!(
        "Give the approval reference of exactly this text, such as PP-UK-0142 11/2026 (at most \
         {MAX_APPROVAL_CODE_CHARS} characters)."
    );
    let problem = if code.is_empty() {
        Problem::Required
    } else if char_count(code) > MAX_APPROVAL_CODE_CHARS {
        Problem::TooLong {
            max: MAX_APPROVAL_CODE_CHARS,
        }
    } else {
        return Ok(code.to_owned());
    };
    Err(ApiProblem::validation(vec![field_error(
        "approvalCode",
        problem,
        detail,
    )]))
}

/// What a draft needs before patients may read it, beyond what every saved draft has.
fn publishing_errors(row: &ArticleRow) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if row.draft.summary.trim().is_empty() {
        errors.push(field_error(
            "summary",
            Problem::Required,
            "Write a summary before publishing; the library lists it under the title.".to_owned(),
        ));
    }
    if row.draft.body.trim().is_empty() {
        errors.push(field_error(
            "body",
            Problem::Required,
            "Write the text before publishing.".to_owned(),
        ));
    }
    errors
}

/// `POST /api/v1/studio/articles/{slug}/{lang}/publish`: copies the draft at `version` into
/// what patients read, at once, under its approval code.
pub async fn publish(
    State(state): State<AppState>,
    editor: RequireRole<Editors>,
    Path((slug, lang)): Path<(String, String)>,
    ApiJson(request): ApiJson<PublishRequest>,
) -> Result<Response, ApiProblem> {
    let code = checked_approval_code(&request)?;
    let now = state.clock.now();
    let (log_slug, log_lang) = (slug.clone(), lang.clone());
    let published = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let Some(row) = load_translation(&tx, &slug, &lang)? else {
                return Ok(Err(no_such_translation()));
            };
            if u64::try_from(row.version).ok() != Some(request.version) {
                return Ok(Err(ApiProblem::version_conflict(format!(
                    "The draft changed after version {} was checked (it is at version {} now). \
                     Load it again, check it, and publish that.",
                    request.version, row.version
                ))));
            }
            let errors = publishing_errors(&row);
            if !errors.is_empty() {
                return Ok(Err(ApiProblem::validation(errors)));
            }
            tx.execute(
                "UPDATE articles
                 SET published_title = title, published_summary = summary,
                     published_body = body, published_topics = topics,
                     published_medicine_id = medicine_id,
                     published_last_reviewed = last_reviewed, published_review_by = review_by,
                     approval_code = ?3, published_at = COALESCE(published_at, ?4),
                     published_version = version, last_published_at = ?4
                 WHERE slug = ?1 AND language = ?2",
                params![slug, lang, code, now],
            )?;
            let loaded = load(&tx, &slug, &lang)?
                .ok_or_else(|| DbError::new("a published article cannot be read back"))?;
            tx.commit()?;
            Ok(Ok(loaded))
        })
        .await??;
    tracing::info!(
        slug = %log_slug,
        language = %log_lang,
        version = published.row.version,
        by = %editor.id,
        "article published"
    );
    draft_response(StatusCode::OK, published)
}

/// `POST /api/v1/studio/articles/{slug}/{lang}/unpublish`: patients no longer see the
/// translation; the draft stays. Unpublishing what is not published changes nothing.
pub async fn unpublish(
    State(state): State<AppState>,
    editor: RequireRole<Editors>,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Response, ApiProblem> {
    let (log_slug, log_lang) = (slug.clone(), lang.clone());
    let loaded = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE articles
                 SET published_title = NULL, published_summary = NULL, published_body = NULL,
                     published_topics = NULL, published_medicine_id = NULL,
                     published_last_reviewed = NULL, published_review_by = NULL,
                     approval_code = NULL, published_at = NULL, published_version = NULL,
                     last_published_at = NULL
                 WHERE slug = ?1 AND language = ?2",
                params![slug, lang],
            )?;
            if changed == 0 {
                return Ok(None);
            }
            let loaded = load(&tx, &slug, &lang)?;
            tx.commit()?;
            Ok(loaded)
        })
        .await?
        .ok_or_else(no_such_translation)?;
    tracing::info!(
        slug = %log_slug,
        language = %log_lang,
        by = %editor.id,
        "article unpublished"
    );
    draft_response(StatusCode::OK, loaded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::learn::ArticleTopic;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        h
    }

    fn status(p: ApiProblem) -> u16 {
        p.status.as_u16()
    }

    #[test]
    fn conditional_headers_are_read_strictly() {
        assert_eq!(precondition(&headers(&[])).unwrap(), Precondition::None);
        assert_eq!(
            precondition(&headers(&[(header::IF_NONE_MATCH, "*")])).unwrap(),
            Precondition::Absent
        );
        assert_eq!(
            precondition(&headers(&[(header::IF_MATCH, "\"3\"")])).unwrap(),
            Precondition::Versions(vec![3])
        );
        assert_eq!(
            precondition(&headers(&[
                (header::IF_MATCH, "\"3\", \"4\""),
                (header::IF_MATCH, "\"7\"")
            ]))
            .unwrap(),
            Precondition::Versions(vec![3, 4, 7])
        );
        for bad in ["3", "W/\"3\"", "\"\"", "\"-1\"", "\"3", "\"x\""] {
            let p = precondition(&headers(&[(header::IF_MATCH, bad)])).unwrap_err();
            assert_eq!(status(p), 400, "{bad}");
        }
        let star = precondition(&headers(&[(header::IF_MATCH, "*")])).unwrap_err();
        assert_eq!(status(star), 428);
        let both = precondition(&headers(&[
            (header::IF_MATCH, "\"1\""),
            (header::IF_NONE_MATCH, "*"),
        ]))
        .unwrap_err();
        assert_eq!(status(both), 400);
        let etag_none_match =
            precondition(&headers(&[(header::IF_NONE_MATCH, "\"1\"")])).unwrap_err();
        assert_eq!(status(etag_none_match), 400);
    }

    #[test]
    fn saves_go_ahead_only_on_the_version_they_name() {
        use Precondition as P;
        assert!(check_precondition(&P::None, None).is_ok());
        assert!(check_precondition(&P::Absent, None).is_ok());
        assert!(check_precondition(&P::Versions(vec![2, 3]), Some(3)).is_ok());
        let code = |wanted: P, current| {
            check_precondition(&wanted, current)
                .unwrap_err()
                .problem
                .type_uri
                .clone()
        };
        use crate::problem::extra_types::{PRECONDITION_REQUIRED, VERSION_CONFLICT};
        assert_eq!(code(P::None, Some(1)), PRECONDITION_REQUIRED);
        assert_eq!(code(P::Absent, Some(1)), VERSION_CONFLICT);
        assert_eq!(code(P::Versions(vec![1]), None), VERSION_CONFLICT);
        assert_eq!(code(P::Versions(vec![1]), Some(2)), VERSION_CONFLICT);
    }

    fn update() -> DraftUpdate {
        DraftUpdate {
            title: "Living with asthma".into(),
            summary: "Everyday tips.".into(),
            body: "Breathe.".into(),
            topics: vec![ArticleTopic::LivingWith],
            medicine_id: None,
            last_reviewed: "2025-01-31".into(),
            review_by: "2026-01-31".into(),
        }
    }

    fn fields(update: &DraftUpdate) -> Vec<(String, String)> {
        draft_errors(update, |id| id == "brelora")
            .into_iter()
            .map(|e| {
                assert!(e.detail.ends_with('.'), "{e:?}");
                (e.field, e.code)
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn drafts_are_checked_field_by_field() {
        assert!(fields(&update()).is_empty());
        let everything_wrong = DraftUpdate {
            title: " ".into(),
            summary: "s".repeat(MAX_SUMMARY_CHARS + 1),
            body: "b".repeat(MAX_BODY_CHARS + 1),
            topics: vec![],
            medicine_id: Some("aspirin".into()),
            last_reviewed: "".into(),
            review_by: "31.01.2026".into(),
        };
        assert_eq!(
            fields(&everything_wrong),
            pairs(&[
                ("title", "required"),
                ("summary", "too_long"),
                ("body", "too_long"),
                ("topics", "required"),
                ("medicineId", "unknown_choice"),
                ("lastReviewed", "required"),
                ("reviewBy", "invalid"),
            ])
        );
        let mut at_limits = update();
        at_limits.title = "ü".repeat(MAX_TITLE_CHARS);
        at_limits.summary = "ü".repeat(MAX_SUMMARY_CHARS);
        at_limits.body = "ü".repeat(MAX_BODY_CHARS);
        at_limits.medicine_id = Some("brelora".into());
        assert!(fields(&at_limits).is_empty());
        at_limits.title.push('x');
        assert_eq!(fields(&at_limits), pairs(&[("title", "too_long")]));

        let mut blank_medicine = update();
        blank_medicine.medicine_id = Some(" ".into());
        assert!(fields(&blank_medicine).is_empty());

        let mut backwards = update();
        backwards.review_by = "2024-12-31".into();
        assert_eq!(fields(&backwards), pairs(&[("reviewBy", "invalid")]));
    }

    #[test]
    fn addresses_are_checked() {
        assert!(address_errors("asthma-basics", "en").is_empty());
        let codes: Vec<(String, String)> = address_errors("Asthma Basics", "en-GB")
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            pairs(&[("slug", "invalid"), ("language", "unknown_choice")])
        );
    }

    #[test]
    fn approval_codes_are_trimmed_and_limited() {
        let request = |code: &str| PublishRequest {
            approval_code: code.into(),
            version: 1,
        };
        assert_eq!(
            checked_approval_code(&request("  PP-UK-0142 11/2026 ")).unwrap(),
            "PP-UK-0142 11/2026"
        );
        for (code, expected) in [(" \t", "required"), (&*"x".repeat(61), "too_long")] {
            let p = checked_approval_code(&request(code)).unwrap_err();
            assert_eq!(p.problem.errors[0].field, "approvalCode");
            assert_eq!(p.problem.errors[0].code, expected);
        }
        assert!(checked_approval_code(&request(&"ü".repeat(60))).is_ok());
    }
}
