//! E-mail addresses and websites in a piece of a card.

use super::words;

/// The longest e-mail local part (RFC 5321).
const MAX_LOCAL: usize = 64;
/// The longest domain name.
const MAX_DOMAIN: usize = 253;

/// Top-level domains a bare domain ("fjordline.no", no "www." and no
/// scheme) may end with to be read as a website: a word with a dot is
/// otherwise too often something else ("d.o.o.", "Ltd.", "g.Moskva").
const WEB_TLDS: &[&str] = &[
    "com", "net", "org", "no", "fi", "si", "ru", "uk", "io", "eu", "se", "dk", "de", "ee", "info",
    "biz", "рф", "app", "dev", "tech", "ai", "co",
];

/// A website found on the card.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Website {
    /// Host and path, without the scheme and the trailing slash; the host
    /// lowercased.
    pub(crate) address: String,
    /// Written with a scheme, "www." or after a "Web:" label (a bare
    /// domain is less certain).
    pub(crate) explicit: bool,
}

/// The e-mail addresses in `piece` (domain lowercased), and `piece` with
/// them taken out.
pub(crate) fn take_emails(piece: &str) -> (Vec<String>, String) {
    // "kari @ fjordline.no", "kari [at] fjordline.no" (OCR spacing, spam
    // avoidance)
    let piece = piece
        .replace("[at]", "@")
        .replace("(at)", "@")
        .replace(" @ ", "@")
        .replace("@ ", "@")
        .replace(" @", "@");
    let chars: Vec<char> = piece.chars().collect();
    let mut found = Vec::new();
    let mut residual: Vec<char> = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0 && is_local_char(chars[start - 1]) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < chars.len() && is_domain_char(chars[end]) {
            end += 1;
        }
        let local: String = chars[start..i].iter().collect();
        let domain: String = chars[i + 1..end].iter().collect();
        let local = local.trim_start_matches(['.', '\'']);
        let domain = domain.trim_end_matches(['.', '-']);
        if let Some(email) = valid_email(local, domain) {
            found.push(email);
            // "<kari@…>", "(kari@…)": the brackets go with the address
            let (mut from, mut to) = (start, end);
            if from > 0
                && let Some(close) = match chars[from - 1] {
                    '<' => Some('>'),
                    '(' => Some(')'),
                    '[' => Some(']'),
                    _ => None,
                }
                && chars.get(to) == Some(&close)
            {
                from -= 1;
                to += 1;
            }
            for c in &mut residual[from..to] {
                *c = ' ';
            }
        }
        i = end.max(i + 1);
    }
    let residual: String = residual.into_iter().collect();
    let residual = residual.replace("mailto:", " ");
    (found, super::lines::collapse(&residual))
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

fn valid_email(local: &str, domain: &str) -> Option<String> {
    if local.is_empty() || local.len() > MAX_LOCAL || domain.len() > MAX_DOMAIN {
        return None;
    }
    if local.contains("..") || local.ends_with('.') {
        return None;
    }
    let domain = domain.to_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.starts_with('-')) {
        return None;
    }
    let tld = labels.last()?;
    if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

/// The first website in `piece`, and `piece` with it taken out.
/// `labelled` says the piece starts with a "Web:"-like label (then a bare
/// domain counts too).
pub(crate) fn take_website(piece: &str) -> (Option<Website>, String) {
    let tokens: Vec<&str> = piece.split_whitespace().collect();
    let lower = piece.to_lowercase();
    let labelled = [
        "web", "www:", "internet", "сайт", "kotisivu", "splet", "nettside",
    ]
    .iter()
    .any(|l| lower.starts_with(l))
        || lower.starts_with("w:")
        || lower.starts_with("w.");
    for (i, token) in tokens.iter().enumerate() {
        let bare = token
            .trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | '[' | ']' | ',' | ';'));
        let bare = bare.trim_end_matches('.');
        if bare.contains('@') {
            continue;
        }
        let lower = bare.to_lowercase();
        let (rest, explicit) = if let Some(r) = lower.strip_prefix("https://") {
            (r.to_owned(), true)
        } else if let Some(r) = lower.strip_prefix("http://") {
            (r.to_owned(), true)
        } else if lower.starts_with("www.") {
            (lower.clone(), true)
        } else {
            (lower.clone(), labelled || tokens.len() == 1)
        };
        let Some(address) = website_address(&rest, bare) else {
            continue;
        };
        let is_www = rest.starts_with("www.") || lower.starts_with("http");
        if !(is_www || (explicit && has_web_tld(&address))) {
            continue;
        }
        let mut residual: Vec<&str> = tokens.clone();
        residual.remove(i);
        return (Some(Website { address, explicit }), residual.join(" "));
    }
    (None, piece.to_owned())
}

/// Host (lowercased) and path of a website, without the trailing slash;
/// `None` unless the host is a domain name.
fn website_address(lower: &str, original: &str) -> Option<String> {
    let host_len = lower.find('/').unwrap_or(lower.len());
    let host = &lower[..host_len];
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || !l.chars().all(|c| c.is_alphanumeric() || c == '-'))
    {
        return None;
    }
    let tld = labels.last()?;
    if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
        return None;
    }
    // the path keeps its case (some servers care); the host is lowercased
    let skip = original
        .chars()
        .count()
        .saturating_sub(lower.chars().count());
    let path: String = original.chars().skip(skip + host.chars().count()).collect();
    let path = path.trim_end_matches('/');
    Some(format!("{host}{path}"))
}

fn has_web_tld(address: &str) -> bool {
    let host = address.split('/').next().unwrap_or_default();
    host.rsplit('.')
        .next()
        .is_some_and(|tld| WEB_TLDS.contains(&tld))
}

/// The region a domain's country-code TLD stands for.
pub(crate) fn tld_region(domain: &str) -> Option<&'static str> {
    let host = domain.split('/').next().unwrap_or_default();
    let tld = host.rsplit('.').next()?;
    words::TLD_REGIONS
        .iter()
        .find(|(t, _)| *t == tld)
        .map(|(_, region)| *region)
}

/// Whether anyone can have an address at the domain (gmail.com): it names
/// no company.
pub(crate) fn is_free_mail(domain: &str) -> bool {
    words::FREE_MAIL_DOMAINS.contains(&domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_found_with_labels_brackets_and_ocr_spacing() {
        let (found, rest) = take_emails("E-mail: Kari.Nordmann@Fjordline.NO");
        assert_eq!(found, ["Kari.Nordmann@fjordline.no"]);
        assert_eq!(rest.trim(), "E-mail:");
        let (found, rest) = take_emails("Kari Nordmann <kari @ fjordline.no>");
        assert_eq!(found, ["kari@fjordline.no"]);
        assert_eq!(rest.trim(), "Kari Nordmann");
        let (found, _) = take_emails("a@b.c, x@@y, @foo.no, ola@fjord-line.no.");
        assert_eq!(found, ["ola@fjord-line.no"]);
    }

    #[test]
    fn websites_lose_the_scheme_and_the_trailing_slash() {
        let (w, rest) = take_website("Web: https://www.Fjordline.no/");
        assert_eq!(w.map(|w| w.address).as_deref(), Some("www.fjordline.no"));
        assert_eq!(rest, "Web:");
        let (w, _) = take_website("fjordline.no");
        assert_eq!(w.map(|w| w.address).as_deref(), Some("fjordline.no"));
        // a legal form with dots is not a website
        assert_eq!(take_website("Podjetje d.o.o.").0, None);
        assert_eq!(take_website("Acme Ltd.").0, None);
    }
}
