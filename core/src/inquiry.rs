//! Questions to the Medical Information team: the form's data, its steps, and the rules each field
//! must meet. The app checks a step before moving on; the reference backend applies the very same
//! rules to what it receives, so a person never meets a rule only after pressing Submit.

use serde::{Deserialize, Serialize};

use crate::sign_in::email_is_plausible;

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Asker {
    Patient,
    Caregiver,
    Hcp,
}

/// What the question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    HowToTake,
    SideEffects,
    Storage,
    Interactions,
    Pregnancy,
    Availability,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 7] = [
        Topic::HowToTake,
        Topic::SideEffects,
        Topic::Storage,
        Topic::Interactions,
        Topic::Pregnancy,
        Topic::Availability,
        Topic::Other,
    ];
}

/// What kind of safety event the person reports. Any one of them sends the inquiry to drug safety.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SafetyKind {
    /// An unwanted effect (adverse event).
    SideEffect,
    /// Damaged, looks different, does not work (product quality complaint).
    ProductProblem,
    Pregnancy,
    Breastfeeding,
    Overdose,
    TakenByMistake,
    DidNotWork,
}

impl SafetyKind {
    pub const ALL: [SafetyKind; 7] = [
        SafetyKind::SideEffect,
        SafetyKind::ProductProblem,
        SafetyKind::Pregnancy,
        SafetyKind::Breastfeeding,
        SafetyKind::Overdose,
        SafetyKind::TakenByMistake,
        SafetyKind::DidNotWork,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
}

/// How the person who had the event is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Recovered,
    Recovering,
    NotRecovered,
    Unknown,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Recovered,
        Outcome::Recovering,
        Outcome::NotRecovered,
        Outcome::Unknown,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Email,
    Phone,
    Post,
}

/// Where an inquiry is on its way to an answer. "Waiting to send" is the app's own state for
/// inquiries still in the device's outbox; the backend never holds those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InquiryStatus {
    Sent,
    Received,
    BeingAnswered,
    Answered,
}

