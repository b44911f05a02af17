//! E-mail, SMS and proposal templates with merge fields, rendered in core so
//! they work offline on a phone.
//!
//! Templates are Jinja (`Hei {{ contact.first_name }}!`), run by
//! [`minijinja`] 3.1.0. Why minijinja: it is well kept (released often, a
//! large test suite), small, pure Rust with no required dependencies, and
//! made for templates the host does not write itself: it never touches files
//! unless given a loader (none is given), its `fuel` feature charges every
//! instruction, loop turn, allocation and output byte of a render against a
//! budget, and it has HTML auto-escaping. Tera and handlebars have no work
//! budget at all. It is built with `default-features = false` and only
//! `builtins` (the usual filters) and `fuel`: without `multi_template` and
//! `macros`, `include`, `import`, `extends` and `macro` are not even part of
//! the syntax; without `debug`, there is no `debug()` dump of the whole
//! context; without `serde`, records reach the engine one way only
//! (`serde_json`, then the placeholder-aware objects of `merge.rs`).
//!
//! The model is [`Template`]; [`validate`] is for saving one (the org
//! settings keep them), [`render`] for sending.
//!
//! # Merge fields
//!
//! | field | what |
//! |---|---|
//! | `contact.first_name`, `contact.last_name` | as stored |
//! | `contact.full_name` | "First Last", trimmed |
//! | `contact.email` | the primary e-mail address (else the first) |
//! | `contact.phone` | the primary phone number as typed (else the first) |
//! | `contact.title`, `.role`, `.language`, `.birthday`, `.notes`, ... | every field of [`Contact`] by its stored name |
//! | `contact.emails`, `.phones`, `.addresses`, `.social`, `.family`, `.important_dates` | lists in the record's order (`{% for e in contact.emails %}{{ e.address }}`) |
//! | `contact.hobbies`, `.memberships`, `.tags` | lists of strings |
//! | `contact.custom.KEY` | a custom field's value |
//! | `account.name`, `account.phone` (primary) | and every field of [`Account`] (`addresses`, `phones`, `tags` as lists) |
//! | `deal.name`, `deal.expected_close`, `deal.currency`, `deal.amount_minor` | and every field of [`Deal`] |
//! | `deal.amount` | the amount as money in the render's locale ("12 345,50 kr"); missing when the deal has no currency |
//! | `deal.line_items` | a list; each item also has `total_minor`, `total`, `unit_price` (money in the deal's currency) and `quantity` ("1,5") |
//! | `rep.user_id`, `rep.display_name`, `rep.email`, `rep.phone` | the sending rep ([`RepInfo`]) |
//! | `quote.…` | whatever JSON object the caller passes (quotes are not records yet) |
//! | `today` | [`RenderOptions::today`] in the locale's date style |
//! | `today_iso` | the same as `YYYY-MM-DD` |
//!
//! A field that is absent (no such key, no deal passed, `null`, or a blank
//! string) renders as a visible placeholder, `[contact.nickname]`,
//! `[deal.name]`, never an error, and is listed in [`Rendered::missing`] so
//! the app can warn before sending. A placeholder is false in `{% if %}`,
//! `default` replaces it (`{{ contact.first_name | default("there") }}`),
//! `is defined` is false and `is none` true for it. An attribute of a plain
//! value (`{{ contact.first_name.x }}`: text has no fields) prints nothing,
//! as in Jinja.
//!
//! # Filters
//!
//! Minijinja's usual filters (`upper`, `title`, `join`, `sum`, `round`, ...)
//! except `safe`, plus:
//!
//! - `date`: a stored date, `YYYY-MM-DD` (or `--MM-DD` for a birthday
//!   without a year), in the locale's style; anything else comes back as is.
//! - `money`: `{{ deal.amount_minor | money(deal.currency) }}`, or a map with
//!   `amount_minor` and `currency` (`{{ quote.total | money }}`). Amounts
//!   are integer minor units (ISO 4217 digits: JPY 0, KWD 3, most 2). The
//!   locale's own currency takes its symbol, any other its code ("12 345,50
//!   USD", "USD 12,345.50" in English): symbols like "kr" and "$" are
//!   ambiguous across countries, codes are not.
//! - `money_sum`: adds a list of money maps into one (`{{ quote.lines |
//!   map(attribute="total") | money_sum | money }}`); amounts in different
//!   currencies are never added: [`TemplateError::MixedCurrencies`].
//!
//! # Locales
//!
//! The template's own `locale`, when set, wins over [`RenderOptions::locale`]
//! (a Norwegian text gets Norwegian dates on an English phone). Matched on the
//! language of the BCP 47 tag (and the region for English):
//!
//! | locale | date | `--MM-DD` | money |
//! |---|---|---|---|
//! | nb, nn, no | 4. desember 2026 | 4. desember | 12 345,50 kr |
//! | fi | 4.12.2026 | 4.12. | 12 345,50 € |
//! | sl | 4. 12. 2026 | 4. 12. | 12.345,50 € |
//! | ru | 04.12.2026 | 04.12 | 12 345,50 ₽ |
//! | en-GB (en outside the US) | 4 December 2026 | 4 December | £12,345.50 |
//! | en-US, en | December 4, 2026 | December 4 | $12,345.50 |
//! | any other | 2026-12-04 | --12-04 | 12 345.50 EUR |
//!
//! Norwegian uses the long date (letters and proposals spell the month);
//! Finnish the numeric one (the long form needs the partitive,
//! "joulukuuta"). In money, the group separator and the space before the
//! currency are U+00A0 NO-BREAK SPACE in e-mail and proposal templates (as
//! CLDR has them) and plain spaces in SMS (U+00A0 would push the message out
//! of the GSM alphabet); see `format.rs`.
//!
//! # Escaping
//!
//! [`TemplateFormat::Html`] bodies HTML-escape every merged value; the
//! template's own markup is trusted (whoever can edit the org settings
//! writes it), the data is not. `safe` is removed and `{% autoescape %}` is
//! refused, so no merged value skips escaping. Text bodies, SMS and subjects
//! are not escaped; a subject's line breaks and control characters become
//! spaces, so a merged value cannot add a mail header.
//!
//! Blocks on a line of their own leave no blank line (`trim_blocks`,
//! `lstrip_blocks`), and a trailing newline is kept.
//!
//! # Limits
//!
//! | limit | value | error |
//! |---|---|---|
//! | template source, subject and body each | [`MAX_SOURCE_BYTES`] (64 KiB) | [`TemplateError::SourceTooLarge`] |
//! | work per part (instructions, loop turns, bytes made) | [`RenderOptions::fuel`], default [`DEFAULT_FUEL`] | [`TemplateError::TooMuchWork`] |
//! | `range()` | 10 000 items | [`TemplateError::TooMuchWork`] |
//! | rendered subject and body each | [`RenderOptions::max_output_bytes`], default [`DEFAULT_MAX_OUTPUT_BYTES`] (256 KiB) | [`TemplateError::TooLarge`] |
//! | recursion (`loop(...)` in recursive loops) | 100 levels | [`TemplateError::Render`] |
//! | `*` | only `'text' * N`, N ≤ 1000 (`'-' * 40`) | [`TemplateError::Forbidden`] |
//!
//! Why `*` is limited: minijinja 3.1.0 repeats a list lazily (`[1] *
//! 100000000` costs one instruction) and charges no fuel when such a list is
//! later turned into text (`~`, `| string`), searched (`in`) or compared
//! (`==`): one expression could keep a phone busy for minutes. Repeating
//! text is checked against the fuel, and templates have no arithmetic to do:
//! totals come ready (`li.total`, `deal.amount`, `money_sum`).
//!
//! What the limits do not cover: the same gap can still be reached
//! deliberately, by a template that doubles a list twenty-odd times (`{% set
//! a = a + a %}` repeated, or `[a, a]`) and then turns it into text: such a
//! render can take minutes or exhaust memory. It takes a template written to
//! do it, and templates come from whoever can edit the org settings, never
//! from a contact; merged data alone cannot trigger it (the records' lists
//! are as long as the records make them, and placeholders stay short).
//! Closing it needs fuel accounting for lazy lists inside minijinja.
//!
//! Errors name the part and line and say what went wrong in terms of the
//! template; no merged value (a name, an address) ever appears in one.

