//! Settings of a running backend, read from command-line flags and environment variables.

use portal_core::api::{RuntimeConfig, API_PREFIX};
use std::{net::SocketAddr, path::PathBuf};

/// What the router needs to know about its deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Directory holding the built app (`index.html` and its assets).
    pub static_dir: PathBuf,
    /// Served as `/config.json`.
    pub runtime: RuntimeConfig,
    /// A session ends after this long without an authenticated request.
    pub session_idle_timeout_seconds: u32,
    /// A session ends this long after sign-in, however active.
    pub session_absolute_lifetime_seconds: u32,
    /// Add each demo account the database does not have yet (matched by email).
    pub seed_demo_users: bool,
    /// Web Push for dose reminders.
    pub push: crate::push::PushSettings,
    /// Origins besides the API's own from which browsers may send state-changing API requests:
    /// for deployments that serve the app from another origin than the API (see `csrf`).
    pub allowed_origins: Vec<String>,
}

pub const DEFAULT_SESSION_IDLE_TIMEOUT_SECONDS: u32 = 15 * 60;
pub const DEFAULT_SESSION_ABSOLUTE_LIFETIME_SECONDS: u32 = 12 * 60 * 60;

impl Settings {
    pub fn new(static_dir: impl Into<PathBuf>) -> Settings {
        Settings {
            static_dir: static_dir.into(),
            runtime: default_runtime_config(),
            session_idle_timeout_seconds: DEFAULT_SESSION_IDLE_TIMEOUT_SECONDS,
            session_absolute_lifetime_seconds: DEFAULT_SESSION_ABSOLUTE_LIFETIME_SECONDS,
            seed_demo_users: true,
            push: crate::push::PushSettings::default(),
            allowed_origins: Vec::new(),
        }
    }
}

pub fn default_runtime_config() -> RuntimeConfig {
    RuntimeConfig {
        api_base_url: API_PREFIX.to_owned(),
        medical_information_phone: "+44 800 000 0000".to_owned(),
        medical_information_email: "medinfo@example.com".to_owned(),
        emergency_number: "112".to_owned(),
        idle_sign_out_minutes: 15,
        privacy_notice_url: "/privacy".to_owned(),
        request_timeout_ms: 10_000,
    }
}

/// Everything `main` needs to start serving.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    pub settings: Settings,
}

#[derive(Debug)]
pub enum Command {
    Run(Box<ServerOptions>),
    Help,
}

pub const USAGE: &str = "\
portal-backend: reference backend of the patient portal

USAGE:
    portal-backend [--addr HOST:PORT] [--db FILE] [--static-dir DIR]

FLAGS (each overrides its environment variable):
    --addr HOST:PORT    PORTAL_ADDR          listen address (default 127.0.0.1:8080)
    --db FILE           PORTAL_DB            SQLite file, parent directory is created
                                             (default data/portal.sqlite3)
    --static-dir DIR    PORTAL_STATIC_DIR    built app to serve (default dist)
    -h, --help                               print this help

RUNTIME CONFIGURATION (served as /config.json):
    PORTAL_API_BASE_URL            default /api/v1
    PORTAL_MI_PHONE                default +44 800 000 0000
    PORTAL_MI_EMAIL                default medinfo@example.com
    PORTAL_EMERGENCY_NUMBER        default 112
    PORTAL_IDLE_SIGN_OUT_MINUTES   default 15
    PORTAL_PRIVACY_URL             default /privacy     
    PORTAL_REQUEST_TIMEOUT_MS      default 10000

WEB PUSH (dose reminders):
    PORTAL_PUSH_CONTACT            VAPID contact, mailto: or https:
                                   (default mailto:security@example.com)
    PORTAL_VAPID_PRIVATE_KEY       VAPID private key, base64url of 32 bytes
                                   (default: made once, kept in the database)