impl InquiryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InquiryStatus::Sent => "sent",
            InquiryStatus::Received => "received",
            InquiryStatus::BeingAnswered => "being_answered",
            InquiryStatus::Answered => "answered",
        }
    }

    pub fn parse(s: &str) -> Option<InquiryStatus> {
        [
            InquiryStatus::Sent,
            InquiryStatus::Received,
            InquiryStatus::BeingAnswered,
            InquiryStatus::Answered,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// Beginnings of words that speak of a side effect, a special situation (pregnancy,
/// breastfeeding, too much taken, taken by mistake, no effect) or a faulty product, in the
/// languages the form is offered in, lower case. Wide on purpose: a question that is not a case
/// costs drug safety a minute; a case it never sees is a report missed.
const SAFETY_WORDS: &[&str] = &[
    // English
    "side effect",
    "side-effect",
    "adverse",
    "reaction",
    "rash",
    "hives",
    "allerg",
    "itch",
    "swell",
    "swollen",
    "vomit",
    "threw up",
    "nause",
    "felt sick",
    "feel sick",
    "feeling sick",
    "dizz",
    "faint",
    "headache",
    "palpitation",
    "heart rac",
    "chest pain",
    "breathless",
    "bleed",
    "bled",
    "bruis",
    "hospital",
    "a&e",
    "emergency",
    "pregnan",
    "breastfe",
    "breast-fe",
    "breast fe",
    "overdos",
    "too many",
    "too much",
    "double dose",
    "extra dose",
    "by mistake",
    "by accident",
    "accidentally",
    "wrong medicine",
    "expired",
    "damaged",
    "broken",
    "looks different",
    "tastes different",
    "smells",
    "didn't work",
    "doesn't work",
    "did not work",
    "does not work",
    "not working",
    "stopped working",
    "no effect",
    "after taking",
    "since taking",
    "since starting",
    "since i started",
    // Deutsch
    "nebenwirkung",
    "reaktion",
    "ausschlag",
    "allergi",
    "juck",
    "schwell",
    "geschwollen",
    "erbroch",
    "erbrech",
    "übel",
    "schwindel",
    "ohnmacht",
    "kopfschmerz",
    "herzrasen",
    "atemnot",
    "blutung",
    "blute",
    "krankenhaus",
    "notaufnahme",
    "schwanger",
    "stille",
    "überdos",
    "zu viel",
    "doppelte dosis",
    "versehentlich",
    "aus versehen",
    "abgelaufen",
    "beschädigt",
    "kaputt",
    "wirkt nicht",
    "keine wirkung",
    "nach der einnahme",
    "seit der einnahme",
    // Français
    "effet secondaire",
    "effets secondaires",
    "effet indésirable",
    "effets indésirables",
    "réaction",
    "éruption",
    "urticaire",
    "démang",
    "gonfl",
    "vomi",
    "nausée",
    "vertige",
    "malaise",
    "mal de tête",
    "maux de tête",
    "palpitation",
    "saign",
    "hôpital",
    "urgences",
    "enceinte",
    "grossesse",
    "allait",
    "surdos",
    "trop de",
    "par erreur",
    "par accident",
    "périmé",
    "endommagé",
    "cassé",
    "ne marche pas",
    "ne fonctionne pas",
    "aucun effet",
    "après avoir pris",
    "depuis que je prends",
    // Español
    "efecto secundario",
    "efectos secundarios",
    "efecto adverso",
    "efectos adversos",
    "reacción",
    "sarpullido",
    "erupción",
    "urticaria",
    "alergi",
    "picor",
    "picazón",
    "hinch",
    "vómit",
    "náusea",
    "mareo",
    "marea",
    "desmay",
    "dolor de cabeza",
    "palpitacion",
    "sangr",
    "urgencias",
    "embaraz",
    "lactancia",
    "amamant",
    "sobredosis",
    "demasiad",
    "dosis doble",
    "por error",
    "por accidente",
    "caducad",
    "dañad",
    "roto",
    "no funciona",
    "no hace efecto",
    "no me hace efecto",
    "sin efecto",
    "después de tomar",
    "desde que tomo",
];

/// True when `text` holds one of the [`SAFETY_WORDS`] at the start of a word, in any case.
pub fn mentions_safety_event(text: &str) -> bool {
    let text = text.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
    SAFETY_WORDS.iter().any(|word| {
        text.match_indices(word).any(|(at, _)| {
            text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
    })
}

/// Value of `productId` when the person picked "Other or not sure".
pub const OTHER_PRODUCT: &str = "other";
/// Countries the programme runs in (ISO 3166-1 alpha-2), in the order the form lists them.
pub const COUNTRIES: [&str; 8] = ["GB", "IE", "DE", "AT", "CH", "FR", "ES", "US"];
/// Languages the Medical Information team answers in.
pub const REPLY_LANGUAGES: [&str; 4] = ["en", "de", "fr", "es"];

pub const MAX_QUESTION_CHARS: usize = 2_000;
pub const MAX_LONG_TEXT_CHARS: usize = 2_000;
pub const MAX_SHORT_TEXT_CHARS: usize = 120;
pub const MAX_ADDRESS_CHARS: usize = 400;
pub const MAX_PHONE_CHARS: usize = 30;
pub const MAX_INITIALS_CHARS: usize = 10;
pub const MAX_AGE_YEARS: u32 = 130;
/// Working days within which the Medical Information team replies.
pub const REPLY_WITHIN_WORKING_DAYS: u8 = 2;

/// A product the company answers questions about (`GET /api/v1/products`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    /// Brand name.
    pub name: String,
    /// Active ingredient and form, e.g. "salbutamol inhaler", in English.
    pub generic_name: String,
    /// The same in other languages, by language tag ("de": "Salbutamol-Inhalator").
    #[serde(default)]
    pub generic_names: std::collections::BTreeMap<String, String>,
}

impl Product {
    /// The active ingredient and form in `language`, else in English.
    pub fn generic_name_in(&self, language: &str) -> &str {
        self.generic_names
            .get(language)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.generic_name)
    }

    /// Whether `needle` (lower case) is in the brand name or in any spelling of the generic
    /// name: a patient may know the English one from the pack.
    pub fn matches(&self, needle: &str) -> bool {
        std::iter::once(&self.name)
            .chain(std::iter::once(&self.generic_name))
            .chain(self.generic_names.values())
            .any(|n| n.to_lowercase().contains(needle))
    }
}

/// The minimum a safety report needs, in the person's own words. Only read when
/// [`InquiryDraft::had_safety_event`] is `Some(true)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SafetyReport {
    pub kinds: Vec<SafetyKind>,
    /// Optional; initials only, never a full name.
    pub initials: String,
    /// Optional; whole years as typed.
    pub age: String,
    pub sex: Option<Sex>,
    pub what_happened: String,
    pub when_it_happened: String,
    /// Optional; printed on the pack.
    pub batch_number: String,
    pub outcome: Option<Outcome>,
}

/// Everything the form collects. The same structure is the body of `POST /api/v1/inquiries`, so what
/// the person reviewed is exactly what is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InquiryDraft {
    pub asker: Option<Asker>,
    /// Required for healthcare professionals, e.g. "pharmacist".
    pub profession: String,
    /// A product id, [`OTHER_PRODUCT`], or empty when not chosen yet.
    pub product_id: String,
    /// The medicine's name in the person's words when it is not in the list (optional).
    pub product_other: String,
    pub topic: Option<Topic>,
    pub question: String,
    /// The answer to the safety check, which is always asked.
    pub had_safety_event: Option<bool>,
    pub safety: SafetyReport,
    pub contact_method: Option<ContactMethod>,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Optional, e.g. "weekday mornings".
    pub best_times: String,
    pub address: String,
    pub country: String,
    pub language: String,
    pub consent_contact: bool,
    /// Separate consent for drug safety to follow up a reported side effect (optional).
    pub consent_safety_follow_up: bool,
}

