//! The org settings document: pipelines and their stages, custom field
//! definitions. Everyone reads them; only admins change them ("customisation
//! by an admin without code", and the same rule sync applies to the settings
//! document). Writes are Automerge changes by the office user, offered to
//! devices like any other.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use outpost_core::DocumentId;
use outpost_core::model::{CustomField, OrgSettings, Pipeline, Record};
use outpost_core::store::Store;
use serde_json::{Value, json};

use super::auth::{Caller, blocking, changed};
use super::errors::{ApiError, Body, ErrorBody};
use super::extract::{Path, Query};
use super::records::{get_json, new_record, patch_in, patched, record_json};
use super::schemas::{
    CustomField as CustomFieldSchema, CustomFieldInput, CustomFieldPatch, CustomFields,
    Pipeline as PipelineSchema, PipelineInput, PipelinePatch, Pipelines,
};
use crate::auth::Role;
use crate::state::Shared;

/// The org settings document (the one pinned in the store), if there is one.
pub fn settings_doc(store: &Store) -> Result<Option<DocumentId>, ApiError> {
    Ok(store.settings_doc()?)
}

/// Pipelines of the org (empty without a settings document).
pub fn pipelines(store: &mut Store) -> Result<(Option<OrgSettings>, Vec<Pipeline>), ApiError> {
    let Some(doc) = settings_doc(store)? else {
        return Ok((None, Vec::new()));
    };
    let d = store.doc(doc)?;
    let org = d.org_settings().map(|r| r.record);
    let pipes = d
        .list::<Pipeline>()
        .into_iter()
        .map(|r| r.record)
        .filter(|p| !p.meta.archived)
        .collect();
    Ok((org, pipes))
}

/// (pipeline id, stage id) → meaning (open, won, lost).
pub fn stage_meanings(store: &mut Store) -> Result<HashMap<(String, String), String>, ApiError> {
    let (_, pipes) = pipelines(store)?;
    let mut out = HashMap::new();
    for p in pipes {
        for s in &p.stages {
            let meaning = serde_json::to_value(s.meaning)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "open".into());
            out.insert((p.meta.id.clone(), s.id.clone()), meaning);
        }
    }
    Ok(out)
}

fn pipeline_json(p: &Pipeline) -> Value {
    json!({
        "id": p.meta.id,
        "name": p.name,
        "stages": p.sorted_stages(),
    })
}

/// Pipelines with their stages (sorted by position) and the org defaults.
#[utoipa::path(get, path = "/api/pipelines", tag = "settings",
    responses((status = 200, body = Pipelines), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_pipelines(
    State(app): State<Shared>,
    _caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || {
        let mut store = app.store();
        let (org, pipes) = pipelines(&mut store)?;
        Ok(json!({
            "default_pipeline_id": org.as_ref().and_then(|o| o.default_pipeline_id.clone()),
            "default_currency": org.as_ref().map(|o| o.default_currency.clone()).filter(|c| !c.is_empty()),
            "items": pipes.iter().map(pipeline_json).collect::<Vec<_>>(),
        }))
    })
    .await?;
    Ok(Json(v))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomFieldQuery {
    /// Only the fields of this record kind (contact, account, deal…).
    entity: Option<String>,
}

/// Custom field definitions, optionally for one entity (contact, account, deal…).
#[utoipa::path(get, path = "/api/custom-fields", tag = "settings",
    params(CustomFieldQuery),
    responses((status = 200, body = CustomFields), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_custom_fields(
    State(app): State<Shared>,
    _caller: Caller,
    Query(q): Query<CustomFieldQuery>,
) -> Result<Json<Value>, ApiError> {
    let entity = q.entity;
    let v = blocking(move || {
        let mut store = app.store();
        let Some(doc) = settings_doc(&store)? else {
            return Ok(json!({ "items": [] }));
        };
        let items: Vec<Value> = store
            .list::<CustomField>(doc)?
            .into_iter()
            .map(|r| r.record)
            .filter(|f| !f.meta.archived && entity.as_ref().is_none_or(|e| &f.entity == e))
            .map(|f| record_json(&f))
            .collect();
        Ok(json!({ "items": items }))
    })
    .await?;
    Ok(Json(v))
}

/// Runs `f` on the settings document (created if missing) as the office user.
pub(crate) async fn write_settings(
    app: &Shared,
    caller: &Caller,
    f: impl FnOnce(&mut Store, DocumentId) -> Result<Value, ApiError> + Send + 'static,
) -> Result<Value, ApiError> {
    caller.require(&[Role::Admin])?;
    let (me, app2) = (caller.clone(), app.clone());
    let (doc, v) = blocking(move || {
        let mut store = app2.store();
        store.with_author(me.author(), |store| {
            let doc = match settings_doc(store)? {
                Some(d) => d,
                None => store.create_settings(OrgSettings::default())?,
            };
            Ok((doc, f(store, doc)?))
        })
    })
    .await?;
    changed(app, doc);
    Ok(v)
}

/// Adds a record to the settings document (admin) and answers it.
pub(crate) async fn create_setting<R: Record + Send + 'static>(
    app: &Shared,
    caller: &Caller,
    record: R,
) -> Result<Value, ApiError> {
    write_settings(app, caller, move |store, doc| {
        let id = store.create(doc, record)?;
        get_json::<R>(store, doc, &id)
    })
    .await
}

/// Changes the fields `patch` sends of a settings record (admin) and answers it.
pub(crate) async fn patch_setting<R: Record + Send + 'static>(
    app: &Shared,
    caller: &Caller,
    id: String,
    patch: Value,
) -> Result<Value, ApiError> {
    write_settings(app, caller, move |store, doc| {
        patch_in::<R>(store, doc, &id, patch)?;
        get_json::<R>(store, doc, &id)
    })
    .await
}

