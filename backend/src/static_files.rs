//! Serving the built app: files from the static directory, `index.html` for every other path
//! (the app routes in the browser), and caching rules that suit Trunk's content-hashed file names.

use crate::{
    first_paint,
    problem::{ApiProblem, KeepBody, RouteMiss},
    AppState, Compressible,
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use portal_core::navigation::Entry;
use std::{
    path::{Component, Path, PathBuf},
    time::UNIX_EPOCH,
};

const NO_CACHE: &str = "no-cache";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const MIN_HASH_DIGITS: usize = 12;

/// The router's fallback: API paths get a not-found problem, everything else the app.
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return api_not_found().await;
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut res = ApiProblem::method_not_allowed()
            .with_header(header::ALLOW, HeaderValue::from_static("GET,HEAD"))
            .into_response();
        res.extensions_mut().insert(RouteMiss);
        return res;
    }
    let mut res = serve(&state, req.uri().path(), req.uri().query(), req.headers()).await;
    if req.method() == Method::HEAD {
        *res.body_mut() = Body::empty();
    }
    res
}

/// The answer for API paths no route matches.
pub async fn api_not_found() -> Response {
    let mut res = ApiProblem::not_found()
        .with_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
        .into_response();
    res.extensions_mut().insert(RouteMiss);
    res
}

async fn serve(
    state: &AppState,
    url_path: &str,
    query: Option<&str>,
    request_headers: &HeaderMap,
) -> Response {
    let root = &state.settings.static_dir;
    if let Some(page) = first_paint::Page::at(url_path).map(|p| p.with_query(query)) {
        if let Some(res) = first_paint::language_chosen(&page, query) {
            return res;
        }
        let template = Entry::for_path(url_path).html_file();
        if let Some(res) = first_painted(state, template, &page, request_headers).await {
            return res;
        }
    }
    if let Some(relative) = safe_relative_path(url_path) {
        if let Some(file) = existing_file(root, &relative).await {
            return file_response(state, &file, &relative, request_headers).await;
        }
    }
    // A missing file is not a page: an old page asking for a bundle replaced by a new build must
    // see it fail, not load the app's HTML as script or styles. No page's address but the HTML
    // files themselves has a dot in its last part (slugs and ids are letters, digits and dashes).
    let last = url_path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') && !last.ends_with(".html") {
        return missing_file();
    }
    // Any other address is a page of the app: the bundle that owns it, or the main one when that
    // bundle was not built.
    let owner = Entry::for_path(url_path).html_file();
    for page in [owner, Entry::Patient.html_file()] {
        let file = root.join(page);
        if matches!(tokio::fs::metadata(&file).await, Ok(m) if m.is_file()) {
            return file_response(state, &file, Path::new(page), request_headers).await;
        }
    }
    not_built(root)
}

/// A public page with its content written in (see [`first_paint`]); `None` to serve it plain.
async fn first_painted(
    state: &AppState,
    template: &str,
    page: &first_paint::Page,
    request_headers: &HeaderMap,
) -> Option<Response> {
    let relative = Path::new(template);
    let template = tokio::fs::read(state.settings.static_dir.join(relative))
        .await
        .ok()?;
    // The policy lists the hashes of the template's inline scripts, which the page keeps as they are.
    state.csp.refresh(relative, &template);
    let template = String::from_utf8(template).ok()?;
    let html = first_paint::write(state, &template, page, request_headers).await?;
    let res = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Written for this reader (language, signed in or not): no shared cache may keep it,
            // and a page with their name in it is not kept at all.
            (
                header::CACHE_CONTROL,
                if *page == first_paint::Page::Today {
                    "no-store"
                } else {
                    "private, no-cache"
                },
            ),
            (header::VARY, "accept-encoding, accept-language, cookie"),
        ],
        html,
    )
        .into_response();
    Some(Compressible::mark(res))
}

fn missing_file() -> Response {
    let mut res = (
        StatusCode::NOT_FOUND,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "There is no such file.\n",
    )
        .into_response();
    res.extensions_mut().insert(KeepBody);
    res
}

fn not_built(root: &Path) -> Response {
    let text = format!(
        "The portal app is not built: {} has no index.html.\n\
         Build it (trunk build) or start the backend with --static-dir pointing at the built app.\n\
         The API under /api/v1 works regardless.\n",
        root.display()
    );
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response();
    res.extensions_mut().insert(KeepBody);
    res
}

