//! Phone number normalisation for caller lookup ("screen pop").

/// Normalises a number to E.164 (`+4722334455`) using `default_region`
/// (ISO 3166-1 alpha-2) for numbers typed without a country code. Returns
/// `None` when the input is not a plausible phone number.
///
/// The result is a fixed point: normalising it again (with the same
/// region, as the index and the caller lookup do) gives it back, so a
/// caller lookup with the E.164 number the phone system reports finds the
/// contact. (`phonenumber` does not guarantee that for every input: typed
/// with an international prefix and a zero after it, `00002 7946 041` in
/// GB formats as `+440027946041`, which in GB parses as `+4427946041`; the
/// number is then the one its E.164 form settles on, or `None`.)
pub fn normalize(raw: &str, default_region: &str) -> Option<String> {
    let region = default_region.parse::<phonenumber::country::Id>().ok();
    let mut number = to_e164(region, raw)?;
    for _ in 0..3 {
        let again = to_e164(region, &number)?;
        if again == number {
            return Some(number);
        }
        number = again;
    }
    None
}

/// One parse and format, without the fixed-point check.
fn to_e164(region: Option<phonenumber::country::Id>, raw: &str) -> Option<String> {
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

    /// Found by the `phone` fuzz target: the E.164 form of a number typed
    /// with an international prefix and a zero after it did not normalise
    /// to itself, so a caller lookup with it missed the contact.
    #[test]
    fn normalised_numbers_normalise_to_themselves() {
        let e164 = normalize("00002 7946 041", "GB").expect("kept");
        assert_eq!(normalize(&e164, "GB").as_deref(), Some(e164.as_str()));
        for (raw, region) in [("+47 22 33 44 55", "NO"), ("(415) 555-2671", "US")] {
            let e164 = normalize(raw, region).expect("valid");
            assert_eq!(normalize(&e164, region), Some(e164));
        }
    }
}
