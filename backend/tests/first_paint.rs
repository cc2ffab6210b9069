//! Public pages arrive with their content written in, in the reader's language; other addresses,
//! and pages with nothing to write, get the app's page as built.

mod common;

use axum::body::Body;
use axum::http::{header, Method};
use common::{request, TestApp, TestResponse, INLINE_SCRIPT};

/// The page as Trunk writes it (minified): a boot shell before `<noscript>`.
fn built_page() -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Patient portal</title>\
         <script type=module>{INLINE_SCRIPT}</script></head><body><div id=boot-shell><header>\
         <p class=boot role=status>Loading…</p></header></div><noscript>JavaScript</noscript></body></html>"
    )
}

fn app_with_languages() -> TestApp {
    let app = TestApp::new();
    let dir = app.static_dir();
    std::fs::write(dir.join("index.html"), built_page()).unwrap();
    let locales = dir.join("locales");
    std::fs::create_dir_all(&locales).unwrap();
    let repo_locales = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    for tag in ["en", "de", "fr", "es"] {
        std::fs::copy(
            repo_locales.join(format!("{tag}.json")),
            locales.join(format!("{tag}.json")),
        )
        .unwrap();
    }
    app
}

async fn get(app: &TestApp, path: &str, headers: &[(header::HeaderName, &str)]) -> TestResponse {
    let mut req = request(Method::GET, path);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn learn_arrives_written_in_the_browsers_language() {
    let app = app_with_languages();
    let res = get(
        &app,
        "/learn",
        &[(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9,en;q=0.8")],
    )
    .await;
    assert_eq!(res.status, 200);
    let page = res.text();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(
        page.contains("<title>Wissen – Patientenportal</title>"),
        "{page}"
    );
    assert!(
        page.contains("<div id=\"boot-shell\" data-first-paint=\"\">"),
        "{page}"
    );
    assert!(
        page.contains("<h1 class=\"page-title\" tabindex=\"-1\">Wissen</h1>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"/learn/inhaler-technique\">"),
        "{page}"
    );
    assert!(
        !page.contains("Loading…"),
        "the boot shell is replaced: {page}"
    );
    // The note for browsers without script says what works without it, in the page's language.
    assert!(
        page.ends_with("<noscript><p>Ohne JavaScript können Sie die Ratgeber lesen, durchsuchen und die Sprache wechseln. Erinnerungen, Fragen an unser Team und Ihr Konto brauchen JavaScript: Bitte schalten Sie es ein oder rufen Sie die Nummer auf der Packungsbeilage Ihres Arzneimittels an.</p></noscript></body></html>"),
        "{page}"
    );
    // Written for this reader: kept by no shared cache, and told apart by language and cookie.
    assert_eq!(res.headers[header::CACHE_CONTROL], "private, no-cache");
    let vary = res.headers[header::VARY].to_str().unwrap();
    assert!(
        vary.contains("accept-language") && vary.contains("cookie"),
        "{vary}"
    );
    // The template's inline script is still allowed by the policy.
    let policy = res.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("'sha256-"), "{policy}");
}

#[tokio::test]
async fn a_search_sent_without_the_app_arrives_with_its_results() {
    let app = app_with_languages();
    let page = get(&app, "/learn?q=inhaler", &[]).await.text();
    // The search box is a working form that keeps what was searched for.
    assert!(
        page.contains(
            "<form class=\"learn-search\" role=\"search\" action=\"/learn\" method=\"get\">"
        ),
        "{page}"
    );
    assert!(page.contains("name=\"q\""), "{page}");
    assert!(page.contains("value=\"inhaler\""), "{page}");
    assert!(page.contains("Guides found: "), "{page}");
    assert!(
        page.contains(
            "<li class=\"result\"><h2 class=\"result-title\"><a href=\"/learn/inhaler-technique\">"
        ),
        "{page}"
    );
    assert!(page.contains("<mark>"), "matches are highlighted: {page}");
    assert!(
        !page.contains("shelf-featured"),
        "results replace the shelves: {page}"
    );

    // Nothing found: the help and the way to ask instead. What was typed comes back escaped.
    let none = get(&app, "/learn?q=%22%3E%3Cscript%3Ezzqx", &[])
        .await
        .text();
    assert!(none.contains("No guides found."), "{none}");
    assert!(
        none.contains("<a href=\"/ask\" class=\"button\">"),
        "{none}"
    );
    assert!(
        none.contains("value=\"&quot;&gt;&lt;script&gt;zzqx\""),
        "{none}"
    );
    assert!(!none.contains("<script>zzqx"), "{none}");

    // An empty search is Learn itself.
    let empty = get(&app, "/learn?q=+", &[]).await.text();
    assert!(empty.contains("shelf-featured"), "{empty}");
    assert!(empty.contains("value=\"\""), "{empty}");
}

#[tokio::test]
async fn a_language_chosen_without_the_app_is_remembered_and_the_page_comes_back_in_it() {
    let app = app_with_languages();
    let res = get(&app, "/learn?q=inhaler&lang=de", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.headers[header::LOCATION], "/learn?q=inhaler");
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("portal_language=de; Path=/;"),
        "{cookie}"
    );
    // The written page's list is a form that comes back to the same page and search.
    let page = get(
        &app,
        "/learn?q=inhaler",
        &[(header::COOKIE, "portal_language=de")],
    )
    .await
    .text();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(
        page.contains("<form class=\"language-picker\" method=\"get\" action=\"/learn\">"),
        "{page}"
    );
    assert!(
        page.contains("<input type=\"hidden\" name=\"q\" value=\"inhaler\">"),
        "{page}"
    );
    assert!(
        page.contains("<noscript><button type=\"submit\" class=\"button\">Sprache wechseln</button></noscript>"),
        "{page}"
    );
    // An unknown language is no choice: the page is written as usual.
    let unknown = get(&app, "/ask?lang=xx", &[]).await;
    assert_eq!(unknown.status, 200);
    assert!(unknown.headers.get(header::SET_COOKIE).is_none());
    // Other addresses are the app's business.
    assert_eq!(get(&app, "/account?lang=de", &[]).await.status, 200);
}

#[tokio::test]
async fn the_language_chosen_in_the_app_wins_over_the_browsers() {
    let app = app_with_languages();
    let res = get(
        &app,
        "/",
        &[
            (header::ACCEPT_LANGUAGE, "de"),
            (header::COOKIE, "theme=dark; portal_language=fr"),
        ],
    )
    .await;
    let page = res.text();
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(
        page.contains("<option value=\"fr\" lang=\"fr\" selected=\"\">"),
        "{page}"
    );
    // Signed out: the header offers signing in.
    assert!(page.contains("href=\"/account/sign-in\""), "{page}");
    let english = get(&app, "/", &[]).await.text();
    assert!(english.contains("<html lang=\"en\">"), "{english}");
    assert!(english.contains("Your health companion"), "{english}");
}

#[tokio::test]
async fn an_article_arrives_whole() {
    let app = app_with_languages();
    let page = get(&app, "/learn/inhaler-technique", &[]).await.text();
    assert!(
        page.contains("<article class=\"article-page\"><h1 class=\"page-title\" tabindex=\"-1\">"),
        "{page}"
    );
    assert!(
        page.contains("<p class=\"article-summary lead\">"),
        "{page}"
    );
    assert!(page.contains("<div class=\"article-body\">"), "{page}");
    assert!(page.contains("<p class=\"article-approval\">"), "{page}");
    assert!(
        page.contains("min read · Checked by our medical team on "),
        "{page}"
    );
    // The version written, so the app reuses this body only for the same version.
    let api: serde_json::Value = app
        .send(
            request(Method::GET, "/api/v1/articles/inhaler-technique?lang=en")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json();
    let version = api["article"]["updatedAt"].as_str().unwrap();
    assert!(
        page.contains(&format!(
            "<div class=\"article\" lang=\"en\" data-version=\"{version}\">"
        )),
        "{page}"
    );
}

#[tokio::test]
async fn other_pages_and_unknown_articles_get_the_page_as_built() {
    let app = app_with_languages();
    for path in [
        "/learn/no-such-article",
        "/reminders",
        "/account/sign-in",
        "/learn/Bad%20Slug",
    ] {
        let res = get(&app, path, &[]).await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(res.text(), built_page(), "{path}");
    }
}

#[tokio::test]
async fn without_the_languages_texts_the_page_is_served_as_built() {
    let app = TestApp::new();
    std::fs::write(app.static_dir().join("index.html"), built_page()).unwrap();
    assert_eq!(get(&app, "/learn", &[]).await.text(), built_page());
}

#[tokio::test]
async fn ask_arrives_with_what_to_do_in_an_emergency_and_how_to_reach_the_team() {
    let app = app_with_languages();
    let page = get(&app, "/ask", &[(header::ACCEPT_LANGUAGE, "es")])
        .await
        .text();
    let runtime = &app.state.settings.runtime;
    assert!(
        page.contains("<aside class=\"notice notice-urgent\""),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "href=\"tel:{}\"",
            runtime.emergency_number.replace(' ', "")
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "href=\"mailto:{}\"",
            runtime.medical_information_email
        )),
        "{page}"
    );
    assert!(page.contains("<html lang=\"es\">"), "{page}");
}

