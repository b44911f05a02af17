//! How dates, amounts of money and quantities are written in each locale the
//! templates support, written out by hand.
//!
//! Why not a CLDR crate (crates.io checked for this module): `icu` 2.4
//! (ICU4X) is well kept, but currency formatting is only in
//! `icu_experimental` (no stability promise), and its compiled data for date
//! and number formatting in every locale adds megabytes to the phone library
//! unless a trimmed data blob is generated with `icu4x-datagen` as an extra
//! build step; too heavy for six locales. `num-format` (0.4.4) only groups
//! digits: no currencies, no dates, no month names. chrono's month names sit
//! behind its `unstable-locales` feature (glibc's locale tables for every
//! locale). The rules below are CLDR's for these six locales, a few dozen
//! lines, and they never read the device's locale settings, so a template
//! renders the same on every phone.
//!
//! Spaces: in e-mail and proposal templates ([`Spacing::NoBreak`]) the digit
//! group separator and the space between an amount and its currency are
//! U+00A0 NO-BREAK SPACE, as CLDR has them for nb, fi, ru and sl (an amount
//! never wraps across lines); SMS templates ([`Spacing::Plain`]) use the
//! plain U+0020 space instead, because U+00A0 is outside the GSM 03.38
//! alphabet and one of them would switch the whole message to UCS-2 (70
//! instead of 160 characters a part). Dates always use plain spaces, as CLDR
//! does. Negative amounts take an ASCII hyphen-minus ("-12 345,50 kr"), not
//! CLDR's U+2212 MINUS SIGN, for the same reason.

use chrono::{Datelike, NaiveDate};

/// The formatting rules of one locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    /// Norwegian (nb, nn, no): "4. desember 2026", "12 345,50 kr".
    Nb,
    /// Finnish: "4.12.2026", "12 345,50 €".
    Fi,
    /// Slovenian: "4. 12. 2026", "12.345,50 €".
    Sl,
    /// Russian: "04.12.2026", "12 345,50 ₽".
    Ru,
    /// British English (and English outside the US): "4 December 2026", "£12,345.50".
    EnGb,
    /// American English (and plain `en`): "December 4, 2026", "$12,345.50".
    EnUs,
    /// Any other language: ISO 8601 dates ("2026-12-04"), SI-style numbers
    /// ("12 345.50 EUR"), currencies by code. Neutral rather than English.
    Neutral,
}

/// Regions that write English the American way.
const US_STYLE_REGIONS: &[&str] = &["us", "as", "gu", "mp", "pr", "um", "vi", "ph"];

impl Locale {
    /// The rules for a BCP 47 tag (`nb-NO`, `fi_FI`, `en`, `sl-Latn-SI`):
    /// matched on the language and, for English, the region.
    pub(crate) fn from_tag(tag: &str) -> Locale {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut subtags = tag.split('-');
        let language = subtags.next().unwrap_or_default();
        // the region: two letters or three digits, after an optional script
        let region = subtags.find(|s| {
            (s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()))
                || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
        });
        match language {
            "nb" | "nn" | "no" => Locale::Nb,
            "fi" => Locale::Fi,
            "sl" => Locale::Sl,
            "ru" => Locale::Ru,
            "en" => match region {
                None => Locale::EnUs,
                Some(r) if US_STYLE_REGIONS.contains(&r) => Locale::EnUs,
                Some(_) => Locale::EnGb,
            },
            _ => Locale::Neutral,
        }
    }

    fn month_name(self, month: u32) -> &'static str {
        const NB: [&str; 12] = [
            "januar",
            "februar",
            "mars",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "desember",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let i = (month.clamp(1, 12) - 1) as usize;
        match self {
            Locale::Nb => NB[i],
            _ => EN[i],
        }
    }

    /// A full date in the locale's style.
    pub(crate) fn date(self, date: NaiveDate) -> String {
        let (d, m, y) = (date.day(), date.month(), date.year());
        match self {
            Locale::Nb => format!("{d}. {} {y}", self.month_name(m)),
            Locale::Fi => format!("{d}.{m}.{y}"),
            Locale::Sl => format!("{d}. {m}. {y}"),
            Locale::Ru => format!("{d:02}.{m:02}.{y}"),
            Locale::EnGb => format!("{d} {} {y}", self.month_name(m)),
            Locale::EnUs => format!("{} {d}, {y}", self.month_name(m)),
            Locale::Neutral => date.format("%Y-%m-%d").to_string(),
        }
    }

    /// A day of a month without the year (birthdays stored as `--MM-DD`).
    pub(crate) fn month_day(self, month: u32, day: u32) -> String {
        match self {
            Locale::Nb => format!("{day}. {}", self.month_name(month)),
            Locale::Fi => format!("{day}.{month}."),
            Locale::Sl => format!("{day}. {month}."),
            Locale::Ru => format!("{day:02}.{month:02}"),
            Locale::EnGb => format!("{day} {}", self.month_name(month)),
            Locale::EnUs => format!("{} {day}", self.month_name(month)),
            Locale::Neutral => format!("--{month:02}-{day:02}"),
        }
    }

    /// (group separator, decimal separator); `None` as the group separator
    /// means the locale's space.
    fn separators(self) -> (Option<char>, char) {
        match self {
            Locale::Nb | Locale::Fi | Locale::Ru => (None, ','),
            Locale::Sl => (Some('.'), ','),
            Locale::EnGb | Locale::EnUs => (Some(','), '.'),
            Locale::Neutral => (None, '.'),
        }
    }

    /// The currency this locale writes with a symbol, and how.
    fn own_currency(self) -> Option<(&'static str, &'static str, SymbolAt)> {
        match self {
            Locale::Nb => Some(("NOK", "kr", SymbolAt::After)),
            Locale::Fi | Locale::Sl => Some(("EUR", "€", SymbolAt::After)),
            Locale::Ru => Some(("RUB", "₽", SymbolAt::After)),
            Locale::EnGb => Some(("GBP", "£", SymbolAt::Before)),
            Locale::EnUs => Some(("USD", "$", SymbolAt::Before)),
            Locale::Neutral => None,
        }
    }

    /// Where this locale writes a currency code (CLDR: English before the
    /// number, the others after it).
    fn code_at(self) -> SymbolAt {
        match self {
            Locale::EnGb | Locale::EnUs => SymbolAt::Before,
            _ => SymbolAt::After,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SymbolAt {
    Before,
    After,
}

/// Which space goes into numbers (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spacing {
    /// U+00A0 NO-BREAK SPACE (e-mail, proposals).
    NoBreak,
    /// U+0020 SPACE (SMS: keeps the message in the GSM 7-bit alphabet).
    Plain,
}

impl Spacing {
    fn space(self) -> char {
        match self {
            Spacing::NoBreak => '\u{a0}',
            Spacing::Plain => ' ',
        }
    }
}

/// A locale and a spacing: everything the filters need to write a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Formatter {
    pub(crate) locale: Locale,
    pub(crate) spacing: Spacing,
}

