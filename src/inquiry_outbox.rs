//! Inquiries on their way to the Medical Information team.
//!
//! Submitting puts the inquiry in the outbox on the device first, then tries to send it. Whatever
//! happens next (no network, a slow or failing backend, the tab closed) it stays there and is sent
//! again, with the same idempotency key, until the backend confirms it: in the background while the
//! app is open, when the browser comes back online, and at the next start. The rules for each kind of
//! failure live in `portal_core::outbox`.

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use portal_core::api_error::ApiError;
use portal_core::inquiry::{InquiryDraft, InquiryReceipt};
use portal_core::outbox::{after_failure, next_due, AfterFailure, OutboxEntry};
use send_wrapper::SendWrapper;

use crate::api::Api;
use crate::device_store::{self, keys};

/// How long the sender sleeps when nothing is due; it wakes early on a new entry or going online.
const IDLE_WAKE_MS: i64 = 60_000;

/// What became of one attempt to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// The backend has it: here is its receipt.
    Delivered(InquiryReceipt),
    /// Kept on the device and sent later; the error says why it did not go now.
    Queued(ApiError),
    /// The backend refused it; it waits on the device for the person to check it.
    Refused(ApiError),
}

/// The outbox, shared through context. Copyable handles to signals.
#[derive(Clone, Copy)]
pub struct InquiryOutbox {
    entries: RwSignal<Vec<OutboxEntry>>,
    /// Inquiries a background attempt delivered while the app was open, newest last.
    delivered: RwSignal<Vec<InquiryReceipt>>,
    /// Keys with an attempt in flight, so a retry never races the attempt it repeats.
    sending: RwSignal<Vec<String>>,
    /// False when this browser cannot keep the outbox across a reload (storage disabled).
    persistent: RwSignal<bool>,
    wake: StoredValue<SendWrapper<UnboundedSender<()>>>,
    api: StoredValue<SendWrapper<Api>>,
}

impl InquiryOutbox {
    /// Loads what is waiting from the device and starts the sender.
    pub fn provide(api: Api) -> InquiryOutbox {
        let (tx, rx) = unbounded();
        let outbox = InquiryOutbox {
            entries: RwSignal::new(Vec::new()),
            delivered: RwSignal::new(Vec::new()),
            sending: RwSignal::new(Vec::new()),
            persistent: RwSignal::new(true),
            wake: StoredValue::new(SendWrapper::new(tx)),
            api: StoredValue::new(SendWrapper::new(api)),
        };
        provide_context(outbox);
        leptos::task::spawn_local(async move {
            match device_store::get(keys::INQUIRY_OUTBOX).await {
                Ok(Some(text)) => {
                    let stored: Vec<OutboxEntry> = serde_json::from_str(&text).unwrap_or_default();
                    outbox.entries.update(|list| {
                        for entry in stored {
                            if !list.iter().any(|e| e.key == entry.key) {
                                list.push(entry);
                            }
                        }
                    });
                }
                Ok(None) => {}
                Err(_) => outbox.persistent.set(false),
            }
            outbox.run(rx).await;
        });
        let online = window_event_listener(leptos::ev::online, move |_| outbox.retry_all_now());
        on_cleanup(move || online.remove());
        outbox
    }

    /// Everything waiting on the device, oldest first.
    pub fn entries(self) -> Vec<OutboxEntry> {
        self.entries.get()
    }

    pub fn delivered(self) -> Vec<InquiryReceipt> {
        self.delivered.get()
    }

    pub fn dismiss_delivered(self, reference: &str) {
        self.delivered
            .update(|list| list.retain(|r| r.reference != reference));
    }

    pub fn is_sending(self, key: &str) -> bool {
        self.sending.with(|s| s.iter().any(|k| k == key))
    }

    /// False when the browser will not let the app keep the outbox across a reload.
    pub fn is_persistent(self) -> bool {
        self.persistent.get()
    }

    /// Puts `inquiry` in the outbox under a new idempotency key, then tries to send it at once.
    pub async fn submit(self, inquiry: InquiryDraft) -> Sent {
        let entry = OutboxEntry::new(new_key(), inquiry, now_ms());
        let key = entry.key.clone();
        self.entries.update(|list| list.push(entry));
        self.save().await;
        let sent = self.attempt(&key, false).await;
        if matches!(sent, Sent::Refused(_)) {
            // The person is right there with the form, which still holds every word.
            let _ = self.take_back(&key).await;
        }
        sent
    }