#[tokio::test]
async fn today_arrives_with_the_caregivers_name_only_when_signed_in_and_is_never_stored() {
    let app = app_with_languages();
    let care_page = built_page().replace("<title>Patient portal</title>", "<title>Care</title>");
    std::fs::write(app.static_dir().join("care.html"), &care_page).unwrap();

    let signed_out = get(&app, "/reminders", &[]).await;
    assert_eq!(
        signed_out.text(),
        care_page,
        "nobody signed in: the page as built"
    );

    let cookie = app.sign_in("cara@example.com", "caregiver-demo").await;
    let res = get(&app, "/reminders", &[(header::COOKIE, &cookie)]).await;
    let page = res.text();
    assert_eq!(res.headers[header::CACHE_CONTROL], "no-store");
    assert!(
        page.contains("<title>Reminders – Patient portal</title>"),
        "{page}"
    );
    assert!(page.contains("Hello Cara Jones."), "{page}");
    assert!(
        page.contains("<a href=\"/reminders\" aria-current=\"page\">Today</a>"),
        "{page}"
    );
    assert!(
        page.contains("href=\"/account\""),
        "signed in: the header offers the account: {page}"
    );

    app.sign_out(&cookie).await;
    let after = get(&app, "/reminders", &[(header::COOKIE, &cookie)]).await;
    assert_eq!(
        after.text(),
        care_page,
        "a session that ended writes nothing"
    );
}

