//! Ask: products, sending inquiries (validation, idempotency across sessions), a person's own list,
//! and the Medical Information team's endpoints.

mod common;

use axum::http::{Method, StatusCode};
use common::{
    cara, eddie, fresh_key, mia, pairs, pat, safety_inquiry, valid_inquiry, TestApp, TestResponse,
};
use portal_core::{
    api::problem_types as pt,
    inquiry::{InquiryDraft, InquiryReceipt, InquiryStatus, InquirySummary, StaffInquiry},
};
use serde_json::{json, Value};
use std::sync::Arc;

const INQUIRIES: &str = "/api/v1/inquiries";
const STAFF_LIST: &str = "/api/v1/medical-information/inquiries";

fn receipt(res: &TestResponse) -> InquiryReceipt {
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

async fn own_list(app: &TestApp, cookie: &str) -> Vec<InquirySummary> {
    let res = app.get_with_cookie(INQUIRIES, cookie).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

async fn staff_list(app: &TestApp, cookie: &str, query: &str) -> Vec<StaffInquiry> {
    let res = app
        .get_with_cookie(&format!("{STAFF_LIST}{query}"), cookie)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

async fn put_update(
    app: &TestApp,
    cookie: Option<&str>,
    reference: &str,
    body: Value,
) -> TestResponse {
    app.send_json(
        Method::PUT,
        &format!("{STAFF_LIST}/{reference}"),
        &body,
        None,
        cookie,
    )
    .await
}

/// `^MI-[2-9A-Z]{4}-[2-9A-Z]{4}$`, without a regex engine.
fn is_reference(r: &str) -> bool {
    let group = |g: &str| g.len() == 4 && g.bytes().all(|b| matches!(b, b'2'..=b'9' | b'A'..=b'Z'));
    match r.strip_prefix("MI-").and_then(|rest| rest.split_once('-')) {
        Some((a, b)) => group(a) && group(b),
        None => false,
    }
}

fn stored_user_id(app: &TestApp, reference: &str) -> Option<String> {
    let reference = reference.to_owned();
    app.state
        .db
        .call_blocking(move |c| {
            Ok(c.query_row(
                "SELECT user_id FROM inquiries WHERE reference = ?1",
                [reference],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

async fn user_id(app: &TestApp, cookie: &str) -> String {
    let res = app.get_with_cookie("/api/v1/session", cookie).await;
    res.json()["user"]["id"].as_str().unwrap().to_owned()
}

#[test]
fn the_reference_pattern_check_works() {
    assert!(is_reference("MI-2345-Y2H9"));
    for bad in [
        "MI-2345-Y2H",
        "MI-2345Y2H9",
        "XX-2345-Y2H9",
        "MI-0345-Y2H9",
        "MI-2345-y2h9",
    ] {
        assert!(!is_reference(bad), "{bad}");
    }
}

#[tokio::test]
async fn products_are_listed_in_the_forms_order() {
    let app = TestApp::new();
    let res = app.get("/api/v1/products").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let products = res.json();
    let products = products.as_array().unwrap();
    assert_eq!(products.len(), 6);
    assert_eq!(
        products[0],
        json!({
            "id": "brelora",
            "name": "Brelora",
            "genericName": "salbutamol inhaler",
            "genericNames": {
                "de": "Salbutamol-Inhalator",
                "es": "inhalador de salbutamol",
                "fr": "inhalateur de salbutamol"
            }
        })
    );
    let ids: Vec<&str> = products.iter().map(|p| p["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = portal_backend::seed::DEMO_PRODUCTS
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn an_anonymous_inquiry_is_received() {
    let app = TestApp::new();
    let mut body = valid_inquiry();
    // Typed, then the person chose to be answered by email: not sent on.
    body["phone"] = "0123 456789".into();
    let before = app.state.clock.now();
    let res = app.send_inquiry(&body, None).await;
    let r = receipt(&res);
    assert!(is_reference(&r.reference), "{}", r.reference);
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/inquiries/{}", r.reference).as_str())
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(r.status, InquiryStatus::Sent);
    assert!(!r.safety_report);
    assert_eq!(r.reply_within_working_days, 2);
    let received: jiff::Timestamp = r.received_at.parse().unwrap();
    assert!((before..=before + 2).contains(&received.as_second()));
    assert_eq!(app.inquiry_rows(), 1);
    assert_eq!(stored_user_id(&app, &r.reference), None);

    let staff = mia(&app).await;
    let all = staff_list(&app, &staff, "").await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].reference, r.reference);
    assert_eq!(all[0].signed_in_user_id, None);
    assert_eq!(all[0].received_at, r.received_at);
    assert_eq!(all[0].inquiry.phone, "", "trimmed before storing");
    let sent: InquiryDraft = serde_json::from_value(body).unwrap();
    assert_eq!(all[0].inquiry, sent.trimmed_for_sending());
}

#[tokio::test]
async fn a_safety_report_is_flagged_in_the_receipt() {
    let app = TestApp::new();
    let r = receipt(&app.send_inquiry(&safety_inquiry(), None).await);
    assert!(r.safety_report);
    assert_eq!(r.status, InquiryStatus::Sent);
}

#[tokio::test]
async fn an_inquiry_needs_an_idempotency_key() {
    let app = TestApp::new();
    let res = app
        .send_json(Method::POST, INQUIRIES, &valid_inquiry(), None, None)
        .await;
    let p = res.assert_problem(400, pt::BAD_REQUEST);
    assert!(
        p["detail"].as_str().unwrap().contains("Idempotency-Key"),
        "{p}"
    );
    // Malformed keys are refused as for every POST.
    app.send_json(
        Method::POST,
        INQUIRIES,
        &valid_inquiry(),
        Some(&"k".repeat(256)),
        None,
    )
    .await
    .assert_problem(400, pt::BAD_REQUEST);
    assert_eq!(app.inquiry_rows(), 0);
}

#[tokio::test]
async fn an_empty_inquiry_lists_every_required_field() {
    let app = TestApp::new();
    let p = app
        .send_inquiry(&json!({}), None)
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("asker", "required"),
            ("productId", "required"),
            ("topic", "required"),
            ("question", "required"),
            ("hadSafetyEvent", "required"),
            ("contactMethod", "required"),
            ("name", "required"),
            ("country", "required"),
            ("language", "required"),
            ("consentContact", "required"),
        ])
    );
    assert_eq!(app.inquiry_rows(), 0);
}

#[tokio::test]
async fn each_bad_field_gets_its_own_error() {
    let app = TestApp::new();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut v = valid_inquiry();
        change(&mut v);
        v
    };
    let cases: Vec<(Value, Vec<(String, String)>)> = vec![
        (
            with(&|v| v["email"] = "pat-at-example".into()),
            pairs(&[("email", "invalid")]),
        ),
        (
            with(&|v| v["productId"] = "made-up".into()),
            pairs(&[("productId", "unknown_choice")]),
        ),
        (
            with(&|v| v["question"] = "q".repeat(2001).into()),
            pairs(&[("question", "too_long")]),
        ),
        (
            with(&|v| v["hadSafetyEvent"] = true.into()),
            pairs(&[
                ("safety.kinds", "required"),
                ("safety.whatHappened", "required"),
                ("safety.whenItHappened", "required"),
                ("safety.outcome", "required"),
            ]),
        ),
        (
            with(&|v| {
                v["asker"] = "hcp".into();
                v["contactMethod"] = "phone".into();
                v["phone"] = "call me".into();
                v["country"] = "XX".into();
                v["consentContact"] = false.into();
            }),
            pairs(&[
                ("profession", "required"),
                ("phone", "invalid"),
                ("country", "unknown_choice"),
                ("consentContact", "required"),
            ]),
        ),
    ];
    for (body, expected) in cases {
        let p = app
            .send_inquiry(&body, None)
            .await
            .assert_problem(422, pt::VALIDATION);
        assert_eq!(field_codes(&p), expected, "{body}");
    }

    let p = app
        .send_inquiry(&with(&|v| v["question"] = "  ".into()), None)
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        p["errors"][0]["detail"],
        "Type your question (at most 2000 characters)."
    );

    // Values of the wrong type or outside an enum cannot be read at all.
    app.send_inquiry(&with(&|v| v["asker"] = "alien".into()), None)
        .await
        .assert_problem(422, pt::VALIDATION);
    app.send_inquiry(&with(&|v| v["consentContact"] = "yes".into()), None)
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(app.inquiry_rows(), 0);

    // Exactly the limit is fine.
    let longest = with(&|v| v["question"] = "ü".repeat(2000).into());
    receipt(&app.send_inquiry(&longest, None).await);
}

#[tokio::test]
async fn other_products_and_surrounding_spaces() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let mut named = valid_inquiry();
    named["productId"] = "other".into();
    named["productOther"] = "An old cough syrup".into();
    let mut unsure = valid_inquiry();
    unsure["productId"] = "other".into();
    let mut spaced = valid_inquiry();
    spaced["productId"] = " corvessa ".into();
    for body in [&named, &unsure, &spaced] {
        receipt(&app.send_inquiry(body, Some(&pat)).await);
    }
    let medicines: Vec<String> = own_list(&app, &pat)
        .await
        .into_iter()
        .map(|s| s.medicine)
        .collect();
    assert_eq!(medicines, ["Corvessa", "Not sure", "An old cough syrup"]);
}

#[tokio::test]
async fn the_same_key_twice_files_one_inquiry() {
    let app = TestApp::new();
    let key = fresh_key();
    let body = valid_inquiry();
    let first = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
        .await;
    let second = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
        .await;
    assert_eq!(receipt(&first), receipt(&second));
    assert_eq!(first.body, second.body);
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.inquiry_rows(), 1);

    let mut changed = body.clone();
    changed["question"] = "Something else entirely?".into();
    app.send_json(Method::POST, INQUIRIES, &changed, Some(&key), None)
        .await
        .assert_problem(422, pt::IDEMPOTENCY_KEY_REUSED);
    assert_eq!(app.inquiry_rows(), 1);
}

#[tokio::test]
async fn a_retry_days_later_still_finds_its_inquiry() {
    let app = TestApp::new();
    let key = fresh_key();
    let body = valid_inquiry();
    let first = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
        .await;
    // The 24-hour idempotency record is gone, as it is after a phone spent days offline.
    app.state
        .db
        .call_blocking(|c| Ok(c.execute("DELETE FROM idempotency_keys", [])?))
        .unwrap();
    let later = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
        .await;
    assert_eq!(later.status, 201);
    assert_eq!(receipt(&first), receipt(&later));
    assert_eq!(app.inquiry_rows(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicates_file_one_inquiry() {
    let app = Arc::new(TestApp::new());
    let key = fresh_key();
    let body = safety_inquiry();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, key, body) = (app.clone(), key.clone(), body.clone());
            tokio::spawn(async move {
                app.send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
                    .await
            })
        })
        .collect();
    let mut references = Vec::new();
    for task in tasks {
        let res = task.await.unwrap();
        match res.status {
            StatusCode::CREATED => references.push(receipt(&res).reference),
            StatusCode::CONFLICT => {
                res.assert_problem(409, pt::IDEMPOTENCY_IN_PROGRESS);
            }
            other => panic!("unexpected {other}: {}", res.text()),
        }
    }
    assert!(!references.is_empty());
    assert!(
        references.windows(2).all(|w| w[0] == w[1]),
        "{references:?}"
    );
    assert_eq!(app.inquiry_rows(), 1);
    let late = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
        .await;
    assert_eq!(receipt(&late).reference, references[0]);
    assert_eq!(app.inquiry_rows(), 1);
}

#[tokio::test]
async fn a_retry_after_the_session_ended_replays_the_first_answer() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let pat_id = user_id(&app, &pat).await;
    let key = fresh_key();
    let body = valid_inquiry();
    let first = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), Some(&pat))
        .await;
    let reference = receipt(&first).reference;

    // The answer was lost; Pat signed out before the outbox tried again.
    app.sign_out(&pat).await;
    let retry = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
        .await;
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body);
    // With the old cookie, now stale, as well.
    let stale = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), Some(&pat))
        .await;
    assert_eq!(stale.body, first.body);
    assert_eq!(app.inquiry_rows(), 1);
    assert_eq!(stored_user_id(&app, &reference), Some(pat_id));

    // And the other way round: sent signed out, retried after signing in.
    let key = fresh_key();
    let anonymous = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), None)
        .await;
    let cara = cara(&app).await;
    let signed_in = app
        .send_json(Method::POST, INQUIRIES, &body, Some(&key), Some(&cara))
        .await;
    assert_eq!(signed_in.body, anonymous.body);
    assert_eq!(app.inquiry_rows(), 2);
    assert!(own_list(&app, &cara).await.is_empty());
}