mod engine;
mod format;
mod merge;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Account, Contact, Deal};
use engine::{BODY, CappedOutput, SUBJECT};
use format::{Formatter, Locale, Spacing};

/// A template source (subject or body) may be at most this many bytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// The default cap on a rendered subject or body.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 256 * 1024;

/// The default fuel for one part of a render: room for a proposal with
/// hundreds of line items, while `{% for i in range(10000) %}{% for j in
/// range(10000) %}` stops within milliseconds.
pub const DEFAULT_FUEL: u64 = 100_000;

pub use crate::model::{Template, TemplateFormat, TemplateKind};

/// The rep who sends: `rep.*` in templates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct RepInfo {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub user_id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub display_name: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub email: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub phone: Option<String>,
}

/// The records a render merges in; any of them may be absent (their fields
/// then render as placeholders).
#[derive(Debug, Clone, Default)]
pub struct MergeContext<'a> {
    pub contact: Option<&'a Contact>,
    pub account: Option<&'a Account>,
    pub deal: Option<&'a Deal>,
    pub rep: Option<RepInfo>,
    /// A quote as a JSON object (`quote.*`); anything but an object is ignored.
    pub quote: Option<serde_json::Value>,
}

/// How to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// BCP 47 tag (`nb-NO`, `fi-FI`, `sl-SI`, `ru-RU`, `en-GB`, `en-US`):
    /// the date and money style unless the template has its own locale.
    pub locale: String,
    /// The date of `today`: the caller's (core never reads the clock).
    pub today: NaiveDate,
    /// Cap on the rendered subject and on the body, in bytes.
    pub max_output_bytes: usize,
    /// Work budget of each part (minijinja fuel).
    pub fuel: u64,
}

