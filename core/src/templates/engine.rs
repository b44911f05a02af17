//! The sandboxed minijinja environment: the filters and tests Outpost adds
//! or replaces, the bounded `range`, the output cap, the scan that checks
//! every filter and test name at save time, and the mapping of the engine's
//! errors onto [`TemplateError`] (kinds and lines only: no merged value ever
//! reaches an error message).

use std::collections::BTreeSet;
use std::fmt;
use std::io;

use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value};

use super::format::{Formatter, parse_iso_date};
use super::merge::{Collector, Node, is_missing};
use super::{TemplateError, TemplatePart};

/// `range()` refuses more items than this up front; loops below it are
/// still bounded by the fuel.
pub(crate) const MAX_RANGE_ITEMS: u64 = 10_000;

/// The names templates are compiled under: the auto-escape callback tells
/// the parts apart by name.
pub(crate) const SUBJECT: &str = "subject";
pub(crate) const BODY: &str = "body";

/// Why a filter or function of ours failed, carried as the error's source
/// so the mapping onto [`TemplateError`] does not depend on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    TooMuchWork,
    MixedCurrencies,
    NotMinorUnits,
    Overflow,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Failure::TooMuchWork => "too much work",
            Failure::MixedCurrencies => "amounts in different currencies cannot be added up",
            Failure::NotMinorUnits => "money expects an amount in whole minor units (cents, øre)",
            Failure::Overflow => "the amount is too large",
        })
    }
}

impl std::error::Error for Failure {}

fn fail(failure: Failure) -> Error {
    Error::new(ErrorKind::InvalidOperation, failure.to_string()).with_source(failure)
}

/// The environment one render (or validation) runs in.
///
/// Sandbox: no loader (nothing is read from files) and the crate is built
/// without `multi_template` and `macros`, so `include`, `import`, `extends`
/// and `macro` are syntax errors; fuel bounds every loop, filter and
/// allocation; `safe` is removed and `{% autoescape %}` is refused by
/// [`check_source`], so merged values cannot skip HTML escaping.
pub(crate) fn environment<'s>(
    fmt: Formatter,
    html_body: bool,
    fuel: u64,
    collector: &Collector,
) -> Environment<'s> {
    let mut env = Environment::new();
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        // a `{% if %}` on a line of its own leaves no blank line behind:
        // what someone writing a plain-text e-mail or an SMS expects
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_fuel(Some(fuel));
    env.set_recursion_limit(100);
    env.set_auto_escape_callback(move |name| {
        if html_body && name == BODY {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.remove_filter("safe");
    env.add_filter("default", default_filter);
    env.add_filter("d", default_filter);
    env.add_test("defined", |v: &Value| !v.is_undefined() && !is_missing(v));
    env.add_test("undefined", |v: &Value| v.is_undefined() || is_missing(v));
    // a `null` field reads as a placeholder, but `is none` stays true for it
    env.add_test("none", |v: &Value| v.is_none() || is_missing(v));
    env.add_filter("date", move |v: Value| date_filter(fmt, v));
    env.add_filter("money", move |v: Value, currency: Option<Value>| {
        money_filter(fmt, v, currency)
    });
    let c = collector.clone();
    env.add_filter("money_sum", move |state: &State, v: Value| {
        money_sum_filter(state, v, &c)
    });
    env.add_function("range", range);
    env
}

/// The names of the environment's globals (`range`, `dict`, ...): the
/// context must let these fall through.
pub(crate) fn global_names(env: &Environment<'_>) -> BTreeSet<String> {
    env.globals().map(|(name, _)| name.to_owned()).collect()
}

/// `default(value, fallback="", boolean=false)`: Jinja's, but a missing
/// merge field counts as undefined too.
fn default_filter(value: Value, fallback: Option<Value>, boolean: Option<bool>) -> Value {
    if value.is_undefined() || is_missing(&value) || (boolean == Some(true) && !value.is_true()) {
        fallback.unwrap_or_else(|| Value::from(""))
    } else {
        value
    }
}

/// `date`: a stored `YYYY-MM-DD` or `--MM-DD` in the locale's style. Any
/// other value comes back unchanged (text typed by hand reads better than
/// nothing), a missing field stays a placeholder.
fn date_filter(fmt: Formatter, value: Value) -> Value {
    match value.as_str().and_then(parse_iso_date) {
        Some(date) => Value::from(fmt.iso_date(date)),
        None => value,
    }
}

/// An amount in whole minor units: an integer, a float without fraction, or
/// a string of digits.
fn minor_units(value: &Value) -> Result<i64, Error> {
    if let Some(i) = value.as_i64() {
        return Ok(i);
    }
    match value.kind() {
        ValueKind::Number => {
            let f = f64::try_from(value.clone()).map_err(|_| fail(Failure::NotMinorUnits))?;
            // i64::MAX as f64 rounds up to 2^63, so compare with `<`
            if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                Ok(f as i64)
            } else {
                Err(fail(Failure::NotMinorUnits))
            }
        }
        ValueKind::String => value
            .as_str()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| fail(Failure::NotMinorUnits)),
        _ => Err(fail(Failure::NotMinorUnits)),
    }
}

