//! The Ask form's inputs. Each is bound to one part of the draft and shows the problem the core found
//! with it right beside it: `aria-invalid` marks the input and `aria-describedby` reads the message
//! (and any hint) with it, so screen-reader users hear what to fix where they are.

use std::sync::Arc;

use leptos::prelude::*;
use portal_core::inquiry::{char_count, Field, FieldProblem, InquiryDraft, Problem};

use crate::i18n::{tr, use_i18n, I18n, Key};

use super::AskForm;

/// Reads and writes one text of the draft.
#[derive(Clone, Copy)]
pub struct TextLens {
    pub get: fn(&InquiryDraft) -> &String,
    pub set: fn(&mut InquiryDraft) -> &mut String,
}

/// `text_lens!(safety.what_happened)` binds an input to that text of the draft.
macro_rules! text_lens {
    ($($path:ident).+) => {
        $crate::routes::ask::controls::TextLens {
            get: |d| &d.$($path).+,
            set: |d| &mut d.$($path).+,
        }
    };
}
pub(crate) use text_lens;

/// The element id of a field; for a group of choices, the id of its first choice.
pub fn field_id(field: Field) -> String {
    format!("ask-{}", field.json_name().replace('.', "-"))
}

/// The plain-language message for a problem, in the current language.
pub fn problem_text(i18n: I18n, p: FieldProblem) -> String {
    match p.problem {
        Problem::TooLong { max } => i18n.fill(Key::AskErrorTooLong, &[("max", &max.to_string())]),
        Problem::UnknownChoice => i18n.t(Key::AskErrorUnknownChoice).to_string(),
        Problem::Invalid => i18n
            .t(match p.field {
                Field::Email => Key::AskErrorEmail,
                Field::Phone => Key::AskErrorPhone,
                Field::SafetyAge => Key::AskErrorAge,
                _ => Key::AskErrorInvalid,
            })
            .to_string(),
        Problem::Required => i18n.t(required_key(p.field)).to_string(),
    }
}

fn required_key(field: Field) -> Key {
    match field {
        Field::Asker => Key::AskErrorAsker,
        Field::Profession => Key::AskErrorProfession,
        Field::Product => Key::AskErrorProduct,
        Field::Topic => Key::AskErrorTopic,
        Field::Question => Key::AskErrorQuestion,
        Field::HadSafetyEvent => Key::AskErrorSafetyAnswer,
        Field::SafetyKinds => Key::AskErrorSafetyKinds,
        Field::WhatHappened => Key::AskErrorWhatHappened,
        Field::WhenItHappened => Key::AskErrorWhen,
        Field::Outcome => Key::AskErrorOutcome,
        Field::ContactMethod => Key::AskErrorContactMethod,
        Field::Name => Key::AskErrorName,
        Field::Email => Key::AskErrorEmail,
        Field::Phone => Key::AskErrorPhone,
        Field::Address => Key::AskErrorAddress,
        Field::Country => Key::AskErrorCountry,
        Field::Language => Key::AskErrorLanguage,
        Field::ConsentContact => Key::AskErrorConsent,
        _ => Key::AskErrorInvalid,
    }
}

/// The message for `field`, when the last check found a problem with it.
pub(super) fn error_for(form: AskForm, field: Field) -> Memo<Option<String>> {
    let i18n = use_i18n();
    Memo::new(move |_| {
        form.problems.with(|list| {
            list.iter()
                .find(|p| p.field == field)
                .map(|p| problem_text(i18n, *p))
        })
    })
}

/// Clears a field's problem once the person changes it: the message described the old value.
fn clear_problem(form: AskForm, field: Field) {
    if form
        .problems
        .with_untracked(|l| l.iter().any(|p| p.field == field))
    {
        form.problems.update(|l| l.retain(|p| p.field != field));
    }
}

/// How a text input looks and helps: one line or several, browser hints, the limit.
#[derive(Clone, Copy)]
pub struct TextKind {
    pub multiline: bool,
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: Option<&'static str>,
    pub max: usize,
}

impl TextKind {
    pub const fn line(max: usize) -> TextKind {
        TextKind {
            multiline: false,
            input_type: "text",
            autocomplete: "off",
            inputmode: None,
            max,
        }
    }

