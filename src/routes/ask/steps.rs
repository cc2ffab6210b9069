//! The six steps of the Ask form, and the review of everything before it is sent.

use leptos::prelude::*;
use portal_core::inquiry::{
    Asker, ContactMethod, Field, InquiryDraft, Outcome, SafetyKind, Sex, Step, Topic, COUNTRIES,
    MAX_ADDRESS_CHARS, MAX_LONG_TEXT_CHARS, MAX_QUESTION_CHARS, MAX_SHORT_TEXT_CHARS,
    OTHER_PRODUCT, REPLY_LANGUAGES,
};
use portal_core::language::Language;

use crate::i18n::{tr, use_i18n, Key};

use super::controls::{
    choice, error_for, explained, field_id, text_lens, CheckBox, GroupError, RadioGroup, TextInput,
    TextKind,
};
use super::{AskForm, Products};

pub fn asker_key(a: Asker) -> Key {
    match a {
        Asker::Patient => Key::AskAskerPatient,
        Asker::Caregiver => Key::AskAskerCaregiver,
        Asker::Hcp => Key::AskAskerHcp,
    }
}

pub fn topic_key(t: Topic) -> Key {
    match t {
        Topic::HowToTake => Key::AskTopicHowToTake,
        Topic::SideEffects => Key::AskTopicSideEffects,
        Topic::Storage => Key::AskTopicStorage,
        Topic::Interactions => Key::AskTopicInteractions,
        Topic::Pregnancy => Key::AskTopicPregnancy,
        Topic::Availability => Key::AskTopicAvailability,
        Topic::Other => Key::AskTopicOther,
    }
}

fn kind_key(k: SafetyKind) -> Key {
    match k {
        SafetyKind::SideEffect => Key::AskKindSideEffect,
        SafetyKind::ProductProblem => Key::AskKindProductProblem,
        SafetyKind::Pregnancy => Key::AskKindPregnancy,
        SafetyKind::Breastfeeding => Key::AskKindBreastfeeding,
        SafetyKind::Overdose => Key::AskKindOverdose,
        SafetyKind::TakenByMistake => Key::AskKindTakenByMistake,
        SafetyKind::DidNotWork => Key::AskKindDidNotWork,
    }
}

fn outcome_key(o: Outcome) -> Key {
    match o {
        Outcome::Recovered => Key::AskOutcomeRecovered,
        Outcome::Recovering => Key::AskOutcomeRecovering,
        Outcome::NotRecovered => Key::AskOutcomeNotRecovered,
        Outcome::Unknown => Key::AskOutcomeUnknown,
    }
}

fn method_key(m: ContactMethod) -> Key {
    match m {
        ContactMethod::Email => Key::AskMethodEmail,
        ContactMethod::Phone => Key::AskMethodPhone,
        ContactMethod::Post => Key::AskMethodPost,
    }
}

pub fn country_key(code: &str) -> Key {
    match code {
        "GB" => Key::CountryGb,
        "IE" => Key::CountryIe,
        "DE" => Key::CountryDe,
        "AT" => Key::CountryAt,
        "CH" => Key::CountryCh,
        "FR" => Key::CountryFr,
        "ES" => Key::CountryEs,
        _ => Key::CountryUs,
    }
}

pub fn step_key(step: Step) -> Key {
    match step {
        Step::Who => Key::AskStepWho,
        Step::Medicine => Key::AskStepMedicine,
        Step::Question => Key::AskStepQuestion,
        Step::Safety => Key::AskStepSafety,
        Step::Reply => Key::AskStepReply,
        Step::Review => Key::AskStepReview,
    }
}

/// The fields of `step`.
#[component]
pub fn StepFields(form: AskForm, step: Step) -> impl IntoView {
    match step {
        Step::Who => view! { <WhoStep form /> }.into_any(),
        Step::Medicine => view! { <MedicineStep form /> }.into_any(),
        Step::Question => view! { <QuestionStep form /> }.into_any(),
        Step::Safety => view! { <SafetyStep form /> }.into_any(),
        Step::Reply => view! { <ReplyStep form /> }.into_any(),
        Step::Review => view! { <Review form /> }.into_any(),
    }
}