/// A date as the records store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IsoDate {
    /// `YYYY-MM-DD`.
    Full(NaiveDate),
    /// `--MM-DD`: a birthday whose year is unknown.
    MonthDay(u32, u32),
}

/// Parses `YYYY-MM-DD` or `--MM-DD` (surrounding whitespace allowed).
pub(crate) fn parse_iso_date(s: &str) -> Option<IsoDate> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("--") {
        let (m, d) = rest.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (m, d): (u32, u32) = (digits(m)?, digits(d)?);
        // any year that has the day: 2000 is a leap year, so --02-29 is fine
        NaiveDate::from_ymd_opt(2000, m, d)?;
        return Some(IsoDate::MonthDay(m, d));
    }
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(y)? as i32, digits(m)?, digits(d)?)?;
    Some(IsoDate::Full(date))
}

fn digits(s: &str) -> Option<u32> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// ISO 4217 minor-unit digits: 2 for most currencies, these differ.
pub(crate) fn currency_exponent(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

impl Formatter {
    /// A stored date (`YYYY-MM-DD` or `--MM-DD`) in the locale's style.
    pub(crate) fn iso_date(self, date: IsoDate) -> String {
        match date {
            IsoDate::Full(d) => self.locale.date(d),
            IsoDate::MonthDay(m, d) => self.locale.month_day(m, d),
        }
    }

    /// Digits of `int` grouped by thousands.
    fn grouped(self, int: u128) -> String {
        let (group, _) = self.locale.separators();
        let group = group.unwrap_or(self.spacing.space());
        let digits = int.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(group);
            }
            out.push(c);
        }
        out
    }

    /// `minor` units with `exponent` decimals: "12 345,50".
    fn fixed(self, minor: u128, exponent: u32) -> String {
        let (_, decimal) = self.locale.separators();
        let unit = 10u128.pow(exponent);
        let mut out = self.grouped(minor / unit);
        if exponent > 0 {
            out.push(decimal);
            out.push_str(&format!(
                "{:0width$}",
                minor % unit,
                width = exponent as usize
            ));
        }
        out
    }

    /// An amount in minor units of `currency` (an ISO 4217 code): the
    /// locale's own currency with its symbol, any other by its code. An empty
    /// currency writes the number alone (two decimals).
    pub(crate) fn money(self, minor: i64, currency: &str) -> String {
        let code = currency.trim().to_ascii_uppercase();
        let sign = if minor < 0 { "-" } else { "" };
        let abs = u128::from(minor.unsigned_abs());
        let space = self.spacing.space();
        if code.is_empty() {
            return format!("{sign}{}", self.fixed(abs, 2));
        }
        let number = self.fixed(abs, currency_exponent(&code));
        match self.locale.own_currency() {
            Some((own, symbol, SymbolAt::Before)) if own == code => {
                format!("{sign}{symbol}{number}")
            }
            Some((own, symbol, SymbolAt::After)) if own == code => {
                format!("{sign}{number}{space}{symbol}")
            }
            _ => match self.locale.code_at() {
                SymbolAt::Before => format!("{sign}{code}{space}{number}"),
                SymbolAt::After => format!("{sign}{number}{space}{code}"),
            },
        }
    }

    /// A quantity in thousandths (`LineItem::quantity_milli`): "1,5", "12".
    pub(crate) fn quantity(self, milli: i64) -> String {
        let sign = if milli < 0 { "-" } else { "" };
        let abs = u128::from(milli.unsigned_abs());
        let (_, decimal) = self.locale.separators();
        let mut out = format!("{sign}{}", self.grouped(abs / 1000));
        let frac = abs % 1000;
        if frac > 0 {
            out.push(decimal);
            out.push_str(format!("{frac:03}").trim_end_matches('0'));
        }
        out
    }
}
