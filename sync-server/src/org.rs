//! The org's one settings document on the server.
//!
//! The store pins the id of the org's settings document (core's
//! `Store::settings_doc`); scope, index and API use that one only. A data
//! directory from before pinning existed may hold several settings
//! documents — one of them planted by a rep's device through `/sync`. At
//! start the server pins one: the settings documents that were not created
//! by a non-admin (the server assigns a device-created document to its
//! creator) are candidates, the first by id wins. The others stay on disk,
//! out of everyone's scope, and are named (by id) in the log.

use outpost_core::model::DocKind;
use outpost_core::store::Store;

use crate::auth::{AuthDb, Role};

/// Pins the org's settings document if none is pinned yet.
pub fn ensure_pinned(auth: &AuthDb, store: &mut Store) -> Result<(), Box<dyn std::error::Error>> {
    if store.settings_doc()?.is_some() {
        return Ok(());
    }
    let settings: Vec<_> = store
        .document_ids()?
        .into_iter()
        .filter(|(_, k)| *k == DocKind::Settings)
        .map(|(d, _)| d)
        .collect();
    if settings.is_empty() {
        return Ok(());
    }
    let users = auth.users()?;
    let planted = |doc: &outpost_core::DocumentId| {
        let id = doc.to_string();
        users
            .iter()
            .any(|u| u.role != Role::Admin && u.assigned.contains(&id))
    };
    let chosen = settings.iter().find(|d| !planted(d)).copied();
    for doc in settings.iter().filter(|d| Some(**d) != chosen) {
        tracing::warn!(doc = %doc, "settings document ignored: the org has one settings document");
    }
    match chosen {
        Some(doc) => {
            store.pin_settings(doc)?;
            tracing::info!(doc = %doc, "org settings document pinned");
        }
        None => tracing::warn!(
            "no settings document created by an admin: the org has none until an admin creates one"
        ),
    }
    Ok(())
}
