//! Templates kept in the org settings, rendered with an account's records on
//! the device, and the message logged on the timeline.

use chrono::NaiveDate;
use outpost_core::CoreError;
use outpost_core::model::*;
use outpost_core::store::MergeRecords;
use outpost_core::templates::{RenderOptions, RepInfo};

use crate::support::*;

fn opts(locale: &str) -> RenderOptions {
    RenderOptions::new(locale, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap())
}

#[test]
fn a_template_from_the_settings_renders_an_accounts_records_and_is_logged() {
    let mut s = memory_store("kari", NOW);
    let settings = s
        .create_settings(OrgSettings {
            default_currency: "NOK".into(),
            default_phone_region: "NO".into(),
            ..Default::default()
        })
        .unwrap();
    let template = s
        .create(
            settings,
            Template {
                kind: TemplateKind::Email,
                format: TemplateFormat::Text,
                name: "Tilbud".into(),
                subject: Some("Tilbud til {{ account.name }}".into()),
                body: "Hei {{ contact.first_name }}!\nTotalt: {{ quote.total | money }} (gyldig til {{ quote.valid_until | date }}).\n{{ deal.name }}\nHilsen {{ rep.display_name }}".into(),
                locale: Some("nb-NO".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let doc = s
        .create_account(Account {
            name: "Fjord Fisk AS".into(),
            ..Default::default()
        })
        .unwrap();
    let contact = s
        .create(
            doc,
            Contact {
                first_name: "Åse".into(),
                last_name: "Kjærstad".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let quote = s
        .create(
            doc,
            Quote {
                currency: "NOK".into(),
                valid_until: Some("2026-12-31".into()),
                lines: vec![QuoteLine {
                    quantity_milli: 2_000,
                    unit_price_minor: 10_000,
                    tax_bp: 2_500,
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    let records = MergeRecords {
        contact_id: Some(contact.clone()),
        quote_id: Some(quote),
        ..Default::default()
    };
    let rep = RepInfo {
        user_id: "kari".into(),
        display_name: "Kari Nordmann".into(),
        ..Default::default()
    };
    // on an English phone: the template's own locale wins
    let m = s
        .render_template(&template, doc, &records, Some(rep), &opts("en-GB"))
        .unwrap();
    assert_eq!(m.subject.as_deref(), Some("Tilbud til Fjord Fisk AS"));
    assert!(m.body.starts_with("Hei Åse!\n"), "{}", m.body);
    // 2 × 100.00 + 25 % tax = 250,00 kr, by the quote's rounding rule
    assert!(m.body.contains("250,00\u{a0}kr"), "{}", m.body);
    assert!(m.body.contains("31. desember 2026"), "{}", m.body);
    assert!(
        m.body.contains("[deal.name]"),
        "no deal: a visible placeholder"
    );
    assert_eq!(m.missing, ["deal.name"]);

    let activity = s
        .log_message(doc, TemplateKind::Email, &records, &m)
        .unwrap();
    let a = s.get::<Activity>(doc, &activity).unwrap().unwrap().record;
    assert_eq!(
        (a.kind, a.status, a.direction),
        (
            ActivityKind::Email,
            ActivityStatus::Done,
            Some(Direction::Outbound)
        )
    );
    assert_eq!(a.contact_ids, [contact]);
    assert_eq!(a.subject, "Tilbud til Fjord Fisk AS");
    assert_eq!(a.body, m.body);

    // a record named but not there is an error, not a placeholder
    let wrong = MergeRecords {
        deal_id: Some("no-such-deal".into()),
        ..Default::default()
    };
    assert!(matches!(
        s.render_template(&template, doc, &wrong, None, &opts("nb-NO")),
        Err(CoreError::RecordNotFound { .. })
    ));
    assert!(matches!(
        s.render_template(
            "no-such-template",
            doc,
            &MergeRecords::default(),
            None,
            &opts("nb-NO")
        ),
        Err(CoreError::RecordNotFound { .. })
    ));
}

#[test]
fn a_template_that_does_not_compile_is_not_saved() {
    let mut s = memory_store("mona", NOW);
    let settings = s.create_settings(OrgSettings::default()).unwrap();
    let bad = |body: &str, kind, format| Template {
        kind,
        format,
        name: "x".into(),
        body: body.into(),
        ..Default::default()
    };
    for (t, field) in [
        (
            bad(
                "Hei {{ contact.first_name",
                TemplateKind::Email,
                TemplateFormat::Text,
            ),
            "body",
        ),
        (
            bad(
                "{% for i in range(100000000) %}x{% endfor %}",
                TemplateKind::Email,
                TemplateFormat::Text,
            ),
            "body",
        ),
        (
            bad("Hei", TemplateKind::Sms, TemplateFormat::Html),
            "format",
        ),
        (
            Template {
                subject: Some("Hei".into()),
                ..bad("Hei", TemplateKind::Sms, TemplateFormat::Text)
            },
            "subject",
        ),
    ] {
        match s.create(settings, t) {
            Err(CoreError::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(s.list::<Template>(settings).unwrap().is_empty());
}
