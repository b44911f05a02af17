//! CSV import: which Outpost field a column is, recognising the column
//! names of Salesforce and HubSpot exports, and CSV parsing.

use std::collections::BTreeMap;

use super::errors::ApiError;
use super::import_limits::{Limits, too_large};

/// What is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Contacts,
    Accounts,
    Deals,
}

impl ImportKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "contacts" => ImportKind::Contacts,
            "accounts" => ImportKind::Accounts,
            "deals" => ImportKind::Deals,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ImportKind::Contacts => "contacts",
            ImportKind::Accounts => "accounts",
            ImportKind::Deals => "deals",
        }
    }

    /// Target fields and the (normalised) column names that mean them, from
    /// Salesforce ("First Name", "Account Name", "Opportunity Name",
    /// "Billing City", …) and HubSpot ("Company Name", "Record ID",
    /// "Deal Stage", "Phone Number", …) exports.
    fn aliases(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            ImportKind::Contacts => &[
                ("first_name", &["firstname", "givenname", "first"]),
                ("last_name", &["lastname", "surname", "familyname", "last"]),
                (
                    "email",
                    &[
                        "email",
                        "emailaddress",
                        "email1",
                        "workemail",
                        "primaryemail",
                    ],
                ),
                (
                    "phone",
                    &[
                        "phone",
                        "phonenumber",
                        "businessphone",
                        "workphone",
                        "officephone",
                    ],
                ),
                (
                    "mobile",
                    &["mobile", "mobilephone", "mobilephonenumber", "cellphone"],
                ),
                ("title", &["title", "jobtitle"]),
                (
                    "account_name",
                    &[
                        "accountname",
                        "companyname",
                        "company",
                        "associatedcompany",
                        "organization",
                    ],
                ),
                (
                    "account_external_id",
                    &["accountid", "companyid", "associatedcompanyid"],
                ),
                ("external_id", &["contactid", "recordid", "id"]),
                ("owner", &["owner", "contactowner", "ownerid"]),
                ("notes", &["description", "notes"]),
            ],
            ImportKind::Accounts => &[
                ("name", &["accountname", "companyname", "name", "company"]),
                ("external_id", &["accountid", "recordid", "companyid", "id"]),
                (
                    "website",
                    &["website", "companydomainname", "domain", "websiteurl"],
                ),
                ("industry", &["industry"]),
                ("phone", &["phone", "phonenumber", "accountphone"]),
                ("territory", &["territory", "salesterritory"]),
                (
                    "owner",
                    &["owner", "accountowner", "companyowner", "ownerid"],
                ),
                (
                    "street",
                    &["billingstreet", "streetaddress", "street", "address"],
                ),
                ("city", &["billingcity", "city"]),
                (
                    "postal_code",
                    &[
                        "billingzippostalcode",
                        "billingpostalcode",
                        "postalcode",
                        "zip",
                        "zipcode",
                    ],
                ),
                ("country", &["billingcountry", "country", "countryregion"]),
                ("notes", &["description", "notes"]),
            ],
            ImportKind::Deals => &[
                ("name", &["opportunityname", "dealname", "name"]),
                (
                    "account_name",
                    &["accountname", "companyname", "associatedcompany", "company"],
                ),
                (
                    "account_external_id",
                    &["accountid", "associatedcompanyid", "companyid"],
                ),
                (
                    "external_id",
                    &["opportunityid", "dealid", "recordid", "id"],
                ),
                ("stage", &["stage", "dealstage", "stagename"]),
                ("amount", &["amount", "dealamount"]),
                (
                    "currency",
                    &[
                        "currency",
                        "opportunitycurrency",
                        "currencycode",
                        "currencyisocode",
                    ],
                ),
                ("expected_close", &["closedate", "expectedclosedate"]),
                ("pipeline", &["pipeline"]),
                (
                    "owner",
                    &["owner", "opportunityowner", "dealowner", "ownerid"],
                ),
                ("probability", &["probability", "dealprobability"]),
            ],
        }
    }

    /// Every field a column may be mapped to.
    pub fn fields(self) -> Vec<&'static str> {
        self.aliases().iter().map(|(f, _)| *f).collect()
    }

    /// The field a column name suggests, if any.
    pub fn suggest(self, column: &str) -> Option<&'static str> {
        let n = normalise(column);
        self.aliases()
            .iter()
            .find(|(f, names)| names.contains(&n.as_str()) || normalise(f) == n)
            .map(|(f, _)| *f)
    }

    /// A suggested mapping for every column (a field is suggested once).
    pub fn suggest_mapping(self, headers: &[String]) -> BTreeMap<String, Option<String>> {
        let mut taken = Vec::new();
        headers
            .iter()
            .map(|h| {
                let f = self.suggest(h).filter(|f| !taken.contains(f));
                if let Some(f) = f {
                    taken.push(f);
                }
                (h.clone(), f.map(str::to_owned))
            })
            .collect()
    }
}

