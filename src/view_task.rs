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