impl RenderOptions {
    /// Options with the default limits.
    pub fn new(locale: impl Into<String>, today: NaiveDate) -> Self {
        RenderOptions {
            locale: locale.into(),
            today,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            fuel: DEFAULT_FUEL,
        }
    }
}

/// A rendered template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Rendered {
    /// The subject (e-mail templates that have one), on one line.
    pub subject: Option<String>,
    pub body: String,
    /// Merge fields that were absent and went out as placeholders
    /// (`contact.nickname`), in the order they first appeared.
    pub missing: Vec<String>,
}

/// Which part of a template an error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplatePart {
    Subject,
    Body,
}

impl std::fmt::Display for TemplatePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TemplatePart::Subject => "subject",
            TemplatePart::Body => "body",
        })
    }
}

impl TemplateError {
    /// The field of the template the error is about: `subject`, `body` or
    /// `format` (an API names it in its refusal).
    pub fn field(&self) -> &'static str {
        let part = match self {
            Self::SourceTooLarge { part, .. }
            | Self::Syntax { part, .. }
            | Self::Unknown { part, .. }
            | Self::Forbidden { part, .. }
            | Self::TooMuchWork { part, .. }
            | Self::TooLarge { part, .. }
            | Self::MixedCurrencies { part, .. }
            | Self::Render { part, .. } => *part,
            Self::SubjectNotAllowed => return "subject",
            Self::HtmlSms => return "format",
        };
        match part {
            TemplatePart::Subject => "subject",
            TemplatePart::Body => "body",
        }
    }
}