/// Lower case letters and digits only: "Mobile Phone" → "mobilephone".
fn normalise(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A parsed CSV file: its header and its data rows. A row holds the cells
/// the file has, up to the header's width: a short row is not padded (a
/// missing cell is absent), and blank rows are left out. The cells live in
/// one buffer with 8 bytes of bookkeeping each, not a `String` each.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    /// Every data cell, trimmed, one after another.
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<usize>,
    /// The index in `ends` of each row's first cell.
    starts: Vec<usize>,
}

impl Table {
    /// Data rows.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// The cells of data row `i` (0 = the first), as many as the file has.
    pub fn row(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        let first = self.starts[i];
        let end = self.starts.get(i + 1).copied().unwrap_or(self.ends.len());
        (first..end).map(move |c| {
            let from = if c == 0 { 0 } else { self.ends[c - 1] };
            &self.text[from..self.ends[c]]
        })
    }

    /// Every data row.
    pub fn rows(&self) -> impl Iterator<Item = impl Iterator<Item = &str> + '_> + '_ {
        (0..self.len()).map(|i| self.row(i))
    }
}

/// Checks one line of the file against the limits; `cells` counts the
/// cells of every line so far.
fn check_line(rec: &csv::StringRecord, cells: &mut usize, limits: &Limits) -> Result<(), ApiError> {
    let line = rec.position().map_or(0, csv::Position::line);
    if rec.len() > limits.max_columns {
        return Err(too_large(
            "too_many_columns",
            &format!("line {line} has {} columns", rec.len()),
            "import_max_columns",
            limits.max_columns,
        ));
    }
    *cells += rec.len();
    if *cells > limits.max_cells {
        return Err(too_large(
            "too_many_cells",
            "the file has too many cells",
            "import_max_cells",
            limits.max_cells,
        ));
    }
    if let Some(col) = rec.iter().position(|c| c.len() > limits.max_cell_bytes) {
        return Err(too_large(
            "cell_too_large",
            &format!("the cell in column {} of line {line} is too large", col + 1),
            "import_max_cell_bytes",
            limits.max_cell_bytes,
        ));
    }
    Ok(())
}

