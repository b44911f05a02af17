#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::json;

use super::format::{Formatter, Locale, Spacing, parse_iso_date};
use super::*;
use crate::model::{Account, Contact, CustomValue, Deal, Email, LineItem, Phone};

const NBSP: char = '\u{a0}';

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
}

fn opts(locale: &str) -> RenderOptions {
    RenderOptions::new(locale, today())
}

fn email(body: &str) -> Template {
    Template {
        kind: TemplateKind::Email,
        format: TemplateFormat::Text,
        name: "test".into(),
        body: body.into(),
        ..Template::default()
    }
}

fn html(body: &str) -> Template {
    Template {
        format: TemplateFormat::Html,
        ..email(body)
    }
}

fn sms(body: &str) -> Template {
    Template {
        kind: TemplateKind::Sms,
        ..email(body)
    }
}

fn contact(first: &str, last: &str) -> Contact {
    let mut c = Contact {
        first_name: first.into(),
        last_name: last.into(),
        emails: vec![
            Email {
                id: "e1".into(),
                address: "work@example.com".into(),
                ..Email::default()
            },
            Email {
                id: "e2".into(),
                address: "primary@example.com".into(),
                primary: true,
                ..Email::default()
            },
        ],
        phones: vec![Phone {
            id: "p1".into(),
            number: "+47 912 34 567".into(),
            primary: true,
            ..Phone::default()
        }],
        ..Contact::default()
    };
    c.meta
        .custom
        .insert("shoe_size".into(), CustomValue::Int(43));
    c
}

fn account(name: &str) -> Account {
    Account {
        name: name.into(),
        ..Account::default()
    }
}

fn deal(amount_minor: i64, currency: &str) -> Deal {
    Deal {
        name: "Tractor".into(),
        amount_minor,
        currency: currency.into(),
        expected_close: Some("2027-01-15".into()),
        line_items: vec![LineItem {
            id: "l1".into(),
            description: "Wheel".into(),
            quantity_milli: 1500,
            unit_price_minor: 10_000,
            ..LineItem::default()
        }],
        ..Deal::default()
    }
}

/// Renders `body` as a plain-text e-mail with no records.
fn body(src: &str, locale: &str) -> String {
    render(&email(src), &MergeContext::default(), &opts(locale))
        .unwrap()
        .body
}

/// Same, with U+00A0 written as a plain space for comparisons.
fn plain(src: &str, locale: &str) -> String {
    body(src, locale).replace(NBSP, " ")
}

// ---- locale formats ----

