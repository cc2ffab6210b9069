//! Ask: medical inquiries to the Medical Information (MI) team. The product catalogue the form
//! offers, sending an inquiry (signed in or not), a person's own inquiries, and the MI team's
//! endpoints to work through and answer them.
//!
//! What a person wrote is medical and personal: it is stored, and shown to them and to the MI
//! team, but never logged. Logs carry the reference and the safety flag only.

use crate::{
    auth::{self, CurrentUser, MedicalInformationTeam, RequireRole, SessionCtx},
    db::DbError,
    idempotency::KEY_HEADER,
    problem::{ApiJson, ApiProblem},
    AppState,
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use portal_core::{
    api::{FieldError, API_PREFIX},
    inquiry::{
        char_count, check, reference_from, Asker, ContactMethod, Field, FieldProblem, InquiryDraft,
        InquiryReceipt, InquiryStatus, InquirySummary, InquiryUpdate, Outcome, Problem, Product,
        SafetyKind, Sex, StaffInquiry, Topic, COUNTRIES, MAX_ADDRESS_CHARS, MAX_AGE_YEARS,
        MAX_LONG_TEXT_CHARS, MAX_PHONE_CHARS, MAX_QUESTION_CHARS, MAX_SHORT_TEXT_CHARS,
        OTHER_PRODUCT, REPLY_LANGUAGES, REPLY_WITHIN_WORKING_DAYS,
    },
    markdown,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use std::collections::HashSet;

/// Longest answer the MI team can give, in characters.
pub const MAX_ANSWER_CHARS: usize = 10_000;
/// `medicine` of an inquiry about "other or not sure" without a name typed in.
pub const MEDICINE_NOT_SURE: &str = "Not sure";
/// References drawn before giving up. A collision needs two of 30^8 values to meet, so a second
/// draw is already rare; several in a row mean something else is wrong.
const REFERENCE_ATTEMPTS: usize = 8;

/// `GET /api/v1/products`: the catalogue, in the order the form lists it.
pub async fn list_products(
    State(state): State<AppState>,
) -> Result<Json<Vec<Product>>, ApiProblem> {
    Ok(Json(state.db.call(load_products).await?))
}

fn load_products(conn: &mut Connection) -> Result<Vec<Product>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT id, name, generic_name, generic_names FROM products ORDER BY sort_order, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let id: String = r.get(0)?;
        let names: String = r.get(3)?;
        // A catalogue edited by hand may hold anything: without its translations a product is
        // still offered, in English.
        let generic_names = serde_json::from_str(&names).unwrap_or_else(|e| {
            tracing::error!(product = %id, error = %e, "generic names unreadable");
            Default::default()
        });
        Ok(Product {
            id,
            name: r.get(1)?,
            generic_name: r.get(2)?,
            generic_names,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn product_ids(conn: &Connection) -> Result<HashSet<String>, DbError> {
    let mut stmt = conn.prepare("SELECT id FROM products")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `POST /api/v1/inquiries`: files an inquiry, from anyone.
///
/// A live session links the inquiry to the person, so it shows in their list; without one (or
/// with a cookie whose session ended) it is filed anonymously, never refused: the app's outbox may
/// send long after the person signed out, and the question must still arrive. The session is
/// read, not used, so a background resend does not keep an idle session alive. The
/// `Idempotency-Key` this route requires is enforced by the idempotency middleware.
pub async fn submit(
    State(state): State<AppState>,
    SessionCtx(ctx): SessionCtx,
    headers: HeaderMap,
    ApiJson(mut draft): ApiJson<InquiryDraft>,
) -> Result<Response, ApiProblem> {
    // The idempotency middleware has already insisted on a well-formed key.
    let key = headers
        .get(&KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| ApiProblem::bad_request("Idempotency-Key is required."))?;
    // `check` looks the product up without surrounding spaces; keep it the way it was checked.
    draft.product_id = draft.product_id.trim().to_owned();
    let user_id = ctx.user_id().map(str::to_owned);
    let now = state.clock.now();
    // Everything that can fail is done before the row is written: a failure after it would
    // release the idempotency key, and the retry would file the inquiry a second time.
    let received_at = auth::rfc3339(now)?;
    let filed = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            // A retry after the idempotency record expired: the inquiry is filed already.
            if let Some(filed) = filed_under_key(&tx, &key)? {
                return Ok(Ok(filed));
            }
            let known = product_ids(&tx)?;
            let problems = check(&draft, |id| known.contains(id));
            if !problems.is_empty() {
                return Ok(Err(problems));
            }
            let draft = draft.trimmed_for_sending();
            let reference = insert_inquiry(&tx, user_id.as_deref(), now, &key, &draft, || {
                reference_from(rand::random())
            })?;
            tx.commit()?;
            Ok(Ok((reference, now, draft.reaches_drug_safety())))
        })
        .await?;
    let (reference, filed_at, safety_report) = filed.map_err(|problems| {
        ApiProblem::validation(problems.into_iter().map(field_error).collect())
    })?;
    tracing::info!(%reference, safety_report, "inquiry received");
    let received_at = if filed_at == now {
        received_at
    } else {
        auth::rfc3339(filed_at)?
    };

    let receipt = InquiryReceipt {
        reference: reference.clone(),
        received_at,
        status: InquiryStatus::Sent,
        safety_report,
        reply_within_working_days: REPLY_WITHIN_WORKING_DAYS,
    };
    let mut res = (StatusCode::CREATED, Json(receipt)).into_response();
    // References are ASCII by construction; should that ever change, the inquiry is filed all the
    // same and the receipt still names it, so answer without the header rather than fail.
    match HeaderValue::try_from(format!("{API_PREFIX}/inquiries/{reference}")) {
        Ok(location) => {
            res.headers_mut().insert(header::LOCATION, location);
        }
        Err(e) => tracing::error!(error = %e, %reference, "reference unfit for a Location header"),
    }
    Ok(res)
}

/// The reference, Day 0 and safety flag of the inquiry filed under an idempotency key, if any.
fn filed_under_key(conn: &Connection, key: &str) -> Result<Option<(String, i64, bool)>, DbError> {
    Ok(conn
        .query_row(
            "SELECT reference, received_at, safety_report FROM inquiries WHERE idempotency_key = ?1",
            params![key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Writes a checked inquiry and returns its reference. `next_reference` is asked again when a
/// reference is taken already.
fn insert_inquiry(
    conn: &Connection,
    user_id: Option<&str>,
    received_at: i64,
    key: &str,
    draft: &InquiryDraft,
    mut next_reference: impl FnMut() -> String,
) -> Result<String, DbError> {
    let body = serde_json::to_string(draft)
        .map_err(|e| DbError::new(format!("cannot store an inquiry: {e}")))?;
    let topic = draft
        .topic
        .ok_or_else(|| DbError::new("a checked inquiry has no topic"))
        .and_then(json_name)?;
    for _ in 0..REFERENCE_ATTEMPTS {
        let reference = next_reference();
        // DO NOTHING only on a taken reference, so any other failure still surfaces.
        let inserted = conn.execute(
            "INSERT INTO inquiries
                 (reference, user_id, received_at, status, safety_report, product_id, topic,
                  body_json, updated_at, idempotency_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?3, ?9)
             ON CONFLICT (reference) DO NOTHING",
            params![
                reference,
                user_id,
                received_at,
                InquiryStatus::Sent.as_str(),
                draft.reaches_drug_safety(),
                draft.product_id,
                topic,
                body,
                key,
            ],
        )?;
        if inserted == 1 {
            return Ok(reference);
        }
        tracing::warn!("inquiry reference already taken; drawing another");
    }
    Err(DbError::new(format!(
        "no free inquiry reference after {REFERENCE_ATTEMPTS} draws"
    )))
}

fn field_error(p: FieldProblem) -> FieldError {
    FieldError {
        field: p.field.json_name().to_owned(),
        code: p.problem.code().to_owned(),
        detail: field_detail(p),
    }
}

/// A sentence saying what the field needs, for developers and logs (the app shows its own
/// translated text, chosen by field and code).
fn field_detail(p: FieldProblem) -> String {
    let max = match p.problem {
        Problem::TooLong { max } => Some(max),
        _ => None,
    };
    let at_most = |text: &str, fallback: usize| {
        format!("{text} (at most {} characters).", max.unwrap_or(fallback))
    };
    match p.field {
        Field::Asker => format!(
            "Choose who is asking: {}.",
            choices(&[Asker::Patient, Asker::Caregiver, Asker::Hcp])
        ),
        Field::Profession => at_most(
            "Type your profession, such as pharmacist",
            MAX_SHORT_TEXT_CHARS,
        ),
        Field::Product if p.problem == Problem::UnknownChoice => {
            format!("Choose a product listed by GET {API_PREFIX}/products, or \"{OTHER_PRODUCT}\".")
        }
        Field::Product => format!(
            "Choose the medicine, or \"{OTHER_PRODUCT}\" if it is not listed or you are not sure."
        ),
        Field::ProductOther => at_most("Keep the medicine's name short", MAX_SHORT_TEXT_CHARS),
        Field::Topic => format!(
            "Choose what the question is about: {}.",
            choices(&Topic::ALL)
        ),
        Field::Question => at_most("Type your question", MAX_QUESTION_CHARS),
        Field::HadSafetyEvent => "Say whether anyone had a side effect or another problem with \
                                  the medicine (true or false)."
            .to_owned(),
        Field::SafetyKinds => format!(
            "Choose at least one kind of problem: {}.",
            choices(&SafetyKind::ALL)
        ),
        Field::SafetyInitials => match max {
            Some(max) => format!("Give initials only (at most {max} characters)."),
            None => "Give initials only.".to_owned(),
        },
        Field::SafetySex => format!(
            "Choose the person's sex: {}, or leave it empty.",
            choices(&[Sex::Female, Sex::Male, Sex::Other])
        ),
        Field::SafetyAge => {
            format!("Give the age in whole years, from 0 to {MAX_AGE_YEARS}, or leave it empty.")
        }
        Field::WhatHappened => at_most("Describe what happened", MAX_LONG_TEXT_CHARS),
        Field::WhenItHappened => at_most(
            "Say when it happened, such as \"two days after starting\"",
            MAX_SHORT_TEXT_CHARS,
        ),
        Field::BatchNumber => at_most("Keep the batch number short", MAX_SHORT_TEXT_CHARS),
        Field::Outcome => format!("Say how the person is now: {}.", choices(&Outcome::ALL)),
        Field::ContactMethod => format!(
            "Choose how to receive the answer: {}.",
            choices(&[
                ContactMethod::Email,
                ContactMethod::Phone,
                ContactMethod::Post
            ])
        ),
        Field::Name => at_most("Type your name", MAX_SHORT_TEXT_CHARS),
        Field::Email => "Type an email address like name@example.com.".to_owned(),
        Field::Phone => format!(
            "Type a phone number with 6 to 15 digits, such as +44 20 7946 0958 \
             (at most {MAX_PHONE_CHARS} characters)."
        ),
        Field::BestTimes => at_most("Keep the best times to call short", MAX_SHORT_TEXT_CHARS),
        Field::Address => at_most("Type the postal address", MAX_ADDRESS_CHARS),
        Field::Country => format!("Choose a country: {}.", COUNTRIES.join(", ")),
        Field::Language => format!(
            "Choose a language for the answer: {}.",
            REPLY_LANGUAGES.join(", ")
        ),
        Field::ConsentContact => "Agree that the Medical Information team may contact you to \
                                  answer (consentContact: true)."
            .to_owned(),
    }
}

/// The JSON names of `values`, as a list for a sentence.
fn choices<T: Serialize + Copy>(values: &[T]) -> String {
    values
        .iter()
        .filter_map(|v| json_name(*v).ok())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How serde writes a unit enum variant, e.g. `Topic::HowToTake` as `how_to_take`.
fn json_name<T: Serialize>(value: T) -> Result<String, DbError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(DbError::new(format!("not a plain enum value: {other:?}"))),
    }
}

/// An `inquiries` row with its product's name.
struct InquiryRow {
    reference: String,
    user_id: Option<String>,
    received_at: i64,
    status: String,
    safety_report: bool,
    product_name: Option<String>,
    body_json: String,
    answer: Option<String>,
    answered_at: Option<i64>,
}

const SELECT_ROWS: &str = "
    SELECT i.reference, i.user_id, i.received_at, i.status, i.safety_report, p.name,
           i.body_json, i.answer, i.answered_at
    FROM inquiries i LEFT JOIN products p ON p.id = i.product_id";

/// Which inquiries to read. Ties in `received_at` (same second) fall back to the order of arrival.
enum Selection {
    /// A person's own, newest first.
    OwnedBy(String),
    /// Everything, newest first.
    All,
    /// Safety reports only, oldest Day 0 first: the order drug safety must work through them.
    SafetyReports,
    One(String),
}

fn load_rows(conn: &Connection, selection: Selection) -> Result<Vec<InquiryRow>, DbError> {
    let (filter, param) = match selection {
        Selection::OwnedBy(user_id) => (
            "WHERE i.user_id = ?1 ORDER BY i.received_at DESC, i.id DESC",
            Some(user_id),
        ),
        Selection::All => ("ORDER BY i.received_at DESC, i.id DESC", None),
        Selection::SafetyReports => (
            "WHERE i.safety_report = 1 ORDER BY i.received_at, i.id",
            None,
        ),
        Selection::One(reference) => ("WHERE i.reference = ?1", Some(reference)),
    };
    let mut stmt = conn.prepare(&format!("{SELECT_ROWS} {filter}"))?;
    let read = |r: &Row<'_>| {
        Ok(InquiryRow {
            reference: r.get(0)?,
            user_id: r.get(1)?,
            received_at: r.get(2)?,
            status: r.get(3)?,
            safety_report: r.get(4)?,
            product_name: r.get(5)?,
            body_json: r.get(6)?,
            answer: r.get(7)?,
            answered_at: r.get(8)?,
        })
    };
    let rows = match param {
        Some(p) => stmt
            .query_map(params![p], read)?
            .collect::<Result<_, _>>()?,
        None => stmt.query_map([], read)?.collect::<Result<_, _>>()?,
    };
    Ok(rows)
}

impl InquiryRow {
    fn draft(&self) -> Result<InquiryDraft, DbError> {
        serde_json::from_str(&self.body_json).map_err(|e| {
            DbError::new(format!(
                "inquiry {} has an unreadable body: {e}",
                self.reference
            ))
        })
    }

    fn status(&self) -> Result<InquiryStatus, DbError> {
        InquiryStatus::parse(&self.status).ok_or_else(|| {
            DbError::new(format!(
                "inquiry {} has unknown status {:?}",
                self.reference, self.status
            ))
        })
    }

    fn answered_at(&self) -> Result<Option<String>, ApiProblem> {
        self.answered_at.map(auth::rfc3339).transpose()
    }

    /// As the person who sent it sees it.
    fn into_summary(self) -> Result<InquirySummary, ApiProblem> {
        let draft = self.draft()?;
        let topic = draft
            .topic
            .ok_or_else(|| DbError::new(format!("inquiry {} has no topic", self.reference)))?;
        let other = draft.product_other.trim();
        let medicine = match self.product_name.as_deref() {
            Some(name) => name.to_owned(),
            None if !other.is_empty() => other.to_owned(),
            None => MEDICINE_NOT_SURE.to_owned(),
        };
        Ok(InquirySummary {
            received_at: auth::rfc3339(self.received_at)?,
            status: self.status()?,
            answered_at: self.answered_at()?,
            medicine,
            topic,
            question: draft.question,
            safety_report: self.safety_report,
            reference: self.reference,
            answer_document: self.answer.as_deref().map(markdown::parse_reply),
            answer: self.answer,
        })
    }

    /// As the MI team and drug safety see it: everything the person sent.
    fn into_staff_view(self) -> Result<StaffInquiry, ApiProblem> {
        Ok(StaffInquiry {
            inquiry: self.draft()?,
            received_at: auth::rfc3339(self.received_at)?,
            status: self.status()?,
            answered_at: self.answered_at()?,
            signed_in_user_id: self.user_id,
            reference: self.reference,
            answer: self.answer,
        })
    }
}

/// `GET /api/v1/inquiries`: the signed-in person's own inquiries, newest first.
pub async fn list_own(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<InquirySummary>>, ApiProblem> {
    let selection = Selection::OwnedBy(user.id.clone());
    let rows = state
        .db
        .call(move |conn| load_rows(conn, selection))
        .await?;
    let list = rows
        .into_iter()
        .map(InquiryRow::into_summary)
        .collect::<Result<_, _>>()?;
    Ok(Json(list))
}

/// `GET /api/v1/medical-information/inquiries[?safety=true]`: every inquiry, newest first, or the
/// safety reports alone, oldest first.
pub async fn list_for_staff(
    State(state): State<AppState>,
    _staff: RequireRole<MedicalInformationTeam>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Vec<StaffInquiry>>, ApiProblem> {
    // Anything else is refused rather than ignored: a misspelt filter must not hand drug safety
    // the full list, newest first, as if it were theirs.
    let refused = || {
        ApiProblem::bad_request(
            "The only query this list takes is safety=true (safety reports alone, oldest first).",
        )
    };
    let Ok(Query(pairs)) = query else {
        return Err(refused());
    };
    let selection = match pairs.as_slice() {
        [] => Selection::All,
        [(name, value)] if name == "safety" && value == "true" => Selection::SafetyReports,
        _ => return Err(refused()),
    };
    let rows = state
        .db
        .call(move |conn| load_rows(conn, selection))
        .await?;
    let list = rows
        .into_iter()
        .map(InquiryRow::into_staff_view)
        .collect::<Result<_, _>>()?;
    Ok(Json(list))
}

/// The answer to store for `update`: the trimmed text when answering, nothing otherwise.
fn checked_answer(update: &InquiryUpdate) -> Result<Option<String>, ApiProblem> {
    let answer = update.answer.as_deref().map(str::trim);
    let error = |code: &str, detail: String| {
        ApiProblem::validation(vec![FieldError {
            field: "answer".to_owned(),
            code: code.to_owned(),
            detail,
        }])
    };
    let type_it = || format!("Type the answer (at most {MAX_ANSWER_CHARS} characters).");
    match (update.status, answer) {
        (InquiryStatus::Answered, None) | (InquiryStatus::Answered, Some("")) => {
            Err(error(Problem::Required.code(), type_it()))
        }
        (InquiryStatus::Answered, Some(text)) if char_count(text) > MAX_ANSWER_CHARS => Err(error(
            Problem::TooLong {
                max: MAX_ANSWER_CHARS,
            }
            .code(),
            type_it(),
        )),
        (InquiryStatus::Answered, Some(text)) => Ok(Some(text.to_owned())),
        (_, None) => Ok(None),
        // An answer the person would not see yet is refused rather than kept: their list shows
        // whatever answer is stored.
        (_, Some(_)) => Err(error(
            Problem::Invalid.code(),
            "Send an answer only with the status answered.".to_owned(),
        )),
    }
}

/// `PUT /api/v1/medical-information/inquiries/{reference}`: sets where an inquiry is, and its
/// answer. A status other than `answered` withdraws an earlier answer.
pub async fn update(
    State(state): State<AppState>,
    staff: RequireRole<MedicalInformationTeam>,
    Path(reference): Path<String>,
    ApiJson(update): ApiJson<InquiryUpdate>,
) -> Result<Json<StaffInquiry>, ApiProblem> {
    let answer = checked_answer(&update)?;
    let status = update.status;
    let now = state.clock.now();
    let updated = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            // SET expressions see the row as it was: sending the same answer again keeps the
            // time it was first given, so a repeated PUT changes nothing a person sees.
            let changed = tx.execute(
                "UPDATE inquiries
                 SET answered_at = CASE
                         WHEN ?3 IS NULL THEN NULL
                         WHEN status = 'answered' AND answer IS ?3 THEN answered_at
                         ELSE ?4 END,
                     status = ?2, answer = ?3, updated_at = ?4
                 WHERE reference = ?1",
                params![reference, status.as_str(), answer, now],
            )?;
            if changed == 0 {
                return Ok(None);
            }
            let row = load_rows(&tx, Selection::One(reference))?
                .into_iter()
                .next();
            tx.commit()?;
            Ok(row)
        })
        .await?;
    let row = updated.ok_or_else(|| {
        ApiProblem::not_found().with_detail("There is no inquiry with this reference.")
    })?;
    tracing::info!(
        reference = %row.reference,
        status = status.as_str(),
        by = %staff.id,
        "inquiry updated"
    );
    Ok(Json(row.into_staff_view()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    fn checked_draft() -> InquiryDraft {
        InquiryDraft {
            asker: Some(Asker::Patient),
            product_id: "brelora".into(),
            topic: Some(Topic::Storage),
            question: "Can I keep my inhaler in the car?".into(),
            had_safety_event: Some(false),
            contact_method: Some(ContactMethod::Email),
            name: "Pat Example".into(),
            email: "pat@example.com".into(),
            country: "GB".into(),
            language: "en".into(),
            consent_contact: true,
            ..InquiryDraft::default()
        }
    }

    #[test]
    fn a_taken_reference_is_drawn_again() {
        let db = Db::open_in_memory().unwrap();
        let draft = checked_draft();
        db.call_blocking(|c| {
            let first = insert_inquiry(c, None, 1, "k-1", &draft, || "MI-AAAA-AAAA".into())?;
            assert_eq!(first, "MI-AAAA-AAAA");
            let mut draws = vec!["MI-BBBB-BBBB", "MI-AAAA-AAAA"];
            let second = insert_inquiry(c, None, 2, "k-2", &draft, || {
                draws.pop().unwrap_or_default().to_owned()
            })?;
            assert_eq!(second, "MI-BBBB-BBBB");
            let always_taken = insert_inquiry(c, None, 3, "k-3", &draft, || "MI-AAAA-AAAA".into());
            assert!(always_taken.is_err());
            let rows: i64 = c.query_row("SELECT COUNT(*) FROM inquiries", [], |r| r.get(0))?;
            assert_eq!(rows, 2);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn every_field_problem_has_a_sentence() {
        let draft = InquiryDraft {
            asker: Some(Asker::Hcp),
            product_id: OTHER_PRODUCT.into(),
            product_other: "x".repeat(200),
            had_safety_event: Some(true),
            safety: portal_core::inquiry::SafetyReport {
                initials: "ABCDEFGHIJKL".into(),
                age: "old".into(),
                batch_number: "b".repeat(200),
                ..Default::default()
            },
            contact_method: Some(ContactMethod::Phone),
            phone: "call me".into(),
            best_times: "t".repeat(200),
            country: "XX".into(),
            language: "tlh".into(),
            ..InquiryDraft::default()
        };
        let errors: Vec<FieldError> = check(&draft, |_| false)
            .into_iter()
            .map(field_error)
            .collect();
        assert!(errors.len() > 15, "{errors:?}");
        for e in &errors {
            assert!(e.detail.ends_with('.'), "{e:?}");
            assert!(
                e.detail.chars().next().is_some_and(char::is_uppercase),
                "{e:?}"
            );
        }
        let initials = errors
            .iter()
            .find(|e| e.field == "safety.initials")
            .unwrap();
        assert_eq!(
            initials.detail,
            "Give initials only (at most 10 characters)."
        );
        let topic = errors.iter().find(|e| e.field == "topic").unwrap();
        assert!(topic.detail.contains("how_to_take"), "{topic:?}");
    }

    #[test]
    fn answers_belong_to_answered_inquiries_only() {
        let update = |status, answer: Option<&str>| InquiryUpdate {
            status,
            answer: answer.map(str::to_owned),
        };
        let code = |u: InquiryUpdate| {
            checked_answer(&u).unwrap_err().problem.errors[0]
                .code
                .clone()
        };
        assert_eq!(
            checked_answer(&update(InquiryStatus::Answered, Some("  Yes.  "))).unwrap(),
            Some("Yes.".to_owned())
        );
        assert_eq!(code(update(InquiryStatus::Answered, None)), "required");
        assert_eq!(
            code(update(InquiryStatus::Answered, Some(" \n "))),
            "required"
        );
        let long = "ü".repeat(MAX_ANSWER_CHARS + 1);
        assert_eq!(
            code(update(InquiryStatus::Answered, Some(&long))),
            "too_long"
        );
        let longest = "ü".repeat(MAX_ANSWER_CHARS);
        assert!(checked_answer(&update(InquiryStatus::Answered, Some(&longest))).is_ok());
        assert_eq!(
            checked_answer(&update(InquiryStatus::BeingAnswered, None)).unwrap(),
            None
        );
        assert_eq!(
            code(update(InquiryStatus::Received, Some("Soon"))),
            "invalid"
        );
    }
}
