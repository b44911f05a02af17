//! Countries, cities, country-code domains and free-mail providers.

/// Mail providers anyone can use: their domain says nothing about the
/// company (and is not matched against company lines).
pub(crate) const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.no",
    "live.com",
    "live.no",
    "msn.com",
    "yahoo.com",
    "yahoo.no",
    "icloud.com",
    "me.com",
    "mac.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "gmx.net",
    "online.no",
    "getmail.no",
    "broadpark.no",
    "telia.com",
    "elisanet.fi",
    "kolumbus.fi",
    "luukku.com",
    "siol.net",
    "t-2.net",
    "amis.net",
    "mail.ru",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "yandex.ru",
    "ya.ru",
    "rambler.ru",
    "aol.com",
];

/// Country names and codes as they are written on cards, to ISO 3166-1
/// alpha-2.
pub(crate) const COUNTRIES: &[(&str, &str)] = &[
    ("norway", "NO"),
    ("norge", "NO"),
    ("noreg", "NO"),
    ("norja", "NO"),
    ("norveška", "NO"),
    ("норвегия", "NO"),
    ("finland", "FI"),
    ("suomi", "FI"),
    ("finska", "FI"),
    ("финляндия", "FI"),
    ("slovenia", "SI"),
    ("slovenija", "SI"),
    ("slovenien", "SI"),
    ("словения", "SI"),
    ("russia", "RU"),
    ("russian federation", "RU"),
    ("russland", "RU"),
    ("venäjä", "RU"),
    ("rusija", "RU"),
    ("россия", "RU"),
    ("российская федерация", "RU"),
    ("рф", "RU"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("u.k.", "GB"),
    ("great britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("storbritannia", "GB"),
    ("sweden", "SE"),
    ("sverige", "SE"),
    ("ruotsi", "SE"),
    ("denmark", "DK"),
    ("danmark", "DK"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("tyskland", "DE"),
    ("estonia", "EE"),
    ("eesti", "EE"),
    ("croatia", "HR"),
    ("hrvaška", "HR"),
    ("austria", "AT"),
    ("avstrija", "AT"),
    ("italy", "IT"),
    ("italija", "IT"),
    ("usa", "US"),
    ("u.s.a.", "US"),
    ("united states", "US"),
];

/// Country-code top-level domains to the region their numbers and
/// addresses are written for (a card from a `.fi` company writes Finnish
/// numbers without the +358).
pub(crate) const TLD_REGIONS: &[(&str, &str)] = &[
    ("no", "NO"),
    ("fi", "FI"),
    ("si", "SI"),
    ("ru", "RU"),
    ("рф", "RU"),
    ("uk", "GB"),
    ("se", "SE"),
    ("dk", "DK"),
    ("de", "DE"),
    ("ee", "EE"),
    ("hr", "HR"),
    ("at", "AT"),
    ("it", "IT"),
    ("us", "US"),
];

/// A few cities per country whose postal codes look alike (Norway and
/// Slovenia both use four digits): the city tells them apart.
pub(crate) const CITIES: &[(&str, &str)] = &[
    ("oslo", "NO"),
    ("bergen", "NO"),
    ("trondheim", "NO"),
    ("stavanger", "NO"),
    ("tromsø", "NO"),
    ("kristiansand", "NO"),
    ("drammen", "NO"),
    ("fredrikstad", "NO"),
    ("ålesund", "NO"),
    ("bodø", "NO"),
    ("hamar", "NO"),
    ("lillehammer", "NO"),
    ("tønsberg", "NO"),
    ("sandnes", "NO"),
    ("haugesund", "NO"),
    ("molde", "NO"),
    ("lysaker", "NO"),
    ("sandvika", "NO"),
    ("asker", "NO"),
    ("skien", "NO"),
    ("larvik", "NO"),
    ("arendal", "NO"),
    ("helsinki", "FI"),
    ("espoo", "FI"),
    ("vantaa", "FI"),
    ("tampere", "FI"),
    ("turku", "FI"),
    ("oulu", "FI"),
    ("jyväskylä", "FI"),
    ("lahti", "FI"),
    ("kuopio", "FI"),
    ("pori", "FI"),
    ("vaasa", "FI"),
    ("rovaniemi", "FI"),
    ("ljubljana", "SI"),
    ("maribor", "SI"),
    ("celje", "SI"),
    ("kranj", "SI"),
    ("koper", "SI"),
    ("novo mesto", "SI"),
    ("velenje", "SI"),
    ("nova gorica", "SI"),
    ("ptuj", "SI"),
    ("murska sobota", "SI"),
    ("domžale", "SI"),
    ("škofja loka", "SI"),
    ("kamnik", "SI"),
    ("москва", "RU"),
    ("санкт-петербург", "RU"),
    ("новосибирск", "RU"),
    ("екатеринбург", "RU"),
    ("казань", "RU"),
    ("нижний новгород", "RU"),
    ("london", "GB"),
    ("manchester", "GB"),
    ("edinburgh", "GB"),
    ("birmingham", "GB"),
    ("leeds", "GB"),
    ("glasgow", "GB"),
    ("bristol", "GB"),
    ("aberdeen", "GB"),
];

/// Parts of a Russian address that name the region (oblast, krai,
/// republic, district): not the city.
pub(crate) const RU_REGION_WORDS: &[&str] = &[
    "область",
    "обл.",
    "край",
    "республика",
    "район",
    "р-н",
    "округ",
];

/// Which postal code lengths a region uses, for a code whose country is
/// not written: a four-digit code belongs to the hinted region only if that
/// region writes four digits.
pub(crate) fn postal_digits(region: &str) -> Option<usize> {
    match region {
        "NO" | "SI" | "DK" | "AT" | "CH" | "BE" => Some(4),
        "FI" | "SE" | "DE" | "FR" | "IT" | "ES" | "EE" | "HR" | "US" => Some(5),
        "RU" => Some(6),
        _ => None,
    }
}

/// The ISO code of a country name (lowercase, trimmed).
pub(crate) fn country_code(name: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, code)| *code)
}

/// The country of a city in the short list.
pub(crate) fn city_country(city: &str) -> Option<&'static str> {
    CITIES
        .iter()
        .find(|(c, _)| *c == city)
        .map(|(_, code)| *code)
}
