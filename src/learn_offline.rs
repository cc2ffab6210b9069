//! Articles kept on this device for reading without a network: the ones opened recently and the ones
//! the reader saved. Which articles a person reads can hint at their health, so the copies are wiped
//! at sign-out with everything else personal.

use portal_core::learn::ArticlePage;
use serde::{Deserialize, Serialize};

use crate::device_store::{self, keys};

/// Recently opened articles kept besides the saved ones.
const RECENT_LIMIT: usize = 12;

/// One article kept on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfflineArticle {
    pub slug: String,
    pub language: String,
    pub saved: bool,
    pub opened_at_ms: i64,
    pub page: ArticlePage,
}

/// Everything kept, newest first.
pub async fn list() -> Vec<OfflineArticle> {
    match device_store::get(keys::LEARN_OFFLINE).await {
        Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
        _ => Vec::new(),
    }
}

async fn store(list: &[OfflineArticle]) {
    if let Ok(text) = serde_json::to_string(list) {
        let _ = device_store::put(keys::LEARN_OFFLINE, &text).await;
    }
}

/// The copy of `slug` in `language`, if one is kept that can be shown (an incomplete copy, kept by
/// an older version, is refreshed when the article is next opened online).
pub async fn find(slug: &str, language: &str) -> Option<OfflineArticle> {
    list()
        .await
        .into_iter()
        .find(|a| a.slug == slug && a.language == language && a.page.is_complete())
}

/// Keeps (or refreshes) the copy of an article just read, and drops the oldest unsaved ones.
pub async fn remember(slug: &str, language: &str, page: &ArticlePage) {
    let mut all = list().await;
    let saved = all
        .iter()
        .any(|a| a.slug == slug && a.language == language && a.saved);
    all.retain(|a| !(a.slug == slug && a.language == language));
    all.insert(
        0,
        OfflineArticle {
            slug: slug.to_owned(),
            language: language.to_owned(),
            saved,
            opened_at_ms: js_sys::Date::now() as i64,
            page: page.clone(),
        },
    );
    let mut recent = 0;
    all.retain(|a| {
        if a.saved {
            return true;
        }
        recent += 1;
        recent <= RECENT_LIMIT
    });
    store(&all).await;
}

/// Marks the kept copy as saved (kept however many others are read) or not.
pub async fn set_saved(slug: &str, language: &str, saved: bool) {
    let mut all = list().await;
    for a in all
        .iter_mut()
        .filter(|a| a.slug == slug && a.language == language)
    {
        a.saved = saved;
    }
    store(&all).await;
}