/// A money-like map's `(amount_minor, currency)`.
fn money_parts(value: &Value) -> Result<(Value, Value), Error> {
    Ok((value.get_attr("amount_minor")?, value.get_attr("currency")?))
}

/// `money`: `{{ 1234550 | money("NOK") }}`, or a map with `amount_minor`
/// and `currency` (`{{ quote.total | money }}`). A missing amount or
/// currency stays a placeholder.
fn money_filter(fmt: Formatter, value: Value, currency: Option<Value>) -> Result<Value, Error> {
    let (amount, currency) = if value.kind() == ValueKind::Map {
        money_parts(&value)?
    } else {
        (value, currency.unwrap_or_else(|| Value::from("")))
    };
    for part in [&amount, &currency] {
        if is_missing(part) || part.is_undefined() {
            return Ok(part.clone());
        }
    }
    let minor = minor_units(&amount)?;
    let code = currency.as_str().unwrap_or_default();
    Ok(Value::from(fmt.money(minor, code)))
}

/// `money_sum`: adds up a list of money maps (`amount_minor`, `currency`)
/// into one, for `| money`. Amounts in different currencies are never added:
/// that is an error, not a wrong total in a proposal. An empty list is 0
/// without a currency.
fn money_sum_filter(state: &State, items: Value, c: &Collector) -> Result<Value, Error> {
    if is_missing(&items) {
        return Ok(items);
    }
    let mut total: i64 = 0;
    let mut currency: Option<String> = None;
    for item in items.try_iter()? {
        state.consume_fuel(1)?;
        let (amount, code) = money_parts(&item)?;
        for part in [&amount, &code] {
            if is_missing(part) || part.is_undefined() {
                return Ok(part.clone());
            }
        }
        let code = code
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        match &currency {
            Some(seen) if *seen != code => return Err(fail(Failure::MixedCurrencies)),
            Some(_) => {}
            None => currency = Some(code),
        }
        total = total
            .checked_add(minor_units(&amount)?)
            .ok_or_else(|| fail(Failure::Overflow))?;
    }
    Ok(match currency {
        Some(code) => Node::value(
            "money_sum".to_owned(),
            [
                ("amount_minor".to_owned(), Value::from(total)),
                ("currency".to_owned(), Value::from(code)),
            ]
            .into(),
            c,
        ),
        None => Value::from(0),
    })
}

/// `range(stop)`, `range(start, stop[, step])` like Jinja's, refusing more
/// than [`MAX_RANGE_ITEMS`] items with [`TemplateError::TooMuchWork`].
fn range(lower: i64, upper: Option<i64>, step: Option<i64>) -> Result<Value, Error> {
    let (start, stop) = match upper {
        Some(stop) => (lower, stop),
        None => (0, lower),
    };
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "range step cannot be 0",
        ));
    }
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    let span = if step > 0 { stop - start } else { start - stop };
    let len = if span <= 0 {
        0
    } else {
        (span + step.abs() - 1) / step.abs()
    };
    if len > i128::from(MAX_RANGE_ITEMS) {
        return Err(fail(Failure::TooMuchWork));
    }
    // len ≤ MAX_RANGE_ITEMS, and every item lies between start and stop
    Ok((0..len)
        .map(|i| Value::from((start + i * step) as i64))
        .collect())
}

/// An `io::Write` that refuses to grow past `max` bytes.
#[derive(Debug)]
pub(crate) struct CappedOutput {
    pub(crate) bytes: Vec<u8>,
    max: usize,
    pub(crate) overflowed: bool,
}

impl CappedOutput {
    pub(crate) fn new(max: usize) -> Self {
        CappedOutput {
            bytes: Vec::new(),
            max,
            overflowed: false,
        }
    }
}

