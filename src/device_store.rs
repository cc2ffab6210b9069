//! What the app keeps on this device between visits, in IndexedDB: a small key-value store of JSON
//! texts. IndexedDB rather than localStorage because these values hold health information (a
//! question being written, an inquiry waiting to be sent), and the privacy rules keep health data out
//! of localStorage; values are read back asynchronously and never block a page.
//!
//! Every operation reports failure instead of panicking: a browser in private mode or with storage
//! disabled still runs the app, it just cannot keep things across a reload.

use std::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

const DATABASE: &str = "patient-portal";
const VERSION: u32 = 1;
const STORE: &str = "kv";

/// The keys the app uses, in one place so sign-out knows what to wipe.
pub mod keys {
    /// The Ask form being filled in (and its step).
    pub const ASK_DRAFT: &str = "ask.draft";
    /// Submitted inquiries not yet confirmed by the backend.
    pub const INQUIRY_OUTBOX: &str = "ask.outbox";
    /// Articles kept for reading offline.
    pub const LEARN_OFFLINE: &str = "learn.offline";
    /// Studio drafts being edited, before the backend has them.
    pub const STUDIO_EDITS: &str = "studio.edits";
    /// People, reminders and the doses logged, as last synchronised, for the Today view offline.
    pub const REMINDERS: &str = "reminders.data";
    /// Doses logged on this device that the backend has not confirmed yet.
    pub const DOSE_OUTBOX: &str = "reminders.outbox";
    /// A reminder form being filled in.
    pub const REMINDER_DRAFT: &str = "reminders.draft";
    /// The time-zone rules of the zones reminders follow (they hint at where people live).
    pub const TIME_ZONES: &str = "time-zones";
    /// What sign-out wipes: everything personal except inquiries still waiting to be delivered.
    /// Sign-out first tries to send the dose outbox.
    pub const PERSONAL: [&str; 7] = [
        ASK_DRAFT,
        LEARN_OFFLINE,
        STUDIO_EDITS,
        REMINDERS,
        DOSE_OUTBOX,
        REMINDER_DRAFT,
        TIME_ZONES,
    ];
}

/// The storage could not be used (disabled, full, or blocked by the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUnavailable;

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// The text stored under `key`, if any.
pub async fn get(key: &str) -> Result<Option<String>, StoreUnavailable> {
    let db = database().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readonly)
        .map_err(|_| StoreUnavailable)?;
    let store = tx.object_store(STORE).map_err(|_| StoreUnavailable)?;
    let request = store
        .get(&JsValue::from_str(key))
        .map_err(|_| StoreUnavailable)?;
    let value = finished(&request).await?;
    Ok(value.as_string())
}

/// Stores `value` under `key`; returns once the browser has committed it.
pub async fn put(key: &str, value: &str) -> Result<(), StoreUnavailable> {
    write(|store| store.put_with_key(&JsValue::from_str(value), &JsValue::from_str(key))).await
}

/// Removes `key`.
pub async fn delete(key: &str) -> Result<(), StoreUnavailable> {
    write(|store| store.delete(&JsValue::from_str(key))).await
}

async fn write(
    op: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), StoreUnavailable> {
    let db = database().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(|_| StoreUnavailable)?;
    let store = tx.object_store(STORE).map_err(|_| StoreUnavailable)?;
    let done = committed(&tx);
    op(&store).map_err(|_| StoreUnavailable)?;
    done.await
}

async fn database() -> Result<IdbDatabase, StoreUnavailable> {
    if let Some(db) = OPEN.with(|o| o.borrow().clone()) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or(StoreUnavailable)?;
    let request = factory
        .open_with_u32(DATABASE, VERSION)
        .map_err(|_| StoreUnavailable)?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_event: web_sys::Event| {
        if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db: IdbDatabase = finished(&request)
        .await?
        .dyn_into()
        .map_err(|_| StoreUnavailable)?;
    OPEN.with(|o| *o.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// The request's result once it has succeeded.
async fn finished(request: &IdbRequest) -> Result<JsValue, StoreUnavailable> {
    let promise = Promise::new(&mut |resolve, reject| {
        let r = request.clone();
        let ok = Closure::once_into_js(move |_event: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = Closure::once_into_js(move |_event: web_sys::Event| {
            let _ = reject.call0(&JsValue::NULL);
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(failed.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|_| StoreUnavailable)
}

/// Resolves when the transaction has been committed, so a reload right after cannot lose the write.
fn committed(
    tx: &IdbTransaction,
) -> impl std::future::Future<Output = Result<(), StoreUnavailable>> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |_event: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject_abort = reject.clone();
        let failed = Closure::once_into_js(move |_event: web_sys::Event| {
            let _ = reject.call0(&JsValue::NULL);
        });
        let aborted = Closure::once_into_js(move |_event: web_sys::Event| {
            let _ = reject_abort.call0(&JsValue::NULL);
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(failed.unchecked_ref()));
        tx.set_onabort(Some(aborted.unchecked_ref()));
    });
    async move {
        JsFuture::from(promise)
            .await
            .map(|_| ())
            .map_err(|_| StoreUnavailable)
    }
}