fn decoded(res: &TestResponse) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    match res.header("content-encoding") {
        Some("br") => brotli::Decompressor::new(res.body.as_slice(), 4096)
            .read_to_end(&mut out)
            .unwrap(),
        Some("gzip") => flate2::read::GzDecoder::new(res.body.as_slice())
            .read_to_end(&mut out)
            .unwrap(),
        other => panic!("not compressed: {other:?}"),
    };
    out
}

#[tokio::test]
async fn written_pages_and_articles_come_compressed_to_browsers_that_accept_it() {
    let app = app_with_languages();
    for (path, accept) in [
        ("/learn?q=inhaler", "gzip, deflate, br"),
        ("/learn/inhaler-technique", "gzip"),
        ("/api/v1/articles?lang=en", "br"),
        ("/api/v1/articles/inhaler-technique?lang=en", "gzip"),
    ] {
        let plain = get(&app, path, &[]).await;
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        let packed = get(&app, path, &[(header::ACCEPT_ENCODING, accept)]).await;
        assert_eq!(packed.status, 200, "{path}");
        assert!(
            packed
                .header("vary")
                .unwrap_or_default()
                .contains("accept-encoding"),
            "{path}"
        );
        assert!(packed.body.len() * 2 < plain.body.len(), "{path}");
        assert_eq!(decoded(&packed), plain.body, "{path}");
    }

    // Other API answers, such as who is signed in, are sent as they are.
    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    let mut req = request(Method::GET, "/api/v1/session")
        .header(header::COOKIE, &cookie)
        .header(header::ACCEPT_ENCODING, "br, gzip");
    req = req.header(header::ACCEPT, "application/json");
    let session = app.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(session.status, 200);
    assert_eq!(session.header("content-encoding"), None);
    assert!(session.text().contains("pat@example.com"));
}

#[tokio::test]
async fn learn_in_a_language_with_no_guides_says_so_instead_of_empty_shelves() {
    let app = app_with_languages();
    let page = get(&app, "/learn", &[(header::ACCEPT_LANGUAGE, "fr-FR")])
        .await
        .text();
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(
        page.contains("Il n’y a pas encore de guide dans cette langue."),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"/ask\" class=\"button\">"),
        "{page}"
    );
    assert!(!page.contains("shelf-newest"), "{page}");
}

#[tokio::test]
async fn an_article_not_in_the_readers_language_says_so_and_links_its_languages() {
    let app = app_with_languages();
    let res = get(
        &app,
        "/learn/managing-pain-safely",
        &[(header::ACCEPT_LANGUAGE, "de-DE")],
    )
    .await;
    assert_eq!(res.status, 200);
    let page = res.text();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(
        page.contains(
            "<h1 class=\"page-title\" tabindex=\"-1\">Noch nicht in Ihrer Sprache verfügbar</h1>"
        ),
        "{page}"
    );
    // Each link chooses its language the way the list does without the app.
    assert!(
        page.contains(
            "<a class=\"button\" lang=\"en\" href=\"/learn/managing-pain-safely?lang=en\">English</a>"
        ),
        "{page}"
    );
    let chosen = get(&app, "/learn/managing-pain-safely?lang=en", &[]).await;
    assert_eq!(chosen.status, 303);
    assert_eq!(
        chosen.header("location"),
        Some("/learn/managing-pain-safely")
    );
}
