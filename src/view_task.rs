//! Work a view starts for itself: loading what it shows, restoring a draft, moving focus.
//!
//! Such a task often finishes after the person has moved on, and by then the view's signals are
//! disposed: reading one panics, which in wasm stops the whole app. A task started here belongs to
//! the view that started it: it runs under that view's owner (so `use_context` works after an
//! `await`, and its requests are aborted with the view) and is dropped, at its next `await`, when
//! the view goes away.
//!
//! Work that must finish whatever the person does next (saving, sending) does not belong here: it
//! runs with `leptos::task::spawn_local` and only writes signals after its `await`s, which is
//! harmless once they are disposed.

use std::future::Future;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::{on_cleanup, Owner};
use leptos::reactive::computed::ScopedFuture;

/// Runs `task` for the current view, ending it when the view is cleaned up.
pub fn spawn_for_view(task: impl Future<Output = ()> + 'static) {
    let (handle, registration) = AbortHandle::new_pair();
    if Owner::current().is_some() {
        on_cleanup(move || handle.abort());
    }
    let task = Abortable::new(ScopedFuture::new_untracked(task), registration);
    leptos::task::spawn_local(async move {
        let _ = task.await;
    });
}

/// Lets the browser handle input and paint before going on: what follows runs in a task of its
/// own. Parsing an answer and then building a page from it would otherwise be one long task, and
/// a slow phone does not react to a tap until it ends. `scheduler.yield()` resumes ahead of other
/// queued work; a browser without it gets a zero-delay timeout.
pub async fn yield_to_browser() {
    use wasm_bindgen::JsCast;
    let scheduler = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"scheduler".into()).ok())
        .filter(|s| s.is_object());
    let yielded = scheduler.and_then(|scheduler| {
        let yield_fn = js_sys::Reflect::get(&scheduler, &"yield".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        yield_fn
            .call0(&scheduler)
            .ok()?
            .dyn_into::<js_sys::Promise>()
            .ok()
    });
    match yielded {
        Some(promise) => {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
        None => gloo_timers::future::TimeoutFuture::new(0).await,
    }
}
