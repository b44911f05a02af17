//! Phone number normalisation for caller lookup ("screen pop").

/// Normalises a number to E.164 (`+4722334455`) using `default_region`
/// (ISO 3166-1 alpha-2) for numbers typed without a country code. Returns
/// `None` when the input is not a plausible phone number.
pub fn normalize(raw: &str, default_region: &str) -> Option<String> {
    let region = default_region.parse::<phonenumber::country::Id>().ok();
    let parsed = phonenumber::parse(region, raw).ok()?;
    if !phonenumber::is_valid(&parsed) {
        // Keep plausible numbers the metadata does not know (new ranges),
        // as long as they have enough digits to be a real number.
        let digits = parsed.national().value().to_string();
        if digits.len() < 6 {
            return None;
        }
    }
    Some(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_number_typed_three_ways_normalises_the_same() {
        let a = normalize("+47 22 33 44 55", "NO");
        let b = normalize("22334455", "NO");
        let c = normalize("0047 22-33-44-55", "NO");
        assert_eq!(a.as_deref(), Some("+4722334455"));
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(
            normalize("(415) 555-2671", "US").as_deref(),
            Some("+14155552671")
        );
        assert_eq!(normalize("hello", "NO"), None);
        assert_eq!(normalize("12", "NO"), None);
    }
}