impl InquiryDraft {
    /// True once the person has written their question or answered the safety check: what would
    /// be a loss if it were deleted. Choosing who is asking alone is not.
    pub fn is_started(&self) -> bool {
        !self.question.trim().is_empty() || self.had_safety_event.is_some()
    }

    /// True when the person reports a safety event, with its details.
    pub fn is_safety_report(&self) -> bool {
        self.had_safety_event == Some(true)
    }

    /// True when the question's words speak of a side effect or a special situation, whatever
    /// the answer to the safety check: people answer "no" to a question they did not read closely,
    /// or because they think an effect too small to count.
    pub fn question_mentions_safety_event(&self) -> bool {
        mentions_safety_event(&self.question)
    }

    /// True when drug safety must see the inquiry: a safety report, or a question that speaks of
    /// one. Drug safety decides whether it is a case; what it never sees, it cannot decide on.
    pub fn reaches_drug_safety(&self) -> bool {
        self.is_safety_report() || self.question_mentions_safety_event()
    }

    /// Drops what does not apply to the choices made (a safety report after "no", a phone number
    /// when replying by email, ...), so nothing the person did not mean to send is sent.
    pub fn trimmed_for_sending(&self) -> InquiryDraft {
        let mut d = self.clone();
        d.product_id = d.product_id.trim().to_owned();
        if d.asker != Some(Asker::Hcp) {
            d.profession.clear();
        }
        if d.product_id != OTHER_PRODUCT {
            d.product_other.clear();
        }
        if !d.is_safety_report() {
            d.safety = SafetyReport::default();
            d.consent_safety_follow_up = false;
        }
        match d.contact_method {
            Some(ContactMethod::Email) => {
                d.phone.clear();
                d.best_times.clear();
                d.address.clear();
            }
            Some(ContactMethod::Phone) => {
                d.email.clear();
                d.address.clear();
            }
            Some(ContactMethod::Post) => {
                d.email.clear();
                d.phone.clear();
                d.best_times.clear();
            }
            None => {}
        }
        d
    }
}

/// The form's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Who,
    Medicine,
    Question,
    Safety,
    Reply,
    Review,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Who,
        Step::Medicine,
        Step::Question,
        Step::Safety,
        Step::Reply,
        Step::Review,
    ];

    /// 1-based position, for "Step 2 of 6".
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.number()).copied()
    }

    pub fn previous(self) -> Option<Step> {
        self.number()
            .checked_sub(2)
            .and_then(|i| Step::ALL.get(i).copied())
    }
}

/// A field of the form that can be wrong on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Asker,
    Profession,
    Product,
    ProductOther,
    Topic,
    Question,
    HadSafetyEvent,
    SafetyKinds,
    SafetyInitials,
    SafetySex,
    SafetyAge,
    WhatHappened,
    WhenItHappened,
    BatchNumber,
    Outcome,
    ContactMethod,
    Name,
    Email,
    Phone,
    BestTimes,
    Address,
    Country,
    Language,
    ConsentContact,
}

