//! The phone and date parsers.

use outpost_core::phone::normalize;
use outpost_core::store::queries::parse_crm_date;

/// Regions a store may be configured with (and a few it should refuse).
const REGIONS: &[&str] = &[
    "US", "NO", "GB", "DE", "SE", "FR", "IN", "BR", "JP", "AU", "CN", "IT", "", "ZZ", "us", "001",
];

/// `phone::normalize(raw, region)`: the first byte picks the region, the
/// rest is the number as typed. A number that normalises is E.164, and
/// normalising it again (as a caller lookup does with the number the
/// phone system reports) gives the same number.
pub fn phone(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let region = REGIONS[first as usize % REGIONS.len()];
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let Some(e164) = normalize(raw, region) else {
        return;
    };
    assert!(
        e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()),
        "not E.164: {e164:?}"
    );
    assert_eq!(
        normalize(&e164, region).as_deref(),
        Some(e164.as_str()),
        "normalising {e164:?} again differs"
    );
}

/// `parse_crm_date`: a date it accepts is a real calendar date (29
/// February only with a leap year or without a year), and writing it back
/// in the canonical form parses to the same date.
pub fn date(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Some((year, month, day)) = parse_crm_date(raw) else {
        return;
    };
    assert!((1..=12).contains(&month) && (1..=31).contains(&day));
    let canonical = match year {
        Some(y) if (0..=9999).contains(&y) => format!("{y:04}-{month:02}-{day:02}"),
        Some(_) => return,
        None => format!("--{month:02}-{day:02}"),
    };
    assert_eq!(
        parse_crm_date(&canonical),
        Some((year, month, day)),
        "{canonical:?} does not parse back"
    );
}
