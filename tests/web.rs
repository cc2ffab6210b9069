//! Shell components in a real browser (headless Chromium via wasm-bindgen-test).

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use patient_portal::api::Api;
use patient_portal::auth::Auth;
use patient_portal::config::{parse, ConfigError};
use patient_portal::i18n::I18n;
use patient_portal::reminder_data::ReminderData;
use patient_portal::time_zones::Zones;
use patient_portal::{ConfigErrorPage, PortalRoutes};
use portal_core::api::RuntimeConfig;
use portal_core::api::{Role, Session, User};
use portal_core::language::Language;
use portal_core::reminders::Person;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn container() -> HtmlElement {
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn go_to(path: &str) {
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        .unwrap();
}

/// Lets effects, router updates and microtasks run.
async fn settle() {
    for _ in 0..5 {
        leptos::task::tick().await;
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
}

fn find(root: &HtmlElement, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in {}", root.inner_html()))
        .unchecked_into()
}

fn heading(root: &HtmlElement) -> String {
    find(root, "h1").text_content().unwrap_or_default()
}

fn session(role: Role) -> Session {
    Session {
        user: User {
            id: "u1".into(),
            email: "pat@example.com".into(),
            display_name: "Pat Lee".into(),
            role,
        },
        expires_at: "2030-01-01T00:00:00Z".into(),
        idle_timeout_seconds: 1800,
    }
}

/// Follows a link the way a person does, through the router's click handling.
async fn visit(path: &str) {
    let link: HtmlElement = document().create_element("a").unwrap().unchecked_into();
    link.set_attribute("href", path).unwrap();
    document().body().unwrap().append_child(&link).unwrap();
    link.click();
    link.remove();
    settle().await;
}

/// The hour as this browser's English writes it on a dose card ("8:00 PM" in the United States,
/// "20:00" in Britain): schedules in words use the same clock.
fn english_time(hour: i8) -> String {
    patient_portal::i18n::civil_text(
        portal_core::schedule::jiff::civil::date(2026, 1, 1).at(hour, 0, 0, 0),
        Language::En,
        patient_portal::i18n::CivilStyle::Time,
    )
}

/// The router's listeners outlive an unmount, and the real app mounts it once, so these scenarios
/// share one mounted portal and run in order.
#[wasm_bindgen_test]
async fn routed_shell() {
    go_to("/");
    let root = container();
    let i18n = I18n::with_language(Language::En);
    let auth = Auth::new(None, true);
    let reminders = StoredValue::new(None::<ReminderData>);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(i18n);
        provide_context(auth);
        // No backend answers here: the reminders pages work from what is on the device.
        let api = Api::new(test_config());
        provide_context(api.clone());
        Zones::provide(api.clone());
        reminders.set_value(Some(ReminderData::provide(api, auth)));
        view! { <PortalRoutes /> }
    });
    settle().await;

    tab_bar_navigates_and_moves_focus_to_the_heading(&root).await;
    unknown_address_shows_the_not_found_page(&root).await;
    private_page_sends_signed_out_people_to_sign_in_and_back(&root, auth).await;
    sign_in_form_explains_each_empty_or_wrong_field(&root).await;
    studio_is_for_editors_only(&root, auth).await;
    ask_form_checks_each_step_and_back_keeps_answers(&root).await;
    reminder_form_explains_problems_and_previews_the_schedule(&root, auth, reminders.get_value())
        .await;
    switching_language_changes_every_text_and_html_lang(&root).await;
}

fn test_config() -> RuntimeConfig {
    RuntimeConfig {
        api_base_url: "/no-backend/api/v1".into(),
        medical_information_phone: "+44 800 000 0000".into(),
        medical_information_email: "medinfo@example.com".into(),
        emergency_number: "112".into(),
        idle_sign_out_minutes: 15,
        privacy_notice_url: "/privacy".into(),
        request_timeout_ms: 2_000,
    }
}

async fn wait_for(root: &HtmlElement, selector: &str) {
    for _ in 0..50 {
        if root.query_selector(selector).unwrap().is_some() {
            return;
        }
        settle().await;
    }
}

