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

/// Focuses the element with this id once the view has updated.
pub fn focus_id_later(id: String) {
    focus_later(move || {
        web_sys::window()?
            .document()?
            .get_element_by_id(&id)?
            .dyn_into::<web_sys::HtmlElement>()
            .ok()?
            .focus()
            .ok()
    });
}
