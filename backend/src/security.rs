//! Security headers on every response, with a Content-Security-Policy that admits exactly the
//! inline scripts of the built `index.html` (by hash) and nothing else inline.

use crate::AppState;
use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};
use std::sync::RwLock;

/// The current policy. It is rebuilt when a changed `index.html` is served, so rebuilding the app
/// while the server runs does not leave its new bootstrap script blocked.
pub struct Csp {
    extra_connect_src: Option<String>,
    state: RwLock<CspState>,
}

struct CspState {
    index_digest: Option<Vec<u8>>,
    header: HeaderValue,
}

impl Csp {
    pub fn new(api_base_url: &str, index_html: Option<&[u8]>) -> Csp {
        let extra_connect_src = absolute_origin(api_base_url);
        let header = build_header(
            &index_html.map(inline_script_hashes).unwrap_or_default(),
            extra_connect_src.as_deref(),
        );
        Csp {
            extra_connect_src,
            state: RwLock::new(CspState {
                index_digest: index_html.map(|h| Sha256::digest(h).to_vec()),
                header,
            }),
        }
    }

    pub fn header(&self) -> HeaderValue {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .header
            .clone()
    }

    /// Recomputes the script hashes if `index_html` differs from the page the policy was built for.
    pub fn refresh(&self, index_html: &[u8]) {
        let digest = Sha256::digest(index_html).to_vec();
        if self
            .state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .index_digest
            .as_deref()
            == Some(digest.as_slice())
        {
            return;
        }
        let header = build_header(
            &inline_script_hashes(index_html),
            self.extra_connect_src.as_deref(),
        );
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        state.index_digest = Some(digest);
        state.header = header;
    }
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
        let csp = Csp::new("https://api.example.com/v1", Some(b"<script>a</script>"));
        let h = csp.header();
        let text = h.to_str().unwrap();
        assert!(text.contains("connect-src 'self' https://api.example.com;"));
        assert!(text.contains("'sha256-"));
        assert!(!text.contains("unsafe-inline"));
        csp.refresh(b"<p>no scripts</p>");
        assert!(!csp.header().to_str().unwrap().contains("'sha256-"));
    }
}