fn text_of(root: &HtmlElement, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

async fn reminder_form_explains_problems_and_previews_the_schedule(
    root: &HtmlElement,
    auth: Auth,
    data: Option<ReminderData>,
) {
    let data = data.expect("reminders data provided");
    auth.replace_session(Some(session(Role::Caregiver)));
    settle().await;
    data.people.set(vec![Person {
        id: "p1".into(),
        name: "Mum".into(),
        colour: "teal".into(),
        zone: "UTC".into(),
        version: 1,
    }]);
    visit("/reminders/new").await;
    wait_for(root, "#rf-medicine").await;
    assert_eq!(heading(root), "Add a reminder");
    assert_eq!(
        text_of(root, ".preview-words"),
        format!("Every day at {}", english_time(8)),
        "the schedule is said in plain words before saving"
    );

    find(root, ".reminder-form button[type='submit']").click();
    settle().await;
    assert_eq!(
        text_of(root, "#rf-medicine-error"),
        "Enter the medicine's name."
    );
    assert_eq!(
        find(root, "#rf-medicine")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        document().active_element().unwrap().id(),
        "reminder-errors",
        "the summary takes focus so it is read out"
    );

    type_into(root, "#rf-medicine", "Metformin");
    find(root, "#rf-kind-weekly").click();
    settle().await;
    find(root, ".reminder-form button[type='submit']").click();
    settle().await;
    assert!(root.query_selector("#rf-medicine-error").unwrap().is_none());
    assert_eq!(text_of(root, "#rf-days-error"), "Choose at least one day.");
    let medicine: HtmlInputElement = find(root, "#rf-medicine").unchecked_into();
    assert_eq!(medicine.value(), "Metformin", "what was typed stays");

    find(root, "#rf-schedule-pattern-days-mon").click();
    find(root, "#rf-schedule-pattern-days-fri").click();
    find(root, "#rf-add-time").click();
    settle().await;
    type_into(root, "#rf-schedule-pattern-times-1", "20:00");
    settle().await;
    assert_eq!(
        text_of(root, ".preview-words"),
        format!(
            "Mon and Fri at {} and {}",
            english_time(8),
            english_time(20)
        )
    );
    auth.replace_session(None);
    settle().await;
}

async fn tab_bar_navigates_and_moves_focus_to_the_heading(root: &HtmlElement) {
    assert_eq!(heading(root), "Your health companion");
    assert!(find(root, "main#main").is_connected());
    assert!(root
        .query_selector("nav[aria-label='Main']")
        .unwrap()
        .is_some());

    find(root, "nav a[href='/ask']").click();
    settle().await;
    assert_eq!(heading(root), "Ask a question");
    let active = document().active_element().unwrap();
    assert_eq!(active.tag_name(), "H1", "focus follows navigation");
    assert_eq!(
        find(root, "nav a[href='/ask']")
            .get_attribute("aria-current")
            .as_deref(),
        Some("page")
    );
    assert!(document().title().starts_with("Ask a question"));
    let notice = find(root, ".notice-urgent");
    assert!(notice
        .text_content()
        .unwrap()
        .contains("Not for emergencies"));
}

async fn unknown_address_shows_the_not_found_page(root: &HtmlElement) {
    visit("/no/such/page").await;
    assert_eq!(heading(root), "We cannot find that page");
    assert!(root.query_selector("main a[href='/']").unwrap().is_some());
}

async fn private_page_sends_signed_out_people_to_sign_in_and_back(root: &HtmlElement, auth: Auth) {
    visit("/reminders").await;
    assert_eq!(heading(root), "Sign in");
    let location = web_sys::window().unwrap().location();
    assert_eq!(location.pathname().unwrap(), "/account/sign-in");
    assert_eq!(location.search().unwrap(), "?next=/reminders");

    // Signing in (as the form does on success) goes back to the page that asked.
    auth.replace_session(Some(session(Role::Caregiver)));
    settle().await;
    assert_eq!(location.pathname().unwrap(), "/reminders");
    assert_eq!(heading(root), "Reminders");
    auth.replace_session(None);
    settle().await;
}

async fn sign_in_form_explains_each_empty_or_wrong_field(root: &HtmlElement) {
    visit("/account/sign-in").await;
    find(root, "button[type='submit']").click();
    settle().await;
    assert_eq!(
        find(root, "#sign-in-email-error").text_content().unwrap(),
        "Enter your email address."
    );
    assert_eq!(
        find(root, "#sign-in-password-error")
            .text_content()
            .unwrap(),
        "Enter your password."
    );
    let email: HtmlInputElement = find(root, "#sign-in-email").unchecked_into();
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        email.get_attribute("aria-describedby").as_deref(),
        Some("sign-in-email-error")
    );
    assert_eq!(document().active_element().unwrap().id(), "sign-in-email");

    email.set_value("not-an-email");
    email
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    find(root, "button[type='submit']").click();
    settle().await;
    assert_eq!(
        find(root, "#sign-in-email-error").text_content().unwrap(),
        "Enter an email address like name@example.com."
    );
    assert_eq!(email.value(), "not-an-email", "what was typed stays");
}

