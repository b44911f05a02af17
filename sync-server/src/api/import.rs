//! CSV import (manager/admin): a preview with a suggested column mapping,
//! then a background job that validates every row, finds duplicates (within
//! the file and against existing records in the caller's scope), upserts by
//! e-mail or external id, and writes in batches — one Automerge change per
//! account per batch, as the office user. A dry run does everything but
//! write. Progress and the per-row report are polled at `/api/import/{job}`.
//! Uploads and files are held to the limits of `import_limits`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{Caller, blocking};
use super::errors::{ApiError, ErrorBody, field_error};
use super::extract::Path;
use super::import_limits::{Limits, Running, Slot, check_mapping_size, read_body};
use super::import_map::{ImportKind, Table, parse_csv};
use super::import_rows::{Plan, plan_rows};
use super::import_write::write_plan;
use crate::auth::Role;
use crate::state::Shared;

/// Import jobs kept for polling (finished ones beyond this are forgotten, oldest first).
const KEEP_JOBS: usize = 100;

/// Rows written per batch (one store lock and one change per account each).
pub const BATCH_ROWS: usize = 100;

/// Preview of a CSV file.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    pub headers: Vec<String>,
    /// Column → suggested field (null: not imported).
    pub suggested_mapping: BTreeMap<String, Option<String>>,
    /// The first rows (up to 5), each with the cells the file has (a short
    /// row is not padded to the header's width).
    pub sample: Vec<Vec<String>>,
    /// Data rows in the file.
    pub rows: usize,
    /// Fields a column may be mapped to.
    pub fields: Vec<String>,
}

fn importer(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Manager, Role::Admin])
}

fn kind_param(s: Option<&str>, field: &str) -> Result<ImportKind, ApiError> {
    s.and_then(ImportKind::parse)
        .ok_or_else(|| ApiError::bad("invalid_field", field, "kind: contacts, accounts or deals"))
}

fn utf8(bytes: Vec<u8>) -> Result<String, ApiError> {
    String::from_utf8(bytes)
        .map_err(|_| ApiError::bad("invalid_csv", "csv", "the file is not UTF-8 text"))
}

/// Reads a CSV file and suggests a mapping.
#[utoipa::path(post, path = "/api/import/preview", tag = "import",
    params(("kind" = String, Query, description = "contacts | accounts | deals")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = PreviewResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody, description = "past an import limit (the message names it)"),
              (status = 429, body = ErrorBody, description = "the user has `--import-max-jobs-per-user` import requests running")),
    security(("bearer" = [])))]
pub async fn preview(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<PreviewResponse>, ApiError> {
    importer(&caller)?;
    let kind = kind_param(q.get("kind").map(String::as_str), "kind")?;
    let limits = Limits::of(&app.cfg);
    let _slot = Slot::take(&app, &caller.user.id)?;
    let bytes = read_body(&headers, body, &limits).await?;
    let preview = blocking(move || {
        let t = parse_csv(&utf8(bytes)?, &limits)?;
        Ok(PreviewResponse {
            suggested_mapping: kind.suggest_mapping(&t.headers),
            sample: t
                .rows()
                .take(5)
                .map(|r| r.map(str::to_owned).collect())
                .collect(),
            rows: t.len(),
            fields: kind.fields().into_iter().map(str::to_owned).collect(),
            headers: t.headers,
        })
    })
    .await?;
    Ok(Json(preview))
}

/// An import to run.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ImportRequest {
    /// contacts | accounts | deals
    pub kind: String,
    /// The CSV text, header row first.
    pub csv: String,
    /// Column → field (null or missing: not imported). Default: the suggested mapping.
    #[serde(default)]
    pub mapping: Option<BTreeMap<String, Option<String>>>,
    /// Validate and count, write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// How existing records are found: `email` (contacts; name for accounts and deals) or `external_id`.
    #[serde(default, rename = "match")]
    pub match_on: Option<String>,
}

/// A started job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobStarted {
    pub job: String,
}

/// A row that could not be imported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    /// 1 = the first data row.
    pub row: usize,
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

/// A row skipped as a duplicate, or matched to an existing record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Duplicate {
    pub row: usize,
    /// email, external_id or name.
    pub key: String,
    /// The earlier row of this file with the same key.
    pub duplicate_of_row: Option<usize>,
    /// The existing record it matched (and updates): `{account, id}`.
    #[schema(value_type = Option<Object>)]
    pub existing: Option<serde_json::Value>,
}

/// Progress and report of an import job.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobView {
    /// running | done | failed
    pub state: String,
    pub kind: String,
    pub dry_run: bool,
    pub processed: usize,
    pub total: usize,
    pub created: usize,
    pub updated: usize,
    pub duplicates: Vec<Duplicate>,
    pub errors: Vec<RowError>,
    #[serde(skip)]
    pub user: String,
}

/// The import jobs of this server run (kept in memory).
#[derive(Debug, Default)]
pub struct Jobs {
    jobs: Mutex<HashMap<String, Arc<Mutex<JobView>>>>,
    /// Import requests running per user (see `import_limits::Slot`).
    pub running: Running,
}

impl Jobs {
    fn insert(&self, id: String, job: Arc<Mutex<JobView>>) {
        let mut j = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        // keep memory bounded: forget finished jobs beyond the newest ones
        if j.len() >= KEEP_JOBS {
            let done: Vec<String> = j
                .iter()
                .filter(|(_, v)| lock(v).state != "running")
                .map(|(k, _)| k.clone())
                .collect();
            let mut done = done;
            done.sort(); // ids are UUID v7: oldest first
            for k in done.iter().take(j.len() + 1 - KEEP_JOBS) {
                j.remove(k);
            }
        }
        j.insert(id, job);
    }