#[component]
fn WhoStep(form: AskForm) -> impl IntoView {
    let is_hcp = move || form.draft.with(|d| d.asker == Some(Asker::Hcp));
    view! {
        <RadioGroup
            form
            field=Field::Asker
            legend=Key::AskAskerLegend
            choices=vec![
                choice(Asker::Patient, Key::AskAskerPatient),
                explained(Asker::Caregiver, Key::AskAskerCaregiver, Key::AskAskerCaregiverDetail),
                explained(Asker::Hcp, Key::AskAskerHcp, Key::AskAskerHcpDetail),
            ]
            get=|d| d.asker
            set=|d, v| d.asker = Some(v)
        />
        {move || is_hcp().then(|| view! {
            <TextInput
                form
                field=Field::Profession
                label=Key::AskProfession
                hint=Key::AskProfessionHint
                kind=TextKind::line(MAX_SHORT_TEXT_CHARS).auto("organization-title")
                lens=text_lens!(profession)
            />
        })}
    }
}

#[component]
fn MedicineStep(form: AskForm) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let product_choices = move || {
        let needle = filter.get().trim().to_lowercase();
        let mut list: Vec<String> = Vec::new();
        let products = form.products.get();
        if let Products::Loaded(items) = &products {
            for p in items {
                let matches = needle.is_empty() || p.matches(&needle);
                // Keep the chosen medicine visible even when the filter would hide it.
                let chosen = form.draft.with_untracked(|d| d.product_id == p.id);
                if matches || chosen {
                    list.push(p.id.clone());
                }
            }
        }
        (products, list)
    };
    view! {
        <div class="field">
            <label for="ask-product-filter">{tr(Key::AskProductFilter)}</label>
            <p id="ask-product-filter-hint" class="hint">{tr(Key::AskProductFilterHint)}</p>
            <input
                id="ask-product-filter"
                type="search"
                autocomplete="off"
                aria-describedby="ask-product-filter-hint"
                aria-controls="ask-productId"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    // Enter (a phone keyboard's Search key) goes to the list it filtered, not on
                    // to the next step; a single match is chosen at once.
                    if ev.key() != "Enter" {
                        return;
                    }
                    ev.prevent_default();
                    let (_, list) = product_choices();
                    if let [only] = list.as_slice() {
                        let only = only.clone();
                        form.draft.update(|d| d.product_id = only);
                        form.problems.update(|l| l.retain(|p| p.field != Field::Product));
                    }
                    crate::components::focus::focus_id_later(field_id(Field::Product));
                }
            />
        </div>
        {move || {
            let (products, list) = product_choices();
            let shown = list.len();
            let names = match &products {
                Products::Loaded(items) => items.clone(),
                _ => Vec::new(),
            };
            view! {
                {matches!(products, Products::Failed).then(|| view! {
                    <p class="notice" role="status">{tr(Key::AskProductsFailed)}</p>
                })}
                {matches!(products, Products::Loading).then(|| view! {
                    <p class="status" role="status">{tr(Key::Loading)}</p>
                })}
                <ProductRadios form choices=list names />
                {(shown == 0 && matches!(products, Products::Loaded(_))).then(|| view! {
                    <p class="status" role="status">{tr(Key::AskProductNoMatch)}</p>
                })}
            }
        }}
        {move || form.draft.with(|d| d.product_id == OTHER_PRODUCT).then(|| view! {
            <TextInput
                form
                field=Field::ProductOther
                label=Key::AskProductOther
                optional=true
                kind=TextKind::line(MAX_SHORT_TEXT_CHARS)
                lens=text_lens!(product_other)
            />
        })}
        <RadioGroup
            form
            field=Field::Topic
            legend=Key::AskTopicLegend
            choices=Topic::ALL.iter().map(|t| choice(*t, topic_key(*t))).collect()
            get=|d| d.topic
            set=|d, v| d.topic = Some(v)
        />
    }
}

