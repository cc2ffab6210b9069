//! Learn and Studio: the published library patients read, feedback, and the content team's
//! drafts, versions and publishing; plus the content files the library is seeded with.
//!
//! Most tests empty the seeded library first and build the articles they need through Studio, so
//! they do not depend on what the content team has written.

mod common;

use axum::http::{header, HeaderValue, Method, StatusCode};
use common::{eddie, fresh_key, json_request, pairs, TestApp, TestResponse};
use portal_backend::{
    content,
    problem::extra_types::{PRECONDITION_REQUIRED, VERSION_CONFLICT},
    seed::DEMO_PRODUCTS,
};
use portal_core::{
    api::problem_types as pt,
    learn::{
        ArticlePage, ArticleStatus, ArticleSummary, RelatedArticle, StudioArticleSummary,
        StudioDraft,
    },
    markdown,
};
use serde_json::{json, Value};

const ARTICLES: &str = "/api/v1/articles";
const STUDIO: &str = "/api/v1/studio/articles";

/// Every role but the editor's, signed in.
async fn non_editors(app: &TestApp) -> Vec<(&'static str, String)> {
    vec![
        (
            "patient",
            app.sign_in("pat@example.com", "patient-demo").await,
        ),
        (
            "caregiver",
            app.sign_in("cara@example.com", "caregiver-demo").await,
        ),
        (
            "medical_information",
            app.sign_in("mia@example.com", "medinfo-demo").await,
        ),
    ]
}

/// Removes the seeded articles, so a test sees only what it creates.
fn empty_library(app: &TestApp) {
    app.state
        .db
        .call_blocking(|c| {
            c.execute_batch("DELETE FROM article_feedback; DELETE FROM articles;")?;
            Ok(())
        })
        .unwrap();
}

fn draft(title: &str, body: &str, topics: &[&str]) -> Value {
    json!({
        "title": title,
        "summary": format!("About {title}."),
        "body": body,
        "topics": topics,
        "medicineId": null,
        "lastReviewed": "2025-03-01",
        "reviewBy": "2026-03-01"
    })
}

/// `PUT` of a draft with the conditional headers given.
async fn put_draft(
    app: &TestApp,
    cookie: Option<&str>,
    path: &str,
    body: &Value,
    conditions: &[(header::HeaderName, &str)],
) -> TestResponse {
    let mut req = json_request(Method::PUT, &format!("{STUDIO}/{path}"), body);
    if let Some(cookie) = cookie {
        req.headers_mut()
            .insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
    }
    for (name, value) in conditions {
        req.headers_mut()
            .append(name.clone(), HeaderValue::from_str(value).unwrap());
    }
    app.send(req).await
}

fn studio_draft(res: &TestResponse) -> StudioDraft {
    assert!(
        res.status == StatusCode::OK || res.status == StatusCode::CREATED,
        "{}: {}",
        res.status,
        res.text()
    );
    let draft: StudioDraft = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(
        res.header("etag"),
        Some(format!("\"{}\"", draft.version).as_str()),
        "the ETag is the version"
    );
    draft
}

/// Saves a draft at `version` (`None`: creates it) and returns it.
async fn save(
    app: &TestApp,
    cookie: &str,
    path: &str,
    body: &Value,
    version: Option<u64>,
) -> StudioDraft {
    let if_match = version.map(|v| format!("\"{v}\""));
    let conditions: Vec<_> = if_match
        .iter()
        .map(|v| (header::IF_MATCH, v.as_str()))
        .collect();
    studio_draft(&put_draft(app, Some(cookie), path, body, &conditions).await)
}

async fn publish_raw(
    app: &TestApp,
    cookie: Option<&str>,
    path: &str,
    version: u64,
    code: &str,
) -> TestResponse {
    app.send_json(
        Method::POST,
        &format!("{STUDIO}/{path}/publish"),
        &json!({ "approvalCode": code, "version": version }),
        None,
        cookie,
    )
    .await
}

async fn publish(app: &TestApp, cookie: &str, path: &str, version: u64) -> StudioDraft {
    studio_draft(&publish_raw(app, Some(cookie), path, version, "PP-UK-0001 01/2026").await)
}

async fn unpublish_raw(app: &TestApp, cookie: Option<&str>, path: &str) -> TestResponse {
    let mut req = common::request(Method::POST, &format!("{STUDIO}/{path}/unpublish"));
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    app.send(req.body(axum::body::Body::empty()).unwrap()).await
}

/// Creates and publishes a translation; returns the published draft.
async fn published(
    app: &TestApp,
    cookie: &str,
    path: &str,
    title: &str,
    topics: &[&str],
) -> StudioDraft {
    let body = format!("## {title}\n\nA short text about **{title}**. It is easy to read.");
    let created = save(app, cookie, path, &draft(title, &body, topics), None).await;
    publish(app, cookie, path, created.version).await
}

