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
    /// The People forms being filled in, one per person (and one for a new person).
    pub const PERSON_DRAFTS: &str = "reminders.person-drafts";
    /// Reasons for skipping a dose being typed, one per dose card.
    pub const SKIP_REASONS: &str = "reminders.skip-reasons";
    /// The time-zone rules of the zones reminders follow (they hint at where people live).
    pub const TIME_ZONES: &str = "time-zones";
    /// Doses logged with a notification's buttons that the service worker could not send yet
    /// (`pwa/sw.js` writes it; the reminders sync adopts them into [`DOSE_OUTBOX`]).
    pub const SW_DOSE_OUTBOX: &str = "reminders.sw-outbox";
    /// The dose notification's texts in the chosen language, for the service worker, which has no
    /// translations of its own. Not personal: the same for everyone using the language.
    pub const NOTIFICATION_TEXT: &str = "pwa.notification-text";
    /// Each reminder's dose in the chosen language ("2,5 Tabletten"), for the service worker's
    /// notifications (the backend's push says it in English).
    pub const NOTIFICATION_DOSES: &str = "pwa.notification-doses";
    /// Who was signed in at the last answer from the backend, so a page opened offline (another
    /// bundle, a reload) still knows whose reminders it shows. The backend remains the judge.
    pub const SESSION: &str = "auth.session";
    /// What sign-out wipes: everything personal except inquiries still waiting to be delivered.
    /// Sign-out first tries to send the dose outbox.
    pub const PERSONAL: [&str; 12] = [
        SESSION,
        ASK_DRAFT,
        LEARN_OFFLINE,
        STUDIO_EDITS,
        REMINDERS,
        DOSE_OUTBOX,
        REMINDER_DRAFT,
        PERSON_DRAFTS,
        SKIP_REASONS,
        TIME_ZONES,
        SW_DOSE_OUTBOX,
        NOTIFICATION_DOSES,
    ];
}

/// The few localStorage entries the app writes. None holds personal data; the privacy rules keep
/// that in IndexedDB, which sign-out wipes.
pub mod local_keys {
    /// The interface language chosen on this device.
    pub const LANGUAGE: &str = "portal.language";
    /// Set while the backend has not confirmed a sign-out (see `auth`).
    pub const SIGN_OUT_PENDING: &str = "portal.sign-out-pending";
    /// Set while someone is signed in on this device, so a start that finds the session ended
    /// meanwhile (say, at its 12-hour limit) knows to wipe what that session left here.
    pub const SESSION_ON_DEVICE: &str = "portal.session-on-device";
    /// Set once the person dismissed the "add to home screen" card or installed the app.
    pub const INSTALL_PROMPT_DONE: &str = "pwa.install-dismissed";
    /// What outlives a sign-out; every other localStorage entry of this origin is removed then.
    pub const KEPT_AT_SIGN_OUT: [&str; 3] = [LANGUAGE, SIGN_OUT_PENDING, INSTALL_PROMPT_DONE];
}

