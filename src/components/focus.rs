//! Moving focus once the view has caught up: after a step change, an error summary appearing, or a
//! card drawn anew, the element to focus exists only after the current update has run.

use wasm_bindgen::JsCast;

/// Runs `f` after the view has updated, so the element to focus exists; not at all if the view
/// has gone by then. Called from a task with no view, `f` must not read the view's signals.
pub fn focus_later<R>(f: impl FnOnce() -> Option<R> + 'static) {
    crate::view_task::spawn_for_view(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        let _ = f();
    });
}

/// Focuses the element with this id once the view has updated. Not tied to the view that asked:
/// the change that calls for the focus often rebuilds that very view (adding a row rebuilds the
/// list and its buttons), and the element is looked up by id anyway.
pub fn focus_id_later(id: String) {
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

/// A link to a field on this page, as in an error summary. The router would take `#id` for a
/// navigation and leave the focus where it was: a click moves the focus to the field instead.
#[leptos::component]
pub fn FieldLink(target: String, children: leptos::children::Children) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let href = format!("#{target}");
    view! {
        <a href=href on:click=move |ev| {
            ev.prevent_default();
            focus_id_later(target.clone());
        }>{children()}</a>
    }
}