    pub const fn lines(max: usize) -> TextKind {
        TextKind {
            multiline: true,
            ..TextKind::line(max)
        }
    }

    pub const fn auto(self, autocomplete: &'static str) -> TextKind {
        TextKind {
            autocomplete,
            ..self
        }
    }

    pub const fn typed(self, input_type: &'static str, inputmode: &'static str) -> TextKind {
        TextKind {
            input_type,
            inputmode: Some(inputmode),
            ..self
        }
    }
}

/// A labelled text input or text area. Long texts show a live count of characters left; the input
/// itself accepts a little over the limit so a paste is never cut off silently.
#[component]
pub fn TextInput(
    form: AskForm,
    field: Field,
    label: Key,
    #[prop(optional)] hint: Option<Key>,
    #[prop(optional)] optional: bool,
    kind: TextKind,
    lens: TextLens,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = field_id(field);
    let error = error_for(form, field);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let count_id = format!("{id}-count");
    let described_by = {
        let (error_id, hint_id, count_id) = (error_id.clone(), hint_id.clone(), count_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if kind.multiline {
                ids.push(count_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let value = move || form.draft.with(|d| (lens.get)(d).clone());
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        form.draft.update(|d| *(lens.set)(d) = text);
        clear_problem(form, field);
    };
    let count = move || {
        let used = form.draft.with(|d| char_count((lens.get)(d)));
        i18n.fill(
            Key::AskCharactersUsed,
            &[("used", &used.to_string()), ("max", &kind.max.to_string())],
        )
    };
    let over = move || form.draft.with(|d| char_count((lens.get)(d)) > kind.max);
    let invalid = move || error.with(Option::is_some).to_string();
    let control = if kind.multiline {
        view! {
            <textarea
                id=id.clone()
                name=id.clone()
                rows="6"
                autocomplete=kind.autocomplete
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                aria-required=(!optional).to_string()
                prop:value=value
                on:input=on_input
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                name=id.clone()
                type=kind.input_type
                autocomplete=kind.autocomplete
                inputmode=kind.inputmode
                maxlength=kind.max + 100
                aria-invalid=invalid
                aria-describedby=described_by
                aria-required=(!optional).to_string()
                prop:value=value
                on:input=on_input
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id.clone()>
                {tr(label)}
                {optional.then(|| view! { " " <span class="optional">{tr(Key::AskOptional)}</span> })}
            </label>
            {hint.map(|h| view! { <p id=hint_id class="hint">{tr(h)}</p> })}
            {move || error.get().map(|text| view! { <p id=error_id.clone() class="field-error">{text}</p> })}
            {control}
            {kind.multiline.then(|| view! {
                <p id=count_id class="char-count" class:over=over>{count}</p>
            })}
        </div>
    }
}

/// One choice of a group: its value and its label (and an optional line of explanation).
#[derive(Clone, Copy)]
pub struct Choice<T> {
    pub value: T,
    pub label: Key,
    pub detail: Option<Key>,
}

pub const fn choice<T>(value: T, label: Key) -> Choice<T> {
    Choice {
        value,
        label,
        detail: None,
    }
}

pub const fn explained<T>(value: T, label: Key, detail: Key) -> Choice<T> {
    Choice {
        value,
        label,
        detail: Some(detail),
    }
}

/// Which choice of a group the draft holds, by position.
type Selected = Arc<dyn Fn(&InquiryDraft) -> Option<usize> + Send + Sync>;
/// Records the choice at a position in the draft.
type Pick = Arc<dyn Fn(&mut InquiryDraft, usize) + Send + Sync>;

/// A group of radio buttons in a fieldset whose legend asks the question. Only this thin layer is
/// generic over the value type; the group itself works by position, so its view code exists once in
/// the bundle however many kinds of choice the form asks for.
#[component]
pub fn RadioGroup<T>(
    form: AskForm,
    field: Field,
    /// Element id of the group when it is not the field's own (a choice with no rule of its own).
    #[prop(optional)]
    id: Option<&'static str>,
    legend: Key,
    #[prop(optional)] hint: Option<Key>,
    choices: Vec<Choice<T>>,
    get: fn(&InquiryDraft) -> Option<T>,
    set: fn(&mut InquiryDraft, T),
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let labels: Vec<(Key, Option<Key>)> = choices.iter().map(|c| (c.label, c.detail)).collect();
    let values: Vec<T> = choices.iter().map(|c| c.value).collect();
    let lookup = values.clone();
    let selected: Selected =
        Arc::new(move |d: &InquiryDraft| get(d).and_then(|v| lookup.iter().position(|x| *x == v)));
    let pick: Pick = Arc::new(move |d: &mut InquiryDraft, i: usize| {
        if let Some(v) = values.get(i) {
            set(d, *v);
        }
    });
    choice_group(form, field, id, legend, hint, labels, selected, pick)
}

#[allow(clippy::too_many_arguments)]
fn choice_group(
    form: AskForm,
    field: Field,
    id: Option<&'static str>,
    legend: Key,
    hint: Option<Key>,
    labels: Vec<(Key, Option<Key>)>,
    selected: Selected,
    pick: Pick,
) -> AnyView {
    let base = id.map(str::to_owned).unwrap_or_else(|| field_id(field));
    let error = error_for(form, field);
    let error_id = format!("{base}-error");
    let hint_id = format!("{base}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let options = labels
        .into_iter()
        .enumerate()
        .map(|(i, (label, detail))| {
            let id = if i == 0 {
                base.clone()
            } else {
                format!("{base}-{i}")
            };
            let detail_id = format!("{id}-detail");
            let (selected, pick) = (selected.clone(), pick.clone());
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        id=id.clone()
                        name=base.clone()
                        aria-describedby=detail.map(|_| detail_id.clone())
                        prop:checked=move || form.draft.with(|d| selected(d) == Some(i))
                        on:change=move |_| {
                            form.draft.update(|d| pick(d, i));
                            clear_problem(form, field);
                        }
                    />
                    <label for=id>
                        {tr(label)}
                        {detail.map(|k| view! { <span id=detail_id class="choice-detail">{tr(k)}</span> })}
                    </label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="field choices"
            aria-invalid=move || error.with(Option::is_some).to_string()
            aria-describedby=described_by
        >
            <legend>{tr(legend)}</legend>
            {hint.map(|h| view! { <p id=hint_id class="hint">{tr(h)}</p> })}
            {move || error.get().map(|text| view! { <p id=error_id.clone() class="field-error">{text}</p> })}
            {options}
        </fieldset>
    }
    .into_any()
}

/// A single checkbox (a consent, one kind of safety event).
#[component]
pub fn CheckBox(
    form: AskForm,
    field: Field,
    /// Distinguishes several boxes that report to the same field.
    #[prop(optional)]
    suffix: Option<&'static str>,
    /// A box the person may leave unticked: never marked wrong with the field's message.
    #[prop(optional)]
    optional: bool,
    label: Key,
    get: fn(&InquiryDraft) -> bool,
    set: fn(&mut InquiryDraft, bool),
) -> impl IntoView {
    let id = match suffix {
        Some(s) => format!("{}-{s}", field_id(field)),
        None => field_id(field),
    };
    let error = error_for(form, field);
    let invalid = move || !optional && error.with(Option::is_some);
    let error_id = format!("{}-error", field_id(field));
    view! {
        <div class="choice">
            <input
                type="checkbox"
                id=id.clone()
                aria-invalid=move || invalid().to_string()
                aria-describedby=move || invalid().then(|| error_id.clone())
                prop:checked=move || form.draft.with(get)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    form.draft.update(|d| set(d, on));
                    if !optional {
                        clear_problem(form, field);
                    }
                }
            />
            <label for=id>{tr(label)}</label>
        </div>
    }
}

/// The error message for a group of checkboxes, placed above them.
#[component]
pub fn GroupError(form: AskForm, field: Field) -> impl IntoView {
    let error = error_for(form, field);
    let id = format!("{}-error", field_id(field));
    move || {
        error
            .get()
            .map(|text| view! { <p id=id.clone() class="field-error">{text}</p> })
    }
}