impl Field {
    /// The JSON name of the field in the request body, as problem details report it.
    pub fn json_name(self) -> &'static str {
        match self {
            Field::Asker => "asker",
            Field::Profession => "profession",
            Field::Product => "productId",
            Field::ProductOther => "productOther",
            Field::Topic => "topic",
            Field::Question => "question",
            Field::HadSafetyEvent => "hadSafetyEvent",
            Field::SafetyKinds => "safety.kinds",
            Field::SafetyInitials => "safety.initials",
            Field::SafetySex => "safety.sex",
            Field::SafetyAge => "safety.age",
            Field::WhatHappened => "safety.whatHappened",
            Field::WhenItHappened => "safety.whenItHappened",
            Field::BatchNumber => "safety.batchNumber",
            Field::Outcome => "safety.outcome",
            Field::ContactMethod => "contactMethod",
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::BestTimes => "bestTimes",
            Field::Address => "address",
            Field::Country => "country",
            Field::Language => "language",
            Field::ConsentContact => "consentContact",
        }
    }

    pub fn from_json_name(name: &str) -> Option<Field> {
        ALL_FIELDS.into_iter().find(|f| f.json_name() == name)
    }

    /// The step on which the person fills this field.
    pub fn step(self) -> Step {
        use Field::*;
        match self {
            Asker | Profession => Step::Who,
            Product | ProductOther | Topic => Step::Medicine,
            Question => Step::Question,
            HadSafetyEvent | SafetyKinds | SafetyInitials | SafetySex | SafetyAge
            | WhatHappened | WhenItHappened | BatchNumber | Outcome => Step::Safety,
            ContactMethod | Name | Email | Phone | BestTimes | Address | Country | Language
            | ConsentContact => Step::Reply,
        }
    }
}

const ALL_FIELDS: [Field; 24] = [
    Field::Asker,
    Field::Profession,
    Field::Product,
    Field::ProductOther,
    Field::Topic,
    Field::Question,
    Field::HadSafetyEvent,
    Field::SafetyKinds,
    Field::SafetyInitials,
    Field::SafetySex,
    Field::SafetyAge,
    Field::WhatHappened,
    Field::WhenItHappened,
    Field::BatchNumber,
    Field::Outcome,
    Field::ContactMethod,
    Field::Name,
    Field::Email,
    Field::Phone,
    Field::BestTimes,
    Field::Address,
    Field::Country,
    Field::Language,
    Field::ConsentContact,
];

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Empty or not chosen.
    Required,
    /// Longer than the limit (in characters).
    TooLong { max: usize },
    /// Filled, but not in a shape that can be used (an email without @, an age of 300).
    Invalid,
    /// Not one of the choices offered (only a hand-made request can do this).
    UnknownChoice,
}

impl Problem {
    /// Stable machine code, as problem details report it.
    pub fn code(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong { .. } => "too_long",
            Problem::Invalid => "invalid",
            Problem::UnknownChoice => "unknown_choice",
        }
    }
}

/// One thing to fix, in the order the fields appear on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldProblem {
    pub field: Field,
    pub problem: Problem,
}

/// Where to send a person with these problems: the earliest step that has any, and that step's
/// problems only. Problems on later steps wait until the person gets there; shown now, their
/// links would point at fields that are not on the page.
pub fn first_step_problems(problems: &[FieldProblem]) -> Option<(Step, Vec<FieldProblem>)> {
    let step = problems.iter().map(|p| p.field.step()).min()?;
    let here = problems
        .iter()
        .filter(|p| p.field.step() == step)
        .copied()
        .collect();
    Some((step, here))
}

