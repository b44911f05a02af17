//! Whole cards through [`parse_card`]: the tricky cases, and the contract
//! that no input panics.

use proptest::prelude::*;

use super::*;

fn phones(c: &Captured) -> Vec<(&str, Option<&str>)> {
    c.phones
        .iter()
        .map(|p| (p.number_e164.as_str(), p.label.as_deref()))
        .collect()
}

#[test]
fn norwegian_card_with_ocr_noise() {
    let c = parse_card(
        "FJORDLINE AS\nKari Nordmann\nDaglig leder\nStorgata 12\nN-0155 OSLO\n\
         Tel.:+47 22 33 44 55  Mob. 912 34 567\nE-mail: kari@fjordline.no\nwww.fjordline.no",
        "NO",
    );
    assert_eq!(c.first_name.as_deref(), Some("Kari"));
    assert_eq!(c.last_name.as_deref(), Some("Nordmann"));
    assert_eq!(c.title.as_deref(), Some("Daglig leder"));
    assert_eq!(c.company.as_deref(), Some("FJORDLINE AS"));
    assert_eq!(c.emails, ["kari@fjordline.no"]);
    assert_eq!(
        phones(&c),
        [
            ("+4722334455", Some("work")),
            ("+4791234567", Some("mobile"))
        ]
    );
    assert_eq!(c.website.as_deref(), Some("www.fjordline.no"));
    let a = c.address.clone().expect("address");
    assert_eq!(
        (
            a.street.as_deref(),
            a.postal_code.as_deref(),
            a.city.as_deref(),
            a.country.as_deref()
        ),
        (Some("Storgata 12"), Some("0155"), Some("Oslo"), Some("NO"))
    );
    assert!(c.confidence_of("emails") > 0.9);
    assert!(c.confidence_of("company") >= 0.9);
    assert_eq!(c.confidence_of("nothing"), 0.0);
}

#[test]
fn surname_first_with_a_comma_and_a_fax() {
    let c = parse_card(
        "NORDMANN, Kari | Salgssjef\nFjordline AS\nTlf 22 33 44 55 · Faks 22 33 44 56",
        "NO",
    );
    assert_eq!(c.first_name.as_deref(), Some("Kari"));
    assert_eq!(c.last_name.as_deref(), Some("Nordmann"));
    assert_eq!(c.title.as_deref(), Some("Salgssjef"));
    assert_eq!(
        phones(&c),
        [("+4722334455", Some("work")), ("+4722334456", Some("fax"))]
    );
}

#[test]
fn russian_card_surname_first_with_patronymic() {
    let c = parse_card(
        "ООО «Северный ветер»\nПетров Иван Сергеевич\nГенеральный директор\n\
         125009, г. Москва, ул. Тверская, д. 7, офис 12\nТел.: +7 (495) 123-45-67\n\
         Моб.: 8 916 123-45-67\nИНН 7701234567\ni.petrov@sevveter.ru",
        "NO",
    );
    assert_eq!(c.first_name.as_deref(), Some("Иван"));
    assert_eq!(c.last_name.as_deref(), Some("Петров"));
    assert_eq!(c.title.as_deref(), Some("Генеральный директор"));
    assert_eq!(c.company.as_deref(), Some("ООО «Северный ветер»"));
    // "8 916…" read in Russia (the address), not Norway (the default)
    assert_eq!(
        phones(&c),
        [
            ("+74951234567", Some("work")),
            ("+79161234567", Some("mobile"))
        ]
    );
    assert_eq!(
        c.address.as_ref().and_then(|a| a.country.as_deref()),
        Some("RU")
    );
}

#[test]
fn finnish_number_without_country_code_is_read_in_the_domain_region() {
    let c = parse_card(
        "Matti Järvinen\nMyyntipäällikkö\nNordic Steel Oy\nPuh. 09 1234 5678\n\
         Matkapuhelin 040 123 4567\nmatti.jarvinen@nordicsteel.fi",
        "NO",
    );
    assert_eq!(c.last_name.as_deref(), Some("Järvinen"));
    assert_eq!(c.title.as_deref(), Some("Myyntipäällikkö"));
    assert_eq!(c.company.as_deref(), Some("Nordic Steel Oy"));
    assert_eq!(
        phones(&c),
        [
            ("+358912345678", Some("work")),
            ("+358401234567", Some("mobile"))
        ]
    );
}

#[test]
fn slovenian_signature_with_greeting_and_disclaimer() {
    let c = parse_card(
        "Pozdravljeni,\npošiljam ponudbo v prilogi.\n\nLep pozdrav,\nJanez Šuštar\n\
         Vodja prodaje | Alpetour d.o.o.\nSlovenska cesta 15, SI-1000 Ljubljana\n\
         GSM: 041 123 456\njanez.sustar@alpetour.si\n\nTo sporočilo je zaupno in namenjeno \
         izključno naslovniku.",
        "NO",
    );
    assert_eq!(c.first_name.as_deref(), Some("Janez"));
    assert_eq!(c.last_name.as_deref(), Some("Šuštar"));
    assert_eq!(c.title.as_deref(), Some("Vodja prodaje"));
    assert_eq!(c.company.as_deref(), Some("Alpetour d.o.o."));
    assert_eq!(phones(&c), [("+38641123456", Some("mobile"))]);
    let a = c.address.clone().expect("address");
    assert_eq!(a.postal_code.as_deref(), Some("1000"));
    assert_eq!(a.country.as_deref(), Some("SI"));
}

