use outpost_core::model;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::*;

/// `value` read as `S`, naming the path that does not fit.
fn fits<S: DeserializeOwned>(what: &str, value: Value) {
    let r: Result<S, _> = serde_path_to_error::deserialize(value.clone());
    if let Err(e) = r {
        panic!(
            "{what}: the schema does not describe `{}`: {e}\n{value:#}",
            e.path()
        );
    }
}

/// A core record as the API shows it (defaults, then `filled` with
/// every optional kind of value) fits the schema of the same name.
fn record_fits<R: model::Record, S: DeserializeOwned>(filled: Value) {
    let name = R::KIND.name();
    fits::<S>(name, serde_json::to_value(R::default()).unwrap_or_default());
    let r: R = serde_json::from_value(filled).expect("a valid record");
    fits::<S>(name, serde_json::to_value(&r).unwrap_or_default());
}

fn meta() -> Value {
    json!({"id": "r1", "owner": "kari", "created_by": "kari", "updated_by": "mona",
           "archived": true, "archived_at": 5, "tags": {"vip": true},
           "custom": {"n": 1, "f": 1.5, "b": true, "s": "x"}, "external_ids": {"erp": "7"}})
}

fn with_meta(fields: Value) -> Value {
    let mut v = meta();
    if let (Some(m), Value::Object(f)) = (v.as_object_mut(), fields) {
        m.extend(f);
    }
    v
}

#[test]
fn the_record_schemas_describe_what_core_serialises() {
    let address = json!({"a1": {"label": "home", "street": "Storgata 1", "city": "Oslo", "region": "Oslo",
                                "postal_code": "0155", "country": "NO", "lat": 59.9, "lon": 10.7, "primary": true}});
    let phone = json!({"p1": {"number": "+47 912 34 567", "label": "work", "primary": true, "opted_out": true}});
    record_fits::<model::Account, Account>(with_meta(json!({
        "name": "Fjord", "account_type": "customer", "industry": "fish", "website": "https://x",
        "addresses": address, "phones": phone, "territory": "west", "lifecycle_stage": "churned",
        "customer_since": "2020-01-01", "churned_at": 7, "churn_reason": "r", "lost_to_competitor": "c",
        "lost_to_reason": "r", "value_tier": "A", "lead_source": "web", "referred_by": "x",
        "preferred_payment_method": "bank_transfer", "payment_terms": "net 30", "credit_limit_minor": 5,
        "currency": "EUR", "notes": "n",
        "balance": {"currency": "EUR", "balance_minor": 1, "overdue_minor": 2, "open_invoices": 3,
                    "last_payment_at": 4, "as_of": 5}})));
    record_fits::<model::Contact, Contact>(with_meta(json!({
        "first_name": "Kari", "last_name": "N", "title": "CEO", "role": "buyer",
        "emails": {"e1": {"address": "k@example.com", "label": "work", "primary": true, "opted_out": true}},
        "phones": phone, "addresses": address,
        "social": {"s1": {"network": "x", "handle": "@k"}}, "preferred_contact_method": "messaging",
        "preferred_contact_time": "am", "language": "nb", "birthday": "--01-31",
        "family": {"f1": {"name": "Ola", "relation": "spouse", "birthday": "1980-01-01", "anniversary": "--06-01"}},
        "hobbies": {"sailing": true}, "memberships": {"rotary": true},
        "important_dates": {"d1": {"label": "x", "date": "--05-17", "one_off": true}},
        "consent": {"email_marketing": true, "sms_marketing": true, "phone_marketing": true, "recorded_at": 9},
        "notes": "n"})));
    let line = json!({"l1": {"product_id": "p", "description": "d", "quantity_milli": 1500,
                             "unit_price_minor": 100, "discount_percent": 12.5}});
    record_fits::<model::Deal, Deal>(with_meta(json!({
        "name": "Boat", "contact_roles": {"c1": "champion"}, "pipeline_id": "sales", "stage_id": "won",
        "amount_minor": 5, "currency": "EUR", "probability": 50, "expected_close": "2030-01-01",
        "deal_type": "cross_sell", "lost_reason": "r", "competitor": "c", "line_items": line,
        "stage_history": {"h1": {"from_stage": "lead", "to_stage": "won", "at": 3, "by": "kari"}},
        "description": "d"})));
    let geo = json!({"at": 1, "lat": 1.5, "lon": 2.5, "accuracy_m": 3.5});
    record_fits::<model::Activity, Activity>(with_meta(json!({
        "kind": "visit", "status": "cancelled", "subject": "s", "due_at": 1, "start_at": 2, "end_at": 3,
        "completed_at": 4, "direction": "inbound", "outcome": "o", "contact_ids": {"c1": true},
        "deal_id": "d", "order_id": "o", "case_id": "c", "check_in": geo, "check_out": geo,
        "photos": {"ph1": {"uri": "file:x", "caption": "c", "taken_at": 5}}, "report": "r", "body": "b"})));
    record_fits::<model::Order, Order>(with_meta(json!({
        "number": "A-1", "ordered_at": 1, "status": "open", "lines": line, "total_minor": 5, "currency": "EUR",
        "payment_method": "card", "credit_terms_days": 30, "due_date": "2030-01-01",
        "payments": {"pay1": {"at": 2, "amount_minor": 3, "method": "cash", "late": true}},
        "loyalty_card": "l", "description": "d", "quote_id": "q"})));
    record_fits::<model::Case, Case>(with_meta(json!({
        "kind": "feedback", "subject": "s", "channel": "web", "product_id": "p", "contact_id": "c",
        "status": "closed", "resolution": "fixed", "satisfaction": 5, "opened_at": 1, "closed_at": 2,
        "description": "d"})));
    record_fits::<model::CustomField, CustomField>(with_meta(json!({
        "field_type": "choice", "entity": "contact", "key": "k", "label": "K", "options": ["a", "b"]})));
    let quote_line = json!({"q1": {"product_id": "p", "description": "d", "position": 1, "quantity_milli": 1500,
                                   "unit_price_minor": 100, "discount_bp": 1250, "tax_bp": 2500}});
    let quote = with_meta(json!({
        "status": "accepted", "number": "Q-1", "title": "t", "deal_id": "d", "contact_id": "c",
        "currency": "NOK", "lines": quote_line, "valid_until": "2030-01-01", "version": 2, "supersedes": "q0",
        "sent_at": 1, "decided_at": 2, "order_id": "o", "campaign_id": "c", "notes": "n"}));
    record_fits::<model::Quote, Quote>(quote.clone());
    // as the API shows it: with core's totals
    let shown = super::super::records::record_json(
        &serde_json::from_value::<model::Quote>(quote).expect("a quote"),
    );
    assert!(shown["totals"]["total_minor"].is_i64(), "{shown}");
    fits::<Quote>("quote as shown", shown.clone());
    fits::<QuoteAccepted>(
        "accepted quote",
        json!({"quote": shown, "order": serde_json::to_value(model::Order::default()).unwrap_or_default()}),
    );
    record_fits::<model::Product, Product>(with_meta(json!({
        "sku": "LAKS-5", "name": "Laks", "unit_price_minor": 100, "currency": "NOK", "stock": 12,
        "stock_at": 5, "description": "d"})));
}