/// Characters as a person counts them (not bytes), for limits and the live counter.
pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// Every problem in the draft, in form order. `known_product` tells whether a product id exists;
/// the app passes the loaded list, the backend its table.
pub fn check(draft: &InquiryDraft, known_product: impl Fn(&str) -> bool) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    let mut add = |field: Field, problem: Option<Problem>| {
        if let Some(problem) = problem {
            out.push(FieldProblem { field, problem });
        }
    };

    add(
        Field::Asker,
        draft.asker.is_none().then_some(Problem::Required),
    );
    if draft.asker == Some(Asker::Hcp) {
        add(
            Field::Profession,
            required_text(&draft.profession, MAX_SHORT_TEXT_CHARS),
        );
    }

    let product = draft.product_id.trim();
    add(
        Field::Product,
        if product.is_empty() {
            Some(Problem::Required)
        } else if product != OTHER_PRODUCT && !known_product(product) {
            Some(Problem::UnknownChoice)
        } else {
            None
        },
    );
    if product == OTHER_PRODUCT {
        add(
            Field::ProductOther,
            optional_text(&draft.product_other, MAX_SHORT_TEXT_CHARS),
        );
    }
    add(
        Field::Topic,
        draft.topic.is_none().then_some(Problem::Required),
    );

    add(
        Field::Question,
        required_text(&draft.question, MAX_QUESTION_CHARS),
    );

    add(
        Field::HadSafetyEvent,
        draft
            .had_safety_event
            .is_none()
            .then_some(Problem::Required),
    );
    if draft.is_safety_report() {
        let s = &draft.safety;
        add(
            Field::SafetyKinds,
            s.kinds.is_empty().then_some(Problem::Required),
        );
        add(
            Field::SafetyInitials,
            optional_text(&s.initials, MAX_INITIALS_CHARS),
        );
        add(Field::SafetyAge, age_problem(&s.age));
        add(
            Field::WhatHappened,
            required_text(&s.what_happened, MAX_LONG_TEXT_CHARS),
        );
        add(
            Field::WhenItHappened,
            required_text(&s.when_it_happened, MAX_SHORT_TEXT_CHARS),
        );
        add(
            Field::BatchNumber,
            optional_text(&s.batch_number, MAX_SHORT_TEXT_CHARS),
        );
        add(
            Field::Outcome,
            s.outcome.is_none().then_some(Problem::Required),
        );
    }

    add(
        Field::ContactMethod,
        draft.contact_method.is_none().then_some(Problem::Required),
    );
    add(
        Field::Name,
        required_text(&draft.name, MAX_SHORT_TEXT_CHARS),
    );
    match draft.contact_method {
        Some(ContactMethod::Email) => add(Field::Email, email_problem(&draft.email)),
        Some(ContactMethod::Phone) => {
            add(Field::Phone, phone_problem(&draft.phone));
            add(
                Field::BestTimes,
                optional_text(&draft.best_times, MAX_SHORT_TEXT_CHARS),
            );
        }
        Some(ContactMethod::Post) => add(
            Field::Address,
            required_text(&draft.address, MAX_ADDRESS_CHARS),
        ),
        None => {}
    }
    add(Field::Country, choice_problem(&draft.country, &COUNTRIES));
    add(
        Field::Language,
        choice_problem(&draft.language, &REPLY_LANGUAGES),
    );
    add(
        Field::ConsentContact,
        (!draft.consent_contact).then_some(Problem::Required),
    );
    out
}

/// The problems a person must fix before leaving `step`.
pub fn check_step(
    step: Step,
    draft: &InquiryDraft,
    known_product: impl Fn(&str) -> bool,
) -> Vec<FieldProblem> {
    check(draft, known_product)
        .into_iter()
        .filter(|p| p.field.step() == step)
        .collect()
}

fn required_text(text: &str, max: usize) -> Option<Problem> {
    if text.trim().is_empty() {
        Some(Problem::Required)
    } else {
        optional_text(text, max)
    }
}

fn optional_text(text: &str, max: usize) -> Option<Problem> {
    (char_count(text) > max).then_some(Problem::TooLong { max })
}

fn choice_problem(value: &str, choices: &[&str]) -> Option<Problem> {
    if value.trim().is_empty() {
        Some(Problem::Required)
    } else if !choices.contains(&value) {
        Some(Problem::UnknownChoice)
    } else {
        None
    }
}

fn email_problem(email: &str) -> Option<Problem> {
    if email.trim().is_empty() {
        Some(Problem::Required)
    } else if !email_is_plausible(email) {
        Some(Problem::Invalid)
    } else {
        None
    }
}

/// A phone number: digits with the usual separators, an optional leading +, 6 to 15 digits (E.164).
fn phone_problem(phone: &str) -> Option<Problem> {
    let phone = phone.trim();
    if phone.is_empty() {
        return Some(Problem::Required);
    }
    if char_count(phone) > MAX_PHONE_CHARS {
        return Some(Problem::TooLong {
            max: MAX_PHONE_CHARS,
        });
    }
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let allowed = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'));
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (!allowed || !(6..=15).contains(&digits)).then_some(Problem::Invalid)
}

fn age_problem(age: &str) -> Option<Problem> {
    let age = age.trim();
    if age.is_empty() {
        return None;
    }
    match age.parse::<u32>() {
        Ok(years) if years <= MAX_AGE_YEARS => None,
        _ => Some(Problem::Invalid),
    }
}

/// A reference number a person can read out on the phone: `MI-` and eight characters from an
/// alphabet without look-alikes (no 0/O, 1/I/L), grouped in fours. `random` supplies the entropy.
pub fn reference_from(random: [u8; 8]) -> String {
    const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTUVWXY";
    let mut s = String::from("MI-");
    for (i, b) in random.iter().enumerate() {
        if i == 4 {
            s.push('-');
        }
        s.push(ALPHABET[*b as usize % ALPHABET.len()] as char);
    }
    s
}

/// Answer of `POST /api/v1/inquiries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryReceipt {
    pub reference: String,
    /// RFC 3339; for a safety report this is "Day 0", when the company first knew.
    pub received_at: String,
    pub status: InquiryStatus,
    pub safety_report: bool,
    pub reply_within_working_days: u8,
}

