//! The change feed for the app: which documents changed since a token it
//! kept (core's `store::feed`, migration 8). An app that mirrors the store
//! (its own cache, a search index, a widget's snapshot) asks with its last
//! token, re-reads what is listed, and keeps the new token.

use crate::ids::DocumentId;

use super::OutpostError;
use super::rows::non_negative;
use super::store::OutpostStore;

/// A document that changed (or left this device) since the token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DocumentChange {
    pub document: DocumentId,
    /// Removed from this device (access revoked): drop what you keep of it.
    pub removed: bool,
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChangeFeed {
    /// Each changed document once, oldest change first.
    pub changes: Vec<DocumentChange>,
    /// Pass it to the next `changes_since` (keep it across app starts).
    pub token: String,
    /// More changes than `limit`: ask again with `token` right away.
    pub more: bool,
    /// The token was from another store (or the store was made anew): this
    /// lists every document, and a mirror should start over.
    pub reset: bool,
}

#[uniffi::export]
impl OutpostStore {
    /// The documents changed (or removed) since `token` (`None`: every
    /// document), at most `limit`, and the token to ask from next time.
    #[uniffi::method(default(token = None, limit = 500))]
    pub async fn changes_since(
        &self,
        token: Option<String>,
        limit: i32,
    ) -> Result<ChangeFeed, OutpostError> {
        let limit = non_negative("limit", limit)?.max(1);
        let given = token.map(|t| parse(&t)).transpose()?;
        self.with(move |s| {
            let id = s.feed_id()?;
            let (after, reset) = match given {
                Some((feed, seq)) if feed == id => (seq, false),
                Some(_) => (0, true),
                None => (0, false),
            };
            let mut rows = s.feed_after(after, limit.saturating_add(1))?;
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            let last = rows.last().map_or(after, |r| r.seq);
            Ok(ChangeFeed {
                changes: rows
                    .into_iter()
                    .map(|r| DocumentChange {
                        document: r.doc,
                        removed: r.removed,
                    })
                    .collect(),
                token: format!("{id}.{last}"),
                more,
                reset,
            })
        })
        .await
    }
}

/// `<feed id>.<position>`, as `changes_since` gave it.
fn parse(token: &str) -> Result<(String, i64), OutpostError> {
    token
        .split_once('.')
        .and_then(|(id, seq)| Some((id.to_owned(), seq.parse::<i64>().ok().filter(|s| *s >= 0)?)))
        .ok_or_else(|| OutpostError::invalid("token", "not a token given by changes_since"))
}