    /// Tries every waiting inquiry now (the "Try now" button, or the browser coming back online).
    pub fn retry_all_now(self) {
        let now = now_ms();
        self.entries.update(|list| {
            for e in list.iter_mut().filter(|e| !e.needs_person) {
                e.next_attempt_at_ms = now;
            }
        });
        self.wake.with_value(|tx| {
            let _ = tx.unbounded_send(());
        });
    }

    /// Takes an inquiry out of the outbox so the person can correct it in the form.
    pub async fn take_back(self, key: &str) -> Option<InquiryDraft> {
        let mut taken = None;
        self.entries.update(|list| {
            if let Some(i) = list.iter().position(|e| e.key == key) {
                taken = Some(list.remove(i).inquiry);
            }
        });
        self.save().await;
        taken
    }

    /// One attempt for the entry under `key`. `background` attempts report a delivery through
    /// [`InquiryOutbox::delivered`], since nobody is waiting for their answer.
    async fn attempt(self, key: &str, background: bool) -> Sent {
        if self.is_sending_untracked(key) {
            return Sent::Queued(ApiError::Network);
        }
        let Some(entry) = self
            .entries
            .with_untracked(|l| l.iter().find(|e| e.key == key).cloned())
        else {
            return Sent::Queued(ApiError::Network);
        };
        self.sending.update(|s| s.push(key.to_owned()));
        let api = self.api.with_value(|a| (**a).clone());
        let answer = api.submit_inquiry(&entry.inquiry, key).await;
        self.sending.update(|s| s.retain(|k| k != key));
        let sent = match answer {
            Ok(receipt) => {
                self.entries.update(|list| list.retain(|e| e.key != key));
                if background {
                    self.delivered.update(|d| d.push(receipt.clone()));
                }
                Sent::Delivered(receipt)
            }
            Err(error) => {
                let mut decided = None;
                self.entries.update(|list| {
                    if let Some(e) = list.iter_mut().find(|e| e.key == key) {
                        decided = Some(after_failure(e, &error, now_ms(), js_sys::Math::random()));
                    }
                });
                match decided {
                    Some(AfterFailure::NeedsPerson) => Sent::Refused(error),
                    _ => Sent::Queued(error),
                }
            }
        };
        self.save().await;
        self.wake.with_value(|tx| {
            let _ = tx.unbounded_send(());
        });
        sent
    }

    fn is_sending_untracked(self, key: &str) -> bool {
        self.sending.with_untracked(|s| s.iter().any(|k| k == key))
    }

    /// Sleeps until the next entry is due (or something wakes it), then sends what is due.
    async fn run(self, mut wake: UnboundedReceiver<()>) {
        loop {
            let now = now_ms();
            let due: Vec<String> = self.entries.with_untracked(|list| {
                list.iter()
                    .filter(|e| e.is_due(now) && !self.is_sending_untracked(&e.key))
                    .map(|e| e.key.clone())
                    .collect()
            });
            for key in due {
                // Sequential: one phone has no need to hit the backend with a burst.
                let _ = self.attempt(&key, true).await;
            }
            let wait = self.entries.with_untracked(|list| {
                next_due(list)
                    .map(|e| (e.next_attempt_at_ms - now_ms()).clamp(0, IDLE_WAKE_MS))
                    .unwrap_or(IDLE_WAKE_MS)
            });
            let sleep = TimeoutFuture::new(u32::try_from(wait).unwrap_or(0));
            if let Either::Right((None, _)) = select(sleep, wake.next()).await {
                return;
            }
        }
    }

    async fn save(self) {
        let text = self
            .entries
            .with_untracked(|list| serde_json::to_string(list).unwrap_or_default());
        let saved = if text == "[]" {
            device_store::delete(keys::INQUIRY_OUTBOX).await
        } else {
            device_store::put(keys::INQUIRY_OUTBOX, &text).await
        };
        self.persistent.set(saved.is_ok());
    }
}

/// The outbox from context.
pub fn use_outbox() -> Option<InquiryOutbox> {
    use_context::<InquiryOutbox>()
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A random UUID from the browser's cryptographic generator, for `Idempotency-Key`s and other ids the
/// device makes; it only has to be unique.
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            // Without Web Crypto (an insecure context), a time and random mix is still unique enough.
            format!(
                "{:x}-{:x}",
                now_ms(),
                (js_sys::Math::random() * 1e15) as u64
            )
        })
}
