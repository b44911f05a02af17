//! Quotes: lines get ids, totals follow the one rounding rule, acceptance
//! makes the order in the same change, and two phones accepting the same
//! quote offline end with one order.

use outpost_core::model::*;
use outpost_core::store::Store;
use outpost_core::{CoreError, DocumentId, order_id_for_quote};

use crate::support::*;

fn line(
    product: Option<&str>,
    qty_milli: i64,
    price: i64,
    discount_bp: i64,
    tax_bp: i64,
) -> QuoteLine {
    QuoteLine {
        product_id: product.map(str::to_owned),
        description: "Laks 5 kg".into(),
        quantity_milli: qty_milli,
        unit_price_minor: price,
        discount_bp,
        tax_bp,
        ..Default::default()
    }
}

fn quote(lines: Vec<QuoteLine>) -> Quote {
    Quote {
        title: "Sesongavtale".into(),
        currency: "NOK".into(),
        lines,
        valid_until: Some("2030-12-31".into()),
        version: 1,
        ..Default::default()
    }
}

fn account(store: &mut Store) -> DocumentId {
    store
        .create_account(Account {
            name: "Fjord Fisk AS".into(),
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn an_accepted_quote_becomes_its_order_in_the_same_change() {
    let mut s = memory_store("kari", NOW);
    let doc = account(&mut s);
    // two lines without ids: both kept, each with a fresh id
    let q = s
        .create(
            doc,
            quote(vec![
                line(Some("laks"), 3_000, 333, 1_250, 2_500),
                line(None, 1_500, 99, 0, 1_500),
            ]),
        )
        .unwrap();
    let read = s.get::<Quote>(doc, &q).unwrap().unwrap().record;
    assert_eq!(read.lines.len(), 2);
    assert!(read.lines.iter().all(|l| !l.id.is_empty()));
    let totals = read.totals();
    assert_eq!(
        (totals.net_minor, totals.tax_minor, totals.total_minor),
        (1_023, 241, 1_264)
    );

    let heads = s.heads(doc).unwrap();
    let order_id = s.accept_quote(doc, &q).unwrap();
    assert_eq!(
        order_id,
        order_id_for_quote(&q),
        "the order's id comes from the quote's"
    );
    let order = s.get::<Order>(doc, &order_id).unwrap().unwrap().record;
    assert_eq!(order.quote_id.as_deref(), Some(q.as_str()));
    assert_eq!(order.total_minor, 1_264, "the quote's total with tax");
    assert_eq!(order.currency, "NOK");
    assert_eq!(order.lines.len(), 2);
    assert!(
        order
            .lines
            .iter()
            .any(|l| l.product_id.as_deref() == Some("laks") && l.discount_percent == Some(12.5))
    );
    let accepted = s.get::<Quote>(doc, &q).unwrap().unwrap().record;
    assert_eq!(accepted.status, QuoteStatus::Accepted);
    assert_eq!(
        (accepted.order_id.as_deref(), accepted.decided_at),
        (Some(order_id.as_str()), Some(NOW))
    );
    // one change holds both: the document moved by exactly one change
    let after = s.heads(doc).unwrap();
    assert_eq!(after.len(), 1);
    let history = s.history(doc, RecordKind::Quote, &q).unwrap();
    let status_change = history
        .iter()
        .find(|c| c.field == "status" && c.new_value == "accepted")
        .unwrap();
    let head = after[0].to_string();
    assert_eq!(status_change.change, head);
    let created = s.history(doc, RecordKind::Order, &order_id).unwrap();
    assert!(!created.is_empty());
    assert!(
        created.iter().all(|c| c.change == head),
        "the order and the status in one change"
    );
    assert_ne!(heads, after);

    // accepting again changes nothing and answers the same order
    assert_eq!(s.accept_quote(doc, &q).unwrap(), order_id);
    assert_eq!(s.heads(doc).unwrap(), after);
    assert_eq!(s.list::<Order>(doc).unwrap().len(), 1);
}

#[test]
fn a_declined_expired_lapsed_or_empty_quote_is_not_accepted() {
    let mut s = memory_store("kari", NOW);
    let doc = account(&mut s);
    let declined = s
        .create(
            doc,
            Quote {
                status: QuoteStatus::Declined,
                ..quote(vec![line(None, 1_000, 100, 0, 0)])
            },
        )
        .unwrap();
    let lapsed = s
        .create(
            doc,
            Quote {
                valid_until: Some("2020-01-01".into()),
                ..quote(vec![line(None, 1_000, 100, 0, 0)])
            },
        )
        .unwrap();
    let empty = s.create(doc, quote(vec![])).unwrap();
    for (id, why) in [
        (&declined, "declined"),
        (&lapsed, "valid_until"),
        (&empty, "without lines"),
    ] {
        match s.accept_quote(doc, id) {
            Err(CoreError::Invalid(m)) => assert!(m.contains(why), "{m}"),
            other => panic!("{why}: {other:?}"),
        }
    }
    assert!(
        s.list::<Order>(doc).unwrap().is_empty(),
        "no order was made"
    );
    assert!(matches!(
        s.accept_quote(doc, "no-such-quote"),
        Err(CoreError::RecordNotFound { .. })
    ));
}

#[test]
fn quote_values_are_checked_by_the_schema_rules() {
    let mut s = memory_store("kari", NOW);
    let doc = account(&mut s);
    for (bad, field) in [
        (
            quote(vec![line(None, 1_000, 100, 10_001, 0)]),
            "discount_bp",
        ),
        (quote(vec![line(None, 1_000, 100, 0, -1)]), "tax_bp"),
        (
            quote(vec![line(None, 1_000, -100, 0, 0)]),
            "unit_price_minor",
        ),
        (
            Quote {
                currency: "kroner".into(),
                ..quote(vec![])
            },
            "currency",
        ),
        (
            Quote {
                valid_until: Some("31.12.2030".into()),
                ..quote(vec![])
            },
            "valid_until",
        ),
    ] {
        match s.create(doc, bad) {
            Err(CoreError::InvalidField { field: f, .. }) => {
                assert!(f.contains(field), "{f} for {field}")
            }
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn a_quote_accepted_on_two_phones_offline_makes_one_order() {
    let mut a = memory_store("kari", NOW);
    let doc = account(&mut a);
    let q = a
        .create(
            doc,
            quote(vec![line(Some("laks"), 2_000, 10_000, 0, 2_500)]),
        )
        .unwrap();
    let mut b = memory_store("ola", NOW + HOUR);
    b.apply(doc, &a.export(doc).unwrap()).unwrap();
    // both accept before they hear of each other
    let oa = a.accept_quote(doc, &q).unwrap();
    let ob = b.accept_quote(doc, &q).unwrap();
    assert_eq!(oa, ob);
    b.apply(doc, &a.export(doc).unwrap()).unwrap();
    a.apply(doc, &b.export(doc).unwrap()).unwrap();
    for s in [&mut a, &mut b] {
        let orders = s.list::<Order>(doc).unwrap();
        assert_eq!(orders.len(), 1, "one order after the merge");
        assert_eq!(orders[0].record.total_minor, 25_000);
        assert_eq!(
            s.get::<Quote>(doc, &q).unwrap().unwrap().record.status,
            QuoteStatus::Accepted
        );
    }
}
