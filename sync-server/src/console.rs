//! The web console: static files from `sync-server/console/`, embedded in the
//! binary at compile time (rust-embed, also in debug builds) and served at `/`.
//!
//! Mounted as the router's fallback, so every route of the server (`/api`,
//! `/sync`, `/healthz`, `/metrics`) wins over it. A path that names an asset
//! gets that asset with its content type; any other `GET` outside `/api/`
//! gets `index.html`, so the console's own paths (e.g. `/accounts/…`) survive
//! a reload. An unknown `/api/…` path stays a JSON 404.
//!
//! Caching: the file names carry no hash, so every response is `no-cache`
//! with a strong `ETag` (the file's SHA-256): the browser revalidates and gets
//! `304 Not Modified` while the binary has not changed.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "console/"]
struct Assets;

const INDEX: &str = "index.html";

/// The fallback handler: an embedded asset, `index.html`, or a 404.
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if is_server_path(path) {
        return not_found();
    }
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let name = path.trim_start_matches('/');
    let file = match Assets::get(name) {
        Some(f) if !name.is_empty() => f,
        // a console path (or a missing asset without an extension): the app
        _ if !looks_like_file(name) => match Assets::get(INDEX) {
            Some(f) => f,
            None => return not_found(),
        },
        _ => return not_found(),
    };
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut resp = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = file.data.into_owned().into_response();
        let mime = file.metadata.mimetype();
        if let Ok(v) = HeaderValue::from_str(mime) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        r
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // the console loads nothing from elsewhere (no CDN), and says so
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; \
             script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    resp
}

/// Paths the server owns: never answered with the console.
fn is_server_path(path: &str) -> bool {
    ["/api", "/sync", "/healthz", "/metrics"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Whether the last path segment has an extension (`app.js`): such a path is
/// a missing asset, not a console route.
fn looks_like_file(name: &str) -> bool {
    name.rsplit('/').next().is_some_and(|seg| seg.contains('.'))
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"code": "not_found", "message": "no such resource"})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_paths_are_not_console_paths() {
        assert!(is_server_path("/api"));
        assert!(is_server_path("/api/nope"));
        assert!(is_server_path("/sync"));
        assert!(is_server_path("/metrics"));
        assert!(!is_server_path("/apiary"));
        assert!(!is_server_path("/accounts/abc"));
    }

    #[test]
    fn the_index_and_every_module_are_embedded() {
        assert!(Assets::get(INDEX).is_some());
        assert!(Assets::get("js/app.js").is_some());
        assert!(Assets::get("app.css").is_some());
    }

    #[test]
    fn file_like_paths_are_told_from_routes() {
        assert!(looks_like_file("js/missing.js"));
        assert!(!looks_like_file("accounts/1Bhh3pU9gLXZiNDL6PEa1Gs9fh"));
        assert!(!looks_like_file(""));
    }
}