SECURITY:
    PORTAL_ALLOWED_ORIGINS         extra origins (comma-separated, such as
                                   https://portal.example.com) allowed to send
                                   state-changing API requests; needed only when
                                   the app is served from another origin than
                                   the API, or a proxy rewrites the Host header

Logging follows RUST_LOG (default info).
";

/// Reads flags (`--name value` or `--name=value`), falling back to `env`, then to defaults.
pub fn parse<I, E>(args: I, env: E) -> Result<Command, String>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let mut addr = env("PORTAL_ADDR");
    let mut db = env("PORTAL_DB");
    let mut static_dir = env("PORTAL_STATIC_DIR");

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let slot = match name.as_str() {
            "--addr" => &mut addr,
            "--db" => &mut db,
            "--static-dir" => &mut static_dir,
            _ => return Err(format!("unknown argument {arg:?}\n\n{USAGE}")),
        };
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))?,
        };
        *slot = Some(value);
    }

    let addr_text = addr.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let addr: SocketAddr = addr_text.parse().map_err(|_| {
        format!("invalid listen address {addr_text:?}, expected HOST:PORT such as 127.0.0.1:8080")
    })?;

    let defaults = default_runtime_config();
    let runtime = RuntimeConfig {
        api_base_url: env("PORTAL_API_BASE_URL").unwrap_or(defaults.api_base_url),
        medical_information_phone: env("PORTAL_MI_PHONE")
            .unwrap_or(defaults.medical_information_phone),
        medical_information_email: env("PORTAL_MI_EMAIL")
            .unwrap_or(defaults.medical_information_email),
        emergency_number: env("PORTAL_EMERGENCY_NUMBER").unwrap_or(defaults.emergency_number),
        idle_sign_out_minutes: parse_number(
            &env,
            "PORTAL_IDLE_SIGN_OUT_MINUTES",
            defaults.idle_sign_out_minutes,
        )?,
        privacy_notice_url: env("PORTAL_PRIVACY_URL").unwrap_or(defaults.privacy_notice_url),
        request_timeout_ms: parse_number(
            &env,
            "PORTAL_REQUEST_TIMEOUT_MS",
            defaults.request_timeout_ms,
        )?,
    };
    runtime
        .validate()
        .map_err(|e| format!("invalid runtime configuration: {e}"))?;

    let allowed_origins = match env("PORTAL_ALLOWED_ORIGINS") {
        None => Vec::new(),
        Some(list) => parse_origins(&list)?,
    };

    let mut settings = Settings::new(static_dir.unwrap_or_else(|| "dist".to_owned()));
    // One setting for both sides: the server ends an idle session exactly when the app signs out.
    settings.session_idle_timeout_seconds = runtime.idle_sign_out_minutes.saturating_mul(60);
    settings.runtime = runtime;
    if let Some(contact) = env("PORTAL_PUSH_CONTACT") {
        if !crate::push::is_contact(contact.trim()) {
            return Err(format!(
                "PORTAL_PUSH_CONTACT must be a mailto: or https: address, got {contact:?}"
            ));
        }
        settings.push.contact = contact.trim().to_owned();
    }
    if let Some(key) = env("PORTAL_VAPID_PRIVATE_KEY") {
        // The value itself is never echoed: it is a secret.
        let key = crate::push::parse_private_key(&key)
            .map_err(|e| format!("PORTAL_VAPID_PRIVATE_KEY is unusable: it {e}"))?;
        settings.push.vapid_private_key = Some(key);
    }
    settings.allowed_origins = allowed_origins;
    Ok(Command::Run(Box::new(ServerOptions {
        addr,
        db_path: PathBuf::from(db.unwrap_or_else(|| "data/portal.sqlite3".to_owned())),
        settings,
    })))
}

/// `scheme://host[:port]` for each comma-separated entry; anything else (a path, a wildcard, a
/// typo) is refused at start-up rather than silently admitting nothing, or everything.
fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| match crate::security::absolute_origin(entry) {
            Some(origin) if origin == entry.trim_end_matches('/').to_ascii_lowercase() => Ok(origin),
            _ => Err(format!(
                "PORTAL_ALLOWED_ORIGINS entries must be origins such as https://portal.example.com, got {entry:?}"
            )),
        })
        .collect()
}

