//! Reminders: the people an account keeps medication reminders for (`/api/v1/people`), their
//! reminders (`/api/v1/reminders`), the doses due (`.../occurrences`, from the core schedule
//! engine), the doses logged (`/api/v1/dose-events`), and calendar files and feeds of a person's
//! reminders (`.../calendar.ics`, `/calendar/{token}`).
//!
//! For signed-in patients and caregivers. Everything belongs to the account that made it: every
//! query names the account, and another account's ids get exactly the answer of ids that do not
//! exist (`404`), so nobody can learn what others keep. What people keep here is health data:
//! it is never logged, only ids and counts are.
//!
//! Changes name the version they were made on (`If-Match: "<version>"`, as in Studio): a phone
//! and a tablet editing the same reminder must not overwrite each other silently.

use crate::{
    auth::{self, PatientsOrCaregivers, RequireRole},
    db::DbError,
    ics,
    problem::{ApiJson, ApiProblem},
    seed,
    studio::{precondition, Precondition},
    AppState,
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use jiff::{SignedDuration, Timestamp};
use portal_core::{
    api::{FieldError, API_PREFIX},
    language::Language,
    reminders::{
        check_dose_events, check_person, check_reminder, is_zone_name, parse_instant,
        CalendarFeedStatus, CalendarLink, DoseAction, DoseEvent, DoseEventReceipt, FieldIssue,
        OccurrenceList, Person, PersonInput, Reminder, ReminderInput, COLOURS, DOSE_UNITS,
        FIRST_YEAR, INVALID, LAST_YEAR, MAX_DOSE_EVENTS_PER_BATCH, MAX_DOSE_EVENT_WINDOW_DAYS,
        MAX_INSTRUCTIONS_CHARS, MAX_MEDICINE_CHARS, MAX_OCCURRENCE_WINDOW_DAYS,
        MAX_PERSON_NAME_CHARS, MAX_REASON_CHARS, MAX_STOCK, MAX_STRENGTH_CHARS, MAX_TIMES_PER_DAY,
        REQUIRED, TOO_LONG, TOO_MANY, UNKNOWN_CHOICE,
    },
    schedule::{self, Schedule},
};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Largest body `POST /api/v1/dose-events` accepts: a full batch of
/// [`MAX_DOSE_EVENTS_PER_BATCH`] events with the longest reasons, which the API's usual 64 KiB
/// is not.
pub const DOSE_EVENTS_BODY_LIMIT_BYTES: usize = 1024 * 1024;
/// Where calendar feeds are served, outside `/api/v1` so calendar apps need no session.
pub const CALENDAR_FEED_PREFIX: &str = "/calendar/";

/// Signed-in patients and caregivers; editors and the MI team get `403`.
type Member = RequireRole<PatientsOrCaregivers>;

/// The backend database's spelling of a zone (`europe/london` is `Europe/London`), if it has it.
fn canonical_zone(name: &str) -> Option<String> {
    if !is_zone_name(name) {
        return None;
    }
    let tz = jiff::tz::db().get(name).ok()?;
    Some(tz.iana_name().unwrap_or(name).to_owned())
}

pub(crate) fn zone_known(name: &str) -> bool {
    canonical_zone(name).is_some()
}

fn field_error(issue: FieldIssue) -> FieldError {
    FieldError {
        detail: detail(&issue.field, issue.code),
        code: issue.code.to_owned(),
        field: issue.field,
    }
}

fn validation(issues: Vec<FieldIssue>) -> ApiProblem {
    ApiProblem::validation(issues.into_iter().map(field_error).collect())
}

/// A sentence saying what the field needs, for developers and logs (the app shows its own
/// translated text, chosen by field and code).
fn detail(field: &str, code: &str) -> String {
    // A batch's `[3].at` reads as `at`.
    let name = field.rsplit(']').next().unwrap_or(field);
    let name = name.strip_prefix('.').unwrap_or(name);
    let at_most = |what: &str, max: usize| format!("{what} (at most {max} characters).");
    match (name, code) {
        ("name", _) => at_most("Give the person's name", MAX_PERSON_NAME_CHARS),
        ("colour", _) => format!("Choose a colour: {}.", COLOURS.join(", ")),
        ("zone" | "schedule.zone", _) => {
            "Choose a time zone by its IANA name, such as Europe/London.".to_owned()
        }
        ("personId", REQUIRED) => "Choose who the reminder is for.".to_owned(),
        ("personId", _) => {
            format!("Choose one of the people listed by GET {API_PREFIX}/people.")
        }
        ("medicine", _) => at_most("Give the medicine's name", MAX_MEDICINE_CHARS),
        ("strength", _) => at_most(
            "Keep the strength short, such as 500 mg",
            MAX_STRENGTH_CHARS,
        ),
        ("doseAmount", _) => "Give the dose as a number such as 1 or 2.5 (up to four digits, \
                              and two after the point)."
            .to_owned(),
        ("doseUnit", _) => format!(
            "Choose what a dose is counted in: {}.",
            DOSE_UNITS.join(", ")
        ),
        ("instructions", _) => at_most("Keep the instructions short", MAX_INSTRUCTIONS_CHARS),
        ("stock", _) => format!("Give the doses left as a whole number up to {MAX_STOCK}."),
        ("refillAt", _) => format!(
            "Give the refill level as a whole number up to {MAX_STOCK}, together with a stock."
        ),
        ("schedule.start" | "schedule.end", INVALID) => {
            format!("Choose a date in the years {FIRST_YEAR} to {LAST_YEAR}.")
        }
        ("schedule.pattern.times", TOO_MANY) => {
            format!("Give at most {MAX_TIMES_PER_DAY} times a day.")
        }
        (
            "schedule.pattern.times"
            | "schedule.pattern.windowStart"
            | "schedule.pattern.windowEnd",
            INVALID,
        ) => "Give times in whole minutes, such as 08:00.".to_owned(),
        ("id", _) => "Give the event's own id: a UUID made on the device when it happened, such \
                      as 0f8fad5b-d9cb-469f-a165-70867728950e."
            .to_owned(),
        ("reminderId", _) => "Name the reminder the dose belongs to.".to_owned(),
        ("scheduledAt", _) => "Give the scheduled time as an RFC 3339 instant such as \
                               2026-03-29T07:00:00Z, or null for an as-needed dose."
            .to_owned(),
        ("at", _) => {
            "Give when it happened as an RFC 3339 instant such as 2026-03-29T07:05:00Z.".to_owned()
        }
        ("snoozeMinutes", REQUIRED | UNKNOWN_CHOICE) => {
            "Give the snooze as 10, 30 or 60 minutes.".to_owned()
        }
        ("snoozeMinutes", _) => "Give snoozeMinutes only with the action snoozed.".to_owned(),
        ("reason", TOO_LONG) => at_most("Keep the reason short", MAX_REASON_CHARS),
        ("reason", _) => "Give a reason only with the action skipped.".to_owned(),
        (_, code) => schedule_detail(code),
    }
}

fn schedule_detail(code: &str) -> String {
    match code {
        "no_times" => "Give at least one time of day.",
        "duplicate_time" => "Give each time of day once.",
        "no_weekdays" => "Choose at least one day of the week.",
        "end_before_start" => "The last day cannot be before the first day.",
        "zero_interval" => "The interval must be at least 1.",
        "interval_too_long" => "Keep the interval to at most 365 days, or 24 hours.",
        "empty_window" => "The daily window must end after it starts.",
        "window_too_long" => {
            "With exact intervals, the first and last dose of a day must be less than 23 hours \
             apart."
        }
        "impossible_cycle" => "A cycle needs at least one dose day, and at most 365 days in all.",
        "count_zero" => "Stop after at least one dose, or give no count.",
        "as_needed_max_zero" => "Allow at least one dose in 24 hours.",
        "as_needed_gap_zero" => "Give the least time between two doses, in minutes.",
        "as_needed_max_unreachable" => {
            "That many doses in 24 hours cannot be taken this far apart; check both limits."
        }
        "unknown_zone" => "Choose a time zone by its IANA name, such as Europe/London.",
        _ => "Check this field.",
    }
    .to_owned()
}

/// `"<version>"`.
fn etag(version: u64) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("\"{version}\"")).ok()
}