/// The medicines as radio buttons, plus "Other or not sure", which is always offered.
#[component]
fn ProductRadios(
    form: AskForm,
    choices: Vec<String>,
    names: Vec<portal_core::inquiry::Product>,
) -> impl IntoView {
    let i18n = use_i18n();
    let base = field_id(Field::Product);
    let error_id = format!("{base}-error");
    let error = error_for(form, Field::Product);
    let mut rows: Vec<(String, Option<portal_core::inquiry::Product>)> = choices
        .iter()
        .filter_map(|c| names.iter().find(|p| p.id == *c))
        .map(|p| (p.id.clone(), Some(p.clone())))
        .collect();
    rows.push((OTHER_PRODUCT.to_owned(), None));
    let options = rows
        .into_iter()
        .enumerate()
        .map(|(i, (value, product))| {
            let id = if i == 0 {
                base.clone()
            } else {
                format!("{base}-{i}")
            };
            let checked_value = value.clone();
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        id=id.clone()
                        name=base.clone()
                        prop:checked=move || form.draft.with(|d| d.product_id == checked_value)
                        on:change=move |_| {
                            let v = value.clone();
                            form.draft.update(|d| d.product_id = v);
                            form.problems.update(|l| l.retain(|p| p.field != Field::Product));
                        }
                    />
                    // In the language shown now: switching it redraws the names, not the list.
                    <label for=id>
                        {match product {
                            Some(p) => {
                                let name = p.name.clone();
                                let generic = move || p.generic_name_in(i18n.language().tag()).to_owned();
                                view! { {name} <span class="choice-detail">{generic}</span> }.into_any()
                            }
                            None => view! { {tr(Key::AskProductOtherChoice)} }.into_any(),
                        }}
                    </label>
                </div>
            }
        })
        .collect_view();
    let described = error_id.clone();
    view! {
        <fieldset
            class="field choices"
            id="ask-product-list"
            aria-invalid=move || error.with(Option::is_some).to_string()
            aria-describedby=move || error.with(Option::is_some).then(|| described.clone())
        >
            <legend>{tr(Key::AskProductLegend)}</legend>
            {move || error.get().map(|t| view! { <p id=error_id.clone() class="field-error">{t}</p> })}
            {options}
        </fieldset>
    }
}

#[component]
fn QuestionStep(form: AskForm) -> impl IntoView {
    view! {
        <TextInput
            form
            field=Field::Question
            label=Key::AskQuestionLabel
            hint=Key::AskQuestionHint
            kind=TextKind::lines(MAX_QUESTION_CHARS)
            lens=text_lens!(question)
        />
    }
}

#[component]
fn SafetyStep(form: AskForm) -> impl IntoView {
    let i18n = use_i18n();
    let yes = move || form.draft.with(InquiryDraft::is_safety_report);
    // Asked of the person it concerns, as chosen on the first step.
    let legend = match form.draft.with_untracked(|d| d.asker) {
        Some(Asker::Patient) => Key::AskSafetyLegendSelf,
        Some(Asker::Caregiver) => Key::AskSafetyLegendCaredFor,
        Some(Asker::Hcp) => Key::AskSafetyLegendPatient,
        None => Key::AskSafetyLegend,
    };
    // A "no" the question itself contradicts: said at once, while the person can still change it.
    let second_look = move || {
        form.draft.with(|d| {
            if d.had_safety_event != Some(false) {
                return None;
            }
            if d.question_mentions_safety_event() {
                return Some(i18n.t(Key::AskSafetyMentioned).to_owned());
            }
            match d.topic {
                Some(topic @ (Topic::SideEffects | Topic::Pregnancy)) => {
                    Some(i18n.fill(Key::AskSafetyTopic, &[("topic", i18n.t(topic_key(topic)))]))
                }
                _ => None,
            }
        })
    };
    view! {
        <p>{tr(Key::AskSafetyWhy)}</p>
        <RadioGroup
            form
            field=Field::HadSafetyEvent
            legend=legend
            hint=Key::AskSafetyHint
            choices=vec![choice(true, Key::Yes), choice(false, Key::No)]
            get=|d| d.had_safety_event
            set=|d, v| d.had_safety_event = Some(v)
        />
        <div role="status">{move || second_look().map(|text| view! { <p class="notice">{text}</p> })}</div>
        {move || yes().then(|| view! { <SafetyDetails form /> })}
    }
}

