//! Checks the implementation against `api/openapi.yaml`: the same routes in both, and answers that
//! match the documented schemas (required members present, no undocumented members, right types).

mod common;

use axum::{
    body::Body,
    http::{header, Method, StatusCode},
};
use common::{fresh_key, request, safety_inquiry, valid_inquiry, TestApp, TestResponse};
use portal_backend::{problem::extra_types, ROUTES};
use portal_core::api::problem_types as pt;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/openapi.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn spec_operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if HTTP_METHODS.contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

fn resolve<'a>(spec: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let pointer = reference.strip_prefix('#').expect("only local references");
        node = spec
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling reference {reference}"));
    }
    node
}

/// A small JSON Schema check covering what the spec uses.
fn validate(spec: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(spec, s, value, at, errors);
        }
    }
    for (keyword, exactly_one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let matching = options
                .iter()
                .filter(|s| {
                    let mut errs = Vec::new();
                    validate(spec, s, value, at, &mut errs);
                    errs.is_empty()
                })
                .count();
            if matching == 0 || (exactly_one && matching > 1) {
                errors.push(format!("{at}: {value} matches {matching} of {keyword}"));
            }
        }
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            errors.push(format!("{at}: expected {c}, got {value}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            errors.push(format!("{at}: {value} is not one of {options:?}"));
        }
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            other => panic!("unsupported type {other}"),
        };
        if !ok {
            errors.push(format!("{at}: expected {t}, got {value}"));
            return;
        }
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_i64),
        value.as_i64(),
    ) {
        if n < min {
            errors.push(format!("{at}: {n} < {min}"));
        }
    }
    if let (Some(max), Some(n)) = (
        schema.get("maximum").and_then(Value::as_i64),
        value.as_i64(),
    ) {
        if n > max {
            errors.push(format!("{at}: {n} > {max}"));
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        if let Some(s) = value.as_str() {
            if s.parse::<jiff::Timestamp>().is_err() {
                errors.push(format!("{at}: {s:?} is not an RFC 3339 time"));
            }
        }
    }
    if let Some(obj) = value.as_object() {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !obj.contains_key(name) {
                errors.push(format!("{at}: required member {name:?} missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(properties) = properties {
            for (name, sub) in properties {
                if let Some(v) = obj.get(name) {
                    validate(spec, sub, v, &format!("{at}.{name}"), errors);
                }
            }
        }
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            for name in obj.keys() {
                if !properties.is_some_and(|p| p.contains_key(name)) {
                    errors.push(format!("{at}: undocumented member {name:?}"));
                }
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            validate(spec, items, v, &format!("{at}[{i}]"), errors);
        }
    }
}

/// Checks a real answer against the documented response for `method path` and its status.
fn check_against_spec(spec: &Value, method: &str, path: &str, res: &TestResponse) {
    let operation = &spec["paths"][path][method.to_lowercase()];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let status = res.status.as_u16().to_string();
    let documented = operation["responses"]
        .get(&status)
        .unwrap_or_else(|| panic!("{method} {path}: status {status} is not documented"));
    let documented = resolve(spec, documented);

    let at = format!("{method} {path} {status}");
    match documented.get("content").and_then(Value::as_object) {
        None => assert!(
            res.body.is_empty(),
            "{at}: undocumented body {}",
            res.text()
        ),
        Some(content) => {
            let content_type = res.header("content-type").unwrap_or_default();
            let media = content_type.split(';').next().unwrap().trim();
            let schema = &content
                .get(media)
                .unwrap_or_else(|| panic!("{at}: content type {content_type} is not documented"))
                ["schema"];
            if media.ends_with("json") {
                let mut errors = Vec::new();
                validate(spec, schema, &res.json(), "$", &mut errors);
                assert!(errors.is_empty(), "{at}: {errors:#?}\nbody: {}", res.text());
            } else {
                // Text answers (calendar files) are documented as strings.
                assert_eq!(resolve(spec, schema)["type"], "string", "{at}");
                assert!(std::str::from_utf8(&res.body).is_ok(), "{at}: not UTF-8");
            }
        }
    }
    for (name, header_spec) in documented
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let header_spec = resolve(spec, header_spec);
        let actual = res.header(name);
        // Documented headers are promised unless marked `required: false` (such as
        // `Idempotent-Replayed`, present on replays only).
        if header_spec.get("required") == Some(&Value::Bool(false)) && actual.is_none() {
            continue;
        }
        assert!(actual.is_some(), "{at}: documented header {name} missing");
        if let Some(c) = header_spec["schema"].get("const").and_then(Value::as_str) {
            assert_eq!(actual, Some(c), "{at}: header {name}");
        }
    }
}

#[test]
fn spec_and_route_table_list_the_same_operations() {
    let spec = spec();
    let documented = spec_operations(&spec);
    let implemented: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let undocumented: Vec<_> = implemented.difference(&documented).collect();
    let unimplemented: Vec<_> = documented.difference(&implemented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in api/openapi.yaml: {undocumented:?}"
    );
    assert!(
        unimplemented.is_empty(),
        "in api/openapi.yaml but not served: {unimplemented:?}"
    );
    assert_eq!(spec["openapi"].as_str().map(|v| &v[..4]), Some("3.1."));
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let spec = spec();
    let app = TestApp::new();
    for (method, path) in spec_operations(&spec) {
        // Path parameters, should any appear, get a placeholder value.
        let concrete: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = request(m, &concrete);
        let body = if method == "POST" || method == "PUT" || method == "PATCH" {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from("{}")
        } else {
            Body::empty()
        };
        let res = app.send(req.body(body).unwrap()).await;
        assert!(
            !res.route_miss && res.status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but the router has no such route ({})",
            res.status
        );
    }
}

#[tokio::test]
async fn answers_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();

    check_against_spec(&spec, "GET", "/config.json", &app.get("/config.json").await);
    check_against_spec(
        &spec,
        "GET",
        "/api/v1/health",
        &app.get("/api/v1/health").await,
    );

    let signed_in = app.sign_in_raw("pat@example.com", "patient-demo").await;
    assert_eq!(signed_in.status, StatusCode::OK);
    check_against_spec(&spec, "POST", "/api/v1/session", &signed_in);
    let cookie = signed_in.session_cookie().unwrap();

    let current = app.get_with_cookie("/api/v1/session", &cookie).await;
    assert_eq!(current.status, StatusCode::OK);
    check_against_spec(&spec, "GET", "/api/v1/session", &current);

    let signed_out = app.sign_out(&cookie).await;
    assert_eq!(signed_out.status, StatusCode::NO_CONTENT);
    check_against_spec(&spec, "DELETE", "/api/v1/session", &signed_out);
}