/// The URL path as a path inside the static directory, or `None` if it could step outside it
/// or names a hidden file.
pub fn safe_relative_path(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut out = PathBuf::new();
    for segment in decoded.split('/') {
        if segment.is_empty() {
            continue;
        }
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        let as_path = Path::new(segment);
        if !matches!(as_path.components().next(), Some(Component::Normal(_)))
            || as_path.components().count() != 1
        {
            return None;
        }
        out.push(segment);
    }
    if out.as_os_str().is_empty() {
        out.push("index.html");
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn existing_file(root: &Path, relative: &Path) -> Option<PathBuf> {
    let candidate = root.join(relative);
    let meta = tokio::fs::metadata(&candidate).await.ok()?;
    if !meta.is_file() {
        return None;
    }
    // Refuse symlinks that lead out of the static directory.
    let canonical_root = tokio::fs::canonicalize(root).await.ok()?;
    let canonical = tokio::fs::canonicalize(&candidate).await.ok()?;
    canonical.starts_with(&canonical_root).then_some(candidate)
}

async fn file_response(
    state: &AppState,
    file: &Path,
    relative: &Path,
    request_headers: &HeaderMap,
) -> Response {
    let is_page = is_page(relative);
    let encoding = match pick_encoding(request_headers) {
        Some(enc) => precompressed(file, enc).await.map(|path| (enc, path)),
        None => None,
    };
    let sent_file = encoding.as_ref().map_or(file, |(_, path)| path.as_path());
    let meta = match tokio::fs::metadata(sent_file).await {
        Ok(m) => m,
        Err(_) => return not_built(&state.settings.static_dir),
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let suffix = encoding.as_ref().map_or("", |(enc, _)| enc.token());
    let etag = format!("\"{:x}-{:x}{suffix}\"", meta.len(), modified);
    let cache = if !is_page && is_hashed_asset(relative) {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(relative)),
    );
    // Caches must keep the encodings apart even for files that have no compressed copy yet.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some((enc, _)) = &encoding {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(enc.token()),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }

    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    if is_page {
        // The policy must list the hashes of the pages actually sent, compressed or not.
        match tokio::fs::read(file).await {
            Ok(page) => state.csp.refresh(relative, &page),
            Err(e) => {
                tracing::error!(error = %e, file = %file.display(), "cannot read page");
                return ApiProblem::internal().into_response();
            }
        }
    }
    if not_modified {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    match tokio::fs::read(sent_file).await {
        Ok(bytes) => (StatusCode::OK, headers, bytes).into_response(),
        Err(e) => {
            tracing::error!(error = %e, file = %sent_file.display(), "cannot read static file");
            ApiProblem::internal().into_response()
        }
    }
}

/// An HTML page of the app: never cached without asking, and its inline scripts go into the policy.
fn is_page(relative: &Path) -> bool {
    relative.parent() == Some(Path::new(""))
        && Entry::ALL
            .iter()
            .any(|e| relative.as_os_str() == e.html_file())
}

/// A compressed copy the build made beside a file (`x.wasm.br`, `x.wasm.gz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }
}

/// The best encoding the browser accepts: brotli, then gzip; `None` for identity. A `q=0` refuses
/// one explicitly.
pub fn pick_encoding(request_headers: &HeaderMap) -> Option<Encoding> {
    let accepts = |wanted: &str| {
        request_headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or_default().trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                name.eq_ignore_ascii_case(wanted) && !refused
            })
    };
    if accepts("br") {
        Some(Encoding::Brotli)
    } else if accepts("gzip") {
        Some(Encoding::Gzip)
    } else {
        None
    }
}

async fn precompressed(file: &Path, encoding: Encoding) -> Option<PathBuf> {
    let mut name = file.file_name()?.to_os_string();
    name.push(".");
    name.push(encoding.extension());
    let candidate = file.with_file_name(name);
    let meta = tokio::fs::metadata(&candidate).await.ok()?;
    meta.is_file().then_some(candidate)
}

/// Trunk names built files `name-<hash>[_bg].ext`, and puts snippets under
/// `snippets/<crate>-<hash>/`; such names change whenever the content does. The hash is a 64-bit
/// value printed without leading zeros, so it is usually 16 hex digits but sometimes fewer;
/// 12 or more still rules out ordinary names such as `main-2024.css`.
pub fn is_hashed_asset(relative: &Path) -> bool {
    let mut parts = relative.iter().filter_map(|p| p.to_str()).peekable();
    while let Some(part) = parts.next() {
        let is_file = parts.peek().is_none();
        let stem = if is_file {
            match part.rsplit_once('.') {
                Some((stem, _ext)) => stem,
                None => continue,
            }
        } else {
            part
        };
        let stem = stem.strip_suffix("_bg").unwrap_or(stem);
        if let Some((_, hash)) = stem.rsplit_once('-') {
            if hash.len() >= MIN_HASH_DIGITS && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return true;
            }
        }
    }
    false
}

pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        for p in [
            "patient-portal-1a2b3c4d5e6f7a8b.js",
            "patient-portal-1a2b3c4d5e6f7a8b_bg.wasm",
            "main-0123456789abcdef0123.css",
            "snippets/patient-portal-0123456789abcdef/inline0.js",
            "tokens-7843e460330b660.css",
        ] {
            assert!(is_hashed_asset(Path::new(p)), "{p}");
        }
        for p in [
            "index.html",
            "favicon.ico",
            "main-1234.css",
            "patient-portal-1a2b3c4d5e6f7a8g.js",
            "manifest.webmanifest",
        ] {
            assert!(!is_hashed_asset(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn paths_stay_inside() {
        assert_eq!(safe_relative_path("/"), Some(PathBuf::from("index.html")));
        assert_eq!(
            safe_relative_path("/a/b%20c.js"),
            Some(PathBuf::from("a/b c.js"))
        );
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/x",
            "/.git/config",
            "/a/..%2f..",
            "/%zz",
            "/a%5cb",
        ] {
            assert_eq!(safe_relative_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn encodings() {
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            pick_encoding(&h)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Some(Encoding::Brotli));
        assert_eq!(with("gzip"), Some(Encoding::Gzip));
        assert_eq!(with("br;q=0, gzip;q=0.5"), Some(Encoding::Gzip));
        assert_eq!(with("BR"), Some(Encoding::Brotli));
        assert_eq!(with("identity"), None);
        assert_eq!(with("gzip;q=0"), None);
        assert_eq!(pick_encoding(&HeaderMap::new()), None);
    }

    #[test]
    fn pages() {
        for p in ["index.html", "care.html", "studio.html"] {
            assert!(is_page(Path::new(p)), "{p}");
        }
        for p in ["assets/index.html", "other.html", "care.html.br"] {
            assert!(!is_page(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        assert!(content_type(Path::new("a.JS")).starts_with("text/javascript"));
    }
}
