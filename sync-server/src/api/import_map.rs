//! CSV import: which Outpost field a column is, recognising the column
//! names of Salesforce and HubSpot exports, and CSV parsing.

use std::collections::BTreeMap;

use super::errors::ApiError;

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

/// A parsed CSV file: its header and rows (every row as long as the header).
#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Parses CSV text with a header row; `;` is the delimiter when the header
/// has more `;` than `,` (spreadsheets in many locales export that way).
pub fn parse_csv(text: &str) -> Result<Table, ApiError> {
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
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| {
        let at = e
            .position()
            .map(|p| format!(" (line {})", p.line()))
            .unwrap_or_default();
        ApiError::bad("invalid_csv", "csv", format!("not readable as CSV{at}"))
    };
    let headers: Vec<String> = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ApiError::bad(
            "invalid_csv",
            "csv",
            "the first line must name the columns",
        ));
    }
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(bad)?;
        let mut row: Vec<String> = rec.iter().map(|c| c.trim().to_owned()).collect();
        if row.iter().all(String::is_empty) {
            continue;
        }
        row.resize(headers.len(), String::new());
        rows.push(row);
    }
    Ok(Table { headers, rows })
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

    #[test]
    fn semicolons_and_short_rows_parse() {
        let t = parse_csv("\u{feff}Name;Email\nKari;k@x.no\nOla\n").unwrap();
        assert_eq!(t.headers, vec!["Name", "Email"]);
        assert_eq!(t.rows, vec![vec!["Kari", "k@x.no"], vec!["Ola", ""]]);
    }
}