fn on_line(line: &Option<usize>) -> String {
    line.map(|l| format!(", line {l}")).unwrap_or_default()
}

/// Why a template cannot be saved or rendered. Messages quote the
/// template's own source at most, never a merged value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The subject or body source is over [`MAX_SOURCE_BYTES`].
    #[error("the {part} is {size} bytes; a template may have at most {max}")]
    SourceTooLarge {
        part: TemplatePart,
        size: usize,
        max: usize,
    },
    /// The source is not a template the engine understands.
    #[error("syntax error in the {part}, line {line}: {message}")]
    Syntax {
        part: TemplatePart,
        line: usize,
        message: String,
    },
    /// A filter, test or function that does not exist.
    #[error("the {part}{}: {message}", on_line(.line))]
    Unknown {
        part: TemplatePart,
        line: Option<usize>,
        message: String,
    },
    /// A construct the sandbox refuses: `{% autoescape %}`, a `*` that is not
    /// `'text' * N`.
    #[error("{what} are not allowed (the {part}, line {line})")]
    Forbidden {
        part: TemplatePart,
        line: usize,
        what: &'static str,
    },
    /// SMS and proposal templates have no subject.
    #[error("only e-mail templates have a subject")]
    SubjectNotAllowed,
    /// SMS templates are plain text.
    #[error("SMS templates are plain text, not HTML")]
    HtmlSms,
    /// The render ran out of fuel, or `range()` was asked for too many items.
    #[error("the {part} takes too much work to render{}: a loop or a range is too large", on_line(.line))]
    TooMuchWork {
        part: TemplatePart,
        line: Option<usize>,
    },
    /// The rendered part is over [`RenderOptions::max_output_bytes`].
    #[error("the rendered {part} is over {max} bytes")]
    TooLarge { part: TemplatePart, max: usize },
    /// `money_sum` over amounts in different currencies.
    #[error("amounts in different currencies cannot be added up (the {part}{})", on_line(.line))]
    MixedCurrencies {
        part: TemplatePart,
        line: Option<usize>,
    },
    /// Any other failure while rendering (an operation on values of the
    /// wrong type, say); `reason` is the kind of failure only.
    #[error("the {part} failed to render{}: {reason}", on_line(.line))]
    Render {
        part: TemplatePart,
        line: Option<usize>,
        reason: String,
    },
}

/// The parts of a template that are rendered: the subject (e-mail only)
/// and the body.
fn parts(template: &Template) -> Vec<(TemplatePart, &'static str, &str)> {
    let mut parts = Vec::with_capacity(2);
    if template.kind == TemplateKind::Email
        && let Some(subject) = &template.subject
    {
        parts.push((TemplatePart::Subject, SUBJECT, subject.as_str()));
    }
    parts.push((TemplatePart::Body, BODY, template.body.as_str()));
    parts
}

/// The checks that need no engine.
fn check_shape(template: &Template) -> Result<(), TemplateError> {
    let has_subject = template
        .subject
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    if has_subject && template.kind != TemplateKind::Email {
        return Err(TemplateError::SubjectNotAllowed);
    }
    if template.kind == TemplateKind::Sms && template.format == TemplateFormat::Html {
        return Err(TemplateError::HtmlSms);
    }
    for (part, _, source) in parts(template) {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(TemplateError::SourceTooLarge {
                part,
                size: source.len(),
                max: MAX_SOURCE_BYTES,
            });
        }
    }
    Ok(())
}

/// The formatting rules of a render: the template's locale, else the
/// caller's; plain spaces in SMS.
fn formatter(template: &Template, fallback_locale: &str) -> Formatter {
    let tag = template
        .locale
        .as_deref()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or(fallback_locale);
    Formatter {
        locale: Locale::from_tag(tag),
        spacing: match template.kind {
            TemplateKind::Sms => Spacing::Plain,
            TemplateKind::Email | TemplateKind::Proposal => Spacing::NoBreak,
        },
    }
}

