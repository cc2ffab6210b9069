//! The first paint of public pages: Home, Learn, an article and Ask arrive with their content
//! written into the page, in the reader's language, so a phone on a slow network shows something to
//! read long before the app has downloaded (and a browser without script still shows it). The app
//! takes the page over once it has loaded its own copy; the markup is the app's, so nothing moves.

use axum::{
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use portal_core::api::{Role, User};
use portal_core::html::{self, escape, push_escaped, ArticleLabels, Icon};
use portal_core::language::{fill, medium_date, Language};
use portal_core::learn::{ArticleSummary, ArticleTopic};
use serde_json::{Map, Value};

use crate::{articles, auth, AppState};

/// Articles shown on Learn's "Newest" shelf (as in the app).
const NEWEST_COUNT: usize = 4;

/// A public page the backend can write out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Home,
    /// Learn, with what was searched for (a search sent from the written page without the app).
    Learn(Option<String>),
    Article(String),
    Ask,
    /// A caregiver's Today: only for a signed-in person, with their name and the reminders'
    /// sections; the doses come with the app, which knows the device's time zone.
    Today,
}

impl Page {
    /// The page at a URL path, if it is one written out in advance.
    pub fn at(path: &str) -> Option<Page> {
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(path);
        match path {
            "/" => Some(Page::Home),
            "/learn" => Some(Page::Learn(None)),
            "/ask" => Some(Page::Ask),
            "/reminders" => Some(Page::Today),
            _ => path
                .strip_prefix("/learn/")
                .filter(|slug| articles::is_valid_slug(slug))
                .map(|slug| Page::Article(slug.to_owned())),
        }
    }

    /// The page with what its address's query asks for: Learn's search (`q`), trimmed and cut to
    /// [`SEARCH_MAX_CHARS`](portal_core::learn::SEARCH_MAX_CHARS).
    pub fn with_query(self, query: Option<&str>) -> Page {
        match self {
            Page::Learn(_) => Page::Learn(query.and_then(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .find(|(name, _)| name == "q")
                    .map(|(_, value)| {
                        value
                            .trim()
                            .chars()
                            .take(portal_core::learn::SEARCH_MAX_CHARS)
                            .collect::<String>()
                    })
                    .filter(|q| !q.is_empty())
            })),
            other => other,
        }
    }

    /// The page's own address, without a query.
    pub fn path(&self) -> String {
        match self {
            Page::Home => "/".to_owned(),
            Page::Learn(_) => "/learn".to_owned(),
            Page::Article(slug) => format!("/learn/{slug}"),
            Page::Ask => "/ask".to_owned(),
            Page::Today => "/reminders".to_owned(),
        }
    }
}

/// A language chosen in the written page's list without the app (`?lang=` from its form): the
/// answer remembers it in the language cookie and sends the reader back to the page without
/// `lang`, which then arrives in that language. `None` when the query chooses no known language.
pub fn language_chosen(page: &Page, query: Option<&str>) -> Option<Response> {
    let query = query?;
    let chosen = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "lang")
        .and_then(|(_, tag)| Language::from_tag(&tag))?;
    let rest: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name != "lang")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let mut location = page.path();
    if !rest.is_empty() {
        location.push('?');
        location.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(rest)
                .finish(),
        );
    }
    // As the app writes it (`i18n::tell_backend`): a preference, not personal data.
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; Secure",
        portal_core::language::COOKIE,
        chosen.tag()
    );
    Some(
        (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, location),
                (header::SET_COOKIE, cookie),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
    )
}