impl io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.max {
            self.overflowed = true;
            return Err(io::Error::other("output limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The engine's error as a [`TemplateError`]: its kind and line, and for
/// syntax errors and unknown names the engine's message (which quotes only
/// the template's own source, never a merged value).
pub(crate) fn map_error(err: &Error, part: TemplatePart) -> TemplateError {
    let line = err.line();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(failure) = s.downcast_ref::<Failure>() {
            return match failure {
                Failure::TooMuchWork => TemplateError::TooMuchWork { part, line },
                Failure::MixedCurrencies => TemplateError::MixedCurrencies { part, line },
                Failure::NotMinorUnits | Failure::Overflow => TemplateError::Render {
                    part,
                    line,
                    reason: failure.to_string(),
                },
            };
        }
        source = s.source();
    }
    let message = || err.detail().unwrap_or_default().to_owned();
    match err.kind() {
        ErrorKind::OutOfFuel => TemplateError::TooMuchWork { part, line },
        ErrorKind::SyntaxError | ErrorKind::BadEscape | ErrorKind::InvalidDelimiter => {
            TemplateError::Syntax {
                part,
                line: line.unwrap_or(1),
                message: message(),
            }
        }
        ErrorKind::UnknownFilter
        | ErrorKind::UnknownTest
        | ErrorKind::UnknownFunction
        | ErrorKind::UnknownMethod => TemplateError::Unknown {
            part,
            line,
            message: message(),
        },
        kind => TemplateError::Render {
            part,
            line,
            reason: kind.to_string(),
        },
    }
}

/// `'-' * 40` is the one use of `*` templates get, up to this count.
pub(crate) const MAX_REPEAT: u64 = 1000;

/// What the scan of a template's source found, with 1-based lines.
#[derive(Debug, Default)]
struct Scan {
    /// Names after `|` (and after `{% filter`).
    filters: Vec<(String, usize)>,
    /// Names after `is` / `is not`.
    tests: Vec<(String, usize)>,
    /// The first word of each `{% %}` tag.
    tags: Vec<(String, usize)>,
    /// Lines of a `*` that is not `'text' * N` (N ≤ [`MAX_REPEAT`]).
    stars: Vec<usize>,
}

/// Where the scan of one `{{ }}` / `{% %}` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// At the start of a `{% %}` tag: the next word is the tag's name.
    Start,
    /// After `|` (or `{% filter`): the next word names a filter.
    Pipe,
    /// After `.`: the next word is an attribute.
    Dot,
    /// After `is` (`is not`): the next word names a test.
    Is,
    IsNot,
    /// After a string literal.
    Str,
    /// After a string literal and `*`: only an integer may follow.
    StrStar,
    /// After `*` in any other place.
    Star,
    Other,
}

/// A light lexer over source that already compiled: skips text, comments,
/// string literals and `{% raw %}` blocks, and notes filter and test names,
/// tag words and uses of `*`. Used to check names in branches a trial
/// render does not take, and what the sandbox refuses.
fn scan(src: &str) -> Scan {
    let b = src.as_bytes();
    let mut out = Scan::default();
    let mut line = 1;
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\n', _) => {
                line += 1;
                i += 1;
            }
            (b'{', Some(b'#')) => {
                i += 2;
                while i < b.len() && !(b[i] == b'#' && b.get(i + 1) == Some(&b'}')) {
                    line += usize::from(b[i] == b'\n');
                    i += 1;
                }
                i += 2;
            }
            (b'{', Some(&open @ (b'{' | b'%'))) => {
                let tags_before = out.tags.len();
                i = scan_code(b, i + 2, open == b'%', &mut line, &mut out);
                let raw = out.tags.len() > tags_before
                    && out.tags.last().is_some_and(|(t, _)| t == "raw");
                if raw {
                    // skip to the `%}` after `endraw`
                    let rest = src.get(i..).unwrap_or_default();
                    let end = rest
                        .find("endraw")
                        .and_then(|at| rest[at..].find("%}").map(|e| at + e + 2))
                        .unwrap_or(rest.len());
                    line += rest[..end].matches('\n').count();
                    i += end;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Scans one `{{ }}` or `{% %}` from `i` (after the opening delimiter) and
/// returns the index after its closing delimiter.
fn scan_code(b: &[u8], mut i: usize, block: bool, line: &mut usize, out: &mut Scan) -> usize {
    let close = if block { b'%' } else { b'}' };
    let mut depth = 0usize;
    let mut prev = if block { Prev::Start } else { Prev::Other };
    while i < b.len() {
        let c = b[i];
        if depth == 0 && c == close && b.get(i + 1) == Some(&b'}') {
            if matches!(prev, Prev::Star | Prev::StrStar) {
                out.stars.push(*line);
            }
            return i + 2;
        }
        // what this token is, for the `*` rule
        let before = prev;
        match c {
            b'\n' => {
                *line += 1;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'\'' | b'"' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    if b.get(i) == Some(&b'\n') {
                        *line += 1;
                    }
                    i += 1;
                }
                i += 1;
                prev = Prev::Str;
            }
            b'0'..=b'9' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let is_float =
                    b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit);
                let n = std::str::from_utf8(&b[start..i])
                    .ok()
                    .map(|d| d.replace('_', ""))
                    .and_then(|d| d.parse::<u64>().ok());
                if before == Prev::StrStar && !is_float && n.is_some_and(|n| n <= MAX_REPEAT) {
                    prev = Prev::Other;
                    continue;
                }
                prev = Prev::Other;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = String::from_utf8_lossy(&b[start..i]).into_owned();
                prev = match prev {
                    Prev::Start => {
                        let next = if word == "filter" {
                            Prev::Pipe
                        } else {
                            Prev::Other
                        };
                        out.tags.push((word, *line));
                        next
                    }
                    Prev::Pipe => {
                        out.filters.push((word, *line));
                        Prev::Other
                    }
                    Prev::Is if word == "not" => Prev::IsNot,
                    Prev::Is | Prev::IsNot => {
                        out.tests.push((word, *line));
                        Prev::Other
                    }
                    Prev::Other if word == "is" => Prev::Is,
                    _ => Prev::Other,
                };
            }
            b'*' => {
                i += 1;
                if b.get(i) == Some(&b'*') {
                    // `**`: a power of numbers
                    i += 1;
                    prev = Prev::Other;
                } else {
                    prev = if before == Prev::Str {
                        Prev::StrStar
                    } else {
                        Prev::Star
                    };
                    if before == Prev::Star || before == Prev::StrStar {
                        out.stars.push(*line);
                    }
                    continue;
                }
            }
            b'|' => {
                i += 1;
                prev = Prev::Pipe;
            }
            b'.' => {
                i += 1;
                prev = Prev::Dot;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
                prev = Prev::Other;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
                prev = Prev::Other;
            }
            _ => {
                i += 1;
                // `-` and `+` of whitespace control keep a tag's start
                if !(prev == Prev::Start && matches!(c, b'-' | b'+')) {
                    prev = Prev::Other;
                }
            }
        }
        // a `*` must be `'text' * N`: anything else after it is refused
        if matches!(before, Prev::Star | Prev::StrStar) {
            out.stars.push(*line);
        }
    }
    i
}