#[tokio::test]
async fn inquiry_answers_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();
    const INQUIRIES: &str = "/api/v1/inquiries";
    const STAFF: &str = "/api/v1/medical-information/inquiries";
    const ONE: &str = "/api/v1/medical-information/inquiries/{reference}";

    check_against_spec(
        &spec,
        "GET",
        "/api/v1/products",
        &app.get("/api/v1/products").await,
    );

    let pat = app.sign_in("pat@example.com", "patient-demo").await;
    let key = fresh_key();
    let post = |cookie: Option<String>, body: Value| {
        let (app, key) = (&app, key.clone());
        async move {
            app.send_json(
                Method::POST,
                INQUIRIES,
                &body,
                Some(&key),
                cookie.as_deref(),
            )
            .await
        }
    };
    let created = post(Some(pat.clone()), safety_inquiry()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    check_against_spec(&spec, "POST", INQUIRIES, &created);
    let replayed = post(None, safety_inquiry()).await;
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    check_against_spec(&spec, "POST", INQUIRIES, &replayed);
    let reference = created.json()["reference"].as_str().unwrap().to_owned();

    let mut other = valid_inquiry();
    other["productId"] = "other".into();
    let anonymous = app.send_inquiry(&other, None).await;
    check_against_spec(&spec, "POST", INQUIRIES, &anonymous);

    let mia = app.sign_in("mia@example.com", "medinfo-demo").await;
    let answered = app
        .send_json(
            Method::PUT,
            &format!("{STAFF}/{reference}"),
            &json!({ "status": "answered", "answer": "Please **call your doctor** today:\n\n- before noon\n- [or 111](tel:111)" }),
            None,
            Some(&mia),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text());
    check_against_spec(&spec, "PUT", ONE, &answered);

    let mine = app.get_with_cookie(INQUIRIES, &pat).await;
    assert_eq!(
        mine.json()[0]["answerDocument"]["blocks"][1]["list"]["ordered"],
        false
    );
    check_against_spec(&spec, "GET", INQUIRIES, &mine);

    for query in ["", "?safety=true"] {
        let list = app.get_with_cookie(&format!("{STAFF}{query}"), &mia).await;
        assert!(!list.json().as_array().unwrap().is_empty());
        check_against_spec(&spec, "GET", STAFF, &list);
    }
}

#[tokio::test]
async fn inquiry_problems_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();
    const INQUIRIES: &str = "/api/v1/inquiries";
    const STAFF: &str = "/api/v1/medical-information/inquiries";
    const ONE: &str = "/api/v1/medical-information/inquiries/{reference}";

    let no_key = app
        .send_json(Method::POST, INQUIRIES, &valid_inquiry(), None, None)
        .await;
    no_key.assert_problem(400, pt::BAD_REQUEST);
    check_against_spec(&spec, "POST", INQUIRIES, &no_key);

    let mut bad = valid_inquiry();
    bad["email"] = "nope".into();
    bad["productId"] = "made-up".into();
    bad["question"] = "".into();
    bad["safety"] = json!({ "age": "x" });
    let invalid = app.send_inquiry(&bad, None).await;
    invalid.assert_problem(422, pt::VALIDATION);
    check_against_spec(&spec, "POST", INQUIRIES, &invalid);

    let key = fresh_key();
    app.send_json(Method::POST, INQUIRIES, &valid_inquiry(), Some(&key), None)
        .await;
    let reused = app
        .send_json(Method::POST, INQUIRIES, &json!({}), Some(&key), None)
        .await;
    reused.assert_problem(422, pt::IDEMPOTENCY_KEY_REUSED);
    check_against_spec(&spec, "POST", INQUIRIES, &reused);

    let unsupported = app
        .send(
            request(Method::POST, INQUIRIES)
                .header("idempotency-key", fresh_key())
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    check_against_spec(&spec, "POST", INQUIRIES, &unsupported);

    let anonymous_list = app.get(INQUIRIES).await;
    anonymous_list.assert_problem(401, pt::UNAUTHENTICATED);
    check_against_spec(&spec, "GET", INQUIRIES, &anonymous_list);

    check_against_spec(&spec, "GET", STAFF, &app.get(STAFF).await);
    let pat = app.sign_in("pat@example.com", "patient-demo").await;
    let forbidden = app.get_with_cookie(STAFF, &pat).await;
    forbidden.assert_problem(403, pt::FORBIDDEN);
    check_against_spec(&spec, "GET", STAFF, &forbidden);

    let mia = app.sign_in("mia@example.com", "medinfo-demo").await;
    let bad_query = app
        .get_with_cookie(&format!("{STAFF}?safety=yes"), &mia)
        .await;
    bad_query.assert_problem(400, pt::BAD_REQUEST);
    check_against_spec(&spec, "GET", STAFF, &bad_query);

    let put = |reference: &str, body: Value, cookie: Option<String>| {
        let path = format!("{STAFF}/{reference}");
        let app = &app;
        async move {
            app.send_json(Method::PUT, &path, &body, None, cookie.as_deref())
                .await
        }
    };
    let answer = json!({ "status": "answered", "answer": "Yes." });
    for (res, status) in [
        (put("MI-2222-2222", answer.clone(), None).await, 401),
        (
            put("MI-2222-2222", answer.clone(), Some(pat.clone())).await,
            403,
        ),
        (
            put("MI-2222-2222", answer.clone(), Some(mia.clone())).await,
            404,
        ),
        (
            put(
                "MI-2222-2222",
                json!({ "status": "answered" }),
                Some(mia.clone()),
            )
            .await,
            422,
        ),
    ] {
        assert_eq!(res.status.as_u16(), status, "{}", res.text());
        check_against_spec(&spec, "PUT", ONE, &res);
    }
}

