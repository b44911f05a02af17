//! The value rules of the org's settings (`model::validate::Rules`): read
//! from the pinned settings document, kept until that document changes.

use super::Store;
use crate::error::Result;
use crate::model::validate::Rules;
use crate::model::{CustomField, Pipeline};

impl Store {
    /// The org's pipelines and custom field definitions as value rules
    /// (empty without a settings document: then stages and custom fields
    /// are not judged).
    pub fn rules(&mut self) -> Result<Rules> {
        let Some(settings) = self.settings_doc()? else {
            return Ok(Rules::default());
        };
        if !self.contains(settings)? {
            return Ok(Rules::default());
        }
        let heads = self.heads(settings)?;
        if let Some((doc, h, rules)) = &self.rules_cache
            && *doc == settings
            && *h == heads
        {
            return Ok(rules.clone());
        }
        let d = self.doc(settings)?;
        let rules = Rules {
            pipelines: d
                .list::<Pipeline>()
                .into_iter()
                .map(|r| r.record)
                .filter(|p| !p.meta.archived)
                .collect(),
            custom_fields: d
                .list::<CustomField>()
                .into_iter()
                .map(|r| r.record)
                .collect(),
        };
        self.rules_cache = Some((settings, heads, rules.clone()));
        Ok(rules)
    }

    /// The rules merges are judged by: the org's on a store that judges
    /// what it receives (`StoreOptions::validate_merges`, the server), none
    /// on a device (what its server accepted is not judged again).
    pub(crate) fn merge_rules(&mut self) -> Result<Option<Rules>> {
        if self.options().validate_merges {
            self.rules().map(Some)
        } else {
            Ok(None)
        }
    }
}