#[test]
fn english_signature_with_quoted_reply_and_sent_from() {
    let c = parse_card(
        "Sounds good, see you Tuesday.\n\nBest regards,\nSarah Whitfield\n\
         Head of Procurement, Harbour Freight Ltd\nM: +44 7700 900123\n\
         sarah.whitfield@harbour-freight.co.uk\n\nSent from my iPhone\n\n\
         On 3 Mar 2025, at 10:02, Kari Nordmann <kari@fjordline.no> wrote:\n> Hi Sarah",
        "NO",
    );
    assert_eq!(c.first_name.as_deref(), Some("Sarah"));
    assert_eq!(c.last_name.as_deref(), Some("Whitfield"));
    assert_eq!(c.title.as_deref(), Some("Head of Procurement"));
    assert_eq!(c.company.as_deref(), Some("Harbour Freight Ltd"));
    assert_eq!(c.emails, ["sarah.whitfield@harbour-freight.co.uk"]);
    assert_eq!(phones(&c), [("+447700900123", Some("mobile"))]);
}

#[test]
fn company_found_by_the_email_domain() {
    let c = parse_card("Ola Hansen\nFjord Line\nola.hansen@fjordline.no", "NO");
    assert_eq!(c.company.as_deref(), Some("Fjord Line"));
    assert_eq!(c.first_name.as_deref(), Some("Ola"));
}

#[test]
fn name_from_the_email_address_when_the_card_shows_none() {
    let c = parse_card("Best regards,\nKari\nkari.nordmann@fjordline.no", "NO");
    assert_eq!(c.first_name.as_deref(), Some("Kari"));
    assert_eq!(c.last_name.as_deref(), Some("Nordmann"));
}

#[test]
fn nothing_recognisable_is_empty() {
    for text in ["", "   \n\n", "lorem ipsum dolor", "12", "@@@ ... ---", "Ø"] {
        let c = parse_card(text, "NO");
        assert!(c.is_empty(), "{text:?}: {c:?}");
        assert!(c.confidence.is_empty());
    }
}

#[test]
fn bad_region_is_harmless() {
    let c = parse_card("Tel +47 22 33 44 55", "not a region");
    assert_eq!(phones(&c), [("+4722334455", Some("work"))]);
}

#[test]
fn huge_input_is_cut_and_fast() {
    let card = "Kari Nordmann\nkari@fjordline.no\nTel 22 33 44 55\n";
    let text = card.repeat(10_000);
    let start = std::time::Instant::now();
    let c = parse_card(&text, "NO");
    assert_eq!(c.emails, ["kari@fjordline.no"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// The worst inputs for each scanner, at the size cap: bounded time.
#[test]
fn adversarial_inputs_are_fast() {
    let inputs = [
        "a@".repeat(5000),
        "a.b@c.no|Ab Cd|".repeat(600),
        "1 ".repeat(5000),
        "+4 ".repeat(3000),
        "1/".repeat(5000),
        "Tel 12|".repeat(1500),
        "0155 Oslo, ".repeat(800),
        "Kari Nordmann, Salgssjef at Fjordline AS\n".repeat(300),
        "www.a.no ".repeat(1000),
        ",".repeat(9000),
        "Ab ".repeat(3000),
        "lO".repeat(5000),
        "0155,".repeat(1600),
        "125009, Республика Татарстан, ".repeat(200),
        "EC1A 1BB ".repeat(900),
    ];
    for text in &inputs {
        let start = std::time::Instant::now();
        let c = parse_card(text, "NO");
        assert!(c.emails.len() <= MAX_EMAILS && c.phones.len() <= 10);
        let took = start.elapsed();
        // a debug build; a release build is many times faster
        assert!(
            took < std::time::Duration::from_secs(3),
            "{took:?} for {:?}…",
            text.chars().take(20).collect::<String>()
        );
    }
}

#[test]
fn serialises_snake_case() {
    let c = parse_card("Kari Nordmann\nMob 912 34 567", "NO");
    let json = serde_json::to_value(&c).expect("json");
    assert_eq!(json["first_name"], "Kari");
    assert_eq!(json["phones"][0]["number_e164"], "+4791234567");
    let back: Captured = serde_json::from_value(json).expect("back");
    assert_eq!(back, c);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), region in "[A-Z]{0,3}") {
        let _ = parse_card(&text, &region);
    }

    #[test]
    fn card_like_text_never_panics(
        text in "([A-Za-zÆØÅæøåÄÖäöŠšČčŽžИванПетровООО@.+()|·:,/ 0-9-]{0,40}\n){0,30}",
    ) {
        let c = parse_card(&text, "NO");
        for p in &c.phones {
            prop_assert!(p.number_e164.starts_with('+'));
        }
        for conf in &c.confidence {
            prop_assert!((0.0..=1.0).contains(&conf.confidence));
        }
    }
}