fn parse_number<E: Fn(&str) -> Option<String>>(
    env: &E,
    name: &str,
    default: u32,
) -> Result<u32, String> {
    match env(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number, got {v:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(args: &[&str], env: &[(&str, &str)]) -> Result<ServerOptions, String> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match parse(args.iter().map(|s| s.to_string()), |k| env.get(k).cloned())? {
            Command::Run(o) => Ok(*o),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[], &[]).unwrap();
        assert_eq!(o.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(o.db_path, PathBuf::from("data/portal.sqlite3"));
        assert_eq!(o.settings.static_dir, PathBuf::from("dist"));
        assert_eq!(o.settings.runtime.api_base_url, "/api/v1");
        assert_eq!(o.settings.runtime.emergency_number, "112");
        assert_eq!(o.settings.runtime.idle_sign_out_minutes, 15);
        assert_eq!(o.settings.runtime.privacy_notice_url, "/privacy");
        assert_eq!(o.settings.push.contact, "mailto:security@example.com");
        assert!(o.settings.push.vapid_private_key.is_none());
        assert!(!o.settings.push.allow_loopback_http);
        assert_eq!(o.settings.session_idle_timeout_seconds, 15 * 60);
        assert_eq!(o.settings.session_absolute_lifetime_seconds, 12 * 60 * 60);
        assert!(o.settings.allowed_origins.is_empty());
    }

    #[test]
    fn one_idle_setting_for_app_and_server() {
        let o = run(&[], &[("PORTAL_IDLE_SIGN_OUT_MINUTES", "5")]).unwrap();
        assert_eq!(o.settings.runtime.idle_sign_out_minutes, 5);
        assert_eq!(o.settings.session_idle_timeout_seconds, 5 * 60);
    }

    #[test]
    fn allowed_origins_are_origins() {
        let o = run(
            &[],
            &[(
                "PORTAL_ALLOWED_ORIGINS",
                " https://Portal.example.com , http://localhost:8080/,",
            )],
        )
        .unwrap();
        assert_eq!(
            o.settings.allowed_origins,
            ["https://portal.example.com", "http://localhost:8080"]
        );
        for bad in ["*", "portal.example.com", "https://x.com/app", "null"] {
            assert!(
                run(&[], &[("PORTAL_ALLOWED_ORIGINS", bad)]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn flags_override_env() {
        let o = run(
            &[
                "--addr",
                "0.0.0.0:9000",
                "--db=/tmp/x.db",
                "--static-dir",
                "site",
            ],
            &[("PORTAL_ADDR", "127.0.0.1:1"), ("PORTAL_DB", "y.db")],
        )
        .unwrap();
        assert_eq!(o.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(o.db_path, PathBuf::from("/tmp/x.db"));
        assert_eq!(o.settings.static_dir, PathBuf::from("site"));
    }

    #[test]
    fn env_fills_runtime_config() {
        let o = run(
            &[],
            &[
                ("PORTAL_API_BASE_URL", "https://api.example.com/v1"),
                ("PORTAL_MI_PHONE", "0800 1"),
                ("PORTAL_MI_EMAIL", "mi@example.com"),
                ("PORTAL_EMERGENCY_NUMBER", "911"),
                ("PORTAL_IDLE_SIGN_OUT_MINUTES", "5"),
                ("PORTAL_PRIVACY_URL", "https://example.com/privacy"),
                ("PORTAL_STATIC_DIR", "public"),
            ],
        )
        .unwrap();
        let r = &o.settings.runtime;
        assert_eq!(r.api_base_url, "https://api.example.com/v1");
        assert_eq!(r.medical_information_phone, "0800 1");
        assert_eq!(r.medical_information_email, "mi@example.com");
        assert_eq!(r.emergency_number, "911");
        assert_eq!(r.idle_sign_out_minutes, 5);
        assert_eq!(r.privacy_notice_url, "https://example.com/privacy");
        assert_eq!(o.settings.static_dir, PathBuf::from("public"));
    }

    #[test]
    fn env_sets_web_push() {
        let key = crate::web_push::VapidKey::generate();
        let text = crate::web_push::encode_base64url(&key.private_bytes());
        let o = run(
            &[],
            &[
                ("PORTAL_PUSH_CONTACT", "https://example.com/contact"),
                ("PORTAL_VAPID_PRIVATE_KEY", &text),
            ],
        )
        .unwrap();
        assert_eq!(o.settings.push.contact, "https://example.com/contact");
        assert_eq!(o.settings.push.vapid_private_key, Some(key.private_bytes()));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(run(&["--addr", "nope"], &[]).is_err());
        assert!(run(&["--db"], &[]).is_err());
        assert!(run(&["--what"], &[]).is_err());
        assert!(run(&[], &[("PORTAL_IDLE_SIGN_OUT_MINUTES", "x")]).is_err());
        assert!(run(&[], &[("PORTAL_IDLE_SIGN_OUT_MINUTES", "0")]).is_err());
        assert!(run(&[], &[("PORTAL_API_BASE_URL", "javascript:x")]).is_err());
        assert!(run(&[], &[("PORTAL_PUSH_CONTACT", "security@example.com")]).is_err());
        let secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let err = run(&[], &[("PORTAL_VAPID_PRIVATE_KEY", secret)]).unwrap_err();
        assert!(!err.contains(secret), "{err}");
        assert_eq!(run(&["--help"], &[]).unwrap_err(), "help");
    }
}
