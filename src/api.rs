//! The one typed client for the backend. Pages call these methods; they never build URLs or parse JSON.
//!
//! Every request has a timeout, is aborted when the component that started it goes away, and
//! never panics on what comes back: decoding is done by `portal_core::api_error`, tested on the host.

use std::sync::Arc;

use futures::future::{select, Either};
use gloo_net::http::{Request, RequestBuilder};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use portal_core::api::{Health, RuntimeConfig, Session, SignInRequest};
use portal_core::api_error::{decode_error, decode_response, ApiError};
use portal_core::inquiry::{InquiryDraft, InquiryReceipt, InquirySummary, Product};
use portal_core::language::Language;
use portal_core::learn::{
    ArticleFeedback, ArticlePage, ArticleSummary, DraftUpdate, PublishRequest,
    StudioArticleSummary, StudioDraft,
};
use portal_core::navigation::encode_query_value;
use portal_core::reminders::{
    CalendarFeedStatus, CalendarLink, DoseEvent, DoseEventReceipt, Person, PersonInput, Reminder,
    ReminderInput,
};
use portal_core::retry::{Method, RetryPolicy};
use portal_core::time_zone::TimeZoneData;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::{AbortController, RequestCredentials};

/// The backend client, shared through context. Cheap to copy.
#[derive(Clone)]
pub struct Api {
    inner: Arc<Inner>,
}

struct Inner {
    config: RuntimeConfig,
    retry: RetryPolicy,
}

impl Api {
    pub fn new(config: RuntimeConfig) -> Api {
        Api {
            inner: Arc::new(Inner {
                config,
                retry: RetryPolicy::default(),
            }),
        }
    }

    /// Is the backend up?
    pub async fn health(&self) -> Result<Health, ApiError> {
        self.send::<(), Health>(Method::Get, "/health", None, None)
            .await
    }

    /// Who is signed in on this browser: `None` when nobody is (the backend answers 204).
    pub async fn current_session(&self) -> Result<Option<Session>, ApiError> {
        self.send::<(), Option<Session>>(Method::Get, "/session", None, None)
            .await
    }

    /// Signs in; the backend sets an HttpOnly session cookie the app never sees.
    pub async fn sign_in(&self, request: &SignInRequest) -> Result<Session, ApiError> {
        self.send(Method::Post, "/session", Some(request), None)
            .await
    }