async fn list(app: &TestApp, lang: &str) -> Vec<ArticleSummary> {
    let res = app.get(&format!("{ARTICLES}?lang={lang}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

async fn page(app: &TestApp, slug: &str, lang: &str) -> ArticlePage {
    let res = app.get(&format!("{ARTICLES}/{slug}?lang={lang}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

fn slugs(list: &[ArticleSummary]) -> Vec<&str> {
    list.iter().map(|s| s.slug.as_str()).collect()
}

fn related_slugs(related: &[RelatedArticle]) -> Vec<&str> {
    related.iter().map(|r| r.slug.as_str()).collect()
}

async fn send_feedback(
    app: &TestApp,
    slug: &str,
    body: &Value,
    cookie: Option<&str>,
) -> TestResponse {
    app.send_json(
        Method::POST,
        &format!("{ARTICLES}/{slug}/feedback"),
        body,
        None,
        cookie,
    )
    .await
}

fn feedback_rows(app: &TestApp) -> Vec<(String, String, bool, String, Option<String>)> {
    app.state
        .db
        .call_blocking(|c| {
            let mut stmt = c.prepare(
                "SELECT slug, language, helpful, comment, user_id FROM article_feedback ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

#[tokio::test]
async fn the_library_lists_published_translations_newest_first() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    app.state.clock.advance(60);
    published(
        &app,
        &eddie,
        "inhaler-technique/en",
        "Inhaler technique",
        &["medicine"],
    )
    .await;
    published(
        &app,
        &eddie,
        "asthma-basics/de",
        "Asthma verstehen",
        &["condition"],
    )
    .await;
    save(
        &app,
        &eddie,
        "travel-tips/en",
        &draft("Travel tips", "Pack your inhaler.", &["living_with"]),
        None,
    )
    .await;

    let en = list(&app, "en").await;
    assert_eq!(slugs(&en), ["inhaler-technique", "asthma-basics"]);
    let basics = &en[1];
    assert_eq!(basics.language, "en");
    assert_eq!(basics.title, "Asthma basics");
    assert_eq!(basics.summary, "About Asthma basics.");
    assert_eq!(
        basics.body_text,
        "Asthma basics\n\nA short text about Asthma basics. It is easy to read."
    );
    assert_eq!(basics.reading_minutes, 1);
    assert_eq!(basics.last_reviewed, "2025-03-01");
    assert!(!basics.featured);
    assert!(basics.published_at.parse::<jiff::Timestamp>().is_ok());
    let read = page(&app, "asthma-basics", "en").await.article.unwrap();
    assert_eq!(
        read.updated_at, basics.published_at,
        "first published, not changed since"
    );
    assert!(en[0].published_at > en[1].published_at);

    let de = list(&app, "de").await;
    assert_eq!(slugs(&de), ["asthma-basics"]);
    assert_eq!(de[0].title, "Asthma verstehen");
    assert_eq!(de[0].language, "de");
    assert!(list(&app, "fr").await.is_empty());
}

#[tokio::test]
async fn the_language_is_required_and_checked() {
    let app = TestApp::new();
    for query in [
        "",
        "?lang=",
        "?lang=pt",
        "?lang=EN",
        "?lang=de-AT",
        "?lang=en&lang=de",
        "?language=en",
    ] {
        for path in [ARTICLES.to_owned(), format!("{ARTICLES}/any-article")] {
            let p = app
                .get(&format!("{path}{query}"))
                .await
                .assert_problem(400, pt::BAD_REQUEST);
            assert!(
                p["detail"].as_str().unwrap().contains("en, de, fr, es"),
                "{p}"
            );
        }
    }
    // Anything besides `lang` is ignored.
    assert_eq!(
        app.get(&format!("{ARTICLES}?lang=en&q=x")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_article_page_has_its_languages_and_related_reading() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    let topics_by_slug = [
        ("older-condition", vec!["condition"]),
        ("featured-condition", vec!["condition", "living_with"]),
        ("medicine-only", vec!["medicine"]),
        ("newer-condition", vec!["condition"]),
        ("newest-living", vec!["living_with"]),
    ];
    for (slug, topics) in &topics_by_slug {
        published(&app, &eddie, &format!("{slug}/en"), slug, topics).await;
        app.state.clock.advance(60);
    }
    // Featured is set by content files; here by hand.
    app.state
        .db
        .call_blocking(|c| {
            Ok(c.execute(
                "UPDATE articles SET featured = 1 WHERE slug = 'featured-condition'",
                [],
            )?)
        })
        .unwrap();
    // German only: not related reading in English.
    published(
        &app,
        &eddie,
        "nur-deutsch/de",
        "Nur deutsch",
        &["condition"],
    )
    .await;
    let en = published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition", "living_with"],
    )
    .await;
    published(
        &app,
        &eddie,
        "asthma-basics/de",
        "Asthma verstehen",
        &["condition"],
    )
    .await;

    let p = page(&app, "asthma-basics", "en").await;
    assert_eq!(p.available_languages, ["de", "en"]);
    let article = p.article.unwrap();
    assert_eq!(article.title, "Asthma basics");
    assert_eq!(article.status, ArticleStatus::Published);
    assert_eq!(article.approval_code, "PP-UK-0001 01/2026");
    assert_eq!(article.body, en.article.body);
    assert_eq!(article.review_by, "2026-03-01");
    assert_eq!(article.medicine_id, None);
    assert_eq!(article.reading_minutes, 1);
    assert!(article.reading_grade.is_some(), "English text has a grade");
    assert_eq!(
        related_slugs(&p.related),
        ["featured-condition", "newest-living", "newer-condition"],
        "featured first, then newest, at most three"
    );
    assert!(p.related.iter().all(|r| r.language == "en"));

    let de = page(&app, "asthma-basics", "de").await;
    let article = de.article.unwrap();
    assert_eq!(article.title, "Asthma verstehen");
    assert_eq!(article.reading_grade, None, "no grade outside English");
    assert_eq!(related_slugs(&de.related), ["nur-deutsch"]);

    app.get(&format!("{ARTICLES}/no-such-article?lang=en"))
        .await
        .assert_problem(404, pt::NOT_FOUND);
    app.get(&format!("{ARTICLES}/Not%20A%20Slug?lang=en"))
        .await
        .assert_problem(404, pt::NOT_FOUND);
}

#[tokio::test]
async fn an_untranslated_page_offers_the_languages_there_are() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    published(
        &app,
        &eddie,
        "asthma-basics/de",
        "Asthma verstehen",
        &["condition"],
    )
    .await;
    published(&app, &eddie, "asthme/fr", "L'asthme", &["condition"]).await;
    published(&app, &eddie, "voyager/fr", "Voyager", &["living_with"]).await;

    let fr = page(&app, "asthma-basics", "fr").await;
    assert_eq!(fr.article, None);
    assert_eq!(fr.available_languages, ["de", "en"]);
    assert_eq!(
        related_slugs(&fr.related),
        ["asthme"],
        "related reading in French"
    );
}

#[tokio::test]
async fn drafts_are_invisible_to_patients() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    const SECRET: &str = "Zebra crossings cure nothing";

    // A slug that is only a draft, in every language.
    for lang in ["en", "de"] {
        let body = format!("{SECRET} ({lang}).");
        save(
            &app,
            &eddie,
            &format!("secret-draft/{lang}"),
            &draft(SECRET, &body, &["condition"]),
            None,
        )
        .await;
    }
    // A published article with unpublished changes, and an unpublished translation.
    let live = published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    save(
        &app,
        &eddie,
        "asthma-basics/en",
        &draft(SECRET, &format!("{SECRET}."), &["condition", "medicine"]),
        Some(live.version),
    )
    .await;
    save(
        &app,
        &eddie,
        "asthma-basics/fr",
        &draft(SECRET, SECRET, &["condition"]),
        None,
    )
    .await;
    published(
        &app,
        &eddie,
        "other-reading/en",
        "Other reading",
        &["condition"],
    )
    .await;

    let mut answers = Vec::new();
    for lang in ["en", "de", "fr", "es"] {
        answers.push(app.get(&format!("{ARTICLES}?lang={lang}")).await);
        for slug in ["asthma-basics", "other-reading", "secret-draft"] {
            answers.push(app.get(&format!("{ARTICLES}/{slug}?lang={lang}")).await);
        }
        answers.push(
            send_feedback(
                &app,
                "secret-draft",
                &json!({ "language": lang, "helpful": true }),
                None,
            )
            .await,
        );
    }
    for res in &answers {
        assert!(
            !res.text().contains("Zebra"),
            "a draft showed: {}",
            res.text()
        );
    }
    for lang in ["en", "de", "fr"] {
        app.get(&format!("{ARTICLES}/secret-draft?lang={lang}"))
            .await
            .assert_problem(404, pt::NOT_FOUND);
    }
    let p = page(&app, "asthma-basics", "en").await;
    assert_eq!(
        p.available_languages,
        ["en"],
        "the French draft is not offered"
    );
    let article = p.article.unwrap();
    assert_eq!(article.title, "Asthma basics");
    assert_eq!(
        article.updated_at, live.article.updated_at,
        "saving shows nowhere"
    );
    assert_eq!(article.topics, live.article.topics);
    assert_eq!(
        slugs(&list(&app, "en").await),
        ["asthma-basics", "other-reading"]
    );
    assert!(feedback_rows(&app).is_empty());
}

#[tokio::test]
async fn feedback_is_stored_and_checked() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    save(
        &app,
        &eddie,
        "asthma-basics/de",
        &draft("Entwurf", "Text.", &["condition"]),
        None,
    )
    .await;
    save(
        &app,
        &eddie,
        "only-a-draft/en",
        &draft("Draft", "Text.", &["condition"]),
        None,
    )
    .await;

    let res = send_feedback(
        &app,
        "asthma-basics",
        &json!({ "language": "en", "helpful": true }),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json(), json!({}));
    assert_eq!(res.header("cache-control"), Some("no-store"));

    let pat = app.sign_in("pat@example.com", "patient-demo").await;
    let pat_id = app.get_with_cookie("/api/v1/session", &pat).await.json()["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let comment = "ü".repeat(1000);
    let body = json!({ "language": "en", "helpful": false, "comment": format!("  {comment}\n") });
    let res = send_feedback(&app, "asthma-basics", &body, Some(&pat)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert!(
        res.set_cookies().is_empty(),
        "feedback does not extend a session"
    );

    assert_eq!(
        feedback_rows(&app),
        [
            (
                "asthma-basics".into(),
                "en".into(),
                true,
                String::new(),
                None
            ),
            (
                "asthma-basics".into(),
                "en".into(),
                false,
                comment,
                Some(pat_id)
            ),
        ]
    );

    let cases = [
        (
            json!({ "language": "xx", "helpful": true }),
            pairs(&[("language", "unknown_choice")]),
        ),
        (
            json!({ "language": "", "helpful": true }),
            pairs(&[("language", "required")]),
        ),
        (
            json!({ "language": "EN", "helpful": true, "comment": "a".repeat(1001) }),
            pairs(&[("language", "unknown_choice"), ("comment", "too_long")]),
        ),
    ];
    for (body, expected) in cases {
        let p = send_feedback(&app, "asthma-basics", &body, None)
            .await
            .assert_problem(422, pt::VALIDATION);
        assert_eq!(field_codes(&p), expected, "{body}");
    }
    send_feedback(&app, "asthma-basics", &json!({ "language": "en" }), None)
        .await
        .assert_problem(422, pt::VALIDATION);

    for (slug, lang) in [
        ("no-such-article", "en"),
        ("only-a-draft", "en"),
        ("asthma-basics", "de"),
    ] {
        send_feedback(
            &app,
            slug,
            &json!({ "language": lang, "helpful": true }),
            None,
        )
        .await
        .assert_problem(404, pt::NOT_FOUND);
    }
    assert_eq!(feedback_rows(&app).len(), 2);

    // A retry with the same key is stored once.
    let key = fresh_key();
    let body = json!({ "language": "en", "helpful": true, "comment": "Clear." });
    for _ in 0..2 {
        let res = app
            .send_json(
                Method::POST,
                &format!("{ARTICLES}/asthma-basics/feedback"),
                &body,
                Some(&key),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
    assert_eq!(feedback_rows(&app).len(), 3);
}

#[tokio::test]
async fn only_editors_reach_the_studio() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    let created = published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    let one = "asthma-basics/en";
    let body = draft("Changed", "Changed.", &["condition"]);

    let mut callers: Vec<(&str, Option<String>)> = vec![("signed out", None)];
    callers.extend(
        non_editors(&app)
            .await
            .into_iter()
            .map(|(role, c)| (role, Some(c))),
    );
    for (role, cookie) in &callers {
        let cookie = cookie.as_deref();
        let (status, type_uri) = match cookie {
            None => (401, pt::UNAUTHENTICATED),
            Some(_) => (403, pt::FORBIDDEN),
        };
        let get = |path: String| {
            let app = &app;
            async move {
                match cookie {
                    Some(c) => app.get_with_cookie(&path, c).await,
                    None => app.get(&path).await,
                }
            }
        };
        let answers = [
            ("list", get(STUDIO.to_owned()).await),
            ("draft", get(format!("{STUDIO}/{one}")).await),
            (
                "save",
                put_draft(&app, cookie, one, &body, &[(header::IF_MATCH, "\"2\"")]).await,
            ),
            (
                "create",
                put_draft(&app, cookie, "new-article/en", &body, &[]).await,
            ),
            (
                "publish",
                publish_raw(&app, cookie, one, created.version, "PP-1").await,
            ),
            ("unpublish", unpublish_raw(&app, cookie, one).await),
        ];
        for (endpoint, res) in answers {
            assert_eq!(
                res.status.as_u16(),
                status,
                "{role} {endpoint}: {}",
                res.text()
            );
            res.assert_problem(status, type_uri);
        }
    }
    // Nothing changed.
    let draft = studio_draft(
        &app.get_with_cookie(&format!("{STUDIO}/{one}"), &eddie)
            .await,
    );
    assert_eq!(draft, created);
    let all: Vec<StudioArticleSummary> =
        serde_json::from_slice(&app.get_with_cookie(STUDIO, &eddie).await.body).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(list(&app, "en").await.len(), 1);
}

#[tokio::test]
async fn studio_lists_every_translation() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    let live = published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    published(
        &app,
        &eddie,
        "asthma-basics/de",
        "Asthma verstehen",
        &["condition"],
    )
    .await;
    save(
        &app,
        &eddie,
        "asthma-basics/de",
        &draft("Asthma verstehen!", "Neu.", &["condition"]),
        Some(1),
    )
    .await;
    let mut unchanged = draft("Asthma basics", "x", &["condition"]);
    unchanged["body"] = live.article.body.clone().into();
    unchanged["summary"] = live.article.summary.clone().into();
    // A save without changes is a new version, but nothing patients would not see.
    save(&app, &eddie, "asthma-basics/en", &unchanged, Some(1)).await;
    save(
        &app,
        &eddie,
        "travel/fr",
        &draft("Voyager", "Texte.", &["living_with"]),
        None,
    )
    .await;

    let res = app.get_with_cookie(STUDIO, &eddie).await;
    assert_eq!(res.status, StatusCode::OK);
    let all: Vec<StudioArticleSummary> = serde_json::from_slice(&res.body).unwrap();
    let rows: Vec<(&str, &str, &str, ArticleStatus, bool)> = all
        .iter()
        .map(|s| {
            (
                s.slug.as_str(),
                s.language.as_str(),
                s.title.as_str(),
                s.status,
                s.has_unpublished_changes,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "asthma-basics",
                "de",
                "Asthma verstehen!",
                ArticleStatus::Published,
                true
            ),
            (
                "asthma-basics",
                "en",
                "Asthma basics",
                ArticleStatus::Published,
                false
            ),
            ("travel", "fr", "Voyager", ArticleStatus::Draft, true),
        ]
    );
    assert!(all.iter().all(|s| s.review_by == "2026-03-01"));
    assert!(all
        .iter()
        .all(|s| s.updated_at.parse::<jiff::Timestamp>().is_ok()));
}

#[tokio::test]
async fn autosave_needs_the_current_version() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    let path = "asthma-basics/en";

    let res = put_draft(
        &app,
        Some(&eddie),
        path,
        &draft("Asthma", "One.", &["condition"]),
        &[],
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(
        res.header("location"),
        Some("/api/v1/studio/articles/asthma-basics/en")
    );
    let created = studio_draft(&res);
    assert_eq!(created.version, 1);
    assert_eq!(created.languages, ["en"]);
    assert_eq!(created.article.status, ArticleStatus::Draft);
    assert_eq!(created.article.approval_code, "");
    assert_eq!(created.article.title, "Asthma");

    let loaded = app
        .get_with_cookie(&format!("{STUDIO}/{path}"), &eddie)
        .await;
    assert_eq!(loaded.header("etag"), Some("\"1\""));
    assert_eq!(studio_draft(&loaded), created);

    // Autosave, as the editor types; text is kept as typed.
    let second = save(
        &app,
        &eddie,
        path,
        &draft("Asthma ", "One. Two.", &["condition"]),
        Some(1),
    )
    .await;
    assert_eq!(second.version, 2);
    assert_eq!(second.article.title, "Asthma ");
    let third = save(
        &app,
        &eddie,
        path,
        &draft("Asthma b", "One. Two.", &["condition"]),
        Some(2),
    )
    .await;
    assert_eq!(third.version, 3);

    // A second editor still on version 1.
    let stale = put_draft(
        &app,
        Some(&eddie),
        path,
        &draft("Mine", "Mine.", &["condition"]),
        &[(header::IF_MATCH, "\"1\"")],
    )
    .await;
    let p = stale.assert_problem(412, VERSION_CONFLICT);
    assert!(p["detail"].as_str().unwrap().contains("version 3"), "{p}");
    // Without If-Match, or with *, a draft could be overwritten unseen.
    for conditions in [vec![], vec![(header::IF_MATCH, "*")]] {
        put_draft(
            &app,
            Some(&eddie),
            path,
            &draft("Mine", "Mine.", &["condition"]),
            &conditions,
        )
        .await
        .assert_problem(428, PRECONDITION_REQUIRED);
    }
    put_draft(
        &app,
        Some(&eddie),
        path,
        &draft("Mine", "Mine.", &["condition"]),
        &[(header::IF_NONE_MATCH, "*")],
    )
    .await
    .assert_problem(412, VERSION_CONFLICT);
    for malformed in ["3", "W/\"3\"", "\"three\""] {
        put_draft(
            &app,
            Some(&eddie),
            path,
            &draft("Mine", "Mine.", &["condition"]),
            &[(header::IF_MATCH, malformed)],
        )
        .await
        .assert_problem(400, pt::BAD_REQUEST);
    }
    // A stale version is refused before its fields are judged.
    put_draft(
        &app,
        Some(&eddie),
        path,
        &draft("", "", &[]),
        &[(header::IF_MATCH, "\"1\"")],
    )
    .await
    .assert_problem(412, VERSION_CONFLICT);
    let now = studio_draft(
        &app.get_with_cookie(&format!("{STUDIO}/{path}"), &eddie)
            .await,
    );
    assert_eq!(now, third, "no refused save changed anything");

    // Any of several tags may match.
    let fourth = put_draft(
        &app,
        Some(&eddie),
        path,
        &draft("Asthma basics", "One. Two.", &["condition"]),
        &[(header::IF_MATCH, "\"2\", \"3\"")],
    )
    .await;
    assert_eq!(studio_draft(&fourth).version, 4);

    // If-Match on a translation that does not exist.
    put_draft(
        &app,
        Some(&eddie),
        "asthma-basics/es",
        &draft("Asma", "Uno.", &["condition"]),
        &[(header::IF_MATCH, "\"1\"")],
    )
    .await
    .assert_problem(412, VERSION_CONFLICT);
    app.get_with_cookie(&format!("{STUDIO}/asthma-basics/es"), &eddie)
        .await
        .assert_problem(404, pt::NOT_FOUND);
}

#[tokio::test]
async fn a_new_translation_is_a_draft_of_its_own() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    app.state
        .db
        .call_blocking(|c| Ok(c.execute("UPDATE articles SET featured = 1", [])?))
        .unwrap();

    let res = put_draft(
        &app,
        Some(&eddie),
        "asthma-basics/de",
        &draft("Asthma verstehen", "Text.", &["condition"]),
        &[(header::IF_NONE_MATCH, "*")],
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let de = studio_draft(&res);
    assert_eq!(de.version, 1);
    assert_eq!(de.languages, ["de", "en"]);
    assert_eq!(de.article.language, "de");
    assert_eq!(de.article.status, ArticleStatus::Draft);
    assert_eq!(de.article.approval_code, "");
    assert_eq!(de.article.reading_grade, None);
    assert!(
        de.article.featured,
        "a translation of a featured article is featured"
    );

    let en = studio_draft(
        &app.get_with_cookie(&format!("{STUDIO}/asthma-basics/en"), &eddie)
            .await,
    );
    assert_eq!(en.languages, ["de", "en"]);
    assert_eq!(en.article.status, ArticleStatus::Published);
    assert_eq!(en.article.approval_code, "PP-UK-0001 01/2026");
    assert_eq!(
        page(&app, "asthma-basics", "en").await.available_languages,
        ["en"]
    );
}

#[tokio::test]
async fn drafts_are_checked() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    let mut bad = draft(" ", "", &[]);
    bad["summary"] = "s".repeat(301).into();
    bad["medicineId"] = "aspirin".into();
    bad["lastReviewed"] = "2025-02-30".into();
    bad["reviewBy"] = "".into();
    let p = put_draft(&app, Some(&eddie), "asthma-basics/en", &bad, &[])
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("title", "required"),
            ("summary", "too_long"),
            ("topics", "required"),
            ("medicineId", "unknown_choice"),
            ("lastReviewed", "invalid"),
            ("reviewBy", "required"),
        ])
    );
    for (path, expected) in [
        ("ab/en", pairs(&[("slug", "invalid")])),
        ("Asthma_Basics/en", pairs(&[("slug", "invalid")])),
        ("asthma-basics/pt", pairs(&[("language", "unknown_choice")])),
    ] {
        let p = put_draft(
            &app,
            Some(&eddie),
            path,
            &draft("A", "B", &["condition"]),
            &[],
        )
        .await
        .assert_problem(422, pt::VALIDATION);
        assert_eq!(field_codes(&p), expected, "{path}");
    }
    put_draft(
        &app,
        Some(&eddie),
        "asthma-basics/en",
        &json!({ "title": "Only a title" }),
        &[],
    )
    .await
    .assert_problem(422, pt::VALIDATION);
    put_draft(
        &app,
        Some(&eddie),
        "asthma-basics/en",
        &draft("A", "B", &["hobbies"]),
        &[],
    )
    .await
    .assert_problem(422, pt::VALIDATION);

    // A long article is more than the API's usual 64 KiB.
    let mut longest = draft("Long", &"word ".repeat(20_000), &["medicine"]);
    longest["medicineId"] = "brelora".into();
    let saved = save(&app, &eddie, "long-read/en", &longest, None).await;
    assert_eq!(saved.article.body.len(), 100_000);
    assert_eq!(saved.article.medicine_id.as_deref(), Some("brelora"));
    assert_eq!(saved.article.reading_minutes, 100);
    longest["body"] = "ü".repeat(100_001).into();
    let p = put_draft(
        &app,
        Some(&eddie),
        "long-read/en",
        &longest,
        &[(header::IF_MATCH, "\"1\"")],
    )
    .await
    .assert_problem(422, pt::VALIDATION);
    assert_eq!(field_codes(&p), pairs(&[("body", "too_long")]));
    let huge = draft("Huge", &"x".repeat(1024 * 1024), &["medicine"]);
    put_draft(&app, Some(&eddie), "huge/en", &huge, &[])
        .await
        .assert_problem(413, pt::PAYLOAD_TOO_LARGE);
    assert_eq!(list(&app, "en").await.len(), 0);
}

#[tokio::test]
async fn publishing_needs_an_approval_code_and_the_current_version() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    let path = "asthma-basics/en";
    let v1 = save(
        &app,
        &eddie,
        path,
        &draft("Asthma basics", "First text.", &["condition"]),
        None,
    )
    .await;
    app.get(&format!("{ARTICLES}/asthma-basics?lang=en"))
        .await
        .assert_problem(404, pt::NOT_FOUND);

    for code in ["", "   "] {
        let p = publish_raw(&app, Some(&eddie), path, v1.version, code)
            .await
            .assert_problem(422, pt::VALIDATION);
        assert_eq!(field_codes(&p), pairs(&[("approvalCode", "required")]));
    }
    let p = publish_raw(&app, Some(&eddie), path, v1.version, &"x".repeat(61))
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(field_codes(&p), pairs(&[("approvalCode", "too_long")]));
    app.send_json(
        Method::POST,
        &format!("{STUDIO}/{path}/publish"),
        &json!({ "version": 1 }),
        None,
        Some(&eddie),
    )
    .await
    .assert_problem(422, pt::VALIDATION);

    // Publishing a version that is no longer the draft's.
    let v2 = save(
        &app,
        &eddie,
        path,
        &draft("Asthma basics", "Second text.", &["condition"]),
        Some(1),
    )
    .await;
    let p = publish_raw(&app, Some(&eddie), path, v1.version, "PP-UK-0142 11/2026")
        .await
        .assert_problem(412, VERSION_CONFLICT);
    assert!(p["detail"].as_str().unwrap().contains("version 2"), "{p}");
    publish_raw(&app, Some(&eddie), path, 99, "PP-UK-0142 11/2026")
        .await
        .assert_problem(412, VERSION_CONFLICT);
    assert!(list(&app, "en").await.is_empty(), "nothing was published");

    let first = publish_raw(
        &app,
        Some(&eddie),
        path,
        v2.version,
        "  PP-UK-0142 11/2026 ",
    )
    .await;
    let first = studio_draft(&first);
    assert_eq!(first.version, 2, "publishing is not a save");
    assert_eq!(first.article.status, ArticleStatus::Published);
    assert_eq!(first.article.approval_code, "PP-UK-0142 11/2026");
    // At once, for patients.
    let seen = page(&app, "asthma-basics", "en").await.article.unwrap();
    assert_eq!(seen.body, "Second text.");
    assert_eq!(seen.approval_code, "PP-UK-0142 11/2026");
    assert_eq!(seen.status, ArticleStatus::Published);
    let published_at = list(&app, "en").await[0].published_at.clone();

    // A later change shows only once it is published too.
    app.state.clock.advance(600);
    let v3 = save(
        &app,
        &eddie,
        path,
        &draft("Asthma basics", "Third text.", &["condition"]),
        Some(2),
    )
    .await;
    assert_eq!(
        page(&app, "asthma-basics", "en")
            .await
            .article
            .unwrap()
            .body,
        "Second text."
    );
    let again = publish_raw(&app, Some(&eddie), path, v3.version, "PP-UK-0143 12/2026").await;
    assert_eq!(
        studio_draft(&again).article.approval_code,
        "PP-UK-0143 12/2026"
    );
    let seen_again = page(&app, "asthma-basics", "en").await.article.unwrap();
    assert_eq!(seen_again.body, "Third text.");
    assert_eq!(seen_again.approval_code, "PP-UK-0143 12/2026");
    assert!(seen_again.updated_at > seen.updated_at);
    assert_eq!(
        list(&app, "en").await[0].published_at,
        published_at,
        "first publication is kept"
    );

    // What patients read needs a summary and a text.
    let mut empty = draft("Empty", "", &["condition"]);
    empty["summary"] = "".into();
    let e = save(&app, &eddie, "empty/en", &empty, None).await;
    let p = publish_raw(&app, Some(&eddie), "empty/en", e.version, "PP-1")
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[("summary", "required"), ("body", "required")])
    );

    publish_raw(&app, Some(&eddie), "no-such-article/en", 1, "PP-1")
        .await
        .assert_problem(404, pt::NOT_FOUND);
}

#[tokio::test]
async fn unpublishing_hides_a_translation() {
    let app = TestApp::new();
    empty_library(&app);
    let eddie = eddie(&app).await;
    published(
        &app,
        &eddie,
        "asthma-basics/en",
        "Asthma basics",
        &["condition"],
    )
    .await;
    published(
        &app,
        &eddie,
        "asthma-basics/de",
        "Asthma verstehen",
        &["condition"],
    )
    .await;

    let res = unpublish_raw(&app, Some(&eddie), "asthma-basics/en").await;
    let draft = studio_draft(&res);
    assert_eq!(draft.article.status, ArticleStatus::Draft);
    assert_eq!(draft.article.approval_code, "");
    assert_eq!(draft.article.title, "Asthma basics", "the draft stays");

    assert!(list(&app, "en").await.is_empty());
    let p = page(&app, "asthma-basics", "en").await;
    assert_eq!(p.article, None);
    assert_eq!(p.available_languages, ["de"]);
    send_feedback(
        &app,
        "asthma-basics",
        &json!({ "language": "en", "helpful": true }),
        None,
    )
    .await
    .assert_problem(404, pt::NOT_FOUND);

    // Again: nothing more to hide.
    assert_eq!(
        studio_draft(&unpublish_raw(&app, Some(&eddie), "asthma-basics/en").await),
        draft
    );
    unpublish_raw(&app, Some(&eddie), "asthma-basics/de").await;
    app.get(&format!("{ARTICLES}/asthma-basics?lang=de"))
        .await
        .assert_problem(404, pt::NOT_FOUND);
    unpublish_raw(&app, Some(&eddie), "no-such-article/en")
        .await
        .assert_problem(404, pt::NOT_FOUND);

    // Publishing again starts a new published run.
    app.state.clock.advance(600);
    publish(&app, &eddie, "asthma-basics/en", draft.version).await;
    let listed = list(&app, "en").await;
    let read = page(&app, "asthma-basics", "en").await.article.unwrap();
    assert_eq!(listed[0].published_at, read.updated_at);
    assert!(listed[0].published_at > draft.article.updated_at);
}

#[test]
fn every_content_file_parses_and_is_sound() {
    let products: Vec<&str> = DEMO_PRODUCTS.iter().map(|p| p.id).collect();
    let mut problems = Vec::new();
    let mut published = 0;
    for (name, text) in content::FILES {
        let file = match content::parse(name, text) {
            Ok(file) => file,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        if let Some(id) = &file.medicine_id {
            if !products.contains(&id.as_str()) {
                problems.push(format!(
                    "content/{name}: medicine {id} is not a demo product"
                ));
            }
        }
        if file.status == ArticleStatus::Published {
            published += 1;
            assert!(!file.approval_code.trim().is_empty(), "{name}");
        }
        assert!(!file.title.trim().is_empty(), "{name}");
        assert!(!file.topics.is_empty(), "{name}");
        let doc = markdown::parse(&file.body);
        if !file.body.trim().is_empty() && doc.blocks.is_empty() {
            problems.push(format!("content/{name}: the body has no Markdown blocks"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        published > 0,
        "no published content files in backend/content"
    );
}

#[tokio::test]
async fn a_fresh_library_holds_the_content_files() {
    let app = TestApp::new();
    let files: Vec<content::ContentFile> = content::embedded()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let eddie = eddie(&app).await;
    let all: Vec<StudioArticleSummary> =
        serde_json::from_slice(&app.get_with_cookie(STUDIO, &eddie).await.body).unwrap();
    assert_eq!(all.len(), files.len());
    for lang in ["en", "de", "fr", "es"] {
        let mut expected: Vec<&str> = files
            .iter()
            .filter(|f| f.language == lang && f.status == ArticleStatus::Published)
            .map(|f| f.slug.as_str())
            .collect();
        expected.sort();
        let listed = list(&app, lang).await;
        let mut listed_slugs = slugs(&listed);
        listed_slugs.sort();
        assert_eq!(listed_slugs, expected, "{lang}");
        for summary in &listed {
            let p = page(&app, &summary.slug, lang).await;
            assert_eq!(p.article.unwrap().title, summary.title);
        }
    }
    // A restart does not seed again over what editors did.
    let created = save(
        &app,
        &eddie,
        "added-in-studio/en",
        &draft("Added", "Text.", &["medicine"]),
        None,
    )
    .await;
    let reopened = portal_backend::AppState::open(
        portal_backend::Settings::new(app.static_dir()),
        &TestApp::db_path_in(&app.dir),
    )
    .unwrap();
    let rows: i64 = reopened
        .db
        .call_blocking(|c| Ok(c.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(rows as usize, files.len() + 1);
    assert_eq!(created.version, 1);
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    common::field_codes_where(problem, |d| d.ends_with('.') && d.len() > 10)
}