/// One of the signed-in person's inquiries (`GET /api/v1/inquiries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquirySummary {
    pub reference: String,
    pub received_at: String,
    pub status: InquiryStatus,
    /// The product's name, or what the person typed for "other".
    pub medicine: String,
    pub topic: Topic,
    pub question: String,
    pub safety_report: bool,
    /// As the team wrote it (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The answer parsed by [`crate::markdown::parse_reply`], so the app shows its paragraphs,
    /// lists and links without a Markdown parser of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_document: Option<crate::markdown::Document>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
}

/// An inquiry as the Medical Information team and drug safety see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffInquiry {
    pub reference: String,
    /// "Day 0" for safety reports.
    pub received_at: String,
    pub status: InquiryStatus,
    pub signed_in_user_id: Option<String>,
    pub inquiry: InquiryDraft,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
}

/// Body of `PUT /api/v1/medical-information/inquiries/{reference}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryUpdate {
    pub status: InquiryStatus,
    /// Required when the status is `answered`.
    #[serde(default)]
    pub answer: Option<String>,
}

#[cfg(test)]
mod tests {

    #[test]
    fn problems_go_to_the_earliest_step_with_only_that_steps_problems() {
        let email = FieldProblem {
            field: Field::Email,
            problem: Problem::Invalid,
        };
        let question = FieldProblem {
            field: Field::Question,
            problem: Problem::Required,
        };
        let topic = FieldProblem {
            field: Field::Topic,
            problem: Problem::UnknownChoice,
        };
        assert_eq!(first_step_problems(&[]), None);
        assert_eq!(
            first_step_problems(&[email, question]),
            Some((Step::Question, vec![question]))
        );
        assert_eq!(
            first_step_problems(&[email, topic, question]),
            Some((Step::Medicine, vec![topic]))
        );
        assert_eq!(
            first_step_problems(&[email]),
            Some((Step::Reply, vec![email]))
        );
    }
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_product_is_named_in_the_reader_s_language_and_found_by_any_of_its_names() {
        let p = Product {
            id: "brelora".into(),
            name: "Brelora".into(),
            generic_name: "salbutamol inhaler".into(),
            generic_names: [("de", "Salbutamol-Inhalator"), ("fr", " ")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        assert_eq!(p.generic_name_in("de"), "Salbutamol-Inhalator");
        // Blank or missing: English.
        assert_eq!(p.generic_name_in("fr"), "salbutamol inhaler");
        assert_eq!(p.generic_name_in("es"), "salbutamol inhaler");
        assert!(p.matches("inhalator") && p.matches("inhaler") && p.matches("brel"));
        assert!(!p.matches("metformin"));
        // Older answers without the translations still read.
        let old: Product = serde_json::from_str(
            r#"{"id":"b","name":"Brelora","genericName":"salbutamol inhaler"}"#,
        )
        .unwrap();
        assert!(old.generic_names.is_empty());
    }

    fn known(id: &str) -> bool {
        id == "p-brelora"
    }

    fn complete() -> InquiryDraft {
        InquiryDraft {
            asker: Some(Asker::Patient),
            product_id: "p-brelora".into(),
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

    fn fields(problems: &[FieldProblem]) -> Vec<Field> {
        problems.iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_draft_is_started_by_its_question_or_the_safety_answer() {
        let mut d = InquiryDraft {
            asker: Some(Asker::Patient),
            ..InquiryDraft::default()
        };
        assert!(!d.is_started());
        d.question = "  ".into();
        assert!(!d.is_started());
        d.had_safety_event = Some(false);
        assert!(d.is_started());
        assert!(complete().is_started());
    }

    #[test]
    fn a_complete_draft_passes() {
        assert_eq!(check(&complete(), known), vec![]);
    }

    #[test]
    fn an_empty_draft_lists_every_required_choice_in_form_order() {
        let problems = check(&InquiryDraft::default(), known);
        assert_eq!(
            fields(&problems),
            vec![
                Field::Asker,
                Field::Product,
                Field::Topic,
                Field::Question,
                Field::HadSafetyEvent,
                Field::ContactMethod,
                Field::Name,
                Field::Country,
                Field::Language,
                Field::ConsentContact,
            ]
        );
        assert!(problems.iter().all(|p| p.problem == Problem::Required));
    }

    #[test]
    fn steps_only_report_their_own_fields() {
        let d = InquiryDraft::default();
        assert_eq!(
            fields(&check_step(Step::Who, &d, known)),
            vec![Field::Asker]
        );
        assert_eq!(
            fields(&check_step(Step::Medicine, &d, known)),
            vec![Field::Product, Field::Topic]
        );
        assert!(check_step(Step::Review, &d, known).is_empty());
    }

    #[test]
    fn professionals_say_what_they_do() {
        let mut d = complete();
        d.asker = Some(Asker::Hcp);
        assert_eq!(fields(&check(&d, known)), vec![Field::Profession]);
        d.profession = "Pharmacist".into();
        assert!(check(&d, known).is_empty());
    }

    #[test]
    fn unknown_products_are_refused_but_other_is_fine() {
        let mut d = complete();
        d.product_id = "p-made-up".into();
        assert_eq!(
            check(&d, known),
            vec![FieldProblem {
                field: Field::Product,
                problem: Problem::UnknownChoice
            }]
        );
        d.product_id = OTHER_PRODUCT.into();
        assert!(check(&d, known).is_empty());
    }

    #[test]
    fn question_limit_counts_characters_not_bytes() {
        let mut d = complete();
        d.question = "ü".repeat(MAX_QUESTION_CHARS);
        assert!(check(&d, known).is_empty());
        d.question.push('ü');
        assert_eq!(
            check(&d, known)[0].problem,
            Problem::TooLong {
                max: MAX_QUESTION_CHARS
            }
        );
        d.question = "   \n ".into();
        assert_eq!(check(&d, known)[0].problem, Problem::Required);
    }

    #[test]
    fn a_safety_report_needs_what_when_and_outcome() {
        let mut d = complete();
        d.had_safety_event = Some(true);
        assert_eq!(
            fields(&check(&d, known)),
            vec![
                Field::SafetyKinds,
                Field::WhatHappened,
                Field::WhenItHappened,
                Field::Outcome
            ]
        );
        d.safety = SafetyReport {
            kinds: vec![SafetyKind::SideEffect],
            what_happened: "A rash on my arms".into(),
            when_it_happened: "Two days after starting".into(),
            outcome: Some(Outcome::Recovering),
            age: "abc".into(),
            ..SafetyReport::default()
        };
        assert_eq!(fields(&check(&d, known)), vec![Field::SafetyAge]);
        d.safety.age = "200".into();
        assert_eq!(fields(&check(&d, known)), vec![Field::SafetyAge]);
        d.safety.age = " 67 ".into();
        assert!(check(&d, known).is_empty());
        assert!(d.is_safety_report());
    }

    #[test]
    fn each_reply_method_needs_its_own_detail() {
        let mut d = complete();
        d.email = "not an email".into();
        assert_eq!(
            check(&d, known),
            vec![FieldProblem {
                field: Field::Email,
                problem: Problem::Invalid
            }]
        );
        d.contact_method = Some(ContactMethod::Phone);
        assert_eq!(fields(&check(&d, known)), vec![Field::Phone]);
        d.phone = "+44 (0)20 7946-0958".into();
        assert!(check(&d, known).is_empty());
        d.phone = "call me".into();
        assert_eq!(check(&d, known)[0].problem, Problem::Invalid);
        d.phone = "12345".into();
        assert_eq!(check(&d, known)[0].problem, Problem::Invalid);
        d.contact_method = Some(ContactMethod::Post);
        assert_eq!(fields(&check(&d, known)), vec![Field::Address]);
        d.address = "1 High Street\nLondon".into();
        assert!(check(&d, known).is_empty());
    }

    #[test]
    fn consent_and_choices_from_the_lists() {
        let mut d = complete();
        d.consent_contact = false;
        d.country = "XX".into();
        d.language = "tlh".into();
        assert_eq!(
            check(&d, known),
            vec![
                FieldProblem {
                    field: Field::Country,
                    problem: Problem::UnknownChoice
                },
                FieldProblem {
                    field: Field::Language,
                    problem: Problem::UnknownChoice
                },
                FieldProblem {
                    field: Field::ConsentContact,
                    problem: Problem::Required
                },
            ]
        );
    }

    #[test]
    fn trimming_drops_what_does_not_apply() {
        let mut d = complete();
        d.phone = "0123456789".into();
        d.profession = "nurse".into();
        d.safety.what_happened = "typed, then answered no".into();
        d.consent_safety_follow_up = true;
        let t = d.trimmed_for_sending();
        assert!(t.phone.is_empty());
        assert!(t.profession.is_empty());
        assert_eq!(t.safety, SafetyReport::default());
        assert!(!t.consent_safety_follow_up);
        assert_eq!(t.question, d.question);
        assert!(check(&t, known).is_empty());
    }

    #[test]
    fn steps_walk_forwards_and_back() {
        assert_eq!(Step::Who.number(), 1);
        assert_eq!(Step::Review.number(), 6);
        assert_eq!(Step::Who.previous(), None);
        assert_eq!(Step::Who.next(), Some(Step::Medicine));
        assert_eq!(Step::Review.next(), None);
        assert_eq!(Step::Review.previous(), Some(Step::Reply));
    }

    #[test]
    fn json_names_round_trip() {
        for f in ALL_FIELDS {
            assert_eq!(Field::from_json_name(f.json_name()), Some(f));
        }
        assert_eq!(Field::from_json_name("nope"), None);
    }

    #[test]
    fn draft_json_is_camel_case_and_tolerates_missing_members() {
        let json = serde_json::to_value(complete()).unwrap();
        assert_eq!(json["hadSafetyEvent"], false);
        assert_eq!(json["contactMethod"], "email");
        assert_eq!(json["topic"], "storage");
        let partial: InquiryDraft = serde_json::from_str(r#"{"question":"Hi"}"#).unwrap();
        assert_eq!(partial.question, "Hi");
        assert_eq!(partial.asker, None);
    }

    #[test]
    fn references_are_readable() {
        let r = reference_from([0, 1, 2, 3, 29, 30, 255, 7]);
        assert_eq!(r, "MI-2345-Y2H9");
        for status in ["sent", "received", "being_answered", "answered"] {
            assert_eq!(InquiryStatus::parse(status).unwrap().as_str(), status);
        }
    }

    #[test]
    fn a_question_that_tells_of_an_event_reaches_drug_safety_after_no() {
        for question in [
            "I got a bad rash on my arms and felt sick after I took Febrinta. Is that normal?",
            "I am 10 weeks pregnant and have been taking Febrinta every day",
            "My son took two by accident",
            "Since starting it my ankles are SWOLLEN",
            "It didn\u{2019}t work at all",
            "Seit der Einnahme habe ich Kopfschmerzen",
            "J'ai des démangeaisons depuis lundi",
            "Estoy embarazada, ¿puedo seguir?",
        ] {
            let draft = InquiryDraft {
                question: question.to_owned(),
                had_safety_event: Some(false),
                ..InquiryDraft::default()
            };
            assert!(draft.question_mentions_safety_event(), "{question}");
            assert!(draft.reaches_drug_safety(), "{question}");
            assert!(!draft.is_safety_report(), "{question}");
        }
    }

    #[test]
    fn an_everyday_question_stays_with_medical_information() {
        for question in [
            "How should I store Brelora in summer?",
            "Can I take it with food?",
            "Where can I buy a refill?",
            "My car had a crash and the pack got wet: is it still fine to use?",
            "Is there a sugar-free version?",
        ] {
            let draft = InquiryDraft {
                question: question.to_owned(),
                had_safety_event: Some(false),
                ..InquiryDraft::default()
            };
            assert!(!draft.reaches_drug_safety(), "{question}");
        }
    }

    #[test]
    fn a_safety_report_reaches_drug_safety_whatever_its_words() {
        let draft = InquiryDraft {
            question: "Can I take it with food?".into(),
            had_safety_event: Some(true),
            ..InquiryDraft::default()
        };
        assert!(draft.reaches_drug_safety());
    }

    proptest! {
        #[test]
        fn safety_words_are_found_in_any_case_and_anywhere_a_word_starts(
            before in "[a-z ,.]{0,40}",
            after in "[a-z ,.]{0,40}",
            upper in any::<bool>(),
            index in 0..SAFETY_WORDS.len(),
        ) {
            let word = SAFETY_WORDS[index];
            let text = format!("{before} {word}{after}");
            let text = if upper { text.to_uppercase() } else { text };
            prop_assert!(mentions_safety_event(&text), "{text}");
        }
        #[test]
        fn checks_never_panic(q in ".{0,2100}", e in ".{0,60}", p in ".{0,40}", age in ".{0,6}") {
            let mut d = complete();
            d.question = q;
            d.email = e;
            d.phone = p.clone();
            d.contact_method = Some(ContactMethod::Phone);
            d.had_safety_event = Some(true);
            d.safety.age = age;
            let _ = check(&d, known);
            let t = d.trimmed_for_sending();
            prop_assert_eq!(t.phone, p);
        }

        #[test]
        fn references_always_have_the_same_shape(bytes in any::<[u8; 8]>()) {
            let r = reference_from(bytes);
            prop_assert_eq!(r.len(), 12);
            let code = r.strip_prefix("MI-").unwrap_or_default();
            prop_assert_eq!(code.len(), 9);
            prop_assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        }
    }
}