/// The storage could not be used (disabled, full, or blocked by the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUnavailable;

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// The text stored under `key`, if any.
pub async fn get(key: &str) -> Result<Option<String>, StoreUnavailable> {
    let tx = transaction(IdbTransactionMode::Readonly).await?;
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

/// The tab's sessionStorage, where the browser allows it.
pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The list stored as JSON under `key`; empty when there is none or it cannot be read.
pub async fn read_list<T: serde::de::DeserializeOwned>(key: &str) -> Vec<T> {
    match get(key).await {
        Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// In the list under `key`, replaces the entries `same` picks with `entry`, or removes them when
/// `entry` is `None`; in one transaction, so keystrokes kept in quick succession land in order.
pub async fn keep_in_list<T>(
    key: &str,
    same: impl Fn(&T) -> bool + 'static,
    entry: Option<T>,
) -> Result<(), StoreUnavailable>
where
    T: serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    update(key, move |text| {
        let mut list: Vec<T> = text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        list.retain(|e| !same(e));
        list.extend(entry);
        // An empty list leaves nothing on the device.
        (!list.is_empty())
            .then(|| serde_json::to_string(&list).ok())
            .flatten()
    })
    .await
}

/// Reads, changes and writes `key` in one transaction, so a write the service worker makes to the
/// same key meanwhile is never overwritten. `change` gets the stored text and returns the new
/// one, or `None` to remove the key.
pub async fn update(
    key: &str,
    change: impl FnOnce(Option<String>) -> Option<String> + 'static,
) -> Result<(), StoreUnavailable> {
    let tx = transaction(IdbTransactionMode::Readwrite).await?;
    let store = tx.object_store(STORE).map_err(|_| StoreUnavailable)?;
    let done = committed(&tx);
    let key = JsValue::from_str(key);
    let request = store.get(&key).map_err(|_| StoreUnavailable)?;
    let reading = request.clone();
    // The write must be made inside the read's callback, or the transaction commits without it.
    let on_read = Closure::once_into_js(move |_event: web_sys::Event| {
        let current = reading.result().ok().and_then(|v| v.as_string());
        let _ = match change(current) {
            Some(text) => store.put_with_key(&JsValue::from_str(&text), &key),
            None => store.delete(&key),
        };
    });
    request.set_onsuccess(Some(on_read.unchecked_ref()));
    done.await
}

async fn write(
    op: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), StoreUnavailable> {
    let tx = transaction(IdbTransactionMode::Readwrite).await?;
    let store = tx.object_store(STORE).map_err(|_| StoreUnavailable)?;
    let done = committed(&tx);
    op(&store).map_err(|_| StoreUnavailable)?;
    done.await
}

/// A transaction on the store. A connection the browser closed (the sign-out's `Clear-Site-Data`
/// deletes the database under the running app) is dropped and opened afresh, once.
async fn transaction(mode: IdbTransactionMode) -> Result<IdbTransaction, StoreUnavailable> {
    let db = database().await?;
    if let Ok(tx) = db.transaction_with_str_and_mode(STORE, mode) {
        return Ok(tx);
    }
    forget_connection();
    database()
        .await?
        .transaction_with_str_and_mode(STORE, mode)
        .map_err(|_| StoreUnavailable)
}

fn forget_connection() {
    OPEN.with(|o| *o.borrow_mut() = None);
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
    // Another tab deleting or upgrading the database, or the browser deleting it, must not be
    // blocked by this connection, and the next operation then opens a new one.
    let closing = db.clone();
    let on_version_change =
        Closure::<dyn Fn(web_sys::Event)>::new(move |_event: web_sys::Event| {
            closing.close();
            forget_connection();
        });
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    on_version_change.forget();
    let on_close = Closure::<dyn Fn(web_sys::Event)>::new(move |_event: web_sys::Event| {
        forget_connection();
    });
    db.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();
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

/// Deletes what sign-out must not leave on this device: the personal IndexedDB entries
/// ([`keys::PERSONAL`]), every Cache Storage cache, all of sessionStorage and every localStorage
/// entry but [`local_keys::KEPT_AT_SIGN_OUT`]. The backend's `Clear-Site-Data` answer repeats this
/// for the whole origin; doing it here as well covers a backend that cannot be reached.
pub async fn wipe_at_sign_out() {
    for key in keys::PERSONAL {
        let _ = delete(key).await;
    }
    clear_cache_storage().await;
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(Some(session)) = window.session_storage() {
        let _ = session.clear();
    }
    if let Ok(Some(local)) = window.local_storage() {
        let names: Vec<String> = (0..local.length().unwrap_or(0))
            .filter_map(|i| local.key(i).ok().flatten())
            .filter(|name| !local_keys::KEPT_AT_SIGN_OUT.contains(&name.as_str()))
            .collect();
        for name in names {
            let _ = local.remove_item(&name);
        }
    }
}

/// Deletes every cache in Cache Storage. The service worker keeps only the app's own files
/// there, never API answers, but sign-out does not rely on that promise.
async fn clear_cache_storage() {
    let Some(caches) = web_sys::window().and_then(|w| w.caches().ok()) else {
        return;
    };
    let Ok(names) = JsFuture::from(caches.keys()).await else {
        return;
    };
    let names: js_sys::Array = names.unchecked_into();
    for name in names.iter().filter_map(|n| n.as_string()) {
        let _ = JsFuture::from(caches.delete(&name)).await;
    }
}

/// What sign-out deliberately keeps, read before the backend's `Clear-Site-Data` deletes
/// everything on the device and written back after: inquiries submitted but not yet delivered
/// (one may report a side effect, which must reach drug safety; they go out without a session) and
/// the chosen language (a device setting, so the sign-in page stays in it after a reload).
pub struct KeptThroughClearSiteData {
    inquiry_outbox: Option<String>,
    language: Option<String>,
}

impl KeptThroughClearSiteData {
    pub async fn read() -> KeptThroughClearSiteData {
        let language = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(local_keys::LANGUAGE).ok().flatten());
        KeptThroughClearSiteData {
            inquiry_outbox: get(keys::INQUIRY_OUTBOX).await.ok().flatten(),
            language,
        }
    }

    pub async fn write_back(self) {
        if let Some(text) = self.inquiry_outbox {
            let _ = put(keys::INQUIRY_OUTBOX, &text).await;
        }
        if let (Some(language), Some(storage)) = (
            self.language,
            web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
        ) {
            let _ = storage.set_item(local_keys::LANGUAGE, &language);
        }
    }
}