async fn studio_is_for_editors_only(root: &HtmlElement, auth: Auth) {
    // Signing in on the sign-in page goes on to the start page first.
    auth.replace_session(Some(session(Role::Patient)));
    settle().await;
    assert_eq!(heading(root), "Your health companion");
    visit("/studio").await;
    assert_eq!(heading(root), "This page is not for your account");
    assert!(
        root.query_selector("nav a[href='/studio']")
            .unwrap()
            .is_none(),
        "patients see no Studio tab"
    );

    auth.replace_session(Some(session(Role::Editor)));
    settle().await;
    assert_eq!(heading(root), "Studio");
    assert!(root
        .query_selector("nav a[href='/studio']")
        .unwrap()
        .is_some());
}

fn step_heading(root: &HtmlElement) -> String {
    find(root, "#ask-step-heading")
        .text_content()
        .unwrap_or_default()
}

fn type_into(root: &HtmlElement, selector: &str, text: &str) {
    let field = find(root, selector);
    if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
        input.set_value(text);
    } else if let Some(area) = field.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(text);
    }
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

async fn ask_form_checks_each_step_and_back_keeps_answers(root: &HtmlElement) {
    visit("/ask").await;
    // The draft is looked up on the device before the form shows.
    for _ in 0..20 {
        if root.query_selector("#ask-step-heading").unwrap().is_some() {
            break;
        }
        settle().await;
    }
    assert_eq!(step_heading(root), "Who is asking");
    let continue_button = || find(root, ".ask-form button[type='submit']");

    continue_button().click();
    settle().await;
    assert_eq!(
        find(root, "#ask-asker-error").text_content().unwrap(),
        "Choose who is asking."
    );
    assert_eq!(
        document().active_element().unwrap().class_name(),
        "error-summary",
        "the summary takes focus so it is read out"
    );
    assert_eq!(step_heading(root), "Who is asking", "cannot go on");

    find(root, "#ask-asker-2").click();
    settle().await;
    assert!(
        root.query_selector("#ask-asker-error").unwrap().is_none(),
        "choosing clears the message"
    );
    continue_button().click();
    settle().await;
    assert_eq!(
        find(root, "#ask-profession-error").text_content().unwrap(),
        "Enter your profession."
    );
    let profession: HtmlInputElement = find(root, "#ask-profession").unchecked_into();
    assert_eq!(
        profession.get_attribute("aria-describedby").as_deref(),
        Some("ask-profession-hint ask-profession-error")
    );
    type_into(root, "#ask-profession", "Pharmacist");
    continue_button().click();
    settle().await;
    assert_eq!(step_heading(root), "Medicine and topic");
    assert!(find(root, ".steps li.current")
        .text_content()
        .unwrap()
        .contains("Medicine and topic"));

    // Without a product list, "Other or not sure" is still offered.
    find(root, "#ask-productId").click();
    find(root, "#ask-topic").click();
    settle().await;
    continue_button().click();
    settle().await;
    assert_eq!(step_heading(root), "Your question");
    type_into(root, "#ask-question", "Hello");
    settle().await;
    assert_eq!(
        find(root, "#ask-question-count").text_content().unwrap(),
        "5 of 2000 characters"
    );

    find(root, ".form-actions button[type='button']").click();
    settle().await;
    find(root, ".form-actions button[type='button']").click();
    settle().await;
    assert_eq!(step_heading(root), "Who is asking");
    let hcp: HtmlInputElement = find(root, "#ask-asker-2").unchecked_into();
    assert!(hcp.checked(), "Back keeps the choice");
    let profession: HtmlInputElement = find(root, "#ask-profession").unchecked_into();
    assert_eq!(profession.value(), "Pharmacist", "Back keeps the text");
}