/// Parses CSV text with a header row; `;` is the delimiter when the header
/// has more `;` than `,` (spreadsheets in many locales export that way).
/// A file past one of `limits` is refused (413 naming the limit) as soon as
/// the line that passes it is read.
pub fn parse_csv(text: &str, limits: &Limits) -> Result<Table, ApiError> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| {
        let at = e
            .position()
            .map(|p| format!(" (line {})", p.line()))
            .unwrap_or_default();
        ApiError::bad("invalid_csv", "csv", format!("not readable as CSV{at}"))
    };
    let no_header = || ApiError::bad("invalid_csv", "csv", "the first line must name the columns");
    let mut rec = csv::StringRecord::new();
    let mut cells = 0;
    if !r.read_record(&mut rec).map_err(bad)? {
        return Err(no_header());
    }
    check_line(&rec, &mut cells, limits)?;
    let headers: Vec<String> = rec.iter().map(|h| h.trim().to_owned()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(no_header());
    }
    let mut t = Table {
        headers,
        ..Table::default()
    };
    while r.read_record(&mut rec).map_err(bad)? {
        check_line(&rec, &mut cells, limits)?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if t.len() >= limits.max_rows {
            return Err(too_large(
                "too_many_rows",
                "the file has too many rows",
                "import_max_rows",
                limits.max_rows,
            ));
        }
        t.starts.push(t.ends.len());
        // cells past the header's width belong to no column
        for c in rec.iter().take(t.headers.len()) {
            t.text.push_str(c.trim());
            t.ends.push(t.text.len());
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_and_hubspot_columns_are_recognised() {
        let c = ImportKind::Contacts;
        assert_eq!(c.suggest("First Name"), Some("first_name"));
        assert_eq!(c.suggest("Mobile Phone"), Some("mobile"));
        assert_eq!(c.suggest("Phone Number"), Some("phone"));
        assert_eq!(c.suggest("Company Name"), Some("account_name"));
        assert_eq!(c.suggest("Account ID"), Some("account_external_id"));
        assert_eq!(c.suggest("Record ID"), Some("external_id"));
        assert_eq!(c.suggest("Fax"), None);
        let d = ImportKind::Deals;
        assert_eq!(d.suggest("Opportunity Name"), Some("name"));
        assert_eq!(d.suggest("Deal Stage"), Some("stage"));
        assert_eq!(d.suggest("Close Date"), Some("expected_close"));
        assert_eq!(d.suggest("Amount"), Some("amount"));
    }

    const LIMITS: Limits = Limits {
        max_bytes: 1 << 20,
        max_columns: 4,
        max_rows: 3,
        max_cells: 14,
        max_cell_bytes: 8,
        max_jobs_per_user: 1,
    };

    fn rows(t: &Table) -> Vec<Vec<&str>> {
        t.rows().map(Iterator::collect).collect()
    }

    #[test]
    fn semicolons_and_short_rows_parse_without_padding() {
        let t = parse_csv("\u{feff}Name;Email\nKari;k@x.no\n\n ; \nOla\n", &LIMITS).unwrap();
        assert_eq!(t.headers, vec!["Name", "Email"]);
        // a short row stays short, a blank one is left out
        assert_eq!(rows(&t), vec![vec!["Kari", "k@x.no"], vec!["Ola"]]);
        // cells past the header's width belong to no column
        let t = parse_csv("a,b\n1,2,3\n", &LIMITS).unwrap();
        assert_eq!(rows(&t), vec![vec!["1", "2"]]);
    }

    #[test]
    fn a_file_past_a_limit_is_refused_naming_it() {
        let refused = |csv: &str| {
            let e = parse_csv(csv, &LIMITS).unwrap_err();
            assert_eq!(e.status.as_u16(), 413, "{}", e.message);
            (e.code, e.message)
        };
        let (code, msg) = refused("a,b,c,d,e\n1\n");
        assert_eq!(code, "too_many_columns");
        assert!(msg.contains("import_max_columns = 4"), "{msg}");
        assert_eq!(refused("a\n1,2,3,4,5\n").0, "too_many_columns");
        assert_eq!(refused("a\n1\n2\n3\n4\n").0, "too_many_rows");
        assert_eq!(
            refused("a,b,c,d\n1,2,3,4\n1,2,3,4\n1,2,3\n").0,
            "too_many_cells"
        );
        let (code, msg) = refused("a\n123456789\n");
        assert_eq!(code, "cell_too_large");
        assert!(msg.contains("column 1 of line 2"), "{msg}");
        // at the limits
        let t = parse_csv("a,b,c,d\n1,2,3,4\n1,2,3,4\n12345678\n", &LIMITS).unwrap();
        assert_eq!(t.len(), 3);
    }
}
