//! What is not the signature (greetings, disclaimers, reply headers, "Sent
//! from my iPhone") and the labels of contact channels.

/// Closing greetings that may be followed by the sender's name on the same
/// line ("Med vennlig hilsen Kari Nordmann"). What comes before such a line
/// is the body of the message, not the signature.
pub(crate) const GREETINGS: &[&str] = &[
    // English
    "best regards",
    "kind regards",
    "warm regards",
    "warmest regards",
    "many thanks and best regards",
    "regards",
    "best wishes",
    "yours sincerely",
    "sincerely",
    "yours faithfully",
    "all the best",
    // Norwegian, Danish
    "med vennlig hilsen",
    "vennlig hilsen",
    "med venlig hilsen",
    "venlig hilsen",
    "med beste hilsen",
    "beste hilsen",
    "med hilsen",
    "hilsen",
    "mvh",
    // Swedish (Nordic senders write it to Norwegian and Finnish customers)
    "med vänliga hälsningar",
    "vänliga hälsningar",
    // Finnish
    "ystävällisin terveisin",
    "parhain terveisin",
    "terveisin",
    "ystävällisesti",
    "yst. terv.",
    "yst.terv.",
    // Slovenian
    "lep pozdrav",
    "lepo pozdravljeni",
    "prijazen pozdrav",
    "s spoštovanjem",
    "lp",
    // Russian
    "с уважением",
    "с наилучшими пожеланиями",
    "всего доброго",
    "всего наилучшего",
];

/// Closings abbreviated so short they only count before a name on the same
/// line ("T. Heikki": "T." is also a phone label).
pub(crate) const GREETINGS_BEFORE_NAME: &[&str] = &["t.", "terv.", "yst."];

/// Closings that are only a greeting when they are the whole line: "Thanks
/// for the meeting" starts a sentence of the body.
pub(crate) const GREETINGS_WHOLE_LINE: &[&str] = &[
    "thanks",
    "thank you",
    "many thanks",
    "cheers",
    "best",
    "br",
    "takk",
    "tusen takk",
    "kiitos",
    "hvala",
    "спасибо",
];

/// Substrings of the legal disclaimers mail servers append. The disclaimer
/// is the end of the signature: the line and everything after it go.
pub(crate) const DISCLAIMER_MARKERS: &[&str] = &[
    "confidential",
    "disclaimer",
    "intended recipient",
    "intended solely",
    "privileged",
    "if you have received this",
    "before printing",
    "konfidensiell",
    "fortrolig",
    "taushetsbelagt",
    "ved en feil",
    "skriver ut denne",
    "luottamuksell",
    "tarkoitettu ainoastaan",
    "tulostat",
    "zaupn",
    "namenjeno izključno",
    "natisnete",
    "конфиденциальн",
    "предназначено исключительно",
    "распечатыва",
];

/// Starts of the lines phones and mail apps append ("Sent from my
/// iPhone"): never part of the signature, dropped.
pub(crate) const SENT_FROM: &[&str] = &[
    "sent from my",
    "sent from outlook",
    "sent from mail for",
    "get outlook for",
    "sendt fra min",
    "sendt fra outlook",
    "hent outlook for",
    "skickat från",
    "lähetetty",
    "poslano z",
    "poslano iz",
    "отправлено с",
    "отправлено из",
];

/// Starts of the header of a quoted reply or forward: it and everything
/// after it is someone else's message.
pub(crate) const REPLY_HEADERS: &[&str] = &[
    "-----original message",
    "----- original message",
    "-----opprinnelig melding",
    "-----alkuperäinen viesti",
    "-----izvirno sporočilo",
    "-----исходное сообщение",
    "-------- forwarded message",
    "---------- forwarded message",
    "from:",
    "fra:",
    "lähettäjä:",
    "od:",
    "от:",
];

/// Verbs of a "On 3 March, Kari <kari@…> wrote:" reply header line (a line
/// ending in ":" with one of them).
pub(crate) const REPLY_VERBS: &[&str] = &[
    "wrote",
    "skrev",
    "kirjoitti",
    "napisal",
    "napisala",
    "napisal(a)",
    "написал",
    "написала",
    "написал(а)",
];

/// Words that label a contact channel ("Tel:", "E-mail:", "Web:"). A piece
/// of a line that is only such words, once its number or address is taken
/// out, is dropped rather than read as a name.
pub(crate) const CHANNEL_LABELS: &[&str] = &[
    "tel",
    "tlf",
    "telefon",
    "telephone",
    "phone",
    "ph",
    "mob",
    "mobil",
    "mobile",
    "cell",
    "gsm",
    "fax",
    "faks",
    "telefax",
    "telefaks",
    "faksi",
    "direct",
    "direkte",
    "dir",
    "office",
    "sentralbord",
    "switchboard",
    "vaihde",
    "e-mail",
    "email",
    "mail",
    "e-post",
    "epost",
    "e-pošta",
    "e-naslov",
    "web",
    "www",
    "website",
    "internet",
    "nettside",
    "hjemmeside",
    "puh",
    "puhelin",
    "matkapuhelin",
    "matkap",
    "mobiili",
    "sähköposti",
    "s-posti",
    "kotisivu",
    "kotisivut",
    "mobitel",
    "splet",
    "spletna",
    "stran",
    "тел",
    "телефон",
    "моб",
    "мобильный",
    "факс",
    "эл",
    "почта",
    "e",
    "t",
    "m",
    "f",
    "w",
    "p",
    "d",
    "o",
    "c",
    "nr",
    "сайт",
];

/// Labels in front of a number that is not a phone (company registration,
/// VAT, bank account): the number is skipped.
pub(crate) const NOT_PHONE_LABELS: &[&str] = &[
    "org",
    "orgnr",
    "organisasjonsnummer",
    "foretaksregisteret",
    "mva",
    "vat",
    "tunnus",
    "ytunnus",
    "reg",
    "regnr",
    "registration",
    "company",
    "matična",
    "maticna",
    "davčna",
    "davcna",
    "ddv",
    "id",
    "trr",
    "konto",
    "kontonr",
    "kontonummer",
    "account",
    "iban",
    "swift",
    "bic",
    "bank",
    "tilinumero",
    "tili",
    "pankki",
    "инн",
    "кпп",
    "огрн",
    "огрнип",
    "окпо",
    "бик",
    "банк",
    "счет",
    "счёт",
];
