//! The limits of CSV import: the upload's size, the file's columns, rows,
//! cells and cell size, and how many import requests one user may have
//! running at once. Each is a server flag and environment variable
//! (`outpost-server serve --help`). Past a limit the request is refused
//! before any more work — 413 (429 for the running requests) with a message
//! that names the limit, its value and its flag.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use axum::http::{HeaderMap, StatusCode, header};
use futures_util::StreamExt;
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};

use super::errors::ApiError;
use crate::state::{Config, Shared};

/// The limits, from the server's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest upload body, in bytes (`import_max_bytes`).
    pub max_bytes: usize,
    /// Most columns of the header or any line (`import_max_columns`).
    pub max_columns: usize,
    /// Most data rows (`import_max_rows`).
    pub max_rows: usize,
    /// Most cells, every field of every line (`import_max_cells`).
    pub max_cells: usize,
    /// Largest cell, in bytes (`import_max_cell_bytes`).
    pub max_cell_bytes: usize,
    /// Import requests one user may have running (`import_max_jobs_per_user`).
    pub max_jobs_per_user: usize,
}

impl Limits {
    pub fn of(cfg: &Config) -> Self {
        Self {
            max_bytes: cfg.import_max_bytes,
            max_columns: cfg.import_max_columns,
            max_rows: cfg.import_max_rows,
            max_cells: cfg.import_max_cells,
            max_cell_bytes: cfg.import_max_cell_bytes,
            max_jobs_per_user: cfg.import_max_jobs_per_user,
        }
    }
}

/// The error of a limit: `what` happened, and the limit's setting name
/// (e.g. `import_max_columns`), value, flag and environment variable.
pub fn exceeded(
    status: StatusCode,
    code: &'static str,
    what: &str,
    setting: &str,
    value: usize,
) -> ApiError {
    let flag = setting.replace('_', "-");
    let env = setting.to_ascii_uppercase();
    ApiError::new(
        status,
        code,
        format!("{what} (limit {setting} = {value}; server flag --{flag}, env OUTPOST_{env})"),
    )
}

/// A 413 for a limit of the file or the upload.
pub fn too_large(code: &'static str, what: &str, setting: &str, value: usize) -> ApiError {
    exceeded(StatusCode::PAYLOAD_TOO_LARGE, code, what, setting, value)
}

/// Reads an import upload, refusing it once it passes `max_bytes` (at once
/// when its `Content-Length` says so).
pub async fn read_body(
    headers: &HeaderMap,
    body: axum::body::Body,
    limits: &Limits,
) -> Result<Vec<u8>, ApiError> {
    let over = || {
        too_large(
            "payload_too_large",
            "the upload is too large",
            "import_max_bytes",
            limits.max_bytes,
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits.max_bytes) {
        return Err(over());
    }
    let mut out = Vec::with_capacity(declared.unwrap_or(0));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the request body could not be read",
            )
        })?;
        if out.len() + chunk.len() > limits.max_bytes {
            return Err(over());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// How many entries a JSON map has (counted without keeping them).
struct Entries(usize);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Count;
        impl<'de> Visitor<'de> for Count {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut n = 0;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Entries(n))
            }
        }
        d.deserialize_map(Count)
    }
}

/// Refuses an `/api/import` body whose `mapping` names more columns than a
/// file may have, before it is deserialised (each entry would cost ~100
/// bytes of memory per ~10 bytes of JSON). A body that is not such JSON
/// passes: deserialising it reports what is wrong.
pub fn check_mapping_size(body: &[u8], limits: &Limits) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        mapping: Option<Entries>,
    }
    match serde_json::from_slice::<Probe>(body) {
        Ok(Probe {
            mapping: Some(Entries(n)),
        }) if n > limits.max_columns => Err(too_large(
            "too_many_columns",
            "the mapping names more columns than a file may have",
            "import_max_columns",
            limits.max_columns,
        )),
        _ => Ok(()),
    }
}

/// Import requests running per user (previews, dry runs, imports).
#[derive(Debug, Default)]
pub struct Running {
    per_user: Mutex<HashMap<String, usize>>,
}

impl Running {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, usize>> {
        self.per_user.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One running import request of a user, counted until it is dropped
/// (also when the request is cancelled or its job panics).
#[derive(Debug)]
pub struct Slot {
    app: Shared,
    user: String,
}

impl Slot {
    /// Takes one of `user`'s slots, or refuses with 429 when they have
    /// `max_jobs_per_user` running.
    pub fn take(app: &Shared, user: &str) -> Result<Slot, ApiError> {
        let max = app.cfg.import_max_jobs_per_user;
        let mut running = app.api.imports.running.lock();
        let n = running.get(user).copied().unwrap_or(0);
        if n >= max {
            return Err(exceeded(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_imports",
                "too many import requests of this user are running; try again when one has finished",
                "import_max_jobs_per_user",
                max,
            ));
        }
        running.insert(user.to_owned(), n + 1);
        Ok(Slot {
            app: app.clone(),
            user: user.to_owned(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = self.app.api.imports.running.lock();
        match running.get(&self.user).copied() {
            Some(n) if n > 1 => {
                running.insert(self.user.clone(), n - 1);
            }
            _ => {
                running.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_columns: usize) -> Limits {
        Limits {
            max_bytes: 1024,
            max_columns,
            max_rows: 10,
            max_cells: 100,
            max_cell_bytes: 10,
            max_jobs_per_user: 1,
        }
    }

    #[test]
    fn the_message_names_the_limit_its_value_flag_and_env() {
        let e = too_large("too_many_rows", "too many rows", "import_max_rows", 7);
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            e.message,
            "too many rows (limit import_max_rows = 7; server flag --import-max-rows, env OUTPOST_IMPORT_MAX_ROWS)"
        );
    }

    #[test]
    fn a_mapping_wider_than_a_file_may_be_is_refused_before_it_is_read() {
        let body =
            br#"{"kind":"contacts","csv":"a\n1\n","mapping":{"a":"email","b":null,"c":null}}"#;
        assert!(check_mapping_size(body, &limits(3)).is_ok());
        let e = check_mapping_size(body, &limits(2)).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (413, "too_many_columns"));
        // no mapping, a null one, or a body that is not JSON: left to deserialisation
        for body in [
            &br#"{"kind":"contacts","csv":"a"}"#[..],
            br#"{"mapping":null}"#,
            b"not json",
        ] {
            assert!(check_mapping_size(body, &limits(0)).is_ok());
        }
    }
}