    /// Ends the session on the backend.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        self.send::<(), ()>(Method::Delete, "/session", None, None)
            .await
    }

    /// The medicines people can ask about.
    pub async fn products(&self) -> Result<Vec<Product>, ApiError> {
        self.send::<(), Vec<Product>>(Method::Get, "/products", None, None)
            .await
    }

    /// Sends an inquiry to the Medical Information team. `key` is made once, when the person pressed
    /// Submit, and sent again on every retry so the backend stores the inquiry once.
    pub async fn submit_inquiry(
        &self,
        inquiry: &InquiryDraft,
        key: &str,
    ) -> Result<InquiryReceipt, ApiError> {
        self.send(Method::Post, "/inquiries", Some(inquiry), Some(key))
            .await
    }

    /// The signed-in person's inquiries, newest first.
    pub async fn my_inquiries(&self) -> Result<Vec<InquirySummary>, ApiError> {
        self.send::<(), Vec<InquirySummary>>(Method::Get, "/inquiries", None, None)
            .await
    }

    /// Published articles in `language`, with their plain text for search.
    pub async fn articles(&self, language: &str) -> Result<Vec<ArticleSummary>, ApiError> {
        let path = format!("/articles?lang={}", encode_query_value(language));
        self.send::<(), _>(Method::Get, &path, None, None).await
    }

    /// One article in `language`, or the languages it is published in.
    pub async fn article(&self, slug: &str, language: &str) -> Result<ArticlePage, ApiError> {
        let path = format!(
            "/articles/{}?lang={}",
            encode_query_value(slug),
            encode_query_value(language)
        );
        self.send::<(), _>(Method::Get, &path, None, None).await
    }

    /// "Was this helpful?"
    pub async fn article_feedback(
        &self,
        slug: &str,
        feedback: &ArticleFeedback,
        key: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let path = format!("/articles/{}/feedback", encode_query_value(slug));
        self.send(Method::Post, &path, Some(feedback), Some(key))
            .await
    }

    /// Every translation, drafts included (editors only).
    pub async fn studio_articles(&self) -> Result<Vec<StudioArticleSummary>, ApiError> {
        self.send::<(), _>(Method::Get, "/studio/articles", None, None)
            .await
    }

    /// The draft of one translation (editors only).
    pub async fn studio_draft(&self, slug: &str, language: &str) -> Result<StudioDraft, ApiError> {
        self.send::<(), _>(Method::Get, &studio_path(slug, language, ""), None, None)
            .await
    }

    /// Saves a draft. `version` is the one it was loaded at; `None` creates a new translation.
    /// A draft changed by someone else meanwhile is refused with 412, never overwritten.
    pub async fn save_draft(
        &self,
        slug: &str,
        language: &str,
        draft: &DraftUpdate,
        version: Option<u64>,
    ) -> Result<StudioDraft, ApiError> {
        let if_match = version.map(|v| format!("\"{v}\""));
        self.send_full(
            Method::Put,
            &studio_path(slug, language, ""),
            Some(draft),
            None,
            if_match.as_deref(),
        )
        .await
    }

    pub async fn publish(
        &self,
        slug: &str,
        language: &str,
        request: &PublishRequest,
    ) -> Result<StudioDraft, ApiError> {
        self.send(
            Method::Post,
            &studio_path(slug, language, "/publish"),
            Some(request),
            None,
        )
        .await
    }

    pub async fn unpublish(&self, slug: &str, language: &str) -> Result<StudioDraft, ApiError> {
        self.send::<(), _>(
            Method::Post,
            &studio_path(slug, language, "/unpublish"),
            None,
            None,
        )
        .await
    }

    /// The people this account keeps reminders for.
    pub async fn people(&self) -> Result<Vec<Person>, ApiError> {
        self.send::<(), _>(Method::Get, "/people", None, None).await
    }

    pub async fn create_person(&self, person: &PersonInput, key: &str) -> Result<Person, ApiError> {
        self.send(Method::Post, "/people", Some(person), Some(key))
            .await
    }

    /// Changes a person; refused with 412 when someone changed them since `version`.
    pub async fn update_person(
        &self,
        id: &str,
        person: &PersonInput,
        version: u64,
    ) -> Result<Person, ApiError> {
        let path = format!("/people/{}", encode_query_value(id));
        self.send_full(
            Method::Put,
            &path,
            Some(person),
            None,
            Some(&format!("\"{version}\"")),
        )
        .await
    }

    /// Removes a person with their reminders, logged doses and calendar feed address.
    pub async fn delete_person(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("/people/{}", encode_query_value(id));
        self.send_full::<(), ()>(Method::Delete, &path, None, None, None)
            .await
    }

    /// Every reminder of every person of this account.
    pub async fn reminders(&self) -> Result<Vec<Reminder>, ApiError> {
        self.send::<(), _>(Method::Get, "/reminders", None, None)
            .await
    }

    pub async fn create_reminder(
        &self,
        reminder: &ReminderInput,
        key: &str,
    ) -> Result<Reminder, ApiError> {
        self.send(Method::Post, "/reminders", Some(reminder), Some(key))
            .await
    }

    /// Changes a reminder; refused with 412 when it changed since `version` (on another device, or
    /// by a dose that counted its stock down).
    pub async fn update_reminder(
        &self,
        id: &str,
        reminder: &ReminderInput,
        version: u64,
    ) -> Result<Reminder, ApiError> {
        self.send_full(
            Method::Put,
            &reminder_path(id),
            Some(reminder),
            None,
            Some(&format!("\"{version}\"")),
        )
        .await
    }

    /// Deletes a reminder and its logged doses, if it is still at `version`.
    pub async fn delete_reminder(&self, id: &str, version: u64) -> Result<(), ApiError> {
        self.send_full::<(), ()>(
            Method::Delete,
            &reminder_path(id),
            None,
            None,
            Some(&format!("\"{version}\"")),
        )
        .await
    }

    /// Dose events logged between two RFC 3339 instants.
    pub async fn dose_events(&self, from: &str, until: &str) -> Result<Vec<DoseEvent>, ApiError> {
        let path = format!(
            "/dose-events?from={}&until={}",
            encode_query_value(from),
            encode_query_value(until)
        );
        self.send::<(), _>(Method::Get, &path, None, None).await
    }

    /// Sends logged doses; each is stored once by its id however often it is sent.
    pub async fn record_dose_events(
        &self,
        events: &[DoseEvent],
    ) -> Result<DoseEventReceipt, ApiError> {
        self.send(Method::Post, "/dose-events", Some(&events), None)
            .await
    }

    /// A time zone's rules, for computing dose times on the device.
    pub async fn time_zone(&self, name: &str) -> Result<TimeZoneData, ApiError> {
        let path = portal_core::time_zone::time_zone_path(name);
        self.send::<(), _>(Method::Get, &path, None, None).await
    }

    /// Where the person's calendar file downloads from (the session cookie goes with it), with
    /// its words in `language`.
    pub fn calendar_download_url(&self, person_id: &str, language: Language) -> String {
        self.inner.config.api_url(&format!(
            "/people/{}/calendar.ics?lang={}",
            encode_query_value(person_id),
            language.tag()
        ))
    }

    /// A new secret calendar feed address for the person (any earlier one stops working).
    pub async fn new_calendar_feed(&self, person_id: &str) -> Result<CalendarFeed, ApiError> {
        let path = format!("/people/{}/calendar-token", encode_query_value(person_id));
        let link: CalendarLink = self.send::<(), _>(Method::Post, &path, None, None).await?;
        Ok(CalendarFeed(
            self.inner.config.backend_url(&link.url, &page_origin()),
        ))
    }

    /// When the person's working calendar feed address was made (RFC 3339), if there is one.
    pub async fn calendar_feed_since(&self, person_id: &str) -> Result<Option<String>, ApiError> {
        let path = format!("/people/{}/calendar-token", encode_query_value(person_id));
        let status: CalendarFeedStatus = self.send::<(), _>(Method::Get, &path, None, None).await?;
        Ok(status.since)
    }

    /// Ends the person's calendar feed address.
    pub async fn end_calendar_feed(&self, person_id: &str) -> Result<(), ApiError> {
        let path = format!("/people/{}/calendar-token", encode_query_value(person_id));
        self.send::<(), ()>(Method::Delete, &path, None, None).await
    }

    /// The key push subscriptions are made with (public, the same for everyone).
    pub async fn push_public_key(&self) -> Result<PushPublicKey, ApiError> {
        self.send::<(), _>(Method::Get, "/push/public-key", None, None)
            .await
    }

    /// Registers (or renews) this device's push subscription for the signed-in account.
    pub async fn save_push_subscription(
        &self,
        subscription: &PushSubscriptionInput,
    ) -> Result<(), ApiError> {
        self.send(Method::Put, "/push/subscriptions", Some(subscription), None)
            .await
    }

    /// This device gets no more pushes for the account (succeeds when it had none).
    pub async fn delete_push_subscription(&self, endpoint: &str) -> Result<(), ApiError> {
        let body = PushEndpoint {
            endpoint: endpoint.to_owned(),
        };
        self.send(Method::Delete, "/push/subscriptions", Some(&body), None)
            .await
    }

    /// Sends a request, retrying safe ones after transient failures with full-jitter backoff.
    /// `idempotency_key` is sent as `Idempotency-Key` so the backend acts once however often a write is repeated.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        self.send_full(method, path, body, idempotency_key, None)
            .await
    }

    /// [`Api::send`] with an `If-Match` precondition.
    async fn send_full<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
        if_match: Option<&str>,
    ) -> Result<T, ApiError> {
        let url = self.inner.config.api_url(path);
        let body = match body {
            Some(b) => {
                Some(serde_json::to_string(b).map_err(|_| ApiError::Malformed { status: 0 })?)
            }
            None => None,
        };
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self
                .attempt::<T>(method, &url, body.as_deref(), idempotency_key, if_match)
                .await;
            match result {
                Err(e)
                    if self.inner.retry.should_retry(
                        method,
                        attempts,
                        e.is_transient(),
                        retry_after(&e),
                    ) =>
                {
                    let wait = self.inner.retry.delay_ms(attempts, js_sys::Math::random());
                    TimeoutFuture::new(wait).await;
                }
                other => {
                    // The caller builds a page from the answer: in a task of its own, not in the
                    // one that parsed it.
                    crate::view_task::yield_to_browser().await;
                    return other;
                }
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        idempotency_key: Option<&str>,
        if_match: Option<&str>,
    ) -> Result<T, ApiError> {
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        let cancel = abort_on_cleanup(&controller);
        let mut builder: RequestBuilder = match method {
            Method::Get => Request::get(url),
            Method::Post => Request::post(url),
            Method::Put => Request::put(url),
            Method::Delete => Request::delete(url),
        };
        builder = builder
            .header("Accept", "application/json, application/problem+json")
            .credentials(RequestCredentials::Include)
            .abort_signal(Some(&controller.signal()));
        if let Some(key) = idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        if let Some(version) = if_match {
            builder = builder.header("If-Match", version);
        }
        let request = match body {
            Some(b) => builder
                .header("Content-Type", "application/json")
                .body(b.to_string()),
            None => builder.build(),
        }
        .map_err(|_| ApiError::Network)?;

        let response = match within(self.inner.config.request_timeout_ms, request.send()).await {
            Some(Ok(response)) => response,
            Some(Err(_)) => {
                return Err(if cancel.cancelled() {
                    ApiError::Cancelled
                } else {
                    ApiError::Network
                })
            }
            None => {
                controller.abort();
                return Err(ApiError::Timeout);
            }
        };
        let status = response.status();
        let content_type = response.headers().get("content-type");
        let retry_after = response.headers().get("retry-after");
        let text = match response.text().await {
            Ok(t) => t,
            Err(_) if (200..300).contains(&status) => return Err(ApiError::Malformed { status }),
            Err(_) => {
                return Err(decode_error(
                    status,
                    content_type.as_deref(),
                    retry_after.as_deref(),
                    "",
                ))
            }
        };
        decode_response(
            status,
            content_type.as_deref(),
            retry_after.as_deref(),
            &text,
        )
    }
}

