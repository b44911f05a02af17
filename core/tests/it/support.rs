//! Shared builders for the integration tests.

use outpost_core::Author;
use outpost_core::model::{Pipeline, Stage, StageMeaning};
use outpost_core::store::{Store, StoreOptions};

/// 2026-11-23 09:00 UTC in ms.
pub const NOW: i64 = 1_795_424_400_000;
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

pub fn author(user: &str) -> Author {
    Author {
        user_id: user.into(),
        device_id: uuid::Uuid::new_v4().to_string(),
    }
}

pub fn opts() -> StoreOptions {
    StoreOptions {
        phone_region: "NO".into(),
        ..StoreOptions::default()
    }
}

/// An in-memory store whose clock stands still at `now`.
pub fn memory_store(user: &str, now: i64) -> Store {
    let mut s = Store::open_in_memory(author(user), opts()).unwrap();
    s.set_clock(move || now);
    s
}

/// The standard sales pipeline.
pub fn pipeline() -> Pipeline {
    let stage = |id: &str, position, probability, meaning| Stage {
        id: id.into(),
        name: id.to_uppercase(),
        position,
        probability,
        meaning,
    };
    Pipeline {
        meta: outpost_core::model::RecordMeta {
            id: "sales".into(),
            ..Default::default()
        },
        name: "Sales".into(),
        stages: vec![
            stage("prospecting", 1, 10, StageMeaning::Open),
            stage("proposal", 2, 50, StageMeaning::Open),
            stage("negotiation", 3, 80, StageMeaning::Open),
            stage("won", 4, 100, StageMeaning::Won),
            stage("lost", 5, 0, StageMeaning::Lost),
        ],
    }
}