#[tokio::test]
async fn a_stale_cookie_sends_anonymously() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    app.sign_out(&pat).await;
    let res = app.send_inquiry(&valid_inquiry(), Some(&pat)).await;
    let r = receipt(&res);
    assert_eq!(stored_user_id(&app, &r.reference), None);
    assert!(
        res.set_cookies().iter().any(|c| c.contains("Max-Age=0")),
        "the dead cookie is cleared: {:?}",
        res.set_cookies()
    );

    // An idle-expired session likewise.
    let cara = cara(&app).await;
    app.state.clock.advance(16 * 60);
    let r = receipt(&app.send_inquiry(&valid_inquiry(), Some(&cara)).await);
    assert_eq!(stored_user_id(&app, &r.reference), None);
}

#[tokio::test]
async fn sending_does_not_extend_a_session() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    app.state.clock.advance(10 * 60);
    let res = app.send_inquiry(&valid_inquiry(), Some(&pat)).await;
    receipt(&res);
    assert!(res.set_cookies().is_empty(), "{:?}", res.set_cookies());
    app.state.clock.advance(6 * 60);
    app.get_with_cookie("/api/v1/session", &pat)
        .await
        .assert_nobody_signed_in();
}

#[tokio::test]
async fn people_see_only_their_own_inquiries() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let cara = cara(&app).await;
    let pats = receipt(&app.send_inquiry(&valid_inquiry(), Some(&pat)).await).reference;
    app.state.clock.advance(60);
    let mut second = safety_inquiry();
    second["productId"] = "thromvara".into();
    let pats_second = receipt(&app.send_inquiry(&second, Some(&pat)).await).reference;
    let caras = receipt(&app.send_inquiry(&valid_inquiry(), Some(&cara)).await).reference;
    receipt(&app.send_inquiry(&valid_inquiry(), None).await);

    let list = own_list(&app, &pat).await;
    let refs: Vec<&str> = list.iter().map(|s| s.reference.as_str()).collect();
    assert_eq!(refs, [pats_second.as_str(), pats.as_str()], "newest first");
    assert_eq!(list[0].medicine, "Thromvara");
    assert!(list[0].safety_report);
    assert_eq!(list[1].question, "Can I keep my inhaler in the car?");
    assert_eq!(list[1].status, InquiryStatus::Sent);
    assert_eq!(list[1].answer, None);

    let list = own_list(&app, &cara).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].reference, caras);

    // Every signed-in role has a list, if an empty one.
    let eddie = eddie(&app).await;
    assert!(own_list(&app, &eddie).await.is_empty());
    app.get(INQUIRIES)
        .await
        .assert_problem(401, pt::UNAUTHENTICATED);
}