/// Checks what compiling alone does not: every filter and test the source
/// names exists (in any branch), no tag turns auto-escaping off, and `*`
/// only repeats text.
///
/// Why `*` is limited: minijinja 3.1.0 repeats a list lazily (`[1] *
/// 100000000` costs one instruction) and charges no fuel when such a list
/// is turned into text, searched with `in` or compared, so one expression
/// could keep a phone busy for minutes. Repeating text is checked against
/// the fuel, and templates have no arithmetic to do: totals come ready
/// (`li.total`, `deal.amount`, `money_sum`).
pub(crate) fn check_source(
    env: &Environment<'_>,
    src: &str,
    part: TemplatePart,
) -> Result<(), TemplateError> {
    let found = scan(src);
    if let Some((_, line)) = found.tags.iter().find(|(t, _)| t == "autoescape") {
        return Err(TemplateError::Forbidden {
            part,
            line: *line,
            what: "autoescape blocks",
        });
    }
    if let Some(line) = found.stars.first() {
        return Err(TemplateError::Forbidden {
            part,
            line: *line,
            what: "uses of * other than 'text' * N (N up to 1000)",
        });
    }
    let exists = |what: &str, name: &str| -> bool {
        let Ok(expr) = env.compile_expression_owned(format!("name is {what}")) else {
            return false;
        };
        let ctx = minijinja::context! { name => name };
        expr.eval(ctx).is_ok_and(|v| v.is_true())
    };
    for (kind, names) in [("filter", &found.filters), ("test", &found.tests)] {
        let mut checked = BTreeSet::new();
        for (name, line) in names {
            if checked.insert(name.as_str()) && !exists(kind, name) {
                return Err(TemplateError::Unknown {
                    part,
                    line: Some(*line),
                    message: format!("{kind} {name} is unknown"),
                });
            }
        }
    }
    Ok(())
}
