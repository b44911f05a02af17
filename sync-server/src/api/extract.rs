//! Path parameters whose refusal is the API's JSON error. axum's own
//! `Path` answers a segment it cannot decode (`%FF`: not UTF-8) with a
//! `text/plain` 400 naming the parameter; here it is a 404 `not_found` in
//! the usual `{code, message}` body, as for any other id that names nothing
//! (a malformed account id is a 404 too, see `auth::parse_doc`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::errors::ApiError;

/// The path parameters of a route (`Path(id)`, `Path((account, kind))`).
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| ApiError::not_found())
    }
}

/// A typed query string (`?owner=kari&day=2026-12-04`). A parameter that
/// does not parse, or one the route does not take, is a 400
/// `invalid_query` naming it, in the API's JSON error (axum's `Query`
/// answers `text/plain` without saying which).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let inner = e.inner().to_string();
                // an unknown parameter is named by serde's message, not the path
                let field = match e.path().to_string() {
                    p if p != "." => p,
                    _ => inner.split('`').nth(1).unwrap_or("query").to_owned(),
                };
                ApiError::bad("invalid_query", field, inner)
            })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Q {
        owner: Option<String>,
        limit: Option<u32>,
    }

    async fn parse(uri: &str) -> Result<Q, ApiError> {
        let (mut parts, ()) = Request::get(uri).body(()).expect("request").into_parts();
        Query::<Q>::from_request_parts(&mut parts, &())
            .await
            .map(|Query(q)| q)
    }

    #[tokio::test]
    async fn a_query_is_typed_and_a_bad_parameter_is_named() {
        let q = parse("/x?owner=K%C3%A5re&limit=5").await.expect("parses");
        assert_eq!((q.owner.as_deref(), q.limit), (Some("Kåre"), Some(5)));
        assert!(parse("/x").await.expect("empty").owner.is_none());
        let e = parse("/x?limit=many").await.expect_err("not a number");
        assert_eq!(e.field.as_deref(), Some("limit"));
        let e = parse("/x?colour=red").await.expect_err("unknown");
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("invalid_query", Some("colour"))
        );
    }
}