async fn switching_language_changes_every_text_and_html_lang(root: &HtmlElement) {
    visit("/learn").await;
    assert_eq!(heading(root), "Learn");
    let select: HtmlSelectElement = find(root, "#language-select").unchecked_into();
    select.set_value("de");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(heading(root), "Wissen");
    assert_eq!(
        find(root, "nav a[href='/reminders'] span")
            .text_content()
            .unwrap(),
        "Erinnerungen"
    );
    assert_eq!(
        find(root, ".skip-link").text_content().unwrap(),
        "Zum Hauptinhalt springen"
    );
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("portal.language")
        .unwrap();
    assert_eq!(stored.as_deref(), Some("de"));
}

#[wasm_bindgen_test]
async fn broken_settings_show_a_clear_error_page() {
    let error = parse("{\"apiBaseUrl\": 3}").unwrap_err();
    assert!(matches!(error, ConfigError::Invalid(_)));
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(I18n::with_language(Language::En));
        view! { <ConfigErrorPage error=error.clone() /> }
    });
    settle().await;
    assert_eq!(heading(&root), "The portal cannot start right now");
    assert!(find(&root, "details code")
        .text_content()
        .unwrap()
        .contains("/config.json is invalid"));
    assert!(root.query_selector("button").unwrap().is_some());
}

fn article_with_body(body: &str) -> portal_core::learn::Article {
    portal_core::learn::Article {
        slug: "test".into(),
        language: "en".into(),
        title: "A test guide".into(),
        summary: "What this guide is about.".into(),
        body: body.into(),
        topics: vec![portal_core::learn::ArticleTopic::Medicine],
        reading_minutes: 2,
        reading_grade: None,
        last_reviewed: "2026-10-01".into(),
        review_by: "2027-10-01".into(),
        approval_code: "PP-UK-0001 10/2026".into(),
        status: portal_core::learn::ArticleStatus::Published,
        medicine_id: None,
        featured: false,
        updated_at: "2026-10-01T00:00:00Z".into(),
    }
}

#[wasm_bindgen_test]
async fn articles_render_hostile_markdown_as_harmless_text() {
    use patient_portal::components::article_view::ArticleView;
    let body = "## Start\n\n<script>window.hacked = 1</script>\n\nInline <img src=x onerror=\"window.hacked=2\"> tag.\n\n\
        [bad](javascript:window.hacked=3) [data](data:text/html,hi) [site](https://example.org/page) [here](/learn/other)\n\n\
        > [!DOCTOR]\n> Talk to your doctor first.\n\n| Day | Taken |\n|---|:-:|\n| Mon | yes |\n\n## Two\n\n## Three\n\n### Four\n";
    let root = container();
    let article = article_with_body(body);
    // As the backend sends it: parsed, then through JSON.
    let sent = serde_json::to_string(&portal_core::markdown::parse(body)).unwrap();
    let document: portal_core::markdown::Document = serde_json::from_str(&sent).unwrap();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(I18n::with_language(Language::En));
        view! { <ArticleView article=article.clone() document=document.clone() /> }
    });
    settle().await;
    assert!(
        root.query_selector("script").unwrap().is_none(),
        "no script element"
    );
    assert!(
        root.query_selector("img").unwrap().is_none(),
        "raw HTML images are text"
    );
    assert!(
        root.text_content().unwrap().contains("<img src=x"),
        "the raw tag shows as text"
    );
    let links = root.query_selector_all("a[href]").unwrap();
    let mut hrefs = Vec::new();
    for i in 0..links.length() {
        let a: web_sys::Element = links.item(i).unwrap().unchecked_into();
        hrefs.push(a.get_attribute("href").unwrap());
    }
    assert!(
        hrefs
            .iter()
            .all(|h| !h.to_lowercase().starts_with("javascript") && !h.starts_with("data")),
        "{hrefs:?}"
    );
    let external = find(&root, "a.external");
    assert_eq!(
        external.get_attribute("href").as_deref(),
        Some("https://example.org/page")
    );
    assert_eq!(external.get_attribute("target").as_deref(), Some("_blank"));
    assert!(external.get_attribute("rel").unwrap().contains("noopener"));
    assert!(find(&root, ".callout-doctor")
        .text_content()
        .unwrap()
        .contains("Talk to your doctor first."));
    assert_eq!(
        find(&root, "td.align-center").text_content().unwrap(),
        "yes"
    );
    assert!(
        root.query_selector("nav.toc").unwrap().is_some(),
        "four sections get a table of contents"
    );
    // Sections are numbered in order; the subsection nests under its section.
    assert_eq!(
        root.query_selector_all("nav.toc > ol > li")
            .unwrap()
            .length(),
        3
    );
    assert_eq!(
        find(&root, "nav.toc > ol > li:nth-child(3) > ul > li")
            .text_content()
            .unwrap(),
        "Four"
    );
    assert!(find(&root, ".article-approval")
        .text_content()
        .unwrap()
        .contains("PP-UK-0001"));
    let hacked = js_sys::Reflect::get(&web_sys::window().unwrap(), &"hacked".into()).unwrap();
    assert!(hacked.is_undefined(), "nothing ran");
}