#[tokio::test]
async fn problems_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();

    let nobody = app.get("/api/v1/session").await;
    nobody.assert_nobody_signed_in();
    check_against_spec(&spec, "GET", "/api/v1/session", &nobody);

    let unauthenticated = app.get("/api/v1/people").await;
    unauthenticated.assert_problem(401, pt::UNAUTHENTICATED);
    check_against_spec(&spec, "GET", "/api/v1/people", &unauthenticated);

    let invalid = app.sign_in_raw("pat@example.com", "wrong").await;
    invalid.assert_problem(401, pt::INVALID_CREDENTIALS);
    check_against_spec(&spec, "POST", "/api/v1/session", &invalid);

    let validation = app
        .post_json("/api/v1/session", &json!({ "email": "x" }))
        .await;
    validation.assert_problem(422, pt::VALIDATION);
    check_against_spec(&spec, "POST", "/api/v1/session", &validation);

    let sign_in = |content_type: &str, body: Vec<u8>| {
        request(Method::POST, "/api/v1/session")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let malformed = app.send(sign_in("application/json", b"{".to_vec())).await;
    malformed.assert_problem(400, pt::BAD_REQUEST);
    check_against_spec(&spec, "POST", "/api/v1/session", &malformed);

    let unsupported = app.send(sign_in("text/plain", b"{}".to_vec())).await;
    check_against_spec(&spec, "POST", "/api/v1/session", &unsupported);

    let too_large = app
        .send(sign_in("application/json", vec![b' '; 65 * 1024]))
        .await;
    check_against_spec(&spec, "POST", "/api/v1/session", &too_large);

    // Five wrong passwords lock the account for a while.
    for _ in 0..5 {
        app.sign_in_raw("pat@example.com", "x").await;
    }
    let limited = app.sign_in_raw("pat@example.com", "patient-demo").await;
    limited.assert_problem(429, pt::RATE_LIMITED);
    check_against_spec(&spec, "POST", "/api/v1/session", &limited);

    // Router-level problems follow the shared responses too.
    let not_found = app.get("/api/v1/nowhere").await;
    let mut errors = Vec::new();
    validate(
        &spec,
        &spec["components"]["responses"]["NotFound"]["content"]["application/problem+json"]
            ["schema"],
        &not_found.json(),
        "$",
        &mut errors,
    );
    let wrong_method = app
        .send(
            request(Method::PUT, "/api/v1/health")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    validate(
        &spec,
        &spec["components"]["responses"]["MethodNotAllowed"]["content"]["application/problem+json"]
            ["schema"],
        &wrong_method.json(),
        "$",
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_problem_type_is_documented() {
    let spec = spec();
    let documented: BTreeSet<&str> = spec["components"]["schemas"]["ProblemType"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let used: BTreeSet<&str> = [
        pt::BAD_REQUEST,
        pt::VALIDATION,
        pt::INVALID_CREDENTIALS,
        pt::UNAUTHENTICATED,
        pt::FORBIDDEN,
        pt::NOT_FOUND,
        pt::METHOD_NOT_ALLOWED,
        pt::RATE_LIMITED,
        pt::IDEMPOTENCY_KEY_REUSED,
        pt::IDEMPOTENCY_IN_PROGRESS,
        pt::PAYLOAD_TOO_LARGE,
        pt::UNSUPPORTED_MEDIA_TYPE,
        extra_types::VERSION_CONFLICT,
        extra_types::PRECONDITION_REQUIRED,
        extra_types::CROSS_SITE_REQUEST,
        pt::INTERNAL,
        "about:blank",
    ]
    .into_iter()
    .collect();
    assert_eq!(documented, used);
    // Each specific type has a reusable response describing it.
    let responses = spec["components"]["responses"].to_string();
    for t in used.iter().filter(|t| t.starts_with("/problems/")) {
        assert!(
            responses.contains(&format!("\"const\":\"{t}\"")),
            "no response for {t}"
        );
    }
}

#[test]
fn session_cookie_scheme_and_idempotency_header_are_documented() {
    let spec = spec();
    let scheme = &spec["components"]["securitySchemes"]["sessionCookie"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "cookie");
    assert_eq!(scheme["name"], portal_backend::auth::COOKIE_NAME);
    let key = &spec["components"]["parameters"]["IdempotencyKey"];
    assert_eq!(key["in"], "header");
    assert_eq!(key["name"], "Idempotency-Key");
    assert_eq!(
        key["schema"]["maxLength"],
        portal_backend::idempotency::MAX_KEY_LEN
    );
    // Routes that demand the key say so, and use the same rules for it.
    let required = &spec["components"]["parameters"]["RequiredIdempotencyKey"];
    assert_eq!(required["in"], "header");
    assert_eq!(required["name"], "Idempotency-Key");
    assert_eq!(required["required"], true);
    assert_eq!(required["schema"], key["schema"]);
    for shared in portal_backend::idempotency::SHARED_SCOPES {
        let parameters = spec["paths"][shared.path]["post"]["parameters"].to_string();
        assert!(
            parameters.contains("#/components/parameters/RequiredIdempotencyKey"),
            "POST {} does not document its required key",
            shared.path
        );
    }
}

#[test]
fn roles_and_field_codes_are_documented() {
    use portal_core::{
        api::Role,
        inquiry::{InquiryStatus, Problem},
    };
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let roles: Vec<Value> = [
        Role::Patient,
        Role::Caregiver,
        Role::Editor,
        Role::MedicalInformation,
    ]
    .iter()
    .map(|r| serde_json::to_value(r).unwrap())
    .collect();
    assert_eq!(schemas["Role"]["enum"].as_array().unwrap(), &roles);
    let statuses: Vec<Value> = [
        InquiryStatus::Sent,
        InquiryStatus::Received,
        InquiryStatus::BeingAnswered,
        InquiryStatus::Answered,
    ]
    .iter()
    .map(|s| serde_json::to_value(s).unwrap())
    .collect();
    assert_eq!(
        schemas["InquiryStatus"]["enum"].as_array().unwrap(),
        &statuses
    );
    let codes = schemas["FieldError"]["properties"]["code"]["enum"].to_string();
    for problem in [
        Problem::Required,
        Problem::TooLong { max: 1 },
        Problem::Invalid,
        Problem::UnknownChoice,
    ] {
        assert!(
            codes.contains(&format!("\"{}\"", problem.code())),
            "{codes}"
        );
    }
}

#[test]
fn the_inquiry_schema_matches_what_serde_writes() {
    use portal_core::inquiry::{
        Asker, ContactMethod, InquiryDraft, Outcome, SafetyKind, SafetyReport, Sex, Topic,
    };
    let spec = spec();
    let strict = json!({ "$ref": "#/components/schemas/StaffInquiry" });
    let full = InquiryDraft {
        asker: Some(Asker::Hcp),
        profession: "Pharmacist".into(),
        product_id: "other".into(),
        product_other: "Cough syrup".into(),
        topic: Some(Topic::HowToTake),
        question: "Q".into(),
        had_safety_event: Some(true),
        safety: SafetyReport {
            kinds: SafetyKind::ALL.to_vec(),
            initials: "AB".into(),
            age: "40".into(),
            sex: Some(Sex::Other),
            what_happened: "W".into(),
            when_it_happened: "T".into(),
            batch_number: "B".into(),
            outcome: Some(Outcome::NotRecovered),
        },
        contact_method: Some(ContactMethod::Post),
        name: "N".into(),
        email: String::new(),
        phone: String::new(),
        best_times: String::new(),
        address: "A".into(),
        country: "DE".into(),
        language: "de".into(),
        consent_contact: true,
        consent_safety_follow_up: true,
    };
    for draft in [full, InquiryDraft::default()] {
        let value = json!({
            "reference": "MI-2345-6789",
            "receivedAt": "2030-01-01T00:00:00Z",
            "status": "being_answered",
            "signedInUserId": null,
            "inquiry": draft,
        });
        let mut errors = Vec::new();
        validate(&spec, &strict, &value, "$", &mut errors);
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // Every enum value serde can write is documented.
    let enums = [
        (
            "Asker",
            serde_json::to_value([Asker::Patient, Asker::Caregiver, Asker::Hcp]),
        ),
        ("Topic", serde_json::to_value(Topic::ALL)),
        ("SafetyKind", serde_json::to_value(SafetyKind::ALL)),
        (
            "Sex",
            serde_json::to_value([Sex::Female, Sex::Male, Sex::Other]),
        ),
        ("Outcome", serde_json::to_value(Outcome::ALL)),
        (
            "ContactMethod",
            serde_json::to_value([
                ContactMethod::Email,
                ContactMethod::Phone,
                ContactMethod::Post,
            ]),
        ),
    ];
    for (name, values) in enums {
        let documented: Vec<Value> = spec["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no enum"))
            .iter()
            .filter(|v| !v.is_null())
            .cloned()
            .collect();
        assert_eq!(Value::Array(documented), values.unwrap(), "{name}");
    }
    // A drifted member is caught.
    let mut errors = Vec::new();
    let drifted = json!({
        "reference": "MI-2345-6789",
        "receivedAt": "2030-01-01T00:00:00Z",
        "status": "being_answered",
        "signedInUserId": null,
        "inquiry": { "product_id": "x" },
    });
    validate(&spec, &strict, &drifted, "$", &mut errors);
    assert!(!errors.is_empty());
}

#[test]
fn the_schema_check_catches_drift() {
    let spec = spec();
    let session = json!({ "$ref": "#/components/schemas/Session" });
    let good = json!({
        "user": { "id": "1", "email": "a@b.co", "displayName": "A", "role": "patient" },
        "expiresAt": "2030-01-01T00:00:00Z",
        "idleTimeoutSeconds": 1800
    });
    let mut errors = Vec::new();
    validate(&spec, &session, &good, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:?}");

    let drifted = [
        json!({ "user": good["user"], "expires_at": "2030-01-01T00:00:00Z", "idleTimeoutSeconds": 1800 }),
        json!({ "user": { "id": "1", "email": "a@b.co", "displayName": "A", "role": "admin" },
                "expiresAt": "2030-01-01T00:00:00Z", "idleTimeoutSeconds": 1800 }),
        json!({ "user": good["user"], "expiresAt": "tomorrow", "idleTimeoutSeconds": 1800 }),
        json!({ "user": good["user"], "expiresAt": "2030-01-01T00:00:00Z", "idleTimeoutSeconds": "1800" }),
    ];
    for value in drifted {
        let mut errors = Vec::new();
        validate(&spec, &session, &value, "$", &mut errors);
        assert!(!errors.is_empty(), "not caught: {value}");
    }
}

/// A `PUT` of a Studio draft with the given conditional header.
fn draft_put(
    path: &str,
    body: &Value,
    cookie: &str,
    condition: Option<(&str, &str)>,
) -> axum::http::Request<Body> {
    let mut req = request(Method::PUT, path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie);
    if let Some((name, value)) = condition {
        req = req.header(name, value);
    }
    req.body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

#[tokio::test]
async fn article_answers_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();
    const LIST: &str = "/api/v1/articles";
    const PAGE: &str = "/api/v1/articles/{slug}";
    const FEEDBACK: &str = "/api/v1/articles/{slug}/feedback";
    const STUDIO: &str = "/api/v1/studio/articles";
    const DRAFT: &str = "/api/v1/studio/articles/{slug}/{lang}";
    const PUBLISH: &str = "/api/v1/studio/articles/{slug}/{lang}/publish";
    const UNPUBLISH: &str = "/api/v1/studio/articles/{slug}/{lang}/unpublish";

    let eddie = app.sign_in("eddie@example.com", "editor-demo").await;
    let draft = json!({
        "title": "Contract article",
        "summary": "Checked against the spec.",
        // Every kind of block and inline, so the parsed document is checked against the spec too.
        "body": "## Heading\n\nSome **bold** and *light* text with `code`, a [link](https://example.org) \
                 and ![a picture](/assets/icons/icon-192.png).  \nAnother line.\n\n\
                 1. one\n2. two\n\n- a\n  - nested\n\n> quoted\n\n> [!DOCTOR]\n> Ask first.\n\n\
                 | Dose | When |\n|:-----|-----:|\n| 1 | morning |\n\n```\nas written\n```\n\n---\n",
        "topics": ["condition", "medicine"],
        "medicineId": "brelora",
        "lastReviewed": "2025-03-01",
        "reviewBy": "2026-03-01"
    });
    let one = "/api/v1/studio/articles/contract-article/en";
    let created = app.send(draft_put(one, &draft, &eddie, None)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    check_against_spec(&spec, "PUT", DRAFT, &created);
    let saved = app
        .send(draft_put(one, &draft, &eddie, Some(("if-match", "\"1\""))))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    check_against_spec(&spec, "PUT", DRAFT, &saved);
    let published = app
        .send_json(
            Method::POST,
            &format!("{one}/publish"),
            &json!({ "approvalCode": "PP-UK-0001 01/2026", "version": 2 }),
            None,
            Some(&eddie),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    check_against_spec(&spec, "POST", PUBLISH, &published);
    check_against_spec(&spec, "GET", DRAFT, &app.get_with_cookie(one, &eddie).await);
    check_against_spec(
        &spec,
        "GET",
        STUDIO,
        &app.get_with_cookie(STUDIO, &eddie).await,
    );

    for lang in ["en", "de"] {
        let list = app.get(&format!("{LIST}?lang={lang}")).await;
        assert_eq!(list.status, StatusCode::OK);
        check_against_spec(&spec, "GET", LIST, &list);
        let page = app
            .get(&format!("{LIST}/contract-article?lang={lang}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        check_against_spec(&spec, "GET", PAGE, &page);
        if lang == "en" {
            let kinds: Vec<String> = page.json()["document"]["blocks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| match b.as_object() {
                    Some(o) => o.keys().next().unwrap().clone(),
                    None => b.as_str().unwrap().to_owned(),
                })
                .collect();
            for kind in [
                "heading",
                "paragraph",
                "list",
                "quote",
                "callout",
                "table",
                "code",
                "rule",
            ] {
                assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
            }
        }
    }
    let feedback = app
        .send_json(
            Method::POST,
            "/api/v1/articles/contract-article/feedback",
            &json!({ "language": "en", "helpful": true, "comment": "Clear." }),
            Some(&fresh_key()),
            None,
        )
        .await;
    assert_eq!(feedback.status, StatusCode::CREATED, "{}", feedback.text());
    check_against_spec(&spec, "POST", FEEDBACK, &feedback);

    let unpublished = app
        .send(
            request(Method::POST, &format!("{one}/unpublish"))
                .header(header::COOKIE, &eddie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unpublished.status, StatusCode::OK, "{}", unpublished.text());
    check_against_spec(&spec, "POST", UNPUBLISH, &unpublished);
}

#[tokio::test]
async fn article_problems_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();
    const LIST: &str = "/api/v1/articles";
    const PAGE: &str = "/api/v1/articles/{slug}";
    const FEEDBACK: &str = "/api/v1/articles/{slug}/feedback";
    const STUDIO: &str = "/api/v1/studio/articles";
    const DRAFT: &str = "/api/v1/studio/articles/{slug}/{lang}";
    const PUBLISH: &str = "/api/v1/studio/articles/{slug}/{lang}/publish";
    const UNPUBLISH: &str = "/api/v1/studio/articles/{slug}/{lang}/unpublish";

    check_against_spec(&spec, "GET", LIST, &app.get(LIST).await);
    check_against_spec(
        &spec,
        "GET",
        PAGE,
        &app.get(&format!("{LIST}/x?lang=xx")).await,
    );
    let missing = app.get(&format!("{LIST}/no-such-article?lang=en")).await;
    missing.assert_problem(404, pt::NOT_FOUND);
    check_against_spec(&spec, "GET", PAGE, &missing);
    let feedback = |slug: &str, body: Value| {
        let path = format!("{LIST}/{slug}/feedback");
        let app = &app;
        async move { app.send_json(Method::POST, &path, &body, None, None).await }
    };
    for (res, status) in [
        (
            feedback(
                "no-such-article",
                json!({ "language": "en", "helpful": true }),
            )
            .await,
            404,
        ),
        (
            feedback(
                "no-such-article",
                json!({ "language": "xx", "helpful": true }),
            )
            .await,
            422,
        ),
    ] {
        assert_eq!(res.status.as_u16(), status, "{}", res.text());
        check_against_spec(&spec, "POST", FEEDBACK, &res);
    }

    let pat = app.sign_in("pat@example.com", "patient-demo").await;
    for (res, status) in [
        (app.get(STUDIO).await, 401),
        (app.get_with_cookie(STUDIO, &pat).await, 403),
    ] {
        assert_eq!(res.status.as_u16(), status);
        check_against_spec(&spec, "GET", STUDIO, &res);
    }

    let eddie = app.sign_in("eddie@example.com", "editor-demo").await;
    let one = "/api/v1/studio/articles/contract-article/en";
    check_against_spec(&spec, "GET", DRAFT, &app.get_with_cookie(one, &pat).await);
    let absent = app.get_with_cookie(one, &eddie).await;
    absent.assert_problem(404, pt::NOT_FOUND);
    check_against_spec(&spec, "GET", DRAFT, &absent);

    let draft = json!({
        "title": "Contract article",
        "summary": "",
        "body": "",
        "topics": ["condition"],
        "medicineId": null,
        "lastReviewed": "2025-03-01",
        "reviewBy": "2026-03-01"
    });
    let mut invalid = draft.clone();
    invalid["title"] = "".into();
    let put = |body: Value, condition: Option<(&'static str, &'static str)>| {
        let app = &app;
        let eddie = eddie.clone();
        async move { app.send(draft_put(one, &body, &eddie, condition)).await }
    };
    for (res, status, type_uri) in [
        (put(invalid.clone(), None).await, 422, pt::VALIDATION),
        (put(draft.clone(), None).await, 201, ""),
        (
            put(draft.clone(), None).await,
            428,
            extra_types::PRECONDITION_REQUIRED,
        ),
        (
            put(draft.clone(), Some(("if-match", "\"7\""))).await,
            412,
            extra_types::VERSION_CONFLICT,
        ),
        (
            put(draft.clone(), Some(("if-match", "7"))).await,
            400,
            pt::BAD_REQUEST,
        ),
    ] {
        if !type_uri.is_empty() {
            res.assert_problem(status, type_uri);
        }
        assert_eq!(res.status.as_u16(), status, "{}", res.text());
        check_against_spec(&spec, "PUT", DRAFT, &res);
    }
    let publish = |body: Value| {
        let app = &app;
        let eddie = eddie.clone();
        async move {
            app.send_json(
                Method::POST,
                &format!("{one}/publish"),
                &body,
                None,
                Some(&eddie),
            )
            .await
        }
    };
    for (res, status) in [
        (
            publish(json!({ "approvalCode": "", "version": 1 })).await,
            422,
        ),
        (
            publish(json!({ "approvalCode": "PP-1", "version": 9 })).await,
            412,
        ),
        (
            publish(json!({ "approvalCode": "PP-1", "version": 1 })).await,
            422,
        ),
    ] {
        assert_eq!(res.status.as_u16(), status, "{}", res.text());
        check_against_spec(&spec, "POST", PUBLISH, &res);
    }
    let unpublish = app
        .send(
            request(
                Method::POST,
                "/api/v1/studio/articles/no-such-article/en/unpublish",
            )
            .header(header::COOKIE, &eddie)
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    unpublish.assert_problem(404, pt::NOT_FOUND);
    check_against_spec(&spec, "POST", UNPUBLISH, &unpublish);
}

#[test]
fn article_enums_are_documented() {
    use portal_core::learn::{ArticleStatus, ArticleTopic};
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["ArticleTopic"]["enum"],
        serde_json::to_value(ArticleTopic::ALL).unwrap()
    );
    assert_eq!(
        schemas["ArticleStatus"]["enum"],
        serde_json::to_value([ArticleStatus::Draft, ArticleStatus::Published]).unwrap()
    );
    let languages: Vec<&str> = portal_backend::articles::languages().collect();
    assert_eq!(schemas["ArticleLanguage"]["enum"], json!(languages));
    assert_eq!(
        schemas["ArticleFeedback"]["properties"]["comment"]["maxLength"],
        portal_core::learn::MAX_FEEDBACK_CHARS
    );
}

/// Sends a request with an optional JSON body, session and `If-Match`.
async fn reminders_call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
    cookie: Option<&str>,
    if_match: Option<&str>,
) -> TestResponse {
    let mut req = request(method, path);
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    if let Some(tag) = if_match {
        req = req.header(header::IF_MATCH, tag);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(b).unwrap())),
        None => req.body(Body::empty()),
    };
    app.send(req.unwrap()).await
}

#[tokio::test]
async fn reminder_answers_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();
    const PEOPLE: &str = "/api/v1/people";
    const PERSON: &str = "/api/v1/people/{id}";
    const ICS: &str = "/api/v1/people/{id}/calendar.ics";
    const TOKEN: &str = "/api/v1/people/{id}/calendar-token";
    const FEED: &str = "/calendar/{token}";
    const REMINDERS: &str = "/api/v1/reminders";
    const REMINDER: &str = "/api/v1/reminders/{id}";
    const OCCURRENCES: &str = "/api/v1/reminders/{id}/occurrences";
    const EVENTS: &str = "/api/v1/dose-events";
    let cara = app.sign_in("cara@example.com", "caregiver-demo").await;
    let c = Some(cara.as_str());

    let person = json!({ "name": "Mum", "colour": "teal", "zone": "Europe/London" });
    let created = reminders_call(&app, Method::POST, PEOPLE, Some(&person), c, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    check_against_spec(&spec, "POST", PEOPLE, &created);
    let p = created.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{PEOPLE}/{p}");
    let changed = reminders_call(&app, Method::PUT, &one, Some(&person), c, Some("\"1\"")).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    check_against_spec(&spec, "PUT", PERSON, &changed);
    check_against_spec(
        &spec,
        "GET",
        PEOPLE,
        &reminders_call(&app, Method::GET, PEOPLE, None, c, None).await,
    );

    let patterns = [
        json!({ "kind": "daily", "times": ["01:30", "20:00"] }),
        json!({ "kind": "weekly", "days": ["mon", "fri"], "times": ["09:00"] }),
        json!({ "kind": "everyNDays", "n": 3, "times": ["07:00"] }),
        json!({ "kind": "cycle", "daysOn": 21, "daysOff": 7, "times": ["08:00"] }),
        json!({ "kind": "everyNHours", "hours": 6, "windowStart": "06:00", "windowEnd": "22:00" }),
        json!({ "kind": "asNeeded", "maxPer24h": 4, "minGapMinutes": 240 }),
    ];
    let mut ids = Vec::new();
    for (n, pattern) in patterns.iter().enumerate() {
        let body = json!({
            "personId": p,
            "medicine": "Metformin",
            "strength": "500 mg",
            "doseAmount": "2.5",
            "doseUnit": "ml",
            "instructions": "",
            "schedule": {
                "zone": "Europe/London",
                "start": "2026-03-01",
                "end": if n == 1 { json!("2026-12-31") } else { Value::Null },
                "count": if n == 2 { json!(40) } else { Value::Null },
                "travel": if n == 4 { "keepInterval" } else { "homeZone" },
                "pattern": pattern
            },
            "hideNameInCalendar": n == 3,
            "stock": if n == 0 { json!(10) } else { Value::Null },
            "refillAt": if n == 0 { json!(2) } else { Value::Null }
        });
        let res = reminders_call(&app, Method::POST, REMINDERS, Some(&body), c, None).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        check_against_spec(&spec, "POST", REMINDERS, &res);
        ids.push((res.json()["id"].as_str().unwrap().to_owned(), body));
    }
    let (r, body) = ids[0].clone();
    let reminder = format!("{REMINDERS}/{r}");
    check_against_spec(
        &spec,
        "GET",
        REMINDERS,
        &reminders_call(&app, Method::GET, REMINDERS, None, c, None).await,
    );
    check_against_spec(
        &spec,
        "GET",
        REMINDER,
        &reminders_call(&app, Method::GET, &reminder, None, c, None).await,
    );
    let put = reminders_call(&app, Method::PUT, &reminder, Some(&body), c, Some("\"1\"")).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    check_against_spec(&spec, "PUT", REMINDER, &put);
    // Both kinds of shift: 01:30 is skipped in March and repeated in October.
    for window in [
        "from=2026-03-28T00:00:00Z&until=2026-03-31T00:00:00Z",
        "from=2026-10-24T00:00:00Z&until=2026-10-27T00:00:00Z",
    ] {
        let res = reminders_call(
            &app,
            Method::GET,
            &format!("{reminder}/occurrences?{window}"),
            None,
            c,
            None,
        )
        .await;
        assert!(res.text().contains("\"kind\":\""), "{}", res.text());
        check_against_spec(&spec, "GET", OCCURRENCES, &res);
    }

    let mut snoozed = json!({
        "id": "0f8fad5b-d9cb-469f-a165-000000000002", "reminderId": r,
        "scheduledAt": "2026-03-30T19:00:00Z", "action": "snoozed",
        "at": "2026-03-30T19:00:00Z", "snoozeMinutes": 10
    });
    let events = json!([
        { "id": "0f8fad5b-d9cb-469f-a165-000000000001", "reminderId": r,
          "scheduledAt": "2026-03-30T00:30:00Z", "action": "taken", "at": "2026-03-30T00:35:00Z" },
        snoozed.clone(),
        { "id": "0f8fad5b-d9cb-469f-a165-000000000003", "reminderId": r, "scheduledAt": null,
          "action": "skipped", "at": "2026-03-30T20:00:00Z", "reason": "Asleep", "recordedAt": null },
        { "id": "0f8fad5b-d9cb-469f-a165-000000000004", "reminderId": "gone", "scheduledAt": null,
          "action": "skipped", "at": "2026-03-30T20:00:00Z" }
    ]);
    let res = reminders_call(&app, Method::POST, EVENTS, Some(&events), c, None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    check_against_spec(&spec, "POST", EVENTS, &res);
    snoozed["snoozeMinutes"] = 30.into();
    let res = reminders_call(&app, Method::POST, EVENTS, Some(&json!([snoozed])), c, None).await;
    assert_eq!(res.json()["conflicts"].as_array().unwrap().len(), 1);
    check_against_spec(&spec, "POST", EVENTS, &res);
    let list = reminders_call(
        &app,
        Method::GET,
        &format!("{EVENTS}?from=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z"),
        None,
        c,
        None,
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 3);
    check_against_spec(&spec, "GET", EVENTS, &list);

    let ics = reminders_call(
        &app,
        Method::GET,
        &format!("{one}/calendar.ics"),
        None,
        c,
        None,
    )
    .await;
    assert_eq!(ics.status, StatusCode::OK);
    check_against_spec(&spec, "GET", ICS, &ics);
    let token = reminders_call(
        &app,
        Method::POST,
        &format!("{one}/calendar-token"),
        None,
        c,
        None,
    )
    .await;
    assert_eq!(token.status, StatusCode::CREATED);
    check_against_spec(&spec, "POST", TOKEN, &token);
    let status = reminders_call(
        &app,
        Method::GET,
        &format!("{one}/calendar-token"),
        None,
        c,
        None,
    )
    .await;
    assert_eq!(status.status, StatusCode::OK);
    assert!(status.json()["since"].is_string());
    check_against_spec(&spec, "GET", TOKEN, &status);
    let feed = app.get(token.json()["url"].as_str().unwrap()).await;
    assert_eq!(feed.status, StatusCode::OK);
    check_against_spec(&spec, "GET", FEED, &feed);
    let ended = reminders_call(
        &app,
        Method::DELETE,
        &format!("{one}/calendar-token"),
        None,
        c,
        None,
    )
    .await;
    check_against_spec(&spec, "DELETE", TOKEN, &ended);
    let removed = reminders_call(&app, Method::DELETE, &reminder, None, c, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    check_against_spec(&spec, "DELETE", REMINDER, &removed);
    let removed = reminders_call(&app, Method::DELETE, &one, None, c, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    check_against_spec(&spec, "DELETE", PERSON, &removed);
}

#[tokio::test]
async fn reminder_problems_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();
    let cara = app.sign_in("cara@example.com", "caregiver-demo").await;
    let eddie = app.sign_in("eddie@example.com", "editor-demo").await;
    let c = Some(cara.as_str());
    let window = "from=2026-03-01T00:00:00Z&until=2026-03-02T00:00:00Z";
    let person = json!({ "name": "Mum", "colour": "teal", "zone": "Europe/London" });
    let p = reminders_call(&app, Method::POST, "/api/v1/people", Some(&person), c, None)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Signed out, another role, and ids that are not the account's, on every operation.
    let operations: Vec<(&str, &str, String, Option<Value>)> = vec![
        ("GET", "/api/v1/people", "/api/v1/people".into(), None),
        (
            "POST",
            "/api/v1/people",
            "/api/v1/people".into(),
            Some(person.clone()),
        ),
        (
            "PUT",
            "/api/v1/people/{id}",
            "/api/v1/people/x".into(),
            Some(person.clone()),
        ),
        (
            "DELETE",
            "/api/v1/people/{id}",
            "/api/v1/people/x".into(),
            None,
        ),
        (
            "GET",
            "/api/v1/people/{id}/calendar.ics",
            "/api/v1/people/x/calendar.ics".into(),
            None,
        ),
        (
            "GET",
            "/api/v1/people/{id}/calendar-token",
            "/api/v1/people/x/calendar-token".into(),
            None,
        ),
        (
            "POST",
            "/api/v1/people/{id}/calendar-token",
            "/api/v1/people/x/calendar-token".into(),
            None,
        ),
        (
            "DELETE",
            "/api/v1/people/{id}/calendar-token",
            "/api/v1/people/x/calendar-token".into(),
            None,
        ),
        ("GET", "/api/v1/reminders", "/api/v1/reminders".into(), None),
        (
            "POST",
            "/api/v1/reminders",
            "/api/v1/reminders".into(),
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/reminders/{id}",
            "/api/v1/reminders/x".into(),
            None,
        ),
        (
            "PUT",
            "/api/v1/reminders/{id}",
            "/api/v1/reminders/x".into(),
            Some(json!({})),
        ),
        (
            "DELETE",
            "/api/v1/reminders/{id}",
            "/api/v1/reminders/x".into(),
            None,
        ),
        (
            "GET",
            "/api/v1/reminders/{id}/occurrences",
            format!("/api/v1/reminders/x/occurrences?{window}"),
            None,
        ),
        (
            "POST",
            "/api/v1/dose-events",
            "/api/v1/dose-events".into(),
            Some(json!([])),
        ),
        (
            "GET",
            "/api/v1/dose-events",
            format!("/api/v1/dose-events?{window}"),
            None,
        ),
    ];
    for (method, documented, path, body) in &operations {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let signed_out =
            reminders_call(&app, m.clone(), path, body.as_ref(), None, Some("\"1\"")).await;
        signed_out.assert_problem(401, pt::UNAUTHENTICATED);
        check_against_spec(&spec, method, documented, &signed_out);
        let editor = reminders_call(
            &app,
            m.clone(),
            path,
            body.as_ref(),
            Some(&eddie),
            Some("\"1\""),
        )
        .await;
        editor.assert_problem(403, pt::FORBIDDEN);
        check_against_spec(&spec, method, documented, &editor);
        if path.contains("/x") && *method != "PUT"
            || (*method == "PUT" && *documented == "/api/v1/people/{id}")
        {
            let missing = reminders_call(&app, m, path, body.as_ref(), c, Some("\"1\"")).await;
            missing.assert_problem(404, pt::NOT_FOUND);
            check_against_spec(&spec, method, documented, &missing);
        }
    }
    let missing_feed = app.get("/calendar/nothing.ics").await;
    missing_feed.assert_problem(404, pt::NOT_FOUND);
    check_against_spec(&spec, "GET", "/calendar/{token}", &missing_feed);

    let one = format!("/api/v1/people/{p}");
    for (res, status) in [
        (
            reminders_call(&app, Method::PUT, &one, Some(&person), c, None).await,
            428,
        ),
        (
            reminders_call(&app, Method::PUT, &one, Some(&person), c, Some("\"9\"")).await,
            412,
        ),
        (
            reminders_call(&app, Method::PUT, &one, Some(&person), c, Some("9")).await,
            400,
        ),
        (
            reminders_call(
                &app,
                Method::PUT,
                &one,
                Some(&json!({ "name": "" , "colour": "x", "zone": "" })),
                c,
                Some("\"1\""),
            )
            .await,
            422,
        ),
    ] {
        assert_eq!(res.status.as_u16(), status, "{}", res.text());
        check_against_spec(&spec, "PUT", "/api/v1/people/{id}", &res);
    }
    let invalid = reminders_call(
        &app,
        Method::POST,
        "/api/v1/reminders",
        Some(&json!({
            "personId": p, "medicine": "M", "doseAmount": "1", "doseUnit": "tablet",
            "schedule": { "zone": "Nowhere", "start": "2026-01-01", "pattern": { "kind": "daily", "times": [] } }
        })),
        c,
        None,
    )
    .await;
    invalid.assert_problem(422, pt::VALIDATION);
    check_against_spec(&spec, "POST", "/api/v1/reminders", &invalid);
    let bad_window = reminders_call(
        &app,
        Method::GET,
        "/api/v1/dose-events?from=x",
        None,
        c,
        None,
    )
    .await;
    bad_window.assert_problem(400, pt::BAD_REQUEST);
    check_against_spec(&spec, "GET", "/api/v1/dose-events", &bad_window);
    let bad_event = reminders_call(
        &app,
        Method::POST,
        "/api/v1/dose-events",
        Some(&json!([{ "id": "1", "reminderId": "r", "scheduledAt": null, "action": "taken", "at": "x" }])),
        c,
        None,
    )
    .await;
    bad_event.assert_problem(422, pt::VALIDATION);
    check_against_spec(&spec, "POST", "/api/v1/dose-events", &bad_event);
    let too_many: Vec<Value> = (0..501)
        .map(|n| json!({ "id": format!("0f8fad5b-d9cb-469f-a165-{n:012}"), "reminderId": "r", "scheduledAt": null, "action": "taken", "at": "2026-03-01T00:00:00Z" }))
        .collect();
    let res = reminders_call(
        &app,
        Method::POST,
        "/api/v1/dose-events",
        Some(&json!(too_many)),
        c,
        None,
    )
    .await;
    res.assert_problem(413, pt::PAYLOAD_TOO_LARGE);
    check_against_spec(&spec, "POST", "/api/v1/dose-events", &res);
}

#[tokio::test]
async fn time_zone_answers_match_their_documented_schemas() {
    let spec = spec();
    let app = TestApp::new();
    const ZONE: &str = "/api/v1/time-zone";
    const ZONES: &str = "/api/v1/time-zones";
    for query in [
        "?name=Europe/London",
        "?name=america/argentina/buenos_aires",
        "?name=Etc/GMT%2B5",
        "?name=Mars/Olympus_Mons",
        "?name=../etc/passwd",
        "",
    ] {
        let res = app.get(&format!("{ZONE}{query}")).await;
        check_against_spec(&spec, "GET", ZONE, &res);
    }
    let res = app.get(ZONES).await;
    assert_eq!(res.status, StatusCode::OK);
    check_against_spec(&spec, "GET", ZONES, &res);

    // The documented example is real data that loads.
    let example =
        &spec["paths"][ZONE]["get"]["responses"]["200"]["content"]["application/json"]["example"];
    let data: portal_core::time_zone::TimeZoneData =
        serde_json::from_value(example.clone()).unwrap();
    let live: portal_core::time_zone::TimeZoneData =
        serde_json::from_slice(&app.get(&format!("{ZONE}?name={}", data.name)).await.body).unwrap();
    assert_eq!(live, data);
    assert!(data.to_time_zone().is_some());
    assert_eq!(
        spec["components"]["headers"]["PublicForADay"]["schema"]["const"],
        portal_backend::time_zones::CACHE_CONTROL
    );
}

#[test]
fn reminder_enums_limits_and_codes_are_documented() {
    use portal_core::{
        reminders::{DoseAction, COLOURS, DOSE_UNITS, MAX_DOSE_EVENTS_PER_BATCH},
        schedule::{AsNeededProblem, ScheduleProblem, TravelPolicy, Weekday},
    };
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    assert_eq!(schemas["Colour"]["enum"], json!(COLOURS));
    assert_eq!(schemas["DoseUnit"]["enum"], json!(DOSE_UNITS));
    assert_eq!(
        schemas["DoseAction"]["enum"],
        serde_json::to_value(DoseAction::ALL).unwrap()
    );
    assert_eq!(
        schemas["Weekday"]["enum"],
        serde_json::to_value(Weekday::ALL).unwrap()
    );
    assert_eq!(
        schemas["TravelPolicy"]["enum"],
        serde_json::to_value([
            TravelPolicy::KeepLocalTime,
            TravelPolicy::KeepInterval,
            TravelPolicy::HomeZone
        ])
        .unwrap()
    );
    assert_eq!(
        spec["paths"]["/api/v1/dose-events"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["maxItems"],
        MAX_DOSE_EVENTS_PER_BATCH
    );
    let codes = schemas["FieldError"]["properties"]["code"]["enum"].clone();
    let time = jiff::civil::time(8, 0, 0, 0);
    let schedule_codes = [
        ScheduleProblem::NoTimes,
        ScheduleProblem::DuplicateTime(time),
        ScheduleProblem::NoWeekdays,
        ScheduleProblem::EndBeforeStart,
        ScheduleProblem::ZeroInterval,
        ScheduleProblem::IntervalTooLong,
        ScheduleProblem::EmptyWindow,
        ScheduleProblem::WindowTooLong,
        ScheduleProblem::ImpossibleCycle { days_off: true },
        ScheduleProblem::CountZero,
        ScheduleProblem::AsNeededLimits(AsNeededProblem::MaxZero),
        ScheduleProblem::AsNeededLimits(AsNeededProblem::GapZero),
        ScheduleProblem::AsNeededLimits(AsNeededProblem::MaxUnreachable),
        ScheduleProblem::UnknownZone,
    ]
    .map(|p| p.code());
    use portal_core::reminders::{INVALID, REQUIRED, TOO_LONG, TOO_MANY, UNKNOWN_CHOICE};
    for code in
        schedule_codes
            .into_iter()
            .chain([REQUIRED, TOO_LONG, TOO_MANY, INVALID, UNKNOWN_CHOICE])
    {
        assert!(
            codes.as_array().unwrap().contains(&json!(code)),
            "{code} is not documented"
        );
    }
}

#[test]
fn the_reminder_schema_matches_what_serde_writes() {
    use jiff::civil::{date, time};
    use portal_core::{
        reminders::Reminder,
        schedule::{AsNeededLimits, Pattern, Schedule, TravelPolicy, Weekday},
    };
    let spec = spec();
    let strict = json!({ "$ref": "#/components/schemas/Reminder" });
    let t = |h| time(h, 0, 0, 0);
    let patterns = [
        Pattern::Daily { times: vec![t(8)] },
        Pattern::Weekly {
            days: Weekday::ALL.to_vec(),
            times: vec![t(8), t(20)],
        },
        Pattern::EveryNDays {
            n: 2,
            times: vec![t(8)],
        },
        Pattern::Cycle {
            days_on: 21,
            days_off: 7,
            times: vec![t(8)],
        },
        Pattern::EveryNHours {
            hours: 4,
            window_start: t(8),
            window_end: t(20),
        },
        Pattern::AsNeeded(AsNeededLimits {
            max_per_24h: 4,
            min_gap_minutes: 240,
        }),
    ];
    for (n, pattern) in patterns.into_iter().enumerate() {
        let reminder = Reminder {
            id: "r".into(),
            person_id: "p".into(),
            medicine: "M".into(),
            strength: String::new(),
            dose_amount: "1".into(),
            dose_unit: "tablet".into(),
            instructions: String::new(),
            schedule: Schedule {
                zone: "Europe/London".into(),
                start: date(2026, 1, 1),
                end: (n % 2 == 0).then(|| date(2026, 12, 31)),
                count: (n % 3 == 0).then_some(10),
                pattern,
                travel: TravelPolicy::HomeZone,
            },
            hide_name_in_calendar: true,
            stock: (n == 0).then_some(3),
            refill_at: None,
            version: 1,
            updated_at: "2026-01-01T00:00:00Z".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        let mut errors = Vec::new();
        validate(
            &spec,
            &strict,
            &serde_json::to_value(&reminder).unwrap(),
            "$",
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // A drifted member is caught.
    let mut errors = Vec::new();
    validate(
        &spec,
        &json!({ "$ref": "#/components/schemas/Pattern" }),
        &json!({ "kind": "daily", "times": ["08:00"], "days": ["mon"] }),
        "$",
        &mut errors,
    );
    assert!(!errors.is_empty());
}

#[tokio::test]
async fn push_answers_match_their_documented_schemas() {
    const KEY: &str = "/api/v1/push/public-key";
    const SUBSCRIPTIONS: &str = "/api/v1/push/subscriptions";
    let spec = spec();
    let app = TestApp::new();
    check_against_spec(&spec, "GET", KEY, &app.get(KEY).await);

    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    let c = Some(cookie.as_str());
    // A real browser's subscription shape, with a key pair made as a browser makes one.
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let point =
        p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&secret.public_key(), false);
    let b64 =
        |b: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b);
    let subscription = json!({
        "endpoint": "https://push.example.com/wpush/v2/abc",
        "expirationTime": null,
        "keys": { "p256dh": b64(point.as_bytes()), "auth": b64(&[7; 16]) }
    });
    let mut documented = Vec::new();
    validate(
        &spec,
        &spec["components"]["schemas"]["PushSubscription"],
        &subscription,
        "$",
        &mut documented,
    );
    assert!(documented.is_empty(), "{documented:?}");
    let res = reminders_call(
        &app,
        Method::PUT,
        SUBSCRIPTIONS,
        Some(&subscription),
        c,
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    check_against_spec(&spec, "PUT", SUBSCRIPTIONS, &res);
    let bad = json!({ "endpoint": "http://push.example.com/x", "keys": {} });
    let res = reminders_call(&app, Method::PUT, SUBSCRIPTIONS, Some(&bad), c, None).await;
    check_against_spec(&spec, "PUT", SUBSCRIPTIONS, &res);
    let res = reminders_call(
        &app,
        Method::PUT,
        SUBSCRIPTIONS,
        Some(&subscription),
        None,
        None,
    )
    .await;
    check_against_spec(&spec, "PUT", SUBSCRIPTIONS, &res);
    let endpoint = json!({ "endpoint": "https://push.example.com/wpush/v2/abc" });
    let res = reminders_call(
        &app,
        Method::DELETE,
        SUBSCRIPTIONS,
        Some(&endpoint),
        c,
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    check_against_spec(&spec, "DELETE", SUBSCRIPTIONS, &res);
    let res = reminders_call(
        &app,
        Method::DELETE,
        SUBSCRIPTIONS,
        Some(&json!({})),
        c,
        None,
    )
    .await;
    check_against_spec(&spec, "DELETE", SUBSCRIPTIONS, &res);

    // The payload the service worker reads is the documented DosePush.
    let push = portal_backend::push::DosePush {
        kind: portal_backend::push::DOSE_PUSH_TYPE.to_owned(),
        reminder_id: "r1".to_owned(),
        person_id: "p1".to_owned(),
        scheduled_at: "2026-12-06T08:00:00Z".to_owned(),
        person: "Mum".to_owned(),
        medicine: None,
        dose: Some("1 tablet".to_owned()),
        dose_amount: Some("1".to_owned()),
        dose_unit: Some("tablet".to_owned()),
        url: portal_backend::push::TODAY_URL.to_owned(),
    };
    let mut errors = Vec::new();
    validate(
        &spec,
        &spec["components"]["schemas"]["DosePush"],
        &serde_json::to_value(&push).unwrap(),
        "$",
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
}