    fn get(&self, id: &str) -> Option<Arc<Mutex<JobView>>> {
        let j = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        j.get(id).cloned()
    }
}

/// Locks a job's view.
pub fn lock(job: &Mutex<JobView>) -> std::sync::MutexGuard<'_, JobView> {
    job.lock().unwrap_or_else(|e| e.into_inner())
}

/// Rows as field → value maps (empty and missing cells left out).
fn mapped_rows(
    t: &Table,
    mapping: &BTreeMap<String, Option<String>>,
) -> Vec<HashMap<String, String>> {
    let fields: Vec<Option<&String>> = t
        .headers
        .iter()
        .map(|h| mapping.get(h).and_then(Option::as_ref))
        .collect();
    t.rows()
        .map(|row| {
            fields
                .iter()
                .zip(row)
                .filter(|(_, v)| !v.is_empty())
                .filter_map(|(f, v)| f.map(|f| (f.clone(), v.to_owned())))
                .collect()
        })
        .collect()
}

/// A checked import request, ready to run.
struct Prepared {
    kind: ImportKind,
    rows: Vec<HashMap<String, String>>,
    by_external_id: bool,
    dry_run: bool,
}

/// Reads, checks and maps an `/api/import` body.
fn prepare(body: &[u8], limits: &Limits) -> Result<Prepared, ApiError> {
    check_mapping_size(body, limits)?;
    let mut de = serde_json::Deserializer::from_slice(body);
    let req: ImportRequest = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| field_error(&e.path().to_string(), e.inner()))?;
    let kind = kind_param(Some(&req.kind), "kind")?;
    let by_external_id = match req.match_on.as_deref() {
        None | Some("email") => false,
        Some("external_id") => true,
        Some(_) => {
            return Err(ApiError::bad(
                "invalid_field",
                "match",
                "match: email or external_id",
            ));
        }
    };
    let table = parse_csv(&req.csv, limits)?;
    let mapping = req
        .mapping
        .unwrap_or_else(|| kind.suggest_mapping(&table.headers));
    let fields = kind.fields();
    for (col, field) in &mapping {
        if !table.headers.contains(col) {
            return Err(ApiError::bad(
                "invalid_field",
                format!("mapping.{col}"),
                "no such column in the file",
            ));
        }
        if let Some(f) = field
            && !fields.contains(&f.as_str())
        {
            return Err(ApiError::bad(
                "invalid_field",
                format!("mapping.{col}"),
                format!("not a field of {}", kind.name()),
            ));
        }
    }
    Ok(Prepared {
        kind,
        rows: mapped_rows(&table, &mapping),
        by_external_id,
        dry_run: req.dry_run,
    })
}

/// Starts an import job.
#[utoipa::path(post, path = "/api/import", tag = "import",
    request_body = ImportRequest,
    responses((status = 202, body = JobStarted), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody, description = "past an import limit (the message names it)"),
              (status = 429, body = ErrorBody, description = "the user has `--import-max-jobs-per-user` import requests running")),
    security(("bearer" = [])))]
pub async fn start(
    State(app): State<Shared>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<JobStarted>), ApiError> {
    importer(&caller)?;
    let limits = Limits::of(&app.cfg);
    // held from before the upload is read until the job has finished
    let slot = Slot::take(&app, &caller.user.id)?;
    let body = read_body(&headers, body, &limits).await?;
    let Prepared {
        kind,
        rows,
        by_external_id,
        dry_run,
    } = blocking(move || prepare(&body, &limits)).await?;
    let id = outpost_core::new_record_id();
    let job = Arc::new(Mutex::new(JobView {
        state: "running".into(),
        kind: kind.name().into(),
        dry_run,
        processed: 0,
        total: rows.len(),
        created: 0,
        updated: 0,
        duplicates: Vec::new(),
        errors: Vec::new(),
        user: caller.user.id.clone(),
    }));
    app.api.imports.insert(id.clone(), job.clone());
    tokio::spawn(async move {
        let (app2, job2, me) = (app.clone(), job.clone(), caller.clone());
        let result = blocking(move || {
            let plan: Plan = plan_rows(&app2, &me, kind, rows, by_external_id, &job2)?;
            if !dry_run {
                write_plan(&app2, &me, plan, &job2)?;
            }
            Ok(())
        })
        .await;
        // free before the job reads as finished: whoever sees it finished
        // may start the next one
        drop(slot);
        let mut j = lock(&job);
        match result {
            Ok(()) => {
                j.processed = j.total;
                j.state = "done".into();
            }
            Err(e) => {
                tracing::warn!(code = e.code, "import failed");
                j.state = "failed".into();
            }
        }
    });
    Ok((StatusCode::ACCEPTED, Json(JobStarted { job: id })))
}

/// Progress and report of an import job (its starter's or, for admins, any).
#[utoipa::path(get, path = "/api/import/{job}", tag = "import",
    params(("job" = String, Path)),
    responses((status = 200, body = JobView), (status = 404, body = ErrorBody, description = "no such job, or another user's")),
    security(("bearer" = [])))]
pub async fn status(
    State(app): State<Shared>,
    caller: Caller,
    Path(job): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let job = app.api.imports.get(&job).ok_or_else(ApiError::not_found)?;
    let view = lock(&job).clone();
    if view.user != caller.user.id && caller.role() != Role::Admin {
        return Err(ApiError::not_found());
    }
    Ok(Json(view))
}
