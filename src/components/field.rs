//! A labelled text input with its error message wired for screen readers: the message sits next to
//! the field, `aria-invalid` marks it and `aria-describedby` makes it read with the field.

use leptos::html::Input;
use leptos::prelude::*;

use crate::i18n::{tr, Key};

/// How one input behaves: its type and the browser hints that help people fill it.
#[derive(Debug, Clone, Copy)]
pub struct InputKind {
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: Option<&'static str>,
    pub max_len: usize,
}

/// Keeps `input`'s value in step with `value`, writing it only when it differs from what the input
/// holds. A date or time input reads as "" while it is being typed into and not yet complete:
/// writing that "" back, as `prop:value` would on every keystroke, wipes what was typed so far.
pub fn keep_value(input: NodeRef<Input>, value: impl Fn() -> String + Send + Sync + 'static) {
    Effect::new(move |_| {
        let value = value();
        if let Some(el) = input.get() {
            if el.value() != value {
                el.set_value(&value);
            }
        }
    });
}

/// A text field. `error` holds the key of the message to show, or `None`; typing clears it.
#[component]
pub fn TextField(
    id: &'static str,
    label: Key,
    kind: InputKind,
    value: RwSignal<String>,
    error: RwSignal<Option<Key>>,
    #[prop(optional)] node_ref: NodeRef<Input>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = error_id.clone();
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
            <input
                id=id
                name=id
                type=kind.input_type
                autocomplete=kind.autocomplete
                inputmode=kind.inputmode
                maxlength=kind.max_len
                required
                node_ref=node_ref
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=move || error.get().map(|_| described_by.clone())
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    error.set(None);
                }
            />
            {move || {
                let id = error_id.clone();
                error.get().map(|k| view! { <p id=id class="field-error">{tr(k)}</p> })
            }}
        </div>
    }
}