#[test]
fn date_filter_per_locale() {
    let src = r#"{{ "2026-12-04" | date }}"#;
    assert_eq!(body(src, "nb-NO"), "4. desember 2026");
    assert_eq!(body(src, "fi-FI"), "4.12.2026");
    assert_eq!(body(src, "sl-SI"), "4. 12. 2026");
    assert_eq!(body(src, "ru-RU"), "04.12.2026");
    assert_eq!(body(src, "en-GB"), "4 December 2026");
    assert_eq!(body(src, "en-US"), "December 4, 2026");
    assert_eq!(body(src, "de-DE"), "2026-12-04");
    // single-digit months and every Norwegian month name
    assert_eq!(body(r#"{{ "2027-03-09" | date }}"#, "nb"), "9. mars 2027");
    assert_eq!(body(r#"{{ "2027-03-09" | date }}"#, "ru"), "09.03.2027");
    assert_eq!(body(r#"{{ "2027-03-09" | date }}"#, "sl"), "9. 3. 2027");
    assert_eq!(body(r#"{{ "2027-03-09" | date }}"#, "fi"), "9.3.2027");
}

#[test]
fn today_is_the_callers_date_in_the_locale() {
    assert_eq!(body("{{ today }}", "nb-NO"), "4. desember 2026");
    assert_eq!(body("{{ today }}", "fi-FI"), "4.12.2026");
    assert_eq!(body("{{ today }}", "sl-SI"), "4. 12. 2026");
    assert_eq!(body("{{ today }}", "ru-RU"), "04.12.2026");
    assert_eq!(body("{{ today }}", "en-GB"), "4 December 2026");
    assert_eq!(body("{{ today }}", "en-US"), "December 4, 2026");
    assert_eq!(body("{{ today_iso }}", "en-US"), "2026-12-04");
    // `date` on the ISO form gives the same as `today`
    assert_eq!(
        body("{{ today_iso | date }}", "nb-NO"),
        body("{{ today }}", "nb-NO")
    );
}

#[test]
fn birthdays_without_a_year() {
    let src = r#"{{ "--12-04" | date }}"#;
    assert_eq!(body(src, "nb-NO"), "4. desember");
    assert_eq!(body(src, "fi-FI"), "4.12.");
    assert_eq!(body(src, "sl-SI"), "4. 12.");
    assert_eq!(body(src, "ru-RU"), "04.12");
    assert_eq!(body(src, "en-GB"), "4 December");
    assert_eq!(body(src, "en-US"), "December 4");
    assert_eq!(body(r#"{{ "--02-29" | date }}"#, "en-GB"), "29 February");
}

#[test]
fn date_filter_leaves_other_text_alone() {
    for s in [
        "next week",
        "2026-13-01",
        "2026-02-30",
        "26-12-04",
        "--13-01",
        "",
    ] {
        let src = format!("{{{{ {s:?} | date }}}}");
        assert_eq!(body(&src, "nb-NO"), s, "{s}");
    }
    assert_eq!(body("{{ 42 | date }}", "nb-NO"), "42");
    assert_eq!(parse_iso_date(" 2026-12-04 "), parse_iso_date("2026-12-04"));
}

#[test]
fn money_in_the_locales_own_currency() {
    let cases = [
        ("nb-NO", "NOK", "12 345,50 kr"),
        ("fi-FI", "EUR", "12 345,50 €"),
        ("sl-SI", "EUR", "12.345,50 €"),
        ("ru-RU", "RUB", "12 345,50 ₽"),
        ("en-GB", "GBP", "£12,345.50"),
        ("en-US", "USD", "$12,345.50"),
    ];
    for (locale, currency, want) in cases {
        let src = format!("{{{{ 1234550 | money({currency:?}) }}}}");
        assert_eq!(plain(&src, locale), want, "{locale}");
    }
}

#[test]
fn money_in_other_currencies_by_code() {
    let cases = [
        ("nb-NO", "12 345,50 USD"),
        ("fi-FI", "12 345,50 USD"),
        ("sl-SI", "12.345,50 USD"),
        ("ru-RU", "12 345,50 USD"),
        ("en-GB", "USD 12,345.50"),
        ("en-US", "EUR 12,345.50"),
        ("de-DE", "12 345.50 EUR"),
    ];
    for (locale, want) in cases {
        let code = if locale == "en-US" || locale == "de-DE" {
            "eur"
        } else {
            "USD"
        };
        let src = format!("{{{{ 1234550 | money({code:?}) }}}}");
        assert_eq!(plain(&src, locale), want, "{locale}");
    }
    // SEK is "kr" too, so Norwegian writes its code
    assert_eq!(plain(r#"{{ 100 | money("SEK") }}"#, "nb-NO"), "1,00 SEK");
}

#[test]
fn money_details() {
    // negative, small, zero-decimal and three-decimal currencies, grouping
    assert_eq!(
        plain(r#"{{ -1234550 | money("NOK") }}"#, "nb"),
        "-12 345,50 kr"
    );
    assert_eq!(
        plain(r#"{{ -1234550 | money("GBP") }}"#, "en-GB"),
        "-£12,345.50"
    );
    assert_eq!(plain(r#"{{ 5 | money("EUR") }}"#, "fi"), "0,05 €");
    assert_eq!(plain(r#"{{ 0 | money("RUB") }}"#, "ru"), "0,00 ₽");
    assert_eq!(
        plain(r#"{{ 1234567 | money("JPY") }}"#, "en-US"),
        "JPY 1,234,567"
    );
    assert_eq!(
        plain(r#"{{ 1234567 | money("KWD") }}"#, "nb"),
        "1 234,567 KWD"
    );
    assert_eq!(
        plain(r#"{{ 123456789012 | money("USD") }}"#, "en-US"),
        "$1,234,567,890.12"
    );
    assert_eq!(plain(r#"{{ 99999 | money("EUR") }}"#, "sl"), "999,99 €");
    assert_eq!(
        plain(r#"{{ -9223372036854775808 | money("USD") }}"#, "en-US"),
        "-$92,233,720,368,547,758.08"
    );
    // a string of digits and a float without fraction are minor units too
    assert_eq!(plain(r#"{{ "1250" | money("NOK") }}"#, "nb"), "12,50 kr");
    assert_eq!(plain(r#"{{ 1250.0 | money("NOK") }}"#, "nb"), "12,50 kr");
    // no currency: the number alone
    assert_eq!(plain("{{ 1250 | money }}", "nb"), "12,50");
    // a fraction of a minor unit is an error, not a rounded amount
    let err = render(
        &email(r#"{{ 12.5 | money("NOK") }}"#),
        &MergeContext::default(),
        &opts("nb"),
    )
    .unwrap_err();
    assert!(
        matches!(err, TemplateError::Render { line: Some(1), .. }),
        "{err:?}"
    );
}

#[test]
fn money_spaces_are_no_break_in_email_and_plain_in_sms() {
    let src = r#"{{ 1234550 | money("NOK") }}"#;
    let mail = render(&email(src), &MergeContext::default(), &opts("nb-NO")).unwrap();
    assert_eq!(mail.body, "12\u{a0}345,50\u{a0}kr");
    let text = render(&sms(src), &MergeContext::default(), &opts("nb-NO")).unwrap();
    assert_eq!(text.body, "12 345,50 kr");
    // dates keep plain spaces everywhere
    assert_eq!(body("{{ today }}", "sl-SI"), "4. 12. 2026");
}

#[test]
fn deal_amount_and_line_items() {
    let d = deal(1_234_550, "NOK");
    let ctx = MergeContext {
        deal: Some(&d),
        ..MergeContext::default()
    };
    let src = "{{ deal.name }}: {{ deal.amount }}, {{ deal.expected_close | date }}\n\
               {% for li in deal.line_items %}{{ li.quantity }} × {{ li.description }} à {{ li.unit_price }} = {{ li.total }}{% endfor %}";
    let want = [
        (
            "nb-NO",
            "Tractor: 12 345,50 kr, 15. januar 2027\n1,5 × Wheel à 100,00 kr = 150,00 kr",
        ),
        (
            "fi-FI",
            "Tractor: 12 345,50 NOK, 15.1.2027\n1,5 × Wheel à 100,00 NOK = 150,00 NOK",
        ),
        (
            "sl-SI",
            "Tractor: 12.345,50 NOK, 15. 1. 2027\n1,5 × Wheel à 100,00 NOK = 150,00 NOK",
        ),
        (
            "ru-RU",
            "Tractor: 12 345,50 NOK, 15.01.2027\n1,5 × Wheel à 100,00 NOK = 150,00 NOK",
        ),
        (
            "en-GB",
            "Tractor: NOK 12,345.50, 15 January 2027\n1.5 × Wheel à NOK 100.00 = NOK 150.00",
        ),
        (
            "en-US",
            "Tractor: NOK 12,345.50, January 15, 2027\n1.5 × Wheel à NOK 100.00 = NOK 150.00",
        ),
    ];
    for (locale, expected) in want {
        let out = render(&email(src), &ctx, &opts(locale)).unwrap();
        assert_eq!(out.body.replace(NBSP, " "), expected, "{locale}");
        assert!(out.missing.is_empty());
    }
    let sum = render(
        &email("{{ deal.line_items | sum(attribute='total_minor') | money(deal.currency) }}"),
        &ctx,
        &opts("nb-NO"),
    )
    .unwrap();
    assert_eq!(sum.body.replace(NBSP, " "), "150,00 kr");
}

#[test]
fn a_deal_without_currency_has_no_amount() {
    let d = deal(500, "");
    let ctx = MergeContext {
        deal: Some(&d),
        ..MergeContext::default()
    };
    let out = render(&email("{{ deal.amount }}"), &ctx, &opts("en-GB")).unwrap();
    assert_eq!(out.body, "[deal.amount]");
    assert_eq!(out.missing, ["deal.amount"]);
}

#[test]
fn quotes_money_maps_and_sums() {
    let quote = json!({
        "number": "Q-17",
        "total": {"amount_minor": 250000, "currency": "EUR"},
        "lines": [
            {"description": "Plough", "total": {"amount_minor": 200000, "currency": "EUR"}},
            {"description": "Harrow", "total": {"amount_minor": 50000, "currency": "EUR"}},
        ],
    });
    let ctx = MergeContext {
        quote: Some(quote),
        ..MergeContext::default()
    };
    let src = "{{ quote.number }}: {{ quote.total | money }} = \
               {{ quote.lines | map(attribute='total') | money_sum | money }}";
    for (locale, want) in [
        ("fi-FI", "Q-17: 2 500,00 € = 2 500,00 €"),
        ("sl-SI", "Q-17: 2.500,00 € = 2.500,00 €"),
        ("nb-NO", "Q-17: 2 500,00 EUR = 2 500,00 EUR"),
        ("ru-RU", "Q-17: 2 500,00 EUR = 2 500,00 EUR"),
        ("en-GB", "Q-17: EUR 2,500.00 = EUR 2,500.00"),
    ] {
        let out = render(&email(src), &ctx, &opts(locale)).unwrap();
        assert_eq!(out.body.replace(NBSP, " "), want, "{locale}");
    }
    // a money map missing its currency stays a placeholder
    let out = render(
        &email("{{ quote.discount | money }} {{ quote.lines.0.tax | money }}"),
        &ctx,
        &opts("fi-FI"),
    )
    .unwrap();
    assert_eq!(out.body, "[quote.discount] [quote.lines.0.tax]");
}

#[test]
fn different_currencies_are_never_added() {
    let quote = json!({"lines": [
        {"amount_minor": 100, "currency": "EUR"},
        {"amount_minor": 100, "currency": "NOK"},
    ]});
    let ctx = MergeContext {
        quote: Some(quote),
        ..MergeContext::default()
    };
    let err = render(
        &email("Total:\n{{ quote.lines | money_sum | money }}"),
        &ctx,
        &opts("nb-NO"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        TemplateError::MixedCurrencies {
            part: TemplatePart::Body,
            line: Some(2)
        }
    );
    // the same currency written in another case is the same currency
    let quote = json!({"lines": [
        {"amount_minor": 100, "currency": "eur"},
        {"amount_minor": 150, "currency": "EUR"},
    ]});
    let ctx = MergeContext {
        quote: Some(quote),
        ..MergeContext::default()
    };
    let out = render(
        &email("{{ quote.lines | money_sum | money }}|{{ [] | money_sum }}"),
        &ctx,
        &opts("fi-FI"),
    )
    .unwrap();
    assert_eq!(out.body.replace(NBSP, " "), "2,50 €|0");
}

#[test]
fn locale_tags() {
    let cases = [
        ("nb-NO", Locale::Nb),
        ("nb", Locale::Nb),
        ("no", Locale::Nb),
        ("nn-NO", Locale::Nb),
        ("fi_FI", Locale::Fi),
        ("FI-fi", Locale::Fi),
        ("sl-SI", Locale::Sl),
        ("sl-Latn-SI", Locale::Sl),
        ("ru-RU", Locale::Ru),
        ("ru", Locale::Ru),
        ("en-GB", Locale::EnGb),
        ("en-AU", Locale::EnGb),
        ("en-Latn-GB", Locale::EnGb),
        ("en-US", Locale::EnUs),
        ("en", Locale::EnUs),
        ("en-US-u-ca-gregory", Locale::EnUs),
        ("de-DE", Locale::Neutral),
        ("", Locale::Neutral),
    ];
    for (tag, want) in cases {
        assert_eq!(Locale::from_tag(tag), want, "{tag}");
    }
}

#[test]
fn the_templates_locale_wins() {
    let t = Template {
        locale: Some("nb-NO".into()),
        ..email("{{ today }} {{ 100 | money('NOK') }}")
    };
    let out = render(&t, &MergeContext::default(), &opts("en-US")).unwrap();
    assert_eq!(out.body.replace(NBSP, " "), "4. desember 2026 1,00 kr");
    let blank = Template {
        locale: Some(" ".into()),
        ..t
    };
    let out = render(&blank, &MergeContext::default(), &opts("en-US")).unwrap();
    assert_eq!(out.body, "December 4, 2026 NOK\u{a0}1.00");
}

#[test]
fn quantities() {
    let f = |locale, milli| {
        Formatter {
            locale,
            spacing: Spacing::Plain,
        }
        .quantity(milli)
    };
    assert_eq!(f(Locale::Nb, 1500), "1,5");
    assert_eq!(f(Locale::EnGb, 1500), "1.5");
    assert_eq!(f(Locale::Sl, 1_234_000), "1.234");
    assert_eq!(f(Locale::Ru, 1_234_005), "1 234,005");
    assert_eq!(f(Locale::EnUs, -250), "-0.25");
}

// ---- merge fields ----

#[test]
fn merge_fields_and_extras() {
    let c = contact("Kari", "Nordmann");
    let a = account("Nordmann Gård AS");
    let rep = RepInfo {
        user_id: "u1".into(),
        display_name: "Ola Selger".into(),
        email: Some("ola@example.com".into()),
        phone: None,
    };
    let ctx = MergeContext {
        contact: Some(&c),
        account: Some(&a),
        rep: Some(rep),
        ..MergeContext::default()
    };
    let src = "{{ contact.first_name }}|{{ contact.full_name }}|{{ contact.email }}|\
               {{ contact.phone }}|{{ account.name }}|{{ rep.display_name }}|{{ rep.email }}|\
               {{ contact.custom.shoe_size }}|\
               {% for e in contact.emails %}{{ e.address }}{% if not loop.last %},{% endif %}{% endfor %}|\
               {{ contact.emails | length }}|{{ contact.emails[1].address }}";
    let out = render(&email(src), &ctx, &opts("nb-NO")).unwrap();
    assert_eq!(
        out.body,
        "Kari|Kari Nordmann|primary@example.com|+47 912 34 567|Nordmann Gård AS|Ola Selger|\
         ola@example.com|43|work@example.com,primary@example.com|2|primary@example.com"
    );
    assert!(out.missing.is_empty(), "{:?}", out.missing);
}

#[test]
fn cyrillic_and_slovenian_text_survives() {
    for (first, last, locale) in [
        ("Фёдор", "Достоевский", "ru-RU"),
        ("Živa", "Šuštaršič-Čeh", "sl-SI"),
        ("Åse", "Ødegård", "nb-NO"),
        ("Jyrki", "Äänismaa", "fi-FI"),
    ] {
        let c = contact(first, last);
        let a = account(&format!("{last} d.o.o."));
        let ctx = MergeContext {
            contact: Some(&c),
            account: Some(&a),
            ..MergeContext::default()
        };
        let src = "Здравствуйте / Spoštovani {{ contact.full_name }} ({{ account.name }}), {{ contact.first_name | upper }}";
        let want = format!(
            "Здравствуйте / Spoštovani {first} {last} ({last} d.o.o.), {}",
            first.to_uppercase()
        );
        for t in [email(src), html(src), sms(src)] {
            let out = render(&t, &ctx, &opts(locale)).unwrap();
            assert_eq!(out.body, want, "{locale} {:?}", t.format);
        }
    }
}

#[test]
fn missing_fields_render_as_placeholders() {
    let c = contact("Kari", "");
    let ctx = MergeContext {
        contact: Some(&c),
        ..MergeContext::default()
    };
    let src = "Hei {{ contact.nickname }}, om {{ deal.name }} ({{ deal.amount_minor | money(deal.currency) }}), \
               {{ contact.last_name }} {{ nickname }} {{ contact.emails[5].address }} \
               {{ deal.stage.name.upper() }} {{ contact.title | date }} {{ contact.nickname }}.";
    let out = render(&email(src), &ctx, &opts("nb-NO")).unwrap();
    assert_eq!(
        out.body,
        "Hei [contact.nickname], om [deal.name] ([deal.amount_minor]), [contact.last_name] \
         [nickname] [contact.emails.5.address] [deal.stage.name] [contact.title] [contact.nickname]."
    );
    assert_eq!(
        out.missing,
        [
            "contact.nickname",
            "deal.name",
            "deal.amount_minor",
            "contact.last_name",
            "nickname",
            "contact.emails.5.address",
            "deal.stage.name",
            "contact.title",
        ]
    );
}

#[test]
fn missing_fields_in_conditions_and_defaults() {
    let c = contact("Kari", "Nordmann");
    let ctx = MergeContext {
        contact: Some(&c),
        ..MergeContext::default()
    };
    let src = "{% if contact.nickname %}A{% else %}B{% endif %}\
               {% if deal %}C{% else %}D{% endif %}\
               {{ contact.nickname | default('venn') }}\
               {{ contact.first_name | default('venn') }}\
               {{ contact.nickname is defined }}{{ contact.first_name is defined }}\
               {{ deal is undefined }}{{ contact.title is none }}{{ contact.first_name is none }}\
               {% for x in deal.line_items %}never{% endfor %}\
               {{ contact.nickname or 'du' }}";
    let out = render(&email(src), &ctx, &opts("nb-NO")).unwrap();
    assert_eq!(out.body, "BDvennKariFalseTrueTrueTrueFalsedu");
    // tested, defaulted or skipped: nothing went out as a placeholder
    assert!(out.missing.is_empty(), "{:?}", out.missing);
}

#[test]
fn missing_fields_are_listed_from_the_subject_too() {
    let t = Template {
        subject: Some("Tilbud til {{ account.name }}".into()),
        ..email("Hei {{ contact.first_name }}")
    };
    let out = render(&t, &MergeContext::default(), &opts("nb-NO")).unwrap();
    assert_eq!(out.subject.as_deref(), Some("Tilbud til [account.name]"));
    assert_eq!(out.body, "Hei [contact.first_name]");
    assert_eq!(out.missing, ["account.name", "contact.first_name"]);
}

#[test]
fn the_missing_list_is_capped() {
    let src =
        "{% for i in range(150) %}{{ contact['f' ~ i] }}{{ contact.emails.first }}{% endfor %}";
    let out = render(&email(src), &MergeContext::default(), &opts("en-GB")).unwrap();
    assert_eq!(out.missing.len(), 100);
    assert_eq!(
        out.missing[..3],
        ["contact.f0", "contact.emails.first", "contact.f1"]
    );
    assert!(
        out.body.ends_with("[contact.f149][contact.emails.first]"),
        "{}",
        out.body
    );
}

#[test]
fn placeholders_stay_short() {
    // chaining lookups on a missing value in a loop does not grow the path
    let src = "{% set ns = namespace(v=contact.x) %}{% for i in range(1000) %}\
               {% set ns.v = ns.v.abcdefghij %}{% endfor %}{{ ns.v }}";
    let out = body(src, "en-GB");
    assert!(out.len() < 200, "{}", out.len());
    assert!(out.starts_with("[contact.x.abcdefghij"));
}

// ---- escaping ----

#[test]
fn html_bodies_escape_every_merged_value() {
    let c = contact("<script>alert('x')</script>", "O'Brien & \"Sons\"");
    let a = account("<b>ACME</b>");
    let ctx = MergeContext {
        contact: Some(&c),
        account: Some(&a),
        ..MergeContext::default()
    };
    let src = "<p>Hi {{ contact.first_name }} {{ contact.full_name | upper }}, {{ account.name ~ '!' }} \
               {{ contact['<img>'] }}</p>";
    let out = render(&html(src), &ctx, &opts("en-GB")).unwrap();
    assert!(!out.body.contains("<script"), "{}", out.body);
    assert!(!out.body.contains("<b>"), "{}", out.body);
    assert!(!out.body.contains("<img>"), "{}", out.body);
    assert!(
        out.body.starts_with("<p>Hi &lt;script&gt;alert("),
        "{}",
        out.body
    );
    assert!(
        out.body.contains("O&#x27;BRIEN &amp; &quot;SONS&quot;"),
        "{}",
        out.body
    );
    assert!(out.body.ends_with("</p>"), "{}", out.body);
    // the same template as text: no escaping
    let out = render(&email(src), &ctx, &opts("en-GB")).unwrap();
    assert!(
        out.body.contains("Hi <script>alert('x')</script> <SCRIPT>"),
        "{}",
        out.body
    );
    assert!(out.body.contains("<b>ACME</b>!"), "{}", out.body);
}

#[test]
fn html_escaping_cannot_be_switched_off() {
    let c = contact("<script>", "");
    let ctx = MergeContext {
        contact: Some(&c),
        ..MergeContext::default()
    };
    let err = render(
        &html("{{ contact.first_name | safe }}"),
        &ctx,
        &opts("en-GB"),
    )
    .unwrap_err();
    assert!(
        matches!(err, TemplateError::Unknown { line: Some(1), .. }),
        "{err:?}"
    );
    let err = render(
        &html("x\n{% autoescape false %}{{ contact.first_name }}{% endautoescape %}"),
        &ctx,
        &opts("en-GB"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        TemplateError::Forbidden {
            part: TemplatePart::Body,
            line: 2,
            what: "autoescape blocks"
        }
    );
    let err = render(
        &html("{% filter safe %}{{ contact.first_name }}{% endfilter %}"),
        &ctx,
        &opts("en-GB"),
    )
    .unwrap_err();
    assert!(matches!(err, TemplateError::Unknown { .. }), "{err:?}");
}

#[test]
fn subjects_are_plain_and_on_one_line() {
    let c = contact("Kari\r\nBcc: evil@example.com", "<Nordmann>");
    let ctx = MergeContext {
        contact: Some(&c),
        ..MergeContext::default()
    };
    let t = Template {
        subject: Some("  Til {{ contact.full_name }}\n".into()),
        ..html("<p>{{ contact.last_name }}</p>")
    };
    let out = render(&t, &ctx, &opts("nb-NO")).unwrap();
    assert_eq!(
        out.subject.as_deref(),
        Some("Til Kari  Bcc: evil@example.com <Nordmann>")
    );
    assert_eq!(out.body, "<p>&lt;Nordmann&gt;</p>");
    // no subject on an e-mail is fine
    let out = render(&html("x"), &ctx, &opts("nb-NO")).unwrap();
    assert_eq!(out.subject, None);
}

// ---- validation ----

#[test]
fn valid_templates_pass() {
    let t = Template {
        subject: Some("Tilbud {{ quote.number | default('') }}".into()),
        ..html(
            "<p>Hei {{ contact.first_name | default('der') }},</p>\n\
             {% if deal %}\n<p>{{ deal.name }}: {{ deal.amount }}</p>\n{% endif %}\n\
             {% for li in deal.line_items %}{{ li.description | title }}{% endfor %}\n\
             {# a comment with | bogus #}{% raw %}{{ x | bogus }}{% endraw %}\n\
             {{ 'a|b' | replace('|', '-') }} {{ 3 is odd }} {{ 3 is not even }}\n\
             {% filter upper %}x{% endfilter %}{% set r = range(3) | list %}{{ r | join(',') }}\n\
             {{ {'a': {'b': 1}}.a.b }}",
        )
    };
    validate(&t).unwrap();
    let out = render(&t, &MergeContext::default(), &opts("nb-NO")).unwrap();
    assert!(out.missing.is_empty(), "{:?}", out.missing);
    assert!(out.body.contains("{{ x | bogus }}"), "{}", out.body);
    assert!(
        out.body.contains("a-b True True\nX0,1,2\n1"),
        "{}",
        out.body
    );
}

#[test]
fn syntax_errors_name_the_part_and_line() {
    let err = validate(&email("Hei\n{{ contact.first_name }}\n{% if x %}\nno end")).unwrap_err();
    let TemplateError::Syntax {
        part,
        line,
        message,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*part, TemplatePart::Body);
    assert!(*line >= 3, "{line}");
    assert!(!message.is_empty());
    assert!(err.to_string().contains(&format!("line {line}")), "{err}");

    let err = validate(&email("Hei\n\n{{ contact.first_name }")).unwrap_err();
    assert!(
        matches!(err, TemplateError::Syntax { line: 3, .. }),
        "{err:?}"
    );

    let t = Template {
        subject: Some("{% for %}".into()),
        ..email("fine")
    };
    let err = validate(&t).unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::Syntax {
                part: TemplatePart::Subject,
                line: 1,
                ..
            }
        ),
        "{err:?}"
    );
    // render refuses it the same way (an error, not a panic)
    let err2 = render(&t, &MergeContext::default(), &opts("en-GB")).unwrap_err();
    assert_eq!(err, err2);
}

#[test]
fn unknown_names_are_refused_in_every_branch() {
    let err = validate(&email(
        "ok\n{% if deal %}\n{{ deal.name | shout }}\n{% endif %}",
    ))
    .unwrap_err();
    assert_eq!(
        err,
        TemplateError::Unknown {
            part: TemplatePart::Body,
            line: Some(3),
            message: "filter shout is unknown".into()
        }
    );
    let err = validate(&email("{% if deal %}{{ 1 is prime }}{% endif %}")).unwrap_err();
    assert!(
        matches!(err, TemplateError::Unknown { line: Some(1), .. }),
        "{err:?}"
    );
    // functions are checked by the trial render
    let err = validate(&email("\n{{ shout('x') }}")).unwrap_err();
    assert!(
        matches!(err, TemplateError::Unknown { line: Some(2), .. }),
        "{err:?}"
    );
}

#[test]
fn no_includes_imports_or_macros() {
    for src in [
        "{% include 'other.html' %}",
        "{% import 'macros.html' as m %}",
        "{% from 'macros.html' import x %}",
        "{% extends 'base.html' %}",
        "{% macro m() %}x{% endmacro %}",
        "{% block b %}x{% endblock %}",
    ] {
        let err = validate(&email(src)).unwrap_err();
        assert!(
            matches!(err, TemplateError::Syntax { line: 1, .. }),
            "{src}: {err:?}"
        );
    }
}

#[test]
fn shape_rules() {
    let big = "x".repeat(MAX_SOURCE_BYTES + 1);
    assert_eq!(
        validate(&email(&big)).unwrap_err(),
        TemplateError::SourceTooLarge {
            part: TemplatePart::Body,
            size: MAX_SOURCE_BYTES + 1,
            max: MAX_SOURCE_BYTES
        }
    );
    validate(&email(&"x".repeat(MAX_SOURCE_BYTES))).unwrap();
    let t = Template {
        subject: Some(big.clone()),
        ..email("x")
    };
    assert!(matches!(
        validate(&t).unwrap_err(),
        TemplateError::SourceTooLarge {
            part: TemplatePart::Subject,
            ..
        }
    ));
    let t = Template {
        subject: Some("Hi".into()),
        ..sms("x")
    };
    assert_eq!(validate(&t).unwrap_err(), TemplateError::SubjectNotAllowed);
    let t = Template {
        format: TemplateFormat::Html,
        ..sms("x")
    };
    assert_eq!(validate(&t).unwrap_err(), TemplateError::HtmlSms);
    let t = Template {
        kind: TemplateKind::Proposal,
        ..html("<h1>{{ deal.name }}</h1>")
    };
    validate(&t).unwrap();
}

// ---- sandbox limits ----

fn quickly<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    out
}

#[test]
fn huge_loops_are_too_much_work() {
    let t = email("Hi\n{% for i in range(100000000) %}{{ i }}{% endfor %}");
    let err = quickly(|| render(&t, &MergeContext::default(), &opts("en-GB")).unwrap_err());
    assert_eq!(
        err,
        TemplateError::TooMuchWork {
            part: TemplatePart::Body,
            line: Some(2)
        }
    );
    assert!(err.to_string().contains("too much work"), "{err}");
    // validation catches it before the template is saved
    assert!(matches!(
        validate(&t).unwrap_err(),
        TemplateError::TooMuchWork { .. }
    ));

    // loops each within range() still run out of fuel together
    let t = email("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}");
    let err = quickly(|| render(&t, &MergeContext::default(), &opts("en-GB")).unwrap_err());
    assert!(matches!(err, TemplateError::TooMuchWork { .. }), "{err:?}");

    // so do big strings and lists
    for src in [
        "{% set s = namespace(v='x') %}{% for i in range(60) %}{% set s.v = s.v ~ s.v %}{% endfor %}",
        "{% set ns = namespace(v=[]) %}{% for i in range(10000) %}{% set ns.v = ns.v + range(10000) | list %}{% endfor %}{{ ns.v | length }}",
    ] {
        let err =
            quickly(|| render(&email(src), &MergeContext::default(), &opts("en-GB")).unwrap_err());
        assert!(
            matches!(err, TemplateError::TooMuchWork { .. }),
            "{src}: {err:?}"
        );
    }
}

#[test]
fn star_only_repeats_text() {
    assert_eq!(
        body(
            "{{ '-' * 5 }}{{ (\"=\" * 1000) | length }}{{ 2 ** 3 }}",
            "en-GB"
        ),
        "-----10008"
    );
    for (src, line) in [
        ("{{ [1] * 100000000 }}", 1),
        ("\n{{ range(10) * 3 }}", 2),
        ("{{ deal.amount_minor * 2 }}", 1),
        ("{{ 2 * 3 }}", 1),
        ("{{ 'x' * 1001 }}", 1),
        ("{{ 'x' * 2.5 }}", 1),
        ("{{ 'x' * n }}", 1),
        ("{{ 'x' * 3 * 3 }}", 1),
        ("{% set s = '-' %}\n\n{{ s * 3 }}", 3),
        ("{% if x %}{{ ('a' ~ x) * 3 }}{% endif %}", 1),
    ] {
        let err = validate(&email(src)).unwrap_err();
        assert_eq!(
            err,
            TemplateError::Forbidden {
                part: TemplatePart::Body,
                line,
                what: "uses of * other than 'text' * N (N up to 1000)"
            },
            "{src}"
        );
    }
    // a * in text, a string or a comment is not an operator
    assert_eq!(
        body("2 * 3 = {{ '2 * 3' }}{# x * y #}", "en-GB"),
        "2 * 3 = 2 * 3"
    );
}

#[test]
fn recursion_is_bounded() {
    let t = email("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}");
    let err = quickly(|| render(&t, &MergeContext::default(), &opts("en-GB")).unwrap_err());
    assert!(
        matches!(
            err,
            TemplateError::Render { line: Some(1), .. } | TemplateError::TooMuchWork { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn a_smaller_fuel_budget_is_respected() {
    let t = email("{% for i in range(1000) %}{{ i }}{% endfor %}");
    render(&t, &MergeContext::default(), &opts("en-GB")).unwrap();
    let tight = RenderOptions {
        fuel: 100,
        ..opts("en-GB")
    };
    assert!(matches!(
        render(&t, &MergeContext::default(), &tight).unwrap_err(),
        TemplateError::TooMuchWork { .. }
    ));
}

#[test]
fn proposals_with_many_line_items_fit_the_default_budget() {
    let mut d = deal(0, "EUR");
    d.line_items = (0..300)
        .map(|i| LineItem {
            id: format!("l{i:04}"),
            description: format!("Item {i}"),
            quantity_milli: 1000,
            unit_price_minor: 1999,
            ..LineItem::default()
        })
        .collect();
    let ctx = MergeContext {
        deal: Some(&d),
        ..MergeContext::default()
    };
    let t = Template {
        kind: TemplateKind::Proposal,
        ..html(
            "<table>{% for li in deal.line_items %}<tr><td>{{ loop.index }}</td><td>{{ li.description }}</td>\
             <td>{{ li.quantity }}</td><td>{{ li.unit_price }}</td><td>{{ li.total }}</td></tr>{% endfor %}</table>\
             <p>{{ deal.line_items | sum(attribute='total_minor') | money(deal.currency) }}</p>",
        )
    };
    let out = render(&t, &ctx, &opts("sl-SI")).unwrap();
    assert_eq!(out.body.matches("<tr>").count(), 300);
    assert!(
        out.body.ends_with("<p>5.997,00\u{a0}€</p>"),
        "{}",
        &out.body[out.body.len() - 40..]
    );
}

#[test]
fn output_is_capped() {
    let t = email("{% for i in range(5000) %}{{ 'x' * 100 }}{% endfor %}");
    let err = quickly(|| render(&t, &MergeContext::default(), &opts("en-GB")).unwrap_err());
    assert_eq!(
        err,
        TemplateError::TooLarge {
            part: TemplatePart::Body,
            max: DEFAULT_MAX_OUTPUT_BYTES
        }
    );
    let small = RenderOptions {
        max_output_bytes: 10,
        ..opts("en-GB")
    };
    let ok = render(&email("0123456789"), &MergeContext::default(), &small).unwrap();
    assert_eq!(ok.body, "0123456789");
    let t = Template {
        subject: Some("{{ 'y' * 11 }}".into()),
        ..email("x")
    };
    assert_eq!(
        render(&t, &MergeContext::default(), &small).unwrap_err(),
        TemplateError::TooLarge {
            part: TemplatePart::Subject,
            max: 10
        }
    );
}

#[test]
fn errors_carry_no_personal_data() {
    let c = contact("Ingrid", "Hemmeligsen");
    let ctx = MergeContext {
        contact: Some(&c),
        ..MergeContext::default()
    };
    for src in [
        "{{ contact.first_name + 1 }}",
        "{{ contact.full_name | money('NOK') }}",
        "{{ contact.email | int + contact.last_name }}",
        "{{ contact.phone[1:3] ** 'x' }}",
    ] {
        let err = render(&email(src), &ctx, &opts("nb-NO")).unwrap_err();
        let text = format!("{err} {err:?}");
        for secret in ["Ingrid", "Hemmeligsen", "primary@example.com", "912"] {
            assert!(!text.contains(secret), "{src}: {text}");
        }
        assert!(
            matches!(err, TemplateError::Render { line: Some(1), .. }),
            "{src}: {err:?}"
        );
    }
}

// ---- engine settings ----

#[test]
fn block_lines_leave_no_blank_lines() {
    let src = "Hei\n{% if contact %}\nkontakt\n{% else %}\n  ingen\n{% endif %}\nHilsen\n";
    assert_eq!(body(src, "nb-NO"), "Hei\n  ingen\nHilsen\n");
}

#[test]
fn templates_serialise_snake_case() {
    let t = Template {
        kind: TemplateKind::Sms,
        format: TemplateFormat::Text,
        name: "Reminder".into(),
        subject: None,
        body: "Hei {{ contact.first_name }}".into(),
        locale: Some("nb-NO".into()),
        ..Template::default()
    };
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["kind"], "sms");
    assert_eq!(v["format"], "text");
    assert_eq!(serde_json::from_value::<Template>(v).unwrap(), t);
    let proposal: Template =
        serde_json::from_value(json!({"kind": "proposal", "format": "html", "body": "x"})).unwrap();
    assert_eq!(proposal.kind, TemplateKind::Proposal);
    assert_eq!(proposal.format, TemplateFormat::Html);
    assert_eq!(proposal.name, "");
    let empty: Template = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty, Template::default());
}

// ---- never panics ----

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("{%".to_owned()),
        Just("%}".to_owned()),
        Just("{#".to_owned()),
        Just("#}".to_owned()),
        Just("-".to_owned()),
        Just("|".to_owned()),
        Just(".".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("\n".to_owned()),
        Just(" ".to_owned()),
        Just("*".to_owned()),
        Just("~".to_owned()),
        Just("==".to_owned()),
        Just("is".to_owned()),
        Just("not".to_owned()),
        Just("in".to_owned()),
        Just("if".to_owned()),
        Just("else".to_owned()),
        Just("endif".to_owned()),
        Just("for".to_owned()),
        Just("endfor".to_owned()),
        Just("set".to_owned()),
        Just("raw".to_owned()),
        Just("endraw".to_owned()),
        Just("filter".to_owned()),
        Just("autoescape".to_owned()),
        Just("range".to_owned()),
        Just("contact".to_owned()),
        Just("deal".to_owned()),
        Just("quote".to_owned()),
        Just("money".to_owned()),
        Just("money_sum".to_owned()),
        Just("date".to_owned()),
        Just("default".to_owned()),
        Just("loop".to_owned()),
        Just("99999999999".to_owned()),
        Just("-1".to_owned()),
        "[a-z_]{1,6}",
        "[0-9]{1,3}",
        any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_source_never_panics(
        tokens in proptest::collection::vec(token(), 0..40),
        noise in ".{0,40}",
        html_format in any::<bool>(),
    ) {
        let c = contact("Kari", "Nordmann");
        let d = deal(12_345, "NOK");
        let ctx = MergeContext {
            contact: Some(&c),
            deal: Some(&d),
            quote: Some(json!({"total": {"amount_minor": 1, "currency": "EUR"}, "lines": []})),
            ..MergeContext::default()
        };
        for src in [tokens.concat(), noise] {
            let t = Template {
                subject: Some(src.chars().take(20).collect()),
                format: if html_format { TemplateFormat::Html } else { TemplateFormat::Text },
                ..email(&src)
            };
            let _ = validate(&t);
            let _ = render(&t, &ctx, &opts("sl-SI"));
        }
    }
}