#[tokio::test]
async fn only_the_medical_information_team_reaches_its_endpoints() {
    let app = TestApp::new();
    let reference = receipt(&app.send_inquiry(&valid_inquiry(), None).await).reference;
    let answer = json!({ "status": "answered", "answer": "Yes." });

    app.get(STAFF_LIST)
        .await
        .assert_problem(401, pt::UNAUTHENTICATED);
    put_update(&app, None, &reference, answer.clone())
        .await
        .assert_problem(401, pt::UNAUTHENTICATED);
    for cookie in [pat(&app).await, cara(&app).await, eddie(&app).await] {
        app.get_with_cookie(STAFF_LIST, &cookie)
            .await
            .assert_problem(403, pt::FORBIDDEN);
        app.get_with_cookie(&format!("{STAFF_LIST}?safety=true"), &cookie)
            .await
            .assert_problem(403, pt::FORBIDDEN);
        put_update(&app, Some(&cookie), &reference, answer.clone())
            .await
            .assert_problem(403, pt::FORBIDDEN);
    }
    let mia = mia(&app).await;
    assert_eq!(staff_list(&app, &mia, "").await[0].answer, None);
}

#[tokio::test]
async fn an_answer_reaches_the_person_who_asked() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let pat_id = user_id(&app, &pat).await;
    let reference = receipt(&app.send_inquiry(&valid_inquiry(), Some(&pat)).await).reference;
    let mia = mia(&app).await;

    let all = staff_list(&app, &mia, "").await;
    assert_eq!(all[0].signed_in_user_id.as_deref(), Some(pat_id.as_str()));

    let res = put_update(
        &app,
        Some(&mia),
        &reference,
        json!({ "status": "being_answered" }),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mine = own_list(&app, &pat).await;
    assert_eq!(mine[0].status, InquiryStatus::BeingAnswered);
    assert_eq!(mine[0].answer, None);
    assert_eq!(mine[0].answer_document, None);

    app.state.clock.advance(10 * 60);
    let text = "Yes, **below 25 °C**.\n\n- Not in a hot car in summer.\n- Not on a windowsill.";
    let res = put_update(
        &app,
        Some(&mia),
        &reference,
        json!({ "status": "answered", "answer": format!("  {text}\n") }),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let updated: StaffInquiry = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(updated.status, InquiryStatus::Answered);
    assert_eq!(updated.answer.as_deref(), Some(text));
    let answered_at = updated.answered_at.clone().unwrap();
    let at: jiff::Timestamp = answered_at.parse().unwrap();
    assert!((at.as_second() - app.state.clock.now()).abs() <= 2);

    let mine = own_list(&app, &pat).await;
    assert_eq!(mine[0].status, InquiryStatus::Answered);
    assert_eq!(mine[0].answer.as_deref(), Some(text));
    // Parsed for the app, which has no Markdown parser of its own.
    assert_eq!(
        mine[0].answer_document,
        Some(portal_core::markdown::parse_reply(text))
    );
    assert_eq!(mine[0].answered_at.as_deref(), Some(answered_at.as_str()));

    // Sending the same answer again changes nothing the person sees.
    app.state.clock.advance(600);
    let again = put_update(
        &app,
        Some(&mia),
        &reference,
        json!({ "status": "answered", "answer": text }),
    )
    .await;
    let again: StaffInquiry = serde_json::from_slice(&again.body).unwrap();
    assert_eq!(again, updated);
}

#[tokio::test]
async fn updates_are_checked() {
    let app = TestApp::new();
    let reference = receipt(&app.send_inquiry(&valid_inquiry(), None).await).reference;
    let mia = mia(&app).await;
    let field = |res: TestResponse| field_codes(&res.assert_problem(422, pt::VALIDATION));

    for body in [
        json!({ "status": "answered" }),
        json!({ "status": "answered", "answer": null }),
        json!({ "status": "answered", "answer": " \n " }),
    ] {
        let res = put_update(&app, Some(&mia), &reference, body).await;
        assert_eq!(field(res), pairs(&[("answer", "required")]));
    }
    let long = json!({ "status": "answered", "answer": "a".repeat(10_001) });
    let res = put_update(&app, Some(&mia), &reference, long).await;
    assert_eq!(field(res), pairs(&[("answer", "too_long")]));
    let early = json!({ "status": "received", "answer": "Soon." });
    let res = put_update(&app, Some(&mia), &reference, early).await;
    assert_eq!(field(res), pairs(&[("answer", "invalid")]));
    put_update(&app, Some(&mia), &reference, json!({ "status": "lost" }))
        .await
        .assert_problem(422, pt::VALIDATION);
    put_update(&app, Some(&mia), &reference, json!({}))
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        staff_list(&app, &mia, "").await[0].status,
        InquiryStatus::Sent
    );

    put_update(
        &app,
        Some(&mia),
        "MI-ZZZZ-ZZZZ",
        json!({ "status": "received" }),
    )
    .await
    .assert_problem(404, pt::NOT_FOUND);
}

