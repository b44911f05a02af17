//! `GET /api/events`: Server-Sent Events, `event: changed` with
//! `data: {"account": "<doc id>"}` whenever an account document in the
//! caller's scope changes — from a phone, another office user or an import.
//! Fed by the store's change listener (every change that reached disk).

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use outpost_core::DocumentId;
use outpost_core::model::DocKind;
use serde_json::json;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::auth::Caller;
use super::errors::{ApiError, ErrorBody};
use crate::access::Scope;
use crate::state::Shared;

/// How many change notices may wait for a slow listener before it is told to resync.
pub const EVENT_BUFFER: usize = 1024;

struct Listener {
    rx: broadcast::Receiver<DocumentId>,
    scope: Scope,
    fresh: Instant,
    /// Documents found outside the scope since it was last refreshed.
    outside: HashSet<DocumentId>,
    app: Shared,
    caller: Caller,
    started: bool,
    /// The hub's auth epoch when the token was last checked.
    auth_seen: u64,
    /// How often the auth epoch is looked at while no change arrives.
    tick: tokio::time::Interval,
    /// The token was revoked: the `revoked` event went out, the stream ends.
    ended: bool,
}

impl Listener {
    /// Re-checks the token after an auth change; the scope follows the
    /// user as they are now (a changed role or team).
    async fn still_allowed(&mut self) -> bool {
        let epoch = self.app.hub.auth_epoch();
        let (caller, app) = (self.caller.clone(), self.app.clone());
        let user = tokio::task::spawn_blocking(move || caller.reauthenticate(&app))
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        let Some(user) = user else {
            return false;
        };
        self.auth_seen = epoch;
        self.caller.user = user;
        if let Ok(s) = self.caller.scope(&self.app).await {
            self.scope = s;
            self.fresh = Instant::now();
            self.outside.clear();
        }
        true
    }

    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if self.ended {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some((Ok(Event::default().event("ready").data("{}")), self));
        }
        loop {
            let got = tokio::select! {
                _ = self.app.shutdown.cancelled() => return None,
                _ = self.tick.tick() => {
                    if self.app.hub.auth_epoch() != self.auth_seen && !self.still_allowed().await {
                        self.ended = true;
                        let data = json!({"code": "unauthorized", "message": "the token was revoked or its user removed"});
                        return Some((Ok(Event::default().event("revoked").data(data.to_string())), self));
                    }
                    continue;
                }
                got = self.rx.recv() => got,
            };
            if self.app.hub.auth_epoch() != self.auth_seen && !self.still_allowed().await {
                self.ended = true;
                let data = json!({"code": "unauthorized", "message": "the token was revoked or its user removed"});
                return Some((
                    Ok(Event::default().event("revoked").data(data.to_string())),
                    self,
                ));
            }
            match got {
                Ok(doc) => {
                    // a document not in the scope seen so far may be new or
                    // newly assigned: look again (once per document, and for
                    // everything every 30 s)
                    let stale = self.fresh.elapsed() > Duration::from_secs(30);
                    if stale {
                        self.outside.clear();
                    }
                    let unknown =
                        !self.scope.docs.contains_key(&doc) && !self.outside.contains(&doc);
                    if stale || unknown {
                        if let Ok(s) = self.caller.scope(&self.app).await {
                            self.scope = s;
                            self.fresh = Instant::now();
                        }
                        if !self.scope.docs.contains_key(&doc) {
                            self.outside.insert(doc);
                        }
                    }
                    if self
                        .scope
                        .get(doc)
                        .is_some_and(|a| a.kind == DocKind::Account)
                    {
                        let data = json!({ "account": doc.to_string() }).to_string();
                        return Some((Ok(Event::default().event("changed").data(data)), self));
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // too many changes at once: the client reloads what it shows
                    return Some((Ok(Event::default().event("resync").data("{}")), self));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// Live change notices (Server-Sent Events). Starts with `event: ready`;
/// `event: resync` means notices were dropped and the client should reload;
/// `event: revoked` (then the end of the stream) means the token was revoked
/// or its user removed — within about a second of the revocation.
#[utoipa::path(get, path = "/api/events", tag = "events",
    params(("token" = Option<String>, Query, description = "the bearer token (for EventSource)")),
    responses((status = 200, content_type = "text/event-stream", description = "event: changed / data: {\"account\": \"<doc id>\"}"),
              (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn events(
    State(app): State<Shared>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let auth_seen = app.hub.auth_epoch();
    let rx = app.api.events.subscribe();
    let scope = caller.scope(&app).await?;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = Listener {
        rx,
        scope,
        fresh: Instant::now(),
        outside: HashSet::new(),
        app,
        caller,
        started: false,
        auth_seen,
        tick,
        ended: false,
    };
    let stream = futures_util::stream::unfold(start, Listener::next);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