/// A JSON answer with the version as `ETag`, and `Location` when something was created.
fn versioned<T: serde::Serialize>(
    status: StatusCode,
    body: &T,
    version: u64,
    location: Option<String>,
) -> Response {
    let mut res = (status, Json(body)).into_response();
    if let Some(tag) = etag(version) {
        res.headers_mut().insert(header::ETAG, tag);
    }
    // Ids are hexadecimal, so this cannot fail.
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    res
}

/// The versions a change names in `If-Match`, required for changing what exists.
enum Wanted {
    Versions(Vec<i64>),
    /// `If-None-Match: *`: only if it does not exist, which a change to it cannot meet.
    Absent,
}

fn wanted_version(headers: &HeaderMap) -> Result<Wanted, ApiProblem> {
    match precondition(headers)? {
        Precondition::Versions(v) => Ok(Wanted::Versions(v)),
        Precondition::Absent => Ok(Wanted::Absent),
        Precondition::None => Err(ApiProblem::precondition_required(
            "Send If-Match with the ETag of the version you changed, such as \"3\", so a change \
             saved meanwhile (on another device) is not overwritten.",
        )),
    }
}

/// Whether a change named the `current` version.
fn check_version(wanted: &Wanted, current: u64) -> Result<(), ApiProblem> {
    match wanted {
        Wanted::Versions(v) if v.iter().any(|w| u64::try_from(*w).ok() == Some(current)) => Ok(()),
        Wanted::Versions(_) => Err(ApiProblem::version_conflict(format!(
            "It was changed after you loaded it (it is at version {current} now). Load it again \
             and redo your change there."
        ))),
        Wanted::Absent => Err(ApiProblem::version_conflict(
            "It exists, so If-None-Match: * cannot be met; send If-Match with its ETag instead.",
        )),
    }
}

fn no_such(what: &str) -> ApiProblem {
    ApiProblem::not_found().with_detail(format!("There is no such {what}."))
}

// People ------------------------------------------------------------------------------------

const PERSON_COLUMNS: &str = "id, name, colour, zone, version";

fn person_from_row(r: &Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: r.get(0)?,
        name: r.get(1)?,
        colour: r.get(2)?,
        zone: r.get(3)?,
        version: r.get(4)?,
    })
}