/// The future's output, or `None` when `ms` milliseconds pass first.
pub async fn within<T>(ms: u32, future: impl std::future::Future<Output = T>) -> Option<T> {
    match select(Box::pin(future), TimeoutFuture::new(ms)).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

fn retry_after(error: &ApiError) -> Option<u32> {
    match error {
        ApiError::Status {
            retry_after_seconds,
            ..
        } => *retry_after_seconds,
        _ => None,
    }
}

/// Tells whether a request was aborted because its component went away.
struct CancelFlag(std::rc::Rc<std::cell::Cell<bool>>);

impl CancelFlag {
    fn cancelled(&self) -> bool {
        self.0.get()
    }
}

/// Aborts the request when the reactive owner that started it is cleaned up (the person navigated away),
/// so a slow answer for a page that is gone neither wastes data nor updates a dead view.
fn abort_on_cleanup(controller: &AbortController) -> CancelFlag {
    let flag = std::rc::Rc::new(std::cell::Cell::new(false));
    if Owner::current().is_some() {
        let controller = SendWrapper::new(controller.clone());
        let set = SendWrapper::new(flag.clone());
        on_cleanup(move || {
            set.set(true);
            controller.abort();
        });
    }
    CancelFlag(flag)
}

fn reminder_path(id: &str) -> String {
    format!("/reminders/{}", encode_query_value(id))
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn studio_path(slug: &str, language: &str, action: &str) -> String {
    format!(
        "/studio/articles/{}/{}{action}",
        encode_query_value(slug),
        encode_query_value(language)
    )
}

/// The client from context.
pub fn use_api() -> Option<Api> {
    use_context::<Api>()
}

/// A person's secret calendar feed address, as a calendar app subscribes to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed(String);

impl CalendarFeed {
    /// The address with the file's words in `language`.
    pub fn url(&self, language: Language) -> String {
        format!("{}?lang={}", self.0, language.tag())
    }
}

/// Answer of `GET /push/public-key`: the VAPID key, base64url, to subscribe with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushPublicKey {
    pub public_key: String,
}

/// Body of `PUT /push/subscriptions`: the browser's `PushSubscription.toJSON()` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PushSubscriptionInput {
    pub endpoint: String,
    pub keys: PushKeys,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

/// Body of `DELETE /push/subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct PushEndpoint {
    endpoint: String,
}