/// The app writes dates and times itself instead of starting `Intl` on a slow phone; they must
/// still read exactly as the browser would write them, for every month, weekday and hour.
#[wasm_bindgen_test]
fn civil_texts_match_the_browser() {
    use portal_core::language::{civil_text, CivilStyle};
    use portal_core::schedule::jiff::civil::date;
    for language in Language::ALL {
        for month in 1..=12i8 {
            for (day, hour) in [(1i8, 0i8), (9, 7), (17, 12), (25, 13), (28, 23)] {
                let dt = date(2026, month, day).at(hour, day * 2, 0, 0);
                let ms = js_sys::Date::utc(2026.0, f64::from(month - 1))
                    + f64::from(day - 1) * 86_400_000.0
                    + f64::from(hour) * 3_600_000.0
                    + f64::from(dt.minute()) * 60_000.0;
                let browser_date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
                for style in [
                    CivilStyle::Time,
                    CivilStyle::Day,
                    CivilStyle::LongDay,
                    CivilStyle::DayTime,
                ] {
                    let options = js_sys::Object::new();
                    let set = |k: &str, v: &str| {
                        js_sys::Reflect::set(&options, &k.into(), &v.into()).unwrap();
                    };
                    set("timeZone", "UTC");
                    if style != CivilStyle::Time {
                        let long = style == CivilStyle::LongDay;
                        set("weekday", if long { "long" } else { "short" });
                        set("day", "numeric");
                        set("month", if long { "long" } else { "short" });
                    }
                    if matches!(style, CivilStyle::Time | CivilStyle::DayTime) {
                        // The 12-hour clock of American English writes "7:18 AM"; the 24-hour
                        // clocks of the others pad the hour ("07:18").
                        let hour = if language == Language::En {
                            "numeric"
                        } else {
                            "2-digit"
                        };
                        set("hour", hour);
                        set("minute", "2-digit");
                    }
                    let browser: String = browser_date
                        .to_locale_string(language.tag(), &options)
                        .into();
                    assert_eq!(
                        civil_text(dt, language, style),
                        browser,
                        "{language:?} {style:?}"
                    );
                }
            }
        }
    }
}

/// The device's zone comes from `Temporal` where the browser has it, and from `Intl` where it
/// does not; both must name the same zone.
#[wasm_bindgen_test]
fn device_zone_is_the_browsers_zone_with_or_without_temporal() {
    use patient_portal::time_zones::device_zone;
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let intl = js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(device_zone(), intl);
    let global: js_sys::Object = js_sys::global().unchecked_into();
    let temporal = js_sys::Reflect::get(&global, &"Temporal".into()).unwrap();
    assert!(
        !temporal.is_undefined(),
        "this Chromium has Temporal, so the fast path is tested"
    );
    js_sys::Reflect::delete_property(&global, &"Temporal".into()).unwrap();
    let without = device_zone();
    js_sys::Reflect::set(&global, &"Temporal".into(), &temporal).unwrap();
    assert_eq!(without, intl);
}