#[test]
fn the_row_schemas_describe_the_list_rows() {
    use super::super::lists::row_json as row;
    use outpost_core::store::queries::{
        AccountSummary, ActivityRow as A, CaseRow as C, ContactRow as Co, DealRow as D,
        OrderRow as O,
    };
    let doc_id = outpost_core::DocumentId::random();
    let s = || Some("x".to_owned());
    fits::<AccountRow>(
        "account row",
        row(
            &AccountSummary {
                doc_id,
                name: "n".into(),
                account_type: s(),
                owner: s(),
                territory: s(),
                lifecycle_stage: s(),
                value_tier: s(),
                archived: false,
                updated_at: 1,
                balance_minor: 2,
                overdue_minor: 3,
                currency: s(),
            },
            "id",
        ),
    );
    fits::<ContactRow>(
        "contact row",
        row(
            &Co {
                doc_id,
                account_name: "a".into(),
                id: "i".into(),
                full_name: "f".into(),
                title: s(),
                email: s(),
                phone: s(),
                owner: s(),
                archived: true,
                created_at: 1,
            },
            "account",
        ),
    );
    fits::<DealRow>(
        "deal row",
        row(
            &D {
                doc_id,
                account_name: "a".into(),
                id: "i".into(),
                name: "n".into(),
                pipeline_id: "p".into(),
                stage_id: "s".into(),
                stage_meaning: "open".into(),
                amount_minor: 1,
                currency: "EUR".into(),
                probability: 5,
                weighted_minor: 1,
                expected_close: s(),
                owner: s(),
                archived: false,
                created_at: 1,
                stage_changed_at: 2,
            },
            "account",
        ),
    );
    fits::<ActivityRow>(
        "activity row",
        row(
            &A {
                doc_id,
                account_name: "a".into(),
                id: "i".into(),
                kind: "call".into(),
                status: "done".into(),
                subject: "s".into(),
                at: Some(1),
                due_at: Some(1),
                start_at: Some(1),
                end_at: Some(1),
                completed_at: Some(1),
                owner: s(),
                deal_id: s(),
                archived: false,
            },
            "account",
        ),
    );
    fits::<OrderRow>(
        "order row",
        row(
            &O {
                doc_id,
                account_name: "a".into(),
                id: "i".into(),
                ordered_at: 1,
                total_minor: 2,
                outstanding_minor: 1,
                currency: "EUR".into(),
                archived: false,
            },
            "account",
        ),
    );
    fits::<CaseRow>(
        "case row",
        row(
            &C {
                doc_id,
                account_name: "a".into(),
                id: "i".into(),
                kind: s(),
                status: s(),
                opened_at: 1,
                closed_at: Some(2),
                archived: false,
            },
            "account",
        ),
    );
}