#[component]
fn SafetyDetails(form: AskForm) -> impl IntoView {
    let kinds = SafetyKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let kind = *kind;
            // The first box carries the field's own id, so the error summary can link to it.
            let suffix = (i > 0).then_some(kind_suffix(kind));
            view! {
                <SafetyKindBox form kind suffix />
            }
        })
        .collect_view();
    view! {
        <div class="safety-details">
            <p class="notice">{tr(Key::AskSafetyIntro)}</p>
            <fieldset class="field choices" aria-describedby="ask-safety-kinds-hint">
                <legend>{tr(Key::AskKindsLegend)}</legend>
                <p id="ask-safety-kinds-hint" class="hint">{tr(Key::AskKindsHint)}</p>
                <GroupError form field=Field::SafetyKinds />
                {kinds}
            </fieldset>
            <TextInput
                form
                field=Field::WhatHappened
                label=Key::AskWhatHappened
                hint=Key::AskWhatHappenedHint
                kind=TextKind::lines(MAX_LONG_TEXT_CHARS)
                lens=text_lens!(safety.what_happened)
            />
            <TextInput
                form
                field=Field::WhenItHappened
                label=Key::AskWhen
                hint=Key::AskWhenHint
                kind=TextKind::line(MAX_SHORT_TEXT_CHARS)
                lens=text_lens!(safety.when_it_happened)
            />
            <fieldset class="field group">
                <legend>{tr(Key::AskWhoAffected)}</legend>
                <p class="hint">{tr(Key::AskWhoAffectedHint)}</p>
                <TextInput
                    form
                    field=Field::SafetyInitials
                    label=Key::AskInitials
                    optional=true
                    kind=TextKind::line(10)
                    lens=text_lens!(safety.initials)
                />
                <TextInput
                    form
                    field=Field::SafetyAge
                    label=Key::AskAge
                    optional=true
                    kind=TextKind::line(3).typed("text", "numeric")
                    lens=text_lens!(safety.age)
                />
                <SexChoice form />
            </fieldset>
            <TextInput
                form
                field=Field::BatchNumber
                label=Key::AskBatch
                hint=Key::AskBatchHint
                optional=true
                kind=TextKind::line(MAX_SHORT_TEXT_CHARS)
                lens=text_lens!(safety.batch_number)
            />
            <RadioGroup
                form
                field=Field::Outcome
                legend=Key::AskOutcomeLegend
                choices=Outcome::ALL.iter().map(|o| choice(*o, outcome_key(*o))).collect()
                get=|d| d.safety.outcome
                set=|d, v| d.safety.outcome = Some(v)
            />
        </div>
    }
}

fn kind_suffix(kind: SafetyKind) -> &'static str {
    match kind {
        SafetyKind::SideEffect => "side-effect",
        SafetyKind::ProductProblem => "product-problem",
        SafetyKind::Pregnancy => "pregnancy",
        SafetyKind::Breastfeeding => "breastfeeding",
        SafetyKind::Overdose => "overdose",
        SafetyKind::TakenByMistake => "taken-by-mistake",
        SafetyKind::DidNotWork => "did-not-work",
    }
}

/// One kind of safety event as a checkbox; several may apply.
#[component]
fn SafetyKindBox(form: AskForm, kind: SafetyKind, suffix: Option<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    let id = match suffix {
        Some(s) => format!("{}-{s}", field_id(Field::SafetyKinds)),
        None => field_id(Field::SafetyKinds),
    };
    view! {
        <div class="choice">
            <input
                type="checkbox"
                id=id.clone()
                prop:checked=move || form.draft.with(|d| d.safety.kinds.contains(&kind))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    form.draft.update(|d| {
                        d.safety.kinds.retain(|k| *k != kind);
                        if on {
                            d.safety.kinds.push(kind);
                        }
                    });
                    form.problems.update(|l| l.retain(|p| p.field != Field::SafetyKinds));
                }
            />
            <label for=id>{move || i18n.t(kind_key(kind))}</label>
        </div>
    }
}

#[component]
fn SexChoice(form: AskForm) -> impl IntoView {
    view! {
        <RadioGroup
            form
            field=Field::SafetySex
            id="ask-safety-sex"
            legend=Key::AskSex
            choices=vec![
                choice(Some(Sex::Female), Key::AskSexFemale),
                choice(Some(Sex::Male), Key::AskSexMale),
                choice(Some(Sex::Other), Key::AskSexOther),
                choice(None, Key::AskSexNotSay),
            ]
            get=|d| Some(d.safety.sex)
            set=|d, v| d.safety.sex = v
        />
    }
}