fn load_people(conn: &Connection, account: &str) -> Result<Vec<Person>, DbError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE account_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let rows = stmt.query_map(params![account], person_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn load_person(conn: &Connection, account: &str, id: &str) -> Result<Option<Person>, DbError> {
    Ok(conn
        .query_row(
            &format!("SELECT {PERSON_COLUMNS} FROM people WHERE account_id = ?1 AND id = ?2"),
            params![account, id],
            person_from_row,
        )
        .optional()?)
}

/// The person's fields as they are stored: checked, with the zone as the database spells it.
fn checked_person(mut input: PersonInput) -> Result<PersonInput, ApiProblem> {
    let issues = check_person(&input, zone_known);
    if !issues.is_empty() {
        return Err(validation(issues));
    }
    if let Some(zone) = canonical_zone(&input.zone) {
        input.zone = zone;
    }
    Ok(input)
}

/// `GET /api/v1/people`: the account's people, in the order they were added.
pub async fn list_people(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<Person>>, ApiProblem> {
    let account = member.id.clone();
    let people = state
        .db
        .call(move |conn| load_people(conn, &account))
        .await?;
    Ok(Json(people))
}

/// `POST /api/v1/people`: adds a person, version 1.
pub async fn create_person(
    State(state): State<AppState>,
    member: Member,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<Response, ApiProblem> {
    let input = checked_person(input)?;
    let account = member.id.clone();
    let id = seed::new_id();
    let now = state.clock.now();
    let person = state
        .db
        .call(move |conn| {
            conn.execute(
                "INSERT INTO people (account_id, id, name, colour, zone, version, created_at,
                                     updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
                params![account, id, input.name, input.colour, input.zone, now],
            )?;
            load_person(conn, &account, &id)?
                .ok_or_else(|| DbError::new("a new person cannot be read back"))
        })
        .await?;
    tracing::info!(person = %person.id, by = %member.id, "person added");
    let location = format!("{API_PREFIX}/people/{}", person.id);
    Ok(versioned(
        StatusCode::CREATED,
        &person,
        person.version,
        Some(location),
    ))
}

/// `PUT /api/v1/people/{id}` with `If-Match`: changes a person.
pub async fn update_person(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<Response, ApiProblem> {
    let wanted = wanted_version(&headers)?;
    let account = member.id.clone();
    let now = state.clock.now();
    let person = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let Some(current) = load_person(&tx, &account, &id)? else {
                return Ok(Err(no_such("person")));
            };
            if let Err(p) = check_version(&wanted, current.version) {
                return Ok(Err(p));
            }
            let input = match checked_person(input) {
                Ok(input) => input,
                Err(p) => return Ok(Err(p)),
            };
            tx.execute(
                "UPDATE people SET name = ?3, colour = ?4, zone = ?5, version = version + 1,
                                   updated_at = ?6
                 WHERE account_id = ?1 AND id = ?2",
                params![account, id, input.name, input.colour, input.zone, now],
            )?;
            let person = load_person(&tx, &account, &id)?
                .ok_or_else(|| DbError::new("a changed person cannot be read back"))?;
            tx.commit()?;
            Ok(Ok(person))
        })
        .await??;
    tracing::info!(person = %person.id, version = person.version, by = %member.id, "person changed");
    Ok(versioned(StatusCode::OK, &person, person.version, None))
}

/// `DELETE /api/v1/people/{id}`: removes a person with their reminders, logged doses and
/// calendar feed.
pub async fn delete_person(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiProblem> {
    let account = member.id.clone();
    let log_id = id.clone();
    let deleted = state
        .db
        .call(move |conn| {
            Ok(conn.execute(
                "DELETE FROM people WHERE account_id = ?1 AND id = ?2",
                params![account, id],
            )?)
        })
        .await?;
    if deleted == 0 {
        return Err(no_such("person"));
    }
    tracing::info!(person = %log_id, by = %member.id, "person removed");
    Ok(StatusCode::NO_CONTENT)
}

// Reminders ---------------------------------------------------------------------------------

const REMINDER_COLUMNS: &str = "id, person_id, medicine, strength, dose_amount, dose_unit, \
     instructions, schedule_json, hide_name_in_calendar, stock, refill_at, version, updated_at, created_at";

/// A `reminders` row, before its schedule is read.
struct ReminderRow {
    id: String,
    person_id: String,
    medicine: String,
    strength: String,
    dose_amount: String,
    dose_unit: String,
    instructions: String,
    schedule_json: String,
    hide_name_in_calendar: bool,
    stock: Option<u32>,
    refill_at: Option<u32>,
    version: u64,
    updated_at: i64,
    created_at: i64,
}

fn reminder_row(r: &Row<'_>) -> rusqlite::Result<ReminderRow> {
    Ok(ReminderRow {
        id: r.get(0)?,
        person_id: r.get(1)?,
        medicine: r.get(2)?,
        strength: r.get(3)?,
        dose_amount: r.get(4)?,
        dose_unit: r.get(5)?,
        instructions: r.get(6)?,
        schedule_json: r.get(7)?,
        hide_name_in_calendar: r.get(8)?,
        stock: r.get(9)?,
        refill_at: r.get(10)?,
        version: r.get(11)?,
        updated_at: r.get(12)?,
        created_at: r.get(13)?,
    })
}

impl ReminderRow {
    fn into_reminder(self) -> Result<Reminder, ApiProblem> {
        let schedule: Schedule = serde_json::from_str(&self.schedule_json).map_err(|e| {
            DbError::new(format!(
                "reminder {} has an unreadable schedule: {e}",
                self.id
            ))
        })?;
        Ok(Reminder {
            updated_at: auth::rfc3339(self.updated_at)?,
            created_at: auth::rfc3339(self.created_at)?,
            id: self.id,
            person_id: self.person_id,
            medicine: self.medicine,
            strength: self.strength,
            dose_amount: self.dose_amount,
            dose_unit: self.dose_unit,
            instructions: self.instructions,
            schedule,
            hide_name_in_calendar: self.hide_name_in_calendar,
            stock: self.stock,
            refill_at: self.refill_at,
            version: self.version,
        })
    }
}

/// Which reminders of an account to read, in the order they were added.
enum Which<'a> {
    All,
    One(&'a str),
    OfPerson(&'a str),
}

fn load_reminders(
    conn: &Connection,
    account: &str,
    which: Which<'_>,
) -> Result<Vec<ReminderRow>, DbError> {
    let (filter, param) = match which {
        Which::All => ("", None),
        Which::One(id) => ("AND id = ?2", Some(id)),
        Which::OfPerson(person) => ("AND person_id = ?2", Some(person)),
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {REMINDER_COLUMNS} FROM reminders WHERE account_id = ?1 {filter}
         ORDER BY created_at, rowid"
    ))?;
    let rows = match param {
        Some(p) => stmt.query_map(params![account, p], reminder_row)?,
        None => stmt.query_map(params![account], reminder_row)?,
    };
    Ok(rows.collect::<Result<_, _>>()?)
}

fn load_reminder(
    conn: &Connection,
    account: &str,
    id: &str,
) -> Result<Option<ReminderRow>, DbError> {
    Ok(load_reminders(conn, account, Which::One(id))?
        .into_iter()
        .next())
}

fn person_exists(conn: &Connection, account: &str, id: &str) -> Result<bool, DbError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM people WHERE account_id = ?1 AND id = ?2",
            params![account, id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The reminder's fields as they are stored: checked (its person must be one of the account's,
/// or it is `unknown_choice` like any id that does not exist), with the zone as the database
/// spells it. Text is stored as sent.
fn checked_reminder(
    conn: &Connection,
    account: &str,
    mut input: ReminderInput,
) -> Result<Result<(ReminderInput, String), ApiProblem>, DbError> {
    let mut issues = check_reminder(&input, zone_known);
    if !input.person_id.trim().is_empty() && !person_exists(conn, account, &input.person_id)? {
        issues.insert(
            0,
            FieldIssue {
                field: "personId".to_owned(),
                code: UNKNOWN_CHOICE,
            },
        );
    }
    if !issues.is_empty() {
        return Ok(Err(validation(issues)));
    }
    if let Some(zone) = canonical_zone(&input.schedule.zone) {
        input.schedule.zone = zone;
    }
    let schedule_json = serde_json::to_string(&input.schedule)
        .map_err(|e| DbError::new(format!("cannot store a schedule: {e}")))?;
    Ok(Ok((input, schedule_json)))
}

/// `GET /api/v1/reminders`: the account's reminders, in the order they were added.
pub async fn list_reminders(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<Reminder>>, ApiProblem> {
    let account = member.id.clone();
    let rows = state
        .db
        .call(move |conn| load_reminders(conn, &account, Which::All))
        .await?;
    let list = rows
        .into_iter()
        .map(ReminderRow::into_reminder)
        .collect::<Result<_, _>>()?;
    Ok(Json(list))
}

/// `POST /api/v1/reminders`: adds a reminder, version 1.
pub async fn create_reminder(
    State(state): State<AppState>,
    member: Member,
    ApiJson(input): ApiJson<ReminderInput>,
) -> Result<Response, ApiProblem> {
    let account = member.id.clone();
    let id = seed::new_id();
    let now = state.clock.now();
    let row = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let (input, schedule_json) = match checked_reminder(&tx, &account, input)? {
                Ok(checked) => checked,
                Err(p) => return Ok(Err(p)),
            };
            store_reminder(
                &tx,
                INSERT_REMINDER,
                &account,
                &id,
                &input,
                &schedule_json,
                now,
            )?;
            let row = load_reminder(&tx, &account, &id)?
                .ok_or_else(|| DbError::new("a new reminder cannot be read back"))?;
            tx.commit()?;
            Ok(Ok(row))
        })
        .await??;
    let reminder = row.into_reminder()?;
    tracing::info!(reminder = %reminder.id, by = %member.id, "reminder added");
    let location = format!("{API_PREFIX}/reminders/{}", reminder.id);
    Ok(versioned(
        StatusCode::CREATED,
        &reminder,
        reminder.version,
        Some(location),
    ))
}

/// Both statements take the same numbered parameters, see [`store_reminder`].
const INSERT_REMINDER: &str = "INSERT INTO reminders
     (account_id, id, person_id, medicine, strength, dose_amount, dose_unit,
      instructions, schedule_json, hide_name_in_calendar, stock, refill_at,
      version, created_at, updated_at)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1, ?13, ?13)";
const UPDATE_REMINDER: &str = "UPDATE reminders
 SET person_id = ?3, medicine = ?4, strength = ?5, dose_amount = ?6,
     dose_unit = ?7, instructions = ?8, schedule_json = ?9,
     hide_name_in_calendar = ?10, stock = ?11, refill_at = ?12,
     version = version + 1, updated_at = ?13
 WHERE account_id = ?1 AND id = ?2";

/// Runs [`INSERT_REMINDER`] or [`UPDATE_REMINDER`] with a checked reminder's fields.
fn store_reminder(
    tx: &Connection,
    sql: &str,
    account: &str,
    id: &str,
    input: &ReminderInput,
    schedule_json: &str,
    now: i64,
) -> rusqlite::Result<usize> {
    tx.execute(
        sql,
        params![
            account,
            id,
            input.person_id,
            input.medicine,
            input.strength,
            input.dose_amount,
            input.dose_unit,
            input.instructions,
            schedule_json,
            input.hide_name_in_calendar,
            input.stock,
            input.refill_at,
            now
        ],
    )
}

/// `GET /api/v1/reminders/{id}`: one reminder, with its version as `ETag`.
pub async fn get_reminder(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, ApiProblem> {
    let account = member.id.clone();
    let row = state
        .db
        .call(move |conn| load_reminder(conn, &account, &id))
        .await?
        .ok_or_else(|| no_such("reminder"))?;
    let reminder = row.into_reminder()?;
    Ok(versioned(StatusCode::OK, &reminder, reminder.version, None))
}

/// `PUT /api/v1/reminders/{id}` with `If-Match`: replaces a reminder's fields (stock included).
pub async fn update_reminder(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ReminderInput>,
) -> Result<Response, ApiProblem> {
    let wanted = wanted_version(&headers)?;
    let account = member.id.clone();
    let now = state.clock.now();
    let row = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let Some(current) = load_reminder(&tx, &account, &id)? else {
                return Ok(Err(no_such("reminder")));
            };
            if let Err(p) = check_version(&wanted, current.version) {
                return Ok(Err(p));
            }
            let (input, schedule_json) = match checked_reminder(&tx, &account, input)? {
                Ok(checked) => checked,
                Err(p) => return Ok(Err(p)),
            };
            store_reminder(
                &tx,
                UPDATE_REMINDER,
                &account,
                &id,
                &input,
                &schedule_json,
                now,
            )?;
            let row = load_reminder(&tx, &account, &id)?
                .ok_or_else(|| DbError::new("a changed reminder cannot be read back"))?;
            tx.commit()?;
            Ok(Ok(row))
        })
        .await??;
    let reminder = row.into_reminder()?;
    tracing::info!(reminder = %reminder.id, version = reminder.version, by = %member.id,
        "reminder changed");
    Ok(versioned(StatusCode::OK, &reminder, reminder.version, None))
}

/// `DELETE /api/v1/reminders/{id}`: removes a reminder and the doses logged for it.
pub async fn delete_reminder(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiProblem> {
    let account = member.id.clone();
    let log_id = id.clone();
    let deleted = state
        .db
        .call(move |conn| {
            Ok(conn.execute(
                "DELETE FROM reminders WHERE account_id = ?1 AND id = ?2",
                params![account, id],
            )?)
        })
        .await?;
    if deleted == 0 {
        return Err(no_such("reminder"));
    }
    tracing::info!(reminder = %log_id, by = %member.id, "reminder removed");
    Ok(StatusCode::NO_CONTENT)
}

/// `from` and `until` of a query: RFC 3339 instants, each once, `from` before `until`, at most
/// `max_days` apart. Other parameters are ignored.
fn window(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    max_days: i64,
) -> Result<(Timestamp, Timestamp), ApiProblem> {
    let refused = || {
        ApiProblem::bad_request(format!(
            "Give from and until as RFC 3339 instants, from before until and at most {max_days} \
             days apart, such as ?from=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z."
        ))
    };
    let Ok(Query(pairs)) = query else {
        return Err(refused());
    };
    let one = |name: &str| {
        let mut values = pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (Some(v), None) => parse_instant(v),
            _ => None,
        }
    };
    let (Some(from), Some(until)) = (one("from"), one("until")) else {
        return Err(refused());
    };
    let longest = SignedDuration::from_hours(24 * max_days);
    if from >= until || until.duration_since(from) > longest {
        return Err(refused());
    }
    Ok((from, until))
}

/// `GET /api/v1/reminders/{id}/occurrences?from=&until=`: the doses due in `[from, until)`,
/// computed in the schedule's zone by the core schedule engine (the app computes with the same
/// engine, so both show the same times). As-needed reminders have none.
pub async fn reminder_occurrences(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<OccurrenceList>, ApiProblem> {
    let (from, until) = window(query, MAX_OCCURRENCE_WINDOW_DAYS)?;
    let account = member.id.clone();
    let row = state
        .db
        .call(move |conn| load_reminder(conn, &account, &id))
        .await?
        .ok_or_else(|| no_such("reminder"))?;
    let reminder = row.into_reminder()?;
    let zone = reminder.schedule.zone.clone();
    let tz = jiff::tz::db().get(&zone).map_err(|e| {
        tracing::error!(reminder = %reminder.id, %zone, error = %e, "stored zone unknown");
        ApiProblem::internal()
    })?;
    let occurrences = schedule::occurrences(&reminder.schedule, &tz, from, until);
    Ok(Json(OccurrenceList { zone, occurrences }))
}

// Dose events -------------------------------------------------------------------------------

/// A dose event as stored: its instants normalised to UTC, so the same event sent with another
/// offset is recognised as the same.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredEvent {
    reminder_id: String,
    scheduled_at: Option<String>,
    action: String,
    at: String,
    snooze_minutes: Option<u16>,
    reason: String,
    undoes: Option<String>,
}

impl StoredEvent {
    /// From a checked event.
    fn from_checked(e: &DoseEvent) -> Option<(StoredEvent, i64)> {
        let at = parse_instant(&e.at)?;
        let scheduled_at = match e.scheduled_at.as_deref() {
            Some(t) => Some(parse_instant(t)?.to_string()),
            None => None,
        };
        Some((
            StoredEvent {
                reminder_id: e.reminder_id.clone(),
                scheduled_at,
                action: e.action.as_str().to_owned(),
                at: at.to_string(),
                snooze_minutes: e.snooze_minutes,
                reason: e.reason.clone(),
                undoes: e.undoes.clone(),
            },
            at.as_millisecond(),
        ))
    }
}

/// Whether the latest event stored for the scheduled dose `scheduled_at` (in its stored,
/// normalised spelling) of the reminder is `taken`: while it is, the dose is one out of the pack.
/// Latest is the greatest id, ids being time-ordered UUIDv7s, as the app reads them.
fn slot_taken(
    conn: &Connection,
    account: &str,
    reminder_id: &str,
    scheduled_at: &str,
) -> Result<bool, DbError> {
    let latest: Option<String> = conn
        .query_row(
            "SELECT action FROM dose_events
             WHERE account_id = ?1 AND reminder_id = ?2 AND scheduled_at = ?3
             ORDER BY lower(id) DESC, id DESC LIMIT 1",
            params![account, reminder_id, scheduled_at],
            |r| r.get(0),
        )
        .optional()?;
    Ok(latest.as_deref() == Some(DoseAction::Taken.as_str()))
}

/// Whether `taking` is an as-needed `taken` event of the reminder, and whether an `undone` event
/// other than `undo` already took it back. Ids compare without ASCII case, as the app's do.
fn as_needed_taking(
    conn: &Connection,
    account: &str,
    reminder_id: &str,
    taking: &str,
    undo: &str,
) -> Result<(bool, bool), DbError> {
    let exists = conn
        .query_row(
            "SELECT 1 FROM dose_events
             WHERE account_id = ?1 AND reminder_id = ?2 AND lower(id) = lower(?3)
               AND action = ?4 AND scheduled_at IS NULL",
            params![account, reminder_id, taking, DoseAction::Taken.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let undone = conn
        .query_row(
            "SELECT 1 FROM dose_events
             WHERE account_id = ?1 AND reminder_id = ?2 AND lower(undoes) = lower(?3)
               AND lower(id) <> lower(?4)",
            params![account, reminder_id, taking, undo],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    Ok((exists, undone))
}

/// `POST /api/v1/dose-events`: stores a device's logged doses, each once by its id. Events of a
/// reminder that does not exist (deleted meanwhile, or never this account's) are not stored.
///
/// A scheduled dose is one out of the pack while its latest event (the greatest id, ids being
/// time-ordered UUIDv7s) is `taken`: an event that makes it so counts the reminder's stock down
/// by one, never below 0 (the dose amount is not considered: a stock counts doses), and one that
/// ends it (`undone`, logged when a dose was marked taken by mistake) puts one back. Either is a
/// change to the reminder (new version). The app corrects the time of a taken dose by logging a
/// second `taken` event for it, which is still one dose. As-needed doses (no scheduled time) have
/// no slot to share, so each `taken` one counts.
///
/// Not subject to `Idempotency-Key`: the events' own ids make resending safe, and a full batch
/// is larger than idempotency records keep.
pub async fn record_dose_events(
    State(state): State<AppState>,
    member: Member,
    ApiJson(events): ApiJson<Vec<DoseEvent>>,
) -> Result<Json<DoseEventReceipt>, ApiProblem> {
    if events.len() > MAX_DOSE_EVENTS_PER_BATCH {
        return Err(ApiProblem::payload_too_large().with_detail(format!(
            "Send at most {MAX_DOSE_EVENTS_PER_BATCH} events at a time, the rest in later requests."
        )));
    }
    let issues = check_dose_events(&events);
    if !issues.is_empty() {
        return Err(validation(issues));
    }
    let checked = events
        .iter()
        .map(|e| StoredEvent::from_checked(e).map(|(s, ms)| (e.id.clone(), s, ms)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiProblem::bad_request("The events' times could not be read."))?;
    let account = member.id.clone();
    let now = state.clock.now();
    let receipt = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut receipt = DoseEventReceipt::default();
            for (id, event, at_ms) in checked {
                let existing = tx
                    .query_row(
                        "SELECT reminder_id, scheduled_at, action, at, snooze_minutes, reason,
                                undoes
                         FROM dose_events WHERE account_id = ?1 AND id = ?2",
                        params![account, id],
                        |r| {
                            Ok(StoredEvent {
                                reminder_id: r.get(0)?,
                                scheduled_at: r.get(1)?,
                                action: r.get(2)?,
                                at: r.get(3)?,
                                snooze_minutes: r.get(4)?,
                                reason: r.get(5)?,
                                undoes: r.get(6)?,
                            })
                        },
                    )
                    .optional()?;
                match existing {
                    Some(stored) if stored == event => receipt.duplicates.push(id),
                    Some(_) => receipt.conflicts.push(id),
                    None => {
                        // An as-needed taking taken back: it must be one of this reminder's,
                        // and goes back into the pack once, however many undos name it.
                        let mut gives_back = false;
                        if let Some(taking) = event.undoes.as_deref() {
                            let (exists, undone) =
                                as_needed_taking(&tx, &account, &event.reminder_id, taking, &id)?;
                            if !exists {
                                receipt.rejected.push(id);
                                continue;
                            }
                            gives_back = !undone;
                        }
                        let was_taken = match event.scheduled_at.as_deref() {
                            Some(slot) => slot_taken(&tx, &account, &event.reminder_id, slot)?,
                            None => gives_back,
                        };
                        let inserted = tx.execute(
                            "INSERT INTO dose_events
                                 (account_id, id, reminder_id, scheduled_at, action, at, at_ms,
                                  snooze_minutes, reason, recorded_at, undoes)
                             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
                             WHERE EXISTS (SELECT 1 FROM reminders
                                           WHERE account_id = ?1 AND id = ?3)",
                            params![
                                account,
                                id,
                                event.reminder_id,
                                event.scheduled_at,
                                event.action,
                                event.at,
                                at_ms,
                                event.snooze_minutes,
                                event.reason,
                                now,
                                event.undoes
                            ],
                        )?;
                        if inserted == 0 {
                            receipt.rejected.push(id);
                            continue;
                        }
                        let is_taken = match event.scheduled_at.as_deref() {
                            Some(slot) => slot_taken(&tx, &account, &event.reminder_id, slot)?,
                            None => event.action == DoseAction::Taken.as_str(),
                        };
                        if is_taken && !was_taken {
                            // NULL (not counted) and 0 stay as they are.
                            tx.execute(
                                "UPDATE reminders
                                 SET stock = stock - 1, version = version + 1, updated_at = ?3
                                 WHERE account_id = ?1 AND id = ?2 AND stock > 0",
                                params![account, event.reminder_id, now],
                            )?;
                        } else if was_taken && !is_taken {
                            tx.execute(
                                "UPDATE reminders
                                 SET stock = stock + 1, version = version + 1, updated_at = ?3
                                 WHERE account_id = ?1 AND id = ?2 AND stock IS NOT NULL",
                                params![account, event.reminder_id, now],
                            )?;
                        }
                        receipt.stored.push(id);
                    }
                }
            }
            tx.commit()?;
            Ok(receipt)
        })
        .await?;
    tracing::info!(
        stored = receipt.stored.len(),
        duplicates = receipt.duplicates.len(),
        conflicts = receipt.conflicts.len(),
        rejected = receipt.rejected.len(),
        by = %member.id,
        "dose events received"
    );
    Ok(Json(receipt))
}

/// `GET /api/v1/dose-events?from=&until=`: the account's dose events whose `at` is in
/// `[from, until)` (to the millisecond), in the order they happened.
pub async fn list_dose_events(
    State(state): State<AppState>,
    member: Member,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Vec<DoseEvent>>, ApiProblem> {
    let (from, until) = window(query, MAX_DOSE_EVENT_WINDOW_DAYS)?;
    let account = member.id.clone();
    let rows = state
        .db
        .call(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, reminder_id, scheduled_at, action, at, snooze_minutes, reason,
                        recorded_at, undoes
                 FROM dose_events WHERE account_id = ?1 AND at_ms >= ?2 AND at_ms < ?3
                 ORDER BY at_ms, id",
            )?;
            let rows = stmt.query_map(
                params![account, from.as_millisecond(), until.as_millisecond()],
                |r| {
                    let action: String = r.get(3)?;
                    let action = DoseAction::parse(&action).ok_or_else(|| {
                        let why = format!("unknown dose action {action:?}");
                        rusqlite::Error::FromSqlConversionFailure(3, Type::Text, why.into())
                    })?;
                    let event = DoseEvent {
                        id: r.get(0)?,
                        reminder_id: r.get(1)?,
                        scheduled_at: r.get(2)?,
                        action,
                        at: r.get(4)?,
                        snooze_minutes: r.get(5)?,
                        reason: r.get(6)?,
                        recorded_at: None,
                        undoes: r.get(8)?,
                    };
                    Ok((event, r.get::<_, i64>(7)?))
                },
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    let events = rows
        .into_iter()
        .map(|(mut event, recorded)| {
            event.recorded_at = Some(auth::rfc3339(recorded)?);
            Ok(event)
        })
        .collect::<Result<_, ApiProblem>>()?;
    Ok(Json(events))
}

// Calendars ---------------------------------------------------------------------------------

/// A person and their reminders, as a calendar shows them.
fn load_calendar(
    conn: &Connection,
    account: &str,
    person_id: &str,
) -> Result<Option<(Person, Vec<ReminderRow>)>, DbError> {
    let Some(person) = load_person(conn, account, person_id)? else {
        return Ok(None);
    };
    let reminders = load_reminders(conn, account, Which::OfPerson(person_id))?;
    Ok(Some((person, reminders)))
}

/// The `.ics` answer: written off the async threads (a calendar of many reminders takes a few
/// milliseconds), never cached or sniffed, offered as a file to save.
async fn calendar_response(
    state: &AppState,
    person: Person,
    rows: Vec<ReminderRow>,
    language: Language,
) -> Result<Response, ApiProblem> {
    let reminders = rows
        .into_iter()
        .map(ReminderRow::into_reminder)
        .collect::<Result<Vec<_>, _>>()?;
    let now = Timestamp::from_second(state.clock.now()).map_err(|e| {
        tracing::error!(error = %e, "clock out of range");
        ApiProblem::internal()
    })?;
    let disposition = HeaderValue::from_str(&calendar_disposition(&person.name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"reminders.ics\""));
    let body =
        tokio::task::spawn_blocking(move || ics::calendar(&person.name, &reminders, now, language))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "calendar could not be written");
                ApiProblem::internal()
            })?;
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(ics::CONTENT_TYPE),
        ),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, nofollow"),
        ),
    ];
    Ok((headers, body).into_response())
}