/// Defines a custom field (admin).
#[utoipa::path(post, path = "/api/custom-fields", tag = "settings",
    request_body(content = CustomFieldInput, description = "CustomField: {entity, key, label, field_type, options}"),
    responses((status = 201, body = CustomFieldSchema), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "not an admin"),
              (status = 409, body = ErrorBody, description = "a custom field with this id exists")),
    security(("bearer" = [])))]
pub async fn create_custom_field(
    State(app): State<Shared>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // key and entity must not be empty: core's rule, on every path
    let field: CustomField = new_record(body)?;
    let v = create_setting(&app, &caller, field).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Changes a custom field definition (admin).
#[utoipa::path(patch, path = "/api/custom-fields/{id}", tag = "settings",
    params(("id" = String, Path)),
    request_body(content = CustomFieldPatch, description = "partial CustomField"),
    responses((status = 200, body = CustomFieldSchema), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_custom_field(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        patch_setting::<CustomField>(&app, &caller, id, body).await?,
    ))
}

/// Accepts `stages` as the list `GET /api/pipelines` shows, or as the
/// stored map keyed by stage id; returns the body with the map form.
fn stages_as_map(mut body: Value) -> Result<Value, ApiError> {
    if let Some(Value::Array(list)) = body.get_mut("stages").map(std::mem::take) {
        let mut map = serde_json::Map::new();
        for (i, stage) in list.into_iter().enumerate() {
            let id = stage
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
                .ok_or_else(|| {
                    ApiError::bad(
                        "invalid_field",
                        format!("stages[{i}].id"),
                        "every stage needs an id",
                    )
                })?;
            if map.insert(id, stage).is_some() {
                return Err(ApiError::bad(
                    "invalid_field",
                    format!("stages[{i}].id"),
                    "stage ids must be unique",
                ));
            }
        }
        body["stages"] = Value::Object(map);
    }
    Ok(body)
}

/// Checks a pipeline's name and stage names (probability 0..=100 and the
/// meaning are enforced by their types).
fn check_pipeline(p: &Pipeline) -> Result<(), ApiError> {
    if p.name.trim().is_empty() {
        return Err(ApiError::bad(
            "invalid_field",
            "name",
            "name must not be empty",
        ));
    }
    for s in &p.stages {
        if s.name.trim().is_empty() {
            return Err(ApiError::bad(
                "invalid_field",
                format!("stages.{}.name", s.id),
                "stage name must not be empty",
            ));
        }
    }
    Ok(())
}

/// Defines a pipeline with its stages (admin). The first pipeline becomes
/// the org's default.
#[utoipa::path(post, path = "/api/pipelines", tag = "settings",
    request_body(content = PipelineInput, description = "{name, stages: [{id, name, position, probability, meaning: open|won|lost}]}"),
    responses((status = 201, body = PipelineSchema, description = "the pipeline"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "a pipeline with this id exists")),
    security(("bearer" = [])))]
pub async fn create_pipeline(
    State(app): State<Shared>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let pipeline: Pipeline = new_record(stages_as_map(body)?)?;
    check_pipeline(&pipeline)?;
    let v = write_settings(&app, &caller, move |store, doc| {
        let id = store.create(doc, pipeline)?;
        let org = store.doc(doc)?.org_settings().map(|r| r.record);
        if let Some(mut org) = org.filter(|o| o.default_pipeline_id.is_none()) {
            org.default_pipeline_id = Some(id.clone());
            store.update(doc, org)?;
        }
        let p = store
            .get::<Pipeline>(doc, &id)?
            .ok_or_else(ApiError::internal)?;
        Ok(pipeline_json(&p.record))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Renames a pipeline or changes its stages (admin). `stages`, when sent,
/// is the whole list: stages left out are removed, so deals in them show
/// their stage id until moved.
#[utoipa::path(patch, path = "/api/pipelines/{id}", tag = "settings",
    params(("id" = String, Path)),
    request_body(content = PipelinePatch, description = "partial pipeline: {name?, stages?}"),
    responses((status = 200, body = PipelineSchema, description = "the pipeline"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_pipeline(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let body = stages_as_map(body)?;
    let v = write_settings(&app, &caller, move |store, doc| {
        let current = store
            .get::<Pipeline>(doc, &id)?
            .ok_or_else(ApiError::not_found)?
            .record;
        let wanted: Pipeline = patched(&current, body)?;
        check_pipeline(&wanted)?;
        store.update(doc, wanted)?;
        let p = store
            .get::<Pipeline>(doc, &id)?
            .ok_or_else(ApiError::not_found)?;
        Ok(pipeline_json(&p.record))
    })
    .await?;
    Ok(Json(v))
}