#[component]
fn ReplyStep(form: AskForm) -> impl IntoView {
    let method = move || form.draft.with(|d| d.contact_method);
    // A message about a field the chosen way of replying hides (the email address after choosing
    // the phone) would point at nothing: it goes with the field.
    let chosen = Memo::new(move |_| method());
    Effect::new(move |_| {
        let chosen = chosen.get();
        form.problems.update(|list| {
            list.retain(|p| match p.field {
                Field::Email => chosen == Some(ContactMethod::Email),
                Field::Phone | Field::BestTimes => chosen == Some(ContactMethod::Phone),
                Field::Address => chosen == Some(ContactMethod::Post),
                _ => true,
            })
        });
    });
    let safety = move || form.draft.with(InquiryDraft::is_safety_report);
    let privacy = use_context::<portal_core::api::RuntimeConfig>()
        .map(|c| c.privacy_notice_url)
        .unwrap_or_else(|| "/privacy".into());
    view! {
        <RadioGroup
            form
            field=Field::ContactMethod
            legend=Key::AskMethodLegend
            choices=vec![
                choice(ContactMethod::Email, Key::AskMethodEmail),
                choice(ContactMethod::Phone, Key::AskMethodPhone),
                choice(ContactMethod::Post, Key::AskMethodPost),
            ]
            get=|d| d.contact_method
            set=|d, v| d.contact_method = Some(v)
        />
        <TextInput
            form
            field=Field::Name
            label=Key::AskName
            kind=TextKind::line(MAX_SHORT_TEXT_CHARS).auto("name")
            lens=text_lens!(name)
        />
        {move || match method() {
            Some(ContactMethod::Email) => view! {
                <TextInput
                    form
                    field=Field::Email
                    label=Key::AskYourEmail
                    kind=TextKind::line(MAX_SHORT_TEXT_CHARS).auto("email").typed("email", "email")
                    lens=text_lens!(email)
                />
            }.into_any(),
            Some(ContactMethod::Phone) => view! {
                <TextInput
                    form
                    field=Field::Phone
                    label=Key::AskYourPhone
                    hint=Key::AskPhoneHint
                    kind=TextKind::line(30).auto("tel").typed("tel", "tel")
                    lens=text_lens!(phone)
                />
                <TextInput
                    form
                    field=Field::BestTimes
                    label=Key::AskBestTimes
                    hint=Key::AskBestTimesHint
                    optional=true
                    kind=TextKind::line(MAX_SHORT_TEXT_CHARS)
                    lens=text_lens!(best_times)
                />
            }.into_any(),
            Some(ContactMethod::Post) => view! {
                <TextInput
                    form
                    field=Field::Address
                    label=Key::AskAddress
                    kind=TextKind::lines(MAX_ADDRESS_CHARS).auto("street-address")
                    lens=text_lens!(address)
                />
            }.into_any(),
            None => ().into_any(),
        }}
        <Select
            form
            field=Field::Country
            label=Key::AskCountry
            options=COUNTRIES.iter().map(|c| (*c, country_key(c))).collect()
            get=|d| d.country.clone()
            set=|d, v| d.country = v
        />
        <Select
            form
            field=Field::Language
            label=Key::AskReplyLanguage
            options=REPLY_LANGUAGES.iter().map(|l| (*l, language_key(l))).collect()
            get=|d| d.language.clone()
            set=|d, v| d.language = v
        />
        <div class="field consents">
            <GroupError form field=Field::ConsentContact />
            <CheckBox
                form
                field=Field::ConsentContact
                label=Key::AskConsentContact
                get=|d| d.consent_contact
                set=|d, v| d.consent_contact = v
            />
            {move || safety().then(|| view! {
                <CheckBox
                    form
                    field=Field::ConsentContact
                    suffix="safety"
                    optional=true
                    label=Key::AskConsentSafety
                    get=|d| d.consent_safety_follow_up
                    set=|d, v| d.consent_safety_follow_up = v
                />
            })}
            <p class="hint">
                {tr(Key::AskPrivacyBefore)} " "
                <a href=privacy>{tr(Key::AskPrivacyLink)}</a>
            </p>
        </div>
    }
}

fn language_key(tag: &str) -> Key {
    match Language::from_tag(tag) {
        Some(Language::De) => Key::LanguageNameDe,
        Some(Language::Fr) => Key::LanguageNameFr,
        Some(Language::Es) => Key::LanguageNameEs,
        _ => Key::LanguageNameEn,
    }
}

