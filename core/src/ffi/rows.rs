//! The account list's filter and rows as the bindings export them: typed
//! (enums, signed integers) where core's own structs, which the server's
//! REST API also fills, keep the stored strings. One `From` each way.

use crate::ids::DocumentId;
use crate::model::{AccountType, LifecycleStage};
use crate::store::queries::{self, AccountSort, stored_enum};

use super::OutpostError;

/// Filters for `list_accounts`. Empty fields do not filter; `limit` `None`
/// is every account, `offset` skips that many (paging).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct AccountFilter {
    #[uniffi(default)]
    pub owner: Option<String>,
    #[uniffi(default)]
    pub lifecycle_stage: Option<LifecycleStage>,
    #[uniffi(default)]
    pub tag: Option<String>,
    #[uniffi(default)]
    pub territory: Option<String>,
    /// Case-insensitive substring of the name.
    #[uniffi(default)]
    pub name_contains: Option<String>,
    #[uniffi(default)]
    pub include_archived: bool,
    /// By name when `None`.
    #[uniffi(default)]
    pub sort: Option<AccountSort>,
    #[uniffi(default)]
    pub limit: Option<i32>,
    #[uniffi(default)]
    pub offset: i32,
}

impl TryFrom<AccountFilter> for queries::AccountFilter {
    type Error = OutpostError;

    fn try_from(f: AccountFilter) -> Result<Self, OutpostError> {
        Ok(Self {
            owner: f.owner,
            lifecycle_stage: f.lifecycle_stage.map(|l| l.as_str().to_owned()),
            tag: f.tag,
            territory: f.territory,
            name_contains: f.name_contains,
            include_archived: f.include_archived,
            sort: f.sort.unwrap_or_default(),
            limit: f
                .limit
                .map(|l| non_negative("filter.limit", l))
                .transpose()?,
            offset: non_negative("filter.offset", f.offset)?,
        })
    }
}

/// A row of the account list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AccountSummary {
    pub doc_id: DocumentId,
    pub name: String,
    pub account_type: Option<AccountType>,
    pub owner: Option<String>,
    pub territory: Option<String>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub value_tier: Option<String>,
    pub archived: bool,
    pub updated_at: i64,
    pub balance_minor: i64,
    pub overdue_minor: i64,
    pub currency: Option<String>,
}

impl From<queries::AccountSummary> for AccountSummary {
    fn from(a: queries::AccountSummary) -> Self {
        Self {
            doc_id: a.doc_id,
            name: a.name,
            account_type: a.account_type.as_deref().and_then(stored_enum),
            owner: a.owner,
            territory: a.territory,
            lifecycle_stage: a.lifecycle_stage.as_deref().and_then(stored_enum),
            value_tier: a.value_tier,
            archived: a.archived,
            updated_at: a.updated_at,
            balance_minor: a.balance_minor,
            overdue_minor: a.overdue_minor,
            currency: a.currency,
        }
    }
}

/// `value` as a count, or `Invalid` naming `arg`.
pub(crate) fn non_negative(arg: &str, value: i32) -> Result<u32, OutpostError> {
    u32::try_from(value).map_err(|_| OutpostError::invalid(arg, "must not be negative"))
}

/// One page of `items`: `limit` `None` is all from `offset` on.
pub(crate) fn page<T>(
    items: Vec<T>,
    limit: Option<i32>,
    offset: i32,
) -> Result<Vec<T>, OutpostError> {
    let offset = non_negative("offset", offset)? as usize;
    let limit = match limit {
        Some(l) => non_negative("limit", l)? as usize,
        None => usize::MAX,
    };
    Ok(items.into_iter().skip(offset).take(limit).collect())
}