#[tokio::test]
async fn moving_back_from_answered_withdraws_the_answer() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let reference = receipt(&app.send_inquiry(&valid_inquiry(), Some(&pat)).await).reference;
    let mia = mia(&app).await;
    let answered = json!({ "status": "answered", "answer": "Yes." });
    assert_eq!(
        put_update(&app, Some(&mia), &reference, answered)
            .await
            .status,
        StatusCode::OK
    );
    let res = put_update(
        &app,
        Some(&mia),
        &reference,
        json!({ "status": "being_answered" }),
    )
    .await;
    let view: StaffInquiry = serde_json::from_slice(&res.body).unwrap();
    assert_eq!((view.answer, view.answered_at), (None, None));
    let mine = own_list(&app, &pat).await;
    assert_eq!(
        (mine[0].answer.clone(), mine[0].answered_at.clone()),
        (None, None)
    );
}

#[tokio::test]
async fn drug_safety_works_through_safety_reports_oldest_first() {
    let app = TestApp::new();
    let oldest = receipt(&app.send_inquiry(&safety_inquiry(), None).await);
    app.state.clock.advance(60);
    let plain = receipt(&app.send_inquiry(&valid_inquiry(), None).await);
    app.state.clock.advance(60);
    let newest = receipt(&app.send_inquiry(&safety_inquiry(), None).await);
    // Same second as the last one: arrival order decides.
    let same_second = receipt(&app.send_inquiry(&safety_inquiry(), None).await);

    let mia = mia(&app).await;
    let safety = staff_list(&app, &mia, "?safety=true").await;
    let refs: Vec<&str> = safety.iter().map(|i| i.reference.as_str()).collect();
    assert_eq!(
        refs,
        [
            oldest.reference.as_str(),
            newest.reference.as_str(),
            same_second.reference.as_str()
        ]
    );
    assert!(safety.iter().all(|i| i.inquiry.is_safety_report()));
    assert_eq!(safety[0].received_at, oldest.received_at);
    assert!(safety[0].received_at < safety[1].received_at);
    assert_eq!(
        safety[0].inquiry.safety.what_happened,
        "A rash on both arms"
    );

    let all = staff_list(&app, &mia, "").await;
    let refs: Vec<&str> = all.iter().map(|i| i.reference.as_str()).collect();
    assert_eq!(
        refs,
        [
            same_second.reference.as_str(),
            newest.reference.as_str(),
            plain.reference.as_str(),
            oldest.reference.as_str()
        ],
        "newest first"
    );

    for query in [
        "?safety=false",
        "?safety=TRUE",
        "?safety",
        "?safety=true&safety=true",
        "?safety=true&page=2",
        "?status=sent",
    ] {
        app.get_with_cookie(&format!("{STAFF_LIST}{query}"), &mia)
            .await
            .assert_problem(400, pt::BAD_REQUEST);
    }
}

#[tokio::test]
async fn a_question_that_tells_of_a_side_effect_reaches_drug_safety_after_no() {
    let app = TestApp::new();
    let mut told = valid_inquiry();
    told["question"] = "I got a bad rash and felt sick after I took it. Is that normal?".into();
    let told = receipt(&app.send_inquiry(&told, None).await);
    assert!(told.safety_report, "drug safety is told");
    let plain = receipt(&app.send_inquiry(&valid_inquiry(), None).await);
    assert!(!plain.safety_report);

    let mia = mia(&app).await;
    let safety = staff_list(&app, &mia, "?safety=true").await;
    let refs: Vec<&str> = safety.iter().map(|i| i.reference.as_str()).collect();
    assert_eq!(refs, [told.reference.as_str()]);
    // What the person answered is kept as they answered it: drug safety sees a "no".
    assert_eq!(safety[0].inquiry.had_safety_event, Some(false));
    assert!(safety[0].inquiry.safety.what_happened.is_empty());
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    common::field_codes_where(problem, |d| d.ends_with('.') && d.len() > 10)
}