#[test]
fn the_report_schemas_describe_what_core_reports() {
    use super::super::lists::row_json as row;
    use outpost_core::store::queries as q;
    let doc_id = outpost_core::DocumentId::random();
    let cell = |month: Option<&str>, owner: Option<&str>| q::ForecastRow {
        month: month.map(str::to_owned),
        owner: owner.map(str::to_owned),
        currency: "NOK".into(),
        deals: 1,
        total_minor: 2,
        weighted_minor: 1,
        past_due: true,
    };
    let forecast = q::Forecast {
        rows: vec![cell(Some("2026-12"), Some("kari")), cell(None, None)],
        totals: vec![cell(None, None)],
    };
    fits::<Forecast>(
        "forecast",
        serde_json::to_value(forecast).unwrap_or_default(),
    );
    let deal = q::StalledDeal {
        doc_id,
        account_name: "a".into(),
        deal_id: "d".into(),
        name: "n".into(),
        owner: Some("kari".into()),
        pipeline_id: "p".into(),
        stage_id: "s".into(),
        stage_name: "S".into(),
        days_in_stage: 9,
        threshold_days: 3,
        amount_minor: 5,
        currency: "EUR".into(),
    };
    let thresholds: Vec<Value> = [
        q::ThresholdSource::Set,
        q::ThresholdSource::History,
        q::ThresholdSource::Default,
    ]
    .into_iter()
    .map(|source| {
        serde_json::to_value(q::StageThreshold {
            pipeline_id: "p".into(),
            stage_id: "s".into(),
            stage_name: "S".into(),
            days: 3,
            source,
            samples: 7,
        })
        .unwrap_or_default()
    })
    .collect();
    // as the handler builds it: the deal's document is `account`
    fits::<StalledReport>(
        "stalled deals",
        json!({"thresholds": thresholds, "deals": [row(&deal, "account")]}),
    );
    let conversion = q::ConversionReport {
        pipeline_id: Some("p".into()),
        stages: vec![q::StageConversion {
            stage_id: "s".into(),
            name: "S".into(),
            reached: 2,
            advanced: 1,
            rate: Some(0.5),
        }],
        won: 1,
        lost: 1,
        win_rate: Some(0.5),
        avg_cycle_days: Some(1.5),
        median_cycle_days: None,
    };
    fits::<ConversionReport>(
        "conversion",
        serde_json::to_value(conversion).unwrap_or_default(),
    );
    let sales = q::ProductSales {
        product_id: None,
        name: "Frakt".into(),
        month: "2026-12".into(),
        currency: "NOK".into(),
        orders: 1,
        quantity_milli: 1000,
        revenue_minor: 25000,
    };
    fits::<ProductSalesList>("product sales", json!({ "items": [sales] }));
    let hit = q::ProductHit {
        id: "p".into(),
        sku: "S".into(),
        name: "n".into(),
        unit_price_minor: 1,
        currency: "NOK".into(),
        stock: Some(12),
        stock_at: Some(1),
        archived: false,
    };
    fits::<ProductList>("products", json!({ "items": [hit] }));
}

#[test]
fn the_message_and_capture_schemas_describe_what_core_gives() {
    record_fits::<model::Template, Template>(with_meta(json!({
        "kind": "proposal", "format": "html", "name": "n", "subject": null, "body": "Hei {{ contact.first_name }}",
        "locale": "nb-NO"})));
    let rendered = outpost_core::templates::Rendered {
        subject: Some("s".into()),
        body: "b".into(),
        missing: vec!["deal.name".into()],
    };
    fits::<Rendered>(
        "rendered",
        serde_json::to_value(&rendered).unwrap_or_default(),
    );
    fits::<MessageSent>(
        "message sent",
        json!({"message": rendered, "activity": serde_json::to_value(model::Activity::default()).unwrap_or_default()}),
    );
    let captured = outpost_core::capture::parse_card(
        "Kari Nordmann\nSalgssjef\nFjordline AS\nMob: 912 34 567\nkari@fjordline.no\nStrandkaien 12, 5013 Bergen",
        "NO",
    );
    assert!(
        captured.address.is_some() && !captured.phones.is_empty(),
        "{captured:?}"
    );
    let found = outpost_core::store::CapturedMatch {
        doc_id: outpost_core::DocumentId::random(),
        account_name: "a".into(),
        contact_id: "c".into(),
        full_name: "f".into(),
        matched_by: outpost_core::capture::MatchedBy::EmailAndPhone,
    };
    fits::<CaptureAnswer>(
        "capture",
        json!({"captured": captured, "match": super::super::lists::row_json(&found, "account")}),
    );
    fits::<CaptureAnswer>(
        "capture, no match",
        json!({"captured": outpost_core::capture::Captured::default(), "match": null}),
    );
}
