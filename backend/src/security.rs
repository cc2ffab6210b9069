//! Security headers on every response, with a Content-Security-Policy that admits exactly the
//! inline scripts of the built pages (by hash) and nothing else inline.

use crate::AppState;
use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::RwLock,
};

/// The current policy. Each page of the app (one per bundle) brings its own inline bootstrap
/// script; the policy lists the hashes of all of them, and is rebuilt when a changed page is served,
/// so rebuilding the app while the server runs does not leave its new bootstrap script blocked.
pub struct Csp {
    extra_connect_src: Option<String>,
    state: RwLock<CspState>,
}

struct CspState {
    /// Per page: the digest of the bytes last seen and their inline-script hashes.
    pages: BTreeMap<PathBuf, (Vec<u8>, Vec<String>)>,
    header: HeaderValue,
}

impl Csp {
    /// `pages`: the app's pages already built, by path inside the static directory.
    pub fn new(api_base_url: &str, pages: &[(PathBuf, Vec<u8>)]) -> Csp {
        let extra_connect_src = absolute_origin(api_base_url);
        let pages: BTreeMap<_, _> = pages
            .iter()
            .map(|(name, html)| {
                let seen = (Sha256::digest(html).to_vec(), inline_script_hashes(html));
                (name.clone(), seen)
            })
            .collect();
        let header = build_header(&all_hashes(&pages), extra_connect_src.as_deref());
        Csp {
            extra_connect_src,
            state: RwLock::new(CspState { pages, header }),
        }
    }

    pub fn header(&self) -> HeaderValue {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .header
            .clone()
    }

    /// Recomputes the script hashes if `html` differs from what `page` held when last seen.
    pub fn refresh(&self, page: &Path, html: &[u8]) {
        let digest = Sha256::digest(html).to_vec();
        let unchanged = self
            .state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .pages
            .get(page)
            .is_some_and(|(seen, _)| *seen == digest);
        if unchanged {
            return;
        }
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        state
            .pages
            .insert(page.to_path_buf(), (digest, inline_script_hashes(html)));
        state.header = build_header(&all_hashes(&state.pages), self.extra_connect_src.as_deref());
    }
}

fn all_hashes(pages: &BTreeMap<PathBuf, (Vec<u8>, Vec<String>)>) -> Vec<String> {
    let mut hashes: Vec<String> = pages.values().flat_map(|(_, h)| h.clone()).collect();
    hashes.sort();
    hashes.dedup();
    hashes
}

fn build_header(script_hashes: &[String], connect_origin: Option<&str>) -> HeaderValue {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script_src.push_str(&format!(" 'sha256-{h}'"));
    }
    let mut connect_src = String::from("'self'");
    if let Some(origin) = connect_origin {
        connect_src.push(' ');
        connect_src.push_str(origin);
    }
    let policy = format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src {connect_src}; manifest-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    // Not `require-trusted-types-for 'script'`: Leptos builds every static part of a view from an
    // HTML string (`<template>.innerHTML`), which Trusted Types blocks, and the app would not
    // start. See SECURITY.md.
    // Hashes are base64 and the origin is checked to be plain URL characters, so this holds.
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; \
             base-uri 'none'; frame-ancestors 'none'",
        )
    })
}

/// `scheme://host[:port]` of an absolute http(s) URL; `None` for relative URLs or anything odd.
pub fn absolute_origin(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-.:[]".contains(c);
    if host.is_empty() || !host.chars().all(allowed) {
        return None;
    }
    Some(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// Base64 SHA-256 of the content of each `<script>` element without a `src` attribute, exactly as
/// written between the tags, which is what browsers hash.
pub fn inline_script_hashes(html: &[u8]) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut pos = 0;
    while let Some(start) = find(&lower, b"<script", pos) {
        let after_name = start + b"<script".len();
        // `<scripts>` or `<script-x>` are other elements.
        if !lower
            .get(after_name)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
        {
            pos = after_name;
            continue;
        }
        let Some(tag_end) = find(&lower, b">", after_name) else {
            break;
        };
        let attributes = &lower[after_name..tag_end];
        let content_start = tag_end + 1;
        let Some(close) = find(&lower, b"</script", content_start) else {
            break;
        };
        if !has_src_attribute(attributes) {
            hashes.push(STANDARD.encode(Sha256::digest(&html[content_start..close])));
        }
        pos = close + b"</script".len();
    }
    hashes
}

fn has_src_attribute(attributes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = find(attributes, b"src", i) {
        let before_ok = at == 0 || attributes[at - 1].is_ascii_whitespace();
        let after = attributes[at + 3..]
            .iter()
            .find(|c| !c.is_ascii_whitespace());
        if before_ok && matches!(after, None | Some(b'=') | Some(b'/')) {
            return true;
        }
        i = at + 3;
    }
    false
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

const FIXED_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ),
];

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, state.csp.header());
    for (name, value) in FIXED_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_only_inline_scripts() {
        let html = br#"<html><head>
<script type="module">import init from '/app.js'; init();</script>
<SCRIPT src="/x.js"></SCRIPT>
<script data-src="a">x</script>
<script
  defer src = "/y.js"></script>
</head></html>"#;
        let hashes = inline_script_hashes(html);
        let expected = [
            STANDARD.encode(Sha256::digest(b"import init from '/app.js'; init();")),
            STANDARD.encode(Sha256::digest(b"x")),
        ];
        assert_eq!(hashes, expected);
    }

    #[test]
    fn origins() {
        assert_eq!(absolute_origin("/api/v1"), None);
        assert_eq!(
            absolute_origin("https://API.example.com:8443/v1?x"),
            Some("https://api.example.com:8443".into())
        );
        assert_eq!(absolute_origin("https://evil.com; script-src *"), None);
        assert_eq!(absolute_origin("ftp://x.com"), None);
    }

    #[test]
    fn policy_shape() {
        let index = PathBuf::from("index.html");
        let csp = Csp::new(
            "https://api.example.com/v1",
            &[(index.clone(), b"<script>a</script>".to_vec())],
        );
        let h = csp.header();
        let text = h.to_str().unwrap();
        assert!(text.contains("connect-src 'self' https://api.example.com;"));
        assert!(text.contains("'sha256-"));
        assert!(!text.contains("unsafe-inline"));
        csp.refresh(&index, b"<p>no scripts</p>");
        assert!(!csp.header().to_str().unwrap().contains("'sha256-"));
    }

    #[test]
    fn policy_admits_every_pages_bootstrap() {
        let hash = |s: &[u8]| STANDARD.encode(Sha256::digest(s));
        let csp = Csp::new("/api/v1", &[]);
        csp.refresh(Path::new("index.html"), b"<script>a</script>");
        csp.refresh(Path::new("care.html"), b"<script>b</script>");
        csp.refresh(Path::new("index.html"), b"<script>a</script>");
        let text = csp.header().to_str().unwrap().to_string();
        assert!(text.contains(&hash(b"a")), "{text}");
        assert!(text.contains(&hash(b"b")), "{text}");
    }
}