/// A native select: the simplest accessible choice from a list on every phone.
#[component]
fn Select(
    form: AskForm,
    field: Field,
    label: Key,
    options: Vec<(&'static str, Key)>,
    get: fn(&InquiryDraft) -> String,
    set: fn(&mut InquiryDraft, String),
) -> impl IntoView {
    let id = field_id(field);
    let error = error_for(form, field);
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let options = options
        .into_iter()
        .map(|(value, key)| {
            view! {
                <option value=value prop:selected=move || form.draft.with(|d| get(d) == value)>
                    {tr(key)}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{tr(label)}</label>
            {move || error.get().map(|t| view! { <p id=error_id.clone() class="field-error">{t}</p> })}
            <select
                id=id
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=move || error.with(Option::is_some).then(|| described.clone())
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    form.draft.update(|d| set(d, v));
                    form.problems.update(|l| l.retain(|p| p.field != field));
                }
            >
                <option value="" prop:selected=move || form.draft.with(|d| get(d).is_empty())>
                    {tr(Key::AskChoose)}
                </option>
                {options}
            </select>
        </div>
    }
}

/// Everything the person entered, grouped by step, each with a way back to change it.
#[component]
fn Review(form: AskForm) -> impl IntoView {
    let i18n = use_i18n();
    let rows = move || {
        let d = form.draft.get();
        let t = |k: Key| i18n.t(k).to_string();
        let products = form.products.get();
        let medicine = if d.product_id == OTHER_PRODUCT {
            if d.product_other.trim().is_empty() {
                t(Key::AskProductOtherChoice)
            } else {
                d.product_other.clone()
            }
        } else if let Products::Loaded(list) = &products {
            list.iter()
                .find(|p| p.id == d.product_id)
                .map(|p| format!("{} ({})", p.name, p.generic_name_in(i18n.language().tag())))
                .unwrap_or_else(|| d.product_id.clone())
        } else {
            d.product_id.clone()
        };
        let mut who = d.asker.map(|a| t(asker_key(a))).unwrap_or_default();
        if d.asker == Some(Asker::Hcp) {
            who = format!("{who}: {}", d.profession);
        }
        let safety = if d.is_safety_report() {
            let s = &d.safety;
            let kinds: Vec<String> = s.kinds.iter().map(|k| t(kind_key(*k))).collect();
            let mut parts = vec![kinds.join(", ")];
            // Who it happened to, as far as the person said, so they can check it before sending.
            if !s.initials.trim().is_empty() {
                parts.push(format!("{}: {}", t(Key::AskInitials), s.initials.trim()));
            }
            if !s.age.trim().is_empty() {
                parts.push(format!("{}: {}", t(Key::AskAge), s.age.trim()));
            }
            if let Some(sex) = s.sex {
                let key = match sex {
                    Sex::Female => Key::AskSexFemale,
                    Sex::Male => Key::AskSexMale,
                    Sex::Other => Key::AskSexOther,
                };
                parts.push(format!("{}: {}", t(Key::AskSex), t(key)));
            }
            parts.push(s.what_happened.clone());
            parts.push(s.when_it_happened.clone());
            if let Some(o) = s.outcome {
                parts.push(t(outcome_key(o)));
            }
            if !s.batch_number.trim().is_empty() {
                parts.push(format!("{}: {}", t(Key::AskBatch), s.batch_number));
            }
            parts.join(" · ")
        } else {
            t(Key::AskSafetyNone)
        };
        let reply = {
            let detail = match d.contact_method {
                Some(ContactMethod::Email) => d.email.clone(),
                Some(ContactMethod::Phone) if d.best_times.trim().is_empty() => d.phone.clone(),
                Some(ContactMethod::Phone) => format!("{} ({})", d.phone, d.best_times),
                Some(ContactMethod::Post) => d.address.clone(),
                None => String::new(),
            };
            let method = d
                .contact_method
                .map(|m| t(method_key(m)))
                .unwrap_or_default();
            format!(
                "{method}: {}, {detail} · {} · {}",
                d.name,
                t(country_key(&d.country)),
                t(language_key(&d.language))
            )
        };
        vec![
            (Step::Who, Key::AskReviewWho, who),
            (
                Step::Medicine,
                Key::AskReviewMedicine,
                format!(
                    "{medicine} · {}",
                    d.topic.map(|x| t(topic_key(x))).unwrap_or_default()
                ),
            ),
            (Step::Question, Key::AskReviewQuestion, d.question.clone()),
            (Step::Safety, Key::AskReviewSafety, safety),
            (Step::Reply, Key::AskReviewReply, reply),
        ]
    };
    view! {
        <dl class="review">
            {move || rows().into_iter().map(|(step, label, value)| view! {
                <div class="review-row">
                    <dt>{tr(label)}</dt>
                    <dd class="review-value">{value}</dd>
                    <dd>
                        <button type="button" class="link-button" on:click=move |_| form.change(step)>
                            {tr(Key::AskChange)}
                            <span class="visually-hidden">": " {tr(label)}</span>
                        </button>
                    </dd>
                </div>
            }).collect_view()}
        </dl>
        {move || form.draft.with(InquiryDraft::is_safety_report).then(|| view! {
            <p class="notice">{tr(Key::AskReviewSafetyNote)}</p>
        })}
        {move || form.draft.with(|d| !d.is_safety_report() && d.question_mentions_safety_event()).then(|| view! {
            <p class="notice">{tr(Key::AskReviewSafetyMentioned)}</p>
        })}
    }
}