/// Checks a template before it is saved: sizes, a subject only on e-mail,
/// no HTML SMS, the syntax of subject and body, every filter and test name
/// (in every branch), no `{% autoescape %}`, and a trial render with no
/// records that must not run out of work or output (a loop that does not
/// depend on the data) or call an unknown function.
pub fn validate(template: &Template) -> Result<(), TemplateError> {
    check_shape(template)?;
    let locale = template.locale.clone().unwrap_or_else(|| "en-GB".into());
    let today = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    match render(
        template,
        &MergeContext::default(),
        &RenderOptions::new(locale, today),
    ) {
        Ok(_) => Ok(()),
        // failures that may come from the (empty) data: not the template's
        Err(TemplateError::Render { .. } | TemplateError::MixedCurrencies { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Renders a template with the given records.
///
/// A missing merge field renders as a placeholder and is listed in
/// [`Rendered::missing`]; syntax errors, unknown names, too much work and
/// too much output are errors (never a panic).
pub fn render(
    template: &Template,
    ctx: &MergeContext<'_>,
    opts: &RenderOptions,
) -> Result<Rendered, TemplateError> {
    check_shape(template)?;
    let fmt = formatter(template, &opts.locale);
    let collector = merge::Collector::default();
    let html = template.format == TemplateFormat::Html;
    let env = engine::environment(fmt, html, opts.fuel, &collector);
    let mut compiled = Vec::with_capacity(2);
    for (part, name, source) in parts(template) {
        let tmpl = env
            .template_from_named_str(name, source)
            .map_err(|e| engine::map_error(&e, part))?;
        engine::check_source(&env, source, part)?;
        compiled.push((part, tmpl));
    }
    let root = merge::root(ctx, fmt, opts.today, engine::global_names(&env), &collector);
    let mut rendered = Rendered::default();
    for (part, tmpl) in compiled {
        let mut out = CappedOutput::new(opts.max_output_bytes);
        let result = tmpl.render_captured_to(root.clone(), &mut out);
        if out.overflowed {
            return Err(TemplateError::TooLarge {
                part,
                max: opts.max_output_bytes,
            });
        }
        if let Err(e) = result {
            return Err(engine::map_error(&e, part));
        }
        let text = String::from_utf8_lossy(&out.bytes).into_owned();
        match part {
            TemplatePart::Subject => rendered.subject = Some(one_line(&text)),
            TemplatePart::Body => rendered.body = text,
        }
    }
    rendered.missing = merge::missing_fields(&collector);
    Ok(rendered)
}

/// A subject on one line: line breaks and other control characters become
/// spaces (no header injection through a merged value).
fn one_line(subject: &str) -> String {
    subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A quote as `quote.*` in a template: its fields, `lines` in the order the
/// quote shows them (each with `net` and `tax` as money), and `gross`,
/// `discount`, `net`, `tax` and `total` as money, all by core's one rounding
/// rule (`Quote::totals`): `{{ quote.total | money }}`.
pub fn quote_value(q: &crate::model::Quote) -> serde_json::Value {
    use serde_json::json;
    let money = |m: i64| json!({ "amount_minor": m, "currency": q.currency });
    let mut v = serde_json::to_value(q).unwrap_or_default();
    let t = q.totals();
    let lines: Vec<serde_json::Value> = q
        .sorted_lines()
        .into_iter()
        .map(|l| {
            let mut lv = serde_json::to_value(l).unwrap_or_default();
            lv["net"] = money(l.net_minor());
            lv["tax"] = money(l.tax_minor());
            lv["unit_price"] = money(l.unit_price_minor);
            lv
        })
        .collect();
    v["lines"] = serde_json::Value::Array(lines);
    v["gross"] = money(t.gross_minor);
    v["discount"] = money(t.discount_minor);
    v["net"] = money(t.net_minor);
    v["tax"] = money(t.tax_minor);
    v["total"] = money(t.total_minor);
    v
}