/// `GET /api/v1/people/{id}/calendar.ics`: the person's reminders as an iCalendar file.
pub async fn person_calendar(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiProblem> {
    let account = member.id.clone();
    let (person, rows) = state
        .db
        .call(move |conn| load_calendar(conn, &account, &id))
        .await?
        .ok_or_else(|| no_such("person"))?;
    calendar_response(&state, person, rows, calendar_language(query)).await
}

/// `attachment` named after the person ("Mum.ics"), so files for several people can be told
/// apart: an ASCII `filename` for old clients, and the name as written in `filename*` (RFC 6266).
fn calendar_disposition(name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let plain = plain.trim_matches('-');
    let plain = if plain.is_empty() { "reminders" } else { plain };
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{plain}.ics\"; filename*=UTF-8''{encoded}.ics")
}

/// The language a calendar is asked in (`?lang=de`); English when none or another is asked
/// for, since a calendar app shows whatever it gets and cannot be told what went wrong.
fn calendar_language(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Language {
    query
        .ok()
        .and_then(|Query(pairs)| {
            pairs
                .into_iter()
                .find(|(name, _)| name == "lang")
                .and_then(|(_, tag)| Language::from_tag(&tag))
        })
        .unwrap_or(Language::En)
}

/// `POST /api/v1/people/{id}/calendar-token`: a new secret feed address for the person's
/// calendar, replacing (and so ending) any earlier one. Only the token's hash is kept, so the
/// address is shown this once.
///
/// Not subject to `Idempotency-Key`: a replay would have to keep the answer, and with it the
/// token.
pub async fn create_calendar_token(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, ApiProblem> {
    let token = auth::new_token();
    let hash = auth::token_hash(&token);
    let account = member.id.clone();
    let now = state.clock.now();
    let log_id = id.clone();
    let created = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            if !person_exists(&tx, &account, &id)? {
                return Ok(false);
            }
            tx.execute(
                "DELETE FROM calendar_tokens WHERE account_id = ?1 AND person_id = ?2",
                params![account, id],
            )?;
            tx.execute(
                "INSERT INTO calendar_tokens (token_hash, account_id, person_id, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![hash, account, id, now],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await?;
    if !created {
        return Err(no_such("person"));
    }
    tracing::info!(person = %log_id, by = %member.id, "calendar feed address made");
    let link = CalendarLink {
        url: format!("{CALENDAR_FEED_PREFIX}{token}.ics"),
    };
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

/// `GET /api/v1/people/{id}/calendar-token`: whether the person has a feed address, and since
/// when, so making another (which ends it) is never a surprise.
pub async fn calendar_token_status(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Json<CalendarFeedStatus>, ApiProblem> {
    let account = member.id.clone();
    let found = state
        .db
        .call(move |conn| {
            if !person_exists(conn, &account, &id)? {
                return Ok(None);
            }
            let since: Option<i64> = conn
                .query_row(
                    "SELECT created_at FROM calendar_tokens WHERE account_id = ?1 AND person_id = ?2",
                    params![account, id],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(Some(since))
        })
        .await?;
    let since = found.ok_or_else(|| no_such("person"))?;
    Ok(Json(CalendarFeedStatus {
        since: since.map(auth::rfc3339).transpose()?,
    }))
}

/// `DELETE /api/v1/people/{id}/calendar-token`: ends the person's feed address, if there is one.
pub async fn delete_calendar_token(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiProblem> {
    let account = member.id.clone();
    let log_id = id.clone();
    let found = state
        .db
        .call(move |conn| {
            if !person_exists(conn, &account, &id)? {
                return Ok(false);
            }
            conn.execute(
                "DELETE FROM calendar_tokens WHERE account_id = ?1 AND person_id = ?2",
                params![account, id],
            )?;
            Ok(true)
        })
        .await?;
    if !found {
        return Err(no_such("person"));
    }
    tracing::info!(person = %log_id, by = %member.id, "calendar feed address ended");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /calendar/{token}.ics`: the calendar feed, for calendar apps, without a session. The
/// token is the whole credential; anything that is not a live one is `404`.
pub async fn public_calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiProblem> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let hash = auth::token_hash(token);
    let found = state
        .db
        .call(move |conn| {
            let owner: Option<(String, String)> = conn
                .query_row(
                    "SELECT account_id, person_id FROM calendar_tokens WHERE token_hash = ?1",
                    params![hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match owner {
                Some((account, person)) => load_calendar(conn, &account, &person),
                None => Ok(None),
            }
        })
        .await?;
    let (person, rows) = found.ok_or_else(|| no_such("calendar"))?;
    calendar_response(&state, person, rows, calendar_language(query)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_files_are_named_after_the_person() {
        assert_eq!(
            calendar_disposition("Mum"),
            "attachment; filename=\"Mum.ics\"; filename*=UTF-8''Mum.ics"
        );
        assert_eq!(
            calendar_disposition("Jürgen \"J\""),
            "attachment; filename=\"J-rgen--J.ics\"; filename*=UTF-8''J%C3%BCrgen%20%22J%22.ics"
        );
        assert_eq!(
            calendar_disposition("李"),
            "attachment; filename=\"reminders.ics\"; filename*=UTF-8''%E6%9D%8E.ics"
        );
    }

    #[test]
    fn zones_are_spelt_as_the_database_spells_them() {
        assert_eq!(
            canonical_zone("Europe/London").as_deref(),
            Some("Europe/London")
        );
        assert_eq!(canonical_zone("Mars/Olympus_Mons"), None);
        assert_eq!(canonical_zone("../../etc/passwd"), None);
        assert_eq!(canonical_zone(""), None);
    }

    #[test]
    fn every_issue_has_a_sentence() {
        let fields = [
            ("name", REQUIRED),
            ("colour", UNKNOWN_CHOICE),
            ("zone", UNKNOWN_CHOICE),
            ("personId", REQUIRED),
            ("personId", UNKNOWN_CHOICE),
            ("medicine", TOO_LONG),
            ("strength", TOO_LONG),
            ("doseAmount", INVALID),
            ("doseUnit", UNKNOWN_CHOICE),
            ("instructions", TOO_LONG),
            ("stock", INVALID),
            ("refillAt", INVALID),
            ("schedule.start", INVALID),
            ("schedule.pattern.times", TOO_MANY),
            ("schedule.pattern.windowEnd", INVALID),
            ("schedule.pattern.times", "no_times"),
            ("schedule.zone", "unknown_zone"),
            (
                "schedule.pattern.minGapMinutes",
                "as_needed_max_unreachable",
            ),
            ("[3].id", INVALID),
            ("[0].at", REQUIRED),
            ("[12].snoozeMinutes", INVALID),
            ("[1].reason", TOO_LONG),
        ];
        for (field, code) in fields {
            let d = detail(field, code);
            assert!(d.ends_with('.'), "{field} {code}: {d}");
            assert!(d.chars().next().is_some_and(char::is_uppercase), "{d}");
            assert_ne!(d, "Check this field.", "{field} {code}");
        }
        assert!(detail("[3].at", REQUIRED).contains("RFC 3339"));
    }

    #[test]
    fn windows_are_bounded() {
        let q = |s: &str| -> Result<Query<Vec<(String, String)>>, QueryRejection> {
            let uri: axum::http::Uri = format!("/x?{s}").parse().unwrap();
            Query::try_from_uri(&uri)
        };
        assert!(window(
            q("from=2026-03-01T00:00:00Z&until=2026-06-01T00:00:00Z"),
            92
        )
        .is_ok());
        for bad in [
            "",
            "from=2026-03-01T00:00:00Z",
            "from=2026-03-01T00:00:00Z&until=2026-06-01T00:00:01Z",
            "from=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z",
            "from=2026-03-01T00:00:00Z&until=2026-03-01T00:00:00Z",
            "from=2026-03-01&until=2026-03-02",
            "from=2026-03-01T00:00:00Z&from=2026-03-01T00:00:00Z&until=2026-03-02T00:00:00Z",
        ] {
            let p = window(q(bad), 92).unwrap_err();
            assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
