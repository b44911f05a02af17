//! The small word lists the capture rules use, each with the reason it
//! exists. All entries are lowercase (compared with a lowercased, trimmed
//! word) unless the list says otherwise. They are deliberately short: a
//! word that is missing costs one field of one card, a word that is too
//! broad turns names into titles on many.

mod people;
mod places;
mod signature;

pub(crate) use people::*;
pub(crate) use places::*;
pub(crate) use signature::*;

/// Whether `word` (lowercase) is in `list`.
pub(crate) fn contains(list: &[&str], word: &str) -> bool {
    list.contains(&word)
}
