//! Deployment settings, fetched once at start so one build serves any deployment.

use gloo_net::http::Request;
use portal_core::api::RuntimeConfig;

/// Where the deployment's settings live, next to `index.html`.
pub const CONFIG_PATH: &str = "/config.json";

/// How long to wait for the settings before showing the error page.
const LOAD_TIMEOUT_MS: u32 = 15_000;

/// Why the app cannot start: shown on the error page, with the technical detail for support staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Unreachable,
    TimedOut,
    Missing(u16),
    Invalid(String),
}

impl ConfigError {
    pub fn detail(&self) -> String {
        match self {
            ConfigError::Unreachable => {
                format!("{CONFIG_PATH} could not be fetched (network error)")
            }
            ConfigError::TimedOut => {
                format!("{CONFIG_PATH} did not answer within {LOAD_TIMEOUT_MS} ms")
            }
            ConfigError::Missing(status) => format!("{CONFIG_PATH} answered HTTP {status}"),
            ConfigError::Invalid(why) => format!("{CONFIG_PATH} is invalid: {why}"),
        }
    }
}

/// Reads and checks the settings.
pub async fn load() -> Result<RuntimeConfig, ConfigError> {
    // Without an answer the app cannot start; show the error page rather than "Loading" forever.
    let text = fetch_app_file(CONFIG_PATH, LOAD_TIMEOUT_MS)
        .await
        .map_err(|e| match e {
            AppFileError::Unreachable => ConfigError::Unreachable,
            AppFileError::TimedOut => ConfigError::TimedOut,
            AppFileError::Status(status) => ConfigError::Missing(status),
        })?;
    parse(&text)
}

/// Why a file served with the app could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppFileError {
    Unreachable,
    TimedOut,
    Status(u16),
}

/// A JSON file served with the app rather than by the API (the settings, a language's texts), as
/// text, within `timeout_ms`.
pub async fn fetch_app_file(path: &str, timeout_ms: u32) -> Result<String, AppFileError> {
    let request = Request::get(path)
        .header("Accept", "application/json")
        .send();
    let response = match crate::api::within(timeout_ms, request).await {
        Some(Ok(response)) => response,
        Some(Err(_)) => return Err(AppFileError::Unreachable),
        None => return Err(AppFileError::TimedOut),
    };
    if !response.ok() {
        return Err(AppFileError::Status(response.status()));
    }
    response.text().await.map_err(|_| AppFileError::Unreachable)
}

/// Parses and validates the settings file's text.
pub fn parse(text: &str) -> Result<RuntimeConfig, ConfigError> {
    let config: RuntimeConfig =
        serde_json::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    config.validate().map_err(ConfigError::Invalid)?;
    Ok(config)
}