/// The language to write a page in: the one chosen in the app (its cookie), else the first
/// supported one the browser asks for, as the app itself decides.
pub fn language(headers: &HeaderMap) -> Language {
    let chosen = auth::cookies(headers)
        .find(|(name, _)| *name == portal_core::language::COOKIE)
        .map(|(_, value)| value.trim().to_owned());
    let accepted: Vec<String> = headers
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter(|item| {
            // `q=0` means "not this one".
            !item
                .split(';')
                .skip(1)
                .filter_map(|p| p.trim().strip_prefix("q="))
                .any(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        })
        .map(|item| item.split(';').next().unwrap_or_default().trim().to_owned())
        .collect();
    Language::choose(chosen.as_deref(), accepted.iter().map(String::as_str))
}

/// The interface texts of one language, as the app has them (`locales/<tag>.json`).
pub struct Texts(Map<String, Value>);

impl Texts {
    pub fn parse(json: &str) -> Option<Texts> {
        match serde_json::from_str(json) {
            Ok(Value::Object(map)) => Some(Texts(map)),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> &str {
        self.0.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.get(key), values)
    }
}

/// `index.html` with `page` written into its first paint, or `None` when the page has nothing to
/// add (the language's texts are missing, or no such article is published): the app alone then
/// shows it, as it does for every other address.
pub async fn write(
    state: &AppState,
    template: &str,
    page: &Page,
    headers: &HeaderMap,
) -> Option<String> {
    let language = language(headers);
    let locale = state
        .settings
        .static_dir
        .join("locales")
        .join(format!("{}.json", language.tag()));
    let texts = Texts::parse(&tokio::fs::read_to_string(locale).await.ok()?)?;
    let user = auth::signed_in_user(state, headers).await;
    let (title, main) = match page {
        Page::Home => (texts.get("home_title").to_owned(), home(&texts)),
        Page::Learn(search) => {
            let list = articles::published(state, language.tag().to_owned())
                .await
                .ok()?;
            let main = learn(&texts, language, &list, search.as_deref());
            (texts.get("learn_title").to_owned(), main)
        }
        Page::Article(slug) => {
            let found = articles::published_page(state, slug.clone(), language.tag().to_owned())
                .await
                .ok()?;
            match found.article {
                None => (
                    texts.get("learn_not_translated_title").to_owned(),
                    not_translated(&texts, slug, &found.available_languages),
                ),
                Some(article) => written_article(&texts, language, article, &found.document),
            }
        }
        Page::Today => {
            let user = user.as_ref()?;
            let intro = texts.fill("reminders_intro", &[("name", &user.display_name)]);
            let mut main = heading(texts.get("reminders_title"));
            main.push_str("<p class=\"lead\">");
            push_escaped(&mut main, &intro);
            main.push_str("</p><nav class=\"section-nav\" aria-label=\"");
            push_escaped(&mut main, texts.get("reminders_sections"));
            main.push_str("\"><ul>");
            for (href, label) in [
                ("/reminders", "reminders_today"),
                ("/reminders/history", "reminders_history"),
                ("/reminders/people", "reminders_people"),
                ("/reminders/new", "reminders_add"),
            ] {
                let current = if href == "/reminders" {
                    " aria-current=\"page\""
                } else {
                    ""
                };
                main.push_str(&format!("<li><a href=\"{href}\"{current}>"));
                push_escaped(&mut main, texts.get(label));
                main.push_str("</a></li>");
            }
            main.push_str("</ul></nav><p role=\"status\">");
            push_escaped(&mut main, texts.get("loading"));
            main.push_str("</p>");
            (texts.get("reminders_title").to_owned(), main)
        }
        Page::Ask => {
            let runtime = &state.settings.runtime;
            let phone = &runtime.medical_information_phone;
            let email = &runtime.medical_information_email;
            // The form needs the app; how to reach the team does not.
            let main = format!(
                "{}{}<p class=\"lead\">{}</p><h2>{}</h2><dl class=\"contact-list\"><dt>{}</dt>\
                 <dd><a href=\"tel:{}\">{}</a></dd><dt>{}</dt><dd><a href=\"mailto:{}\">{}</a></dd></dl>",
                heading(texts.get("ask_title")),
                emergency_notice(&texts, &runtime.emergency_number),
                escape(texts.get("ask_intro")),
                escape(texts.get("ask_contact_title")),
                escape(texts.get("ask_phone")),
                escape(&phone.replace(' ', "")),
                escape(phone),
                escape(texts.get("ask_email")),
                escape(email),
                escape(email),
            );
            (texts.get("ask_title").to_owned(), main)
        }
    };
    let section = match page {
        Page::Home => None,
        Page::Learn(_) | Page::Article(_) => Some("/learn"),
        Page::Ask => Some("/ask"),
        Page::Today => Some("/reminders"),
    };
    let here = Here {
        path: page.path(),
        search: match page {
            Page::Learn(search) => search.clone(),
            _ => None,
        },
    };
    let shell = shell(
        state,
        &texts,
        language,
        user.as_ref(),
        section,
        &here,
        &main,
    );
    let document_title = format!("{title} – {}", texts.get("app_name"));
    splice(
        template,
        language,
        &document_title,
        &shell,
        texts.get("noscript_written"),
    )
}

/// A published article, as the app's article page shows it: (title, main).
fn written_article(
    texts: &Texts,
    language: Language,
    article: portal_core::learn::Article,
    document: &portal_core::markdown::Document,
) -> (String, String) {
    let labels = ArticleLabels {
        contents: texts.get("learn_contents").to_owned(),
        table: texts.get("learn_table").to_owned(),
        external: texts.get("learn_external").to_owned(),
        doctor: texts.get("learn_callout_doctor").to_owned(),
        warning: texts.get("learn_callout_warning").to_owned(),
        note: texts.get("learn_callout_note").to_owned(),
    };
    let meta = texts.fill(
        "learn_meta",
        &[
            ("minutes", &article.reading_minutes.to_string()),
            ("date", &medium_date(&article.last_reviewed, language)),
        ],
    );
    let approval = if article.approval_code.is_empty() {
        texts.get("learn_not_approved").to_owned()
    } else {
        texts.fill("learn_approval", &[("code", &article.approval_code)])
    };
    let main = format!(
        "<article class=\"article-page\"><h1 class=\"page-title\" tabindex=\"-1\">{}</h1>\
         <div class=\"article\" lang=\"{}\" data-version=\"{}\"><p class=\"article-summary lead\">{}</p>\
         <p class=\"article-meta\">{}</p>{}<p class=\"article-approval\">{}</p></div></article>",
        escape(&article.title),
        escape(&article.language),
        escape(&article.updated_at),
        escape(&article.summary),
        escape(&meta),
        html::article_body(document, &labels),
        escape(&approval),
    );
    (article.title, main)
}

/// An article not published in the reader's language: says so, with links to the languages it is
/// in. A link chooses that language the way the language list does without the app (`?lang=`).
fn not_translated(texts: &Texts, slug: &str, languages: &[String]) -> String {
    let mut out = heading(texts.get("learn_not_translated_title"));
    out.push_str("<p>");
    push_escaped(&mut out, texts.get("learn_not_translated_body"));
    out.push_str("</p><ul class=\"language-options\" role=\"list\">");
    for language in languages.iter().filter_map(|tag| Language::from_tag(tag)) {
        out.push_str(&format!(
            "<li><a class=\"button\" lang=\"{0}\" href=\"/learn/{1}?lang={0}\">",
            language.tag(),
            escape(slug)
        ));
        push_escaped(&mut out, language.endonym());
        out.push_str("</a></li>");
    }
    out.push_str("</ul><p><a href=\"/learn\">");
    push_escaped(&mut out, texts.get("learn_back_to_library"));
    out.push_str("</a></p>");
    out
}

fn heading(text: &str) -> String {
    format!(
        "<h1 class=\"page-title\" tabindex=\"-1\">{}</h1>",
        escape(text)
    )
}

/// The page being written, for the language list's form: choosing a language comes back here.
struct Here {
    path: String,
    search: Option<String>,
}

/// The header, the main landmark with `main` in it, and the footer, as the app's `Shell` has them.
/// The links are ordinary links: before the app has loaded they load the next page whole.
fn shell(
    state: &AppState,
    texts: &Texts,
    language: Language,
    user: Option<&User>,
    section: Option<&str>,
    here: &Here,
    main: &str,
) -> String {
    let mut out = String::from(
        "<div id=\"boot-shell\" data-first-paint=\"\"><a class=\"skip-link\" href=\"#main\">",
    );
    push_escaped(&mut out, texts.get("skip_to_content"));
    out.push_str(
        "</a><header class=\"site-header\"><div class=\"header-inner\"><a class=\"brand\" href=\"/\">\
         <svg class=\"brand-mark\" viewBox=\"0 0 32 32\" width=\"32\" height=\"32\" aria-hidden=\"true\" focusable=\"false\">\
         <rect x=\"2\" y=\"2\" width=\"28\" height=\"28\" rx=\"8\" fill=\"currentColor\"></rect>\
         <path d=\"M16 9v14M9 16h14\" stroke=\"var(--color-on-brand)\" stroke-width=\"3.5\" stroke-linecap=\"round\"></path></svg><span>",
    );
    push_escaped(&mut out, texts.get("app_name"));
    out.push_str("</span></a><nav class=\"main-nav\" aria-label=\"");
    push_escaped(&mut out, texts.get("nav_label"));
    out.push_str("\"><ul>");
    let (account_href, account) = if user.is_some() {
        ("/account", "nav_account")
    } else {
        ("/account/sign-in", "nav_sign_in")
    };
    let studio = user.is_some_and(|u| u.role == Role::Editor).then_some((
        "/studio",
        Icon::Studio,
        "nav_studio",
    ));
    let links = [
        Some(("/learn", Icon::Learn, "nav_learn")),
        Some(("/reminders", Icon::Reminders, "nav_reminders")),
        Some(("/ask", Icon::Ask, "nav_ask")),
        studio,
        Some((account_href, Icon::Account, account)),
    ];
    for (href, icon, label) in links.into_iter().flatten() {
        // As the app's links mark the section the page belongs to.
        let current = if Some(href) == section {
            " aria-current=\"page\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<li><a href=\"{href}\"{current}>{}<span>",
            icon.svg()
        ));
        push_escaped(&mut out, texts.get(label));
        out.push_str("</span></a></li>");
    }
    // A form, so a language can be chosen before (or without) the app; its button shows only
    // without script, since the app switches as soon as a language is picked.
    out.push_str("</ul></nav><form class=\"language-picker\" method=\"get\" action=\"");
    push_escaped(&mut out, &here.path);
    out.push_str(&format!(
        "\"><label for=\"boot-language-select\">{}<span class=\"visually-hidden\">",
        Icon::Language.svg()
    ));
    push_escaped(&mut out, texts.get("language_label"));
    out.push_str(
        "</span></label><select id=\"boot-language-select\" name=\"lang\" \
         data-app-field=\"language-select\">",
    );
    for l in Language::ALL {
        let selected = if l == language { " selected=\"\"" } else { "" };
        out.push_str(&format!(
            "<option value=\"{0}\" lang=\"{0}\"{selected}>{1}</option>",
            l.tag(),
            l.endonym()
        ));
    }
    out.push_str("</select>");
    if let Some(search) = &here.search {
        out.push_str("<input type=\"hidden\" name=\"q\" value=\"");
        push_escaped(&mut out, search);
        out.push_str("\">");
    }
    out.push_str("<noscript><button type=\"submit\" class=\"button\">");
    push_escaped(&mut out, texts.get("language_change"));
    out.push_str("</button></noscript></form></div></header><main id=\"main\" tabindex=\"-1\">");
    out.push_str(main);
    out.push_str("</main><footer class=\"site-footer\"><p>");
    let runtime = &state.settings.runtime;
    push_escaped(
        &mut out,
        &texts.fill("footer_emergency", &[("number", &runtime.emergency_number)]),
    );
    out.push_str("</p><p><a href=\"");
    push_escaped(&mut out, &runtime.privacy_notice_url);
    out.push_str("\">");
    push_escaped(&mut out, texts.get("footer_privacy"));
    out.push_str("</a></p></footer></div>");
    out
}

/// What to do in an emergency, as the app's `EmergencyNotice` says it above the Ask form.
fn emergency_notice(texts: &Texts, number: &str) -> String {
    let tel = number.replace(' ', "");
    format!(
        "<aside class=\"notice notice-urgent\" aria-labelledby=\"emergency-title\">\
         <h2 id=\"emergency-title\" class=\"notice-title\">{}</h2><p>{} \
         <a href=\"tel:{}\" class=\"notice-phone\">{}</a> {}</p><p>{}</p></aside>",
        escape(texts.get("emergency_title")),
        escape(texts.get("emergency_body_before")),
        escape(&tel),
        escape(number),
        escape(texts.get("emergency_body_after")),
        escape(texts.get("no_personal_advice")),
    )
}

fn home(texts: &Texts) -> String {
    let mut out = heading(texts.get("home_title"));
    out.push_str("<p class=\"lead\">");
    push_escaped(&mut out, texts.get("home_greeting"));
    out.push_str("</p><ul class=\"cards\" role=\"list\">");
    for (href, icon, title, body) in [
        ("/learn", Icon::Learn, "nav_learn", "home_learn_body"),
        (
            "/reminders",
            Icon::Reminders,
            "nav_reminders",
            "home_reminders_body",
        ),
        ("/ask", Icon::Ask, "nav_ask", "home_ask_body"),
    ] {
        out.push_str(&format!(
            "<li class=\"card\"><h2 class=\"card-title\"><a href=\"{href}\">{}<span>",
            icon.svg()
        ));
        push_escaped(&mut out, texts.get(title));
        out.push_str("</span></a></h2><p>");
        push_escaped(&mut out, texts.get(body));
        out.push_str("</p></li>");
    }
    out.push_str("</ul>");
    out
}

/// Learn as the app lays it out: the search box, then either what was searched for (a search sent
/// without the app: the same index, results and highlighting as the app's), or the featured
/// articles, the shelves and the newest. What is kept on the device only the app knows.
fn learn(
    texts: &Texts,
    language: Language,
    list: &[ArticleSummary],
    search: Option<&str>,
) -> String {
    let mut out = heading(texts.get("learn_title"));
    out.push_str("<p class=\"lead\">");
    push_escaped(&mut out, texts.get("learn_intro"));
    out.push_str("</p><p>");
    push_escaped(&mut out, texts.get("learn_doctor_note"));
    // A plain form, so search works before (or without) the app; `data-app-field` tells the app
    // which of its fields takes over what was typed here.
    out.push_str(
        "</p><form class=\"learn-search\" role=\"search\" action=\"/learn\" method=\"get\">\
         <label for=\"boot-learn-search\">",
    );
    push_escaped(&mut out, texts.get("learn_search_label"));
    out.push_str(
        "</label><input id=\"boot-learn-search\" data-app-field=\"learn-search-input\" \
         name=\"q\" type=\"search\" autocomplete=\"off\" \
         aria-describedby=\"boot-learn-search-status\" value=\"",
    );
    push_escaped(&mut out, search.unwrap_or_default());
    out.push_str("\"><p id=\"boot-learn-search-status\" class=\"status\" role=\"status\">");
    let Some(search) = search else {
        out.push_str("</p></form>");
        shelves(&mut out, texts, list);
        return out;
    };
    let index = portal_core::learn::search_index(language.tag(), list);
    let found = index.search(search, portal_core::learn::SEARCH_RESULTS);
    if found.is_empty() {
        push_escaped(&mut out, texts.get("learn_search_none"));
        out.push_str("</p></form><div class=\"search-empty\"><p>");
        push_escaped(&mut out, texts.get("learn_search_none_help"));
        out.push_str("</p><p><a href=\"/ask\" class=\"button\">");
        push_escaped(&mut out, texts.get("learn_ask_instead"));
        out.push_str("</a></p></div>");
        return out;
    }
    push_escaped(
        &mut out,
        &texts.fill("learn_search_count", &[("count", &found.len().to_string())]),
    );
    out.push_str("</p></form><ul class=\"results\" role=\"list\">");
    for hit in found {
        out.push_str("<li class=\"result\"><h2 class=\"result-title\"><a href=\"/learn/");
        push_escaped(&mut out, &hit.id);
        out.push_str("\">");
        highlighted(&mut out, &hit.title);
        out.push_str("</a></h2>");
        if !hit.snippet.is_empty() {
            out.push_str("<p class=\"result-snippet\">");
            highlighted(&mut out, &hit.snippet);
            out.push_str("</p>");
        }
        let minutes = list
            .iter()
            .find(|a| a.slug == hit.id)
            .map_or(1, |a| a.reading_minutes);
        out.push_str("<p class=\"article-meta\">");
        push_escaped(
            &mut out,
            &texts.fill("learn_minutes", &[("minutes", &minutes.to_string())]),
        );
        out.push_str("</p></li>");
    }
    out.push_str("</ul>");
    out
}

fn highlighted(out: &mut String, segments: &[portal_core::search::Segment]) {
    for segment in segments {
        if segment.matched {
            out.push_str("<mark>");
            push_escaped(out, &segment.text);
            out.push_str("</mark>");
        } else {
            push_escaped(out, &segment.text);
        }
    }
}

fn shelves(out: &mut String, texts: &Texts, list: &[ArticleSummary]) {
    if list.is_empty() {
        out.push_str("<div class=\"search-empty\"><p>");
        push_escaped(out, texts.get("learn_library_empty"));
        out.push_str("</p><p><a href=\"/ask\" class=\"button\">");
        push_escaped(out, texts.get("learn_ask_instead"));
        out.push_str("</a></p></div>");
        return;
    }
    let featured: Vec<&ArticleSummary> = list.iter().filter(|a| a.featured).collect();
    if !featured.is_empty() {
        out.push_str(
            "<section class=\"shelf\" aria-labelledby=\"shelf-featured\"><h2 id=\"shelf-featured\">",
        );
        push_escaped(out, texts.get("learn_featured"));
        out.push_str("</h2><ul class=\"cards\" role=\"list\">");
        for a in featured {
            out.push_str("<li class=\"card\"><h3 class=\"card-title\">");
            article_link(out, a);
            out.push_str("</h3><p>");
            push_escaped(out, &a.summary);
            out.push_str("</p><p class=\"article-meta\">");
            push_escaped(
                out,
                &texts.fill(
                    "learn_minutes",
                    &[("minutes", &a.reading_minutes.to_string())],
                ),
            );
            out.push_str("</p></li>");
        }
        out.push_str("</ul></section>");
    }
    for topic in ArticleTopic::ALL {
        let on_shelf: Vec<&ArticleSummary> =
            list.iter().filter(|a| a.topics.contains(&topic)).collect();
        if on_shelf.is_empty() {
            continue;
        }
        let (id, label) = match topic {
            ArticleTopic::Condition => ("shelf-condition", "learn_topic_condition"),
            ArticleTopic::Medicine => ("shelf-medicine", "learn_topic_medicine"),
            ArticleTopic::LivingWith => ("shelf-livingwith", "learn_topic_living_with"),
        };
        shelf(out, id, texts.get(label), &on_shelf);
    }
    let newest: Vec<&ArticleSummary> = list.iter().take(NEWEST_COUNT).collect();
    shelf(out, "shelf-newest", texts.get("learn_newest"), &newest);
}

fn shelf(out: &mut String, id: &str, title: &str, list: &[&ArticleSummary]) {
    out.push_str(&format!(
        "<section class=\"shelf\" aria-labelledby=\"{id}\"><h2 id=\"{id}\">"
    ));
    push_escaped(out, title);
    out.push_str("</h2><ul class=\"article-list\" role=\"list\">");
    for a in list {
        out.push_str("<li>");
        article_link(out, a);
        out.push_str("<span class=\"article-list-summary\">");
        push_escaped(out, &a.summary);
        out.push_str("</span></li>");
    }
    out.push_str("</ul></section>");
}

fn article_link(out: &mut String, a: &ArticleSummary) {
    out.push_str("<a href=\"/learn/");
    push_escaped(out, &a.slug);
    out.push_str("\">");
    push_escaped(out, &a.title);
    out.push_str("</a>");
}

/// The template with the first paint in place of its boot shell, the page's language on `<html>`
/// and its title, and its note for browsers without script replaced by `noscript` (the template's
/// says the portal needs script; a written page can say what works without it, in its language);
/// `None` if the template has no boot shell to replace.
pub fn splice(
    template: &str,
    language: Language,
    title: &str,
    shell: &str,
    noscript: &str,
) -> Option<String> {
    let start = template
        .find("<div id=boot-shell>")
        .or_else(|| template.find("<div id=\"boot-shell\">"))?;
    let end = start + template[start..].find("<noscript>")?;
    let mut page = String::with_capacity(template.len() + shell.len());
    page.push_str(&template[..start]);
    page.push_str(shell);
    match template[end..].find("</noscript>") {
        Some(close) if !noscript.is_empty() => {
            page.push_str("<noscript><p>");
            push_escaped(&mut page, noscript);
            page.push_str("</p>");
            page.push_str(&template[end + close..]);
        }
        _ => page.push_str(&template[end..]),
    }
    for html_tag in ["<html lang=en>", "<html lang=\"en\">"] {
        page = page.replacen(html_tag, &format!("<html lang=\"{}\">", language.tag()), 1);
    }
    if let (Some(open), Some(close)) = (page.find("<title>"), page.find("</title>")) {
        if open < close {
            page.replace_range(open + "<title>".len()..close, &escape(title));
        }
    }
    Some(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn pages_written_in_advance() {
        assert_eq!(Page::at("/"), Some(Page::Home));
        assert_eq!(Page::at("/learn"), Some(Page::Learn(None)));
        assert_eq!(Page::at("/learn/"), Some(Page::Learn(None)));
        assert_eq!(Page::at("/ask"), Some(Page::Ask));
        assert_eq!(Page::at("/reminders"), Some(Page::Today));
        assert_eq!(
            Page::at("/learn/inhaler-technique"),
            Some(Page::Article("inhaler-technique".into()))
        );
        for other in [
            "/reminders/history",
            "/learn/a/b",
            "/learn/Not A Slug",
            "/asks",
            "/index.html",
        ] {
            assert_eq!(Page::at(other), None, "{other}");
        }
    }

    #[test]
    fn learn_takes_its_search_from_the_query() {
        let learn = |query| Page::Learn(None).with_query(query);
        assert_eq!(
            learn(Some("q=inhaler+technique")),
            Page::Learn(Some("inhaler technique".into()))
        );
        assert_eq!(
            learn(Some("x=1&q=%C3%A4rztin%20")),
            Page::Learn(Some("ärztin".into()))
        );
        assert_eq!(learn(Some("q=++")), Page::Learn(None));
        assert_eq!(learn(Some("q")), Page::Learn(None));
        assert_eq!(learn(None), Page::Learn(None));
        let long = format!("q={}", "a".repeat(1000));
        let Page::Learn(Some(cut)) = learn(Some(&long)) else {
            panic!("a long search is still a search");
        };
        assert_eq!(cut.chars().count(), portal_core::learn::SEARCH_MAX_CHARS);
        assert_eq!(Page::Ask.with_query(Some("q=x")), Page::Ask);
    }

    fn with(cookie: Option<&str>, accept: Option<&str>) -> Language {
        let mut headers = HeaderMap::new();
        if let Some(c) = cookie {
            headers.insert(header::COOKIE, HeaderValue::from_str(c).unwrap());
        }
        if let Some(a) = accept {
            headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(a).unwrap());
        }
        language(&headers)
    }

    #[test]
    fn the_language_is_chosen_as_the_app_chooses_it() {
        assert_eq!(with(None, None), Language::En);
        assert_eq!(with(None, Some("es-MX,es;q=0.9")), Language::Es);
        assert_eq!(with(None, Some("ja, de;q=0.5")), Language::De);
        assert_eq!(with(None, Some("de;q=0, fr")), Language::Fr);
        assert_eq!(with(Some("portal_language=de"), Some("fr")), Language::De);
        assert_eq!(with(Some("portal_language=xx"), Some("fr")), Language::Fr);
    }

    #[test]
    fn splicing_keeps_the_page_around_the_shell() {
        let template = "<html lang=\"en\"><head><title>Portal</title></head><body>\
                        <div id=\"boot-shell\"><p>Loading</p></div><noscript>x</noscript></body></html>";
        let page = splice(
            template,
            Language::De,
            "Wissen <1>",
            "<div id=\"boot-shell\">new</div>",
            "Ohne Skript <lesen>",
        )
        .unwrap();
        assert_eq!(
            page,
            "<html lang=\"de\"><head><title>Wissen &lt;1&gt;</title></head><body>\
             <div id=\"boot-shell\">new</div><noscript><p>Ohne Skript &lt;lesen&gt;</p></noscript></body></html>"
        );
        // Without a note of its own, the template's stays.
        let page = splice(
            template,
            Language::En,
            "t",
            "<div id=\"boot-shell\">s</div>",
            "",
        )
        .unwrap();
        assert!(
            page.ends_with("<noscript>x</noscript></body></html>"),
            "{page}"
        );
        assert_eq!(
            splice("<html><body></body></html>", Language::En, "t", "s", "n"),
            None
        );
    }
}