/// An opened article takes over the body the backend wrote only when it is the same version: one
/// republished in between is built from the new text.
#[wasm_bindgen_test]
async fn an_article_reuses_the_written_body_only_for_the_same_version() {
    use patient_portal::components::article_view::ArticleView;
    let shell = document().create_element("div").unwrap();
    shell.set_id("boot-shell");
    shell.set_inner_html(
        "<h1>A test guide</h1><div class=\"article\" lang=\"en\" data-version=\"2026-10-01T00:00:00Z\">\
         <div class=\"article-body\"><p>As the server wrote it.</p></div></div>",
    );
    document().body().unwrap().append_child(&shell).unwrap();
    let body = "The new text.\n";
    let document_of = || portal_core::markdown::parse(body);

    let republished = container();
    let mut newer = article_with_body(body);
    newer.updated_at = "2026-11-20T09:00:00Z".into();
    let _first = leptos::mount::mount_to(republished.clone(), move || {
        provide_context(I18n::with_language(Language::En));
        view! { <ArticleView article=newer.clone() document=document_of() /> }
    });
    settle().await;
    let text = find(&republished, ".article-body").text_content().unwrap();
    assert!(text.contains("The new text."), "{text}");
    assert!(!text.contains("As the server wrote it."), "{text}");

    let same = container();
    let article = article_with_body(body);
    let _second = leptos::mount::mount_to(same.clone(), move || {
        provide_context(I18n::with_language(Language::En));
        view! { <ArticleView article=article.clone() document=document_of() /> }
    });
    settle().await;
    let text = find(&same, ".article-body").text_content().unwrap();
    assert!(text.contains("As the server wrote it."), "{text}");
    shell.remove();
}

/// Yielding ends the current task: with `scheduler.yield()` where the browser has it (and it is
/// the one used), and with a timeout where it does not, which resumes after work queued before it.
#[wasm_bindgen_test]
async fn yielding_to_the_browser_uses_the_scheduler_or_a_timeout() {
    use patient_portal::view_task::yield_to_browser;
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;

    let global: js_sys::Object = js_sys::global().unchecked_into();
    let scheduler = js_sys::Reflect::get(&global, &"scheduler".into()).unwrap();
    assert!(
        scheduler.is_object(),
        "this Chromium has scheduler.yield, so that path is tested"
    );
    let real_yield = js_sys::Reflect::get(&scheduler, &"yield".into()).unwrap();
    let calls = Rc::new(Cell::new(0));
    let counted = {
        let calls = calls.clone();
        let real_yield: js_sys::Function = real_yield.clone().unchecked_into();
        let scheduler = scheduler.clone();
        Closure::<dyn Fn() -> wasm_bindgen::JsValue>::new(move || {
            calls.set(calls.get() + 1);
            real_yield.call0(&scheduler).unwrap()
        })
    };
    js_sys::Reflect::set(&scheduler, &"yield".into(), counted.as_ref()).unwrap();
    yield_to_browser().await;
    js_sys::Reflect::set(&scheduler, &"yield".into(), &real_yield).unwrap();
    assert_eq!(calls.get(), 1);

    js_sys::Reflect::delete_property(&global, &"scheduler".into()).unwrap();
    let earlier_ran = Rc::new(Cell::new(false));
    let earlier = {
        let earlier_ran = earlier_ran.clone();
        Closure::once_into_js(move || earlier_ran.set(true))
    };
    web_sys::window()
        .unwrap()
        .set_timeout_with_callback_and_timeout_and_arguments_0(earlier.unchecked_ref(), 0)
        .unwrap();
    yield_to_browser().await;
    js_sys::Reflect::set(&global, &"scheduler".into(), &scheduler).unwrap();
    assert!(
        earlier_ran.get(),
        "resumed in a later task than the timeout queued before it"
    );
}
