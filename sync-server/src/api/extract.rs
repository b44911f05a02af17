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
