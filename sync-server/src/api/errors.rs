//! The API's error type: an HTTP status and JSON
//! `{"code": "<stable_snake_case>", "message": "<human>", "field": "<path>"}`.
//! `field` names the offending input on 400s. Messages never carry internal
//! details or personal data (ids only); unexpected failures are logged and
//! answered with a bare `internal`.

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use outpost_core::CoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// An API error.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

/// The JSON body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_field`.
    pub code: String,
    /// Human-readable explanation (no internal details).
    pub message: String,
    /// JSON path of the offending input field (400 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// 400 naming the offending field.
    pub fn bad(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::new(StatusCode::BAD_REQUEST, code, message)
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "not found")
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_owned(),
            message: self.message,
            field: self.field,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::DocumentNotFound(_)
            | CoreError::RecordNotFound { .. }
            | CoreError::InvalidDocumentId => Self::not_found(),
            CoreError::NoSuchConflict { field, .. } => Self::new(
                StatusCode::NOT_FOUND,
                "no_such_conflict",
                format!("no open conflict on field {field}"),
            ),
            CoreError::RecordExists { kind, .. } => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("a {kind} with this id already exists"),
            ),
            CoreError::Invalid(msg) => Self::new(StatusCode::BAD_REQUEST, "invalid_request", msg),
            CoreError::InvalidField { field, reason, .. } => {
                let message = format!("{field} {reason}");
                Self::bad("invalid_value", field, message)
            }
            CoreError::SchemaViolation { reason, .. } => {
                Self::new(StatusCode::BAD_REQUEST, "schema_violation", reason)
            }
            // names the part and line of the template, never a merged value
            CoreError::Template(e) => Self::bad("invalid_template", e.field(), e.to_string()),
            other => {
                // core errors name documents and records by id only
                tracing::error!(error = %other, "api: store");
                Self::internal()
            }
        }
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(e: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError;
        match e {
            AuthError::NoSuchUser => {
                Self::new(StatusCode::NOT_FOUND, "no_such_user", "no such user")
            }
            AuthError::LastAdmin => Self::new(
                StatusCode::CONFLICT,
                "last_admin",
                "the last admin cannot be removed",
            ),
            AuthError::UserExists => {
                Self::new(StatusCode::CONFLICT, "user_exists", "user already exists")
            }
            AuthError::NoSuchToken => {
                Self::new(StatusCode::NOT_FOUND, "no_such_token", "no such token")
            }
            AuthError::InvalidTokenRef => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_token_id",
                format!("expected {}", crate::auth::TOKEN_REF_FORM),
            ),
            AuthError::Sqlite(err) => {
                tracing::error!(error = %err, "api: auth database");
                Self::internal()
            }
            AuthError::Migration(err) => {
                tracing::error!(error = %err, "api: auth database migration");
                Self::internal()
            }
        }
    }
}

impl From<crate::access::ScopeError> for ApiError {
    fn from(e: crate::access::ScopeError) -> Self {
        match e {
            crate::access::ScopeError::Auth(a) => a.into(),
            crate::access::ScopeError::Store(s) => s.into(),
        }
    }
}

/// Turns a serde error at `path` into a 400 naming the field.
pub fn field_error(path: &str, err: &(impl std::fmt::Display + ?Sized)) -> ApiError {
    let msg = err.to_string();
    // "missing field `name`" is reported at the parent; name the field itself
    let field = match msg.split('`').nth(1) {
        Some(name) if msg.starts_with("missing field") => {
            if path == "." || path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        }
        _ if path == "." || path.is_empty() => String::new(),
        _ => path.to_owned(),
    };
    let message = without_input(msg.split(" at line ").next().unwrap_or(&msg));
    if field.is_empty() {
        return ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", message);
    }
    ApiError::bad("invalid_field", field, message)
}

/// A serde message without the input's text: serde quotes what it was
/// given (`invalid type: string "kari@example.com", expected …`, ``unknown
/// variant `x` ``), and that may be personal data. What it expected is kept:
/// that comes from the schema, never from the input.
pub fn without_input(msg: &str) -> String {
    let (head, expected) = match msg.split_once(", expected ") {
        Some((h, e)) => (h, Some(e)),
        None => (msg, None),
    };
    // the kind of problem: what comes before the first quote or colon
    let kind = head
        .split([':', '`', '"'])
        .next()
        .unwrap_or("invalid value")
        .trim();
    let kind = match kind {
        "" => "invalid value",
        k if k.starts_with("unknown variant") => "unknown value",
        k => k,
    };
    match expected {
        Some(e) => format!("{kind}, expected {e}"),
        None if head.contains(['`', '"']) => kind.to_owned(),
        None => head.to_owned(),
    }
}

/// Deserialises a JSON value into `T`, naming the offending field on error.
pub fn from_value<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(|e| field_error(&e.path().to_string(), e.inner()))
}

/// A JSON request body whose errors name the offending field.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "request body too large (server flag --max-body-bytes)",
                )
            })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value: T = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| field_error(&e.path().to_string(), e.inner()))?;
        Ok(Body(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        role: crate::auth::Role,
        n: Option<i64>,
    }

    #[test]
    fn serde_messages_never_echo_the_input() {
        for body in [
            r#"{"role": "kari.nordmann@example.com"}"#,
            r#"{"role": "viewer", "n": "kari.nordmann@example.com"}"#,
            r#"{"role": 5, "n": "+47 912 34 567"}"#,
        ] {
            let mut de = serde_json::Deserializer::from_str(body);
            let err = serde_path_to_error::deserialize::<_, Probe>(&mut de).unwrap_err();
            let e = field_error(&err.path().to_string(), err.inner());
            assert!(!e.message.contains("kari"), "{}", e.message);
            assert!(!e.message.contains("912"), "{}", e.message);
            assert!(e.field.is_some(), "{body}: {e:?}");
        }
        assert_eq!(
            without_input("unknown variant `kari`, expected one of `rep`, `admin`"),
            "unknown value, expected one of `rep`, `admin`"
        );
        assert_eq!(
            without_input(r#"invalid type: string "x", expected i64"#),
            "invalid type, expected i64"
        );
        assert_eq!(without_input("missing field `name`"), "missing field");
        assert_eq!(
            without_input("EOF while parsing a value"),
            "EOF while parsing a value"
        );
    }
}
