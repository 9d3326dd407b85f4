//! The runtime's conversions of dates, times and decimals (features `chrono` and
//! `rust_decimal`), on values read from a fixture: the text read is kept for passing on, and
//! converted values come back as the text a conversion writes.

use chrono::{Datelike, FixedOffset, NaiveTime, TimeZone, Timelike, Utc};
use codegen_tests::conversions::Booking;

fn booking() -> Booking {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/conversions/booking.xml"
    );
    let xml = std::fs::read_to_string(path).expect("the fixture");
    soap_runtime::read_document(&xml).expect("the booking reads")
}

#[test]
fn date_times_convert_to_chrono_and_back() {
    let booking = booking();
    let made = booking.made.to_utc().expect("a timezone");
    assert_eq!(
        made,
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap()
            + chrono::TimeDelta::milliseconds(500)
    );
    // Converted back, the lexical form is chrono's, not the one read: the trailing zeros go.
    assert_eq!(
        soap_runtime::DateTime::from(made).as_str(),
        "2026-11-22T09:30:00.5Z"
    );
    // Without a timezone there is no instant, only a local date and time.
    assert!(booking.starts.to_utc().is_err());
    let local = booking.starts.to_naive().expect("a local date-time");
    assert_eq!((local.day(), local.hour()), (24, 18));
    let history = booking.history[0].to_fixed_offset().expect("an offset");
    assert_eq!(history.offset(), &FixedOffset::east_opt(3600).unwrap());
    assert_eq!(
        history.with_timezone(&Utc),
        made + chrono::TimeDelta::hours(0)
    );
    // Digits below a nanosecond cannot be held: cut, not rounded.
    let precise = booking.history[1].to_fixed_offset().expect("an offset");
    assert_eq!(precise.nanosecond(), 999_999_999);
}

#[test]
fn dates_and_times_convert_to_chrono() {
    let booking = booking();
    assert_eq!(
        booking.day.to_naive().unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()
    );
    let expires = booking.expires.as_ref().expect("expires");
    assert_eq!(expires.offset(), FixedOffset::east_opt(3600));
    assert_eq!(
        booking.opens.to_naive().unwrap(),
        NaiveTime::MIN,
        "24:00:00 is midnight"
    );
    assert_eq!(
        soap_runtime::Time::from(NaiveTime::from_hms_opt(7, 5, 0).unwrap()).as_str(),
        "07:05:00"
    );
}

#[test]
fn decimals_convert_to_rust_decimal_exactly() {
    let booking = booking();
    let price = booking.price.to_rust_decimal().expect("fits");
    assert_eq!(price, rust_decimal::Decimal::new(12050, 2));
    assert_eq!(soap_runtime::Decimal::from(price).as_str(), "120.50");
    let deposit = rust_decimal::Decimal::try_from(&booking.deposit).expect("fits");
    assert_eq!(deposit.to_string(), "1234567890.123456789000");
}

#[test]
fn converted_values_write_as_their_conversion_and_read_back_equal() {
    let mut booking = booking();
    let at = FixedOffset::west_opt(5 * 3600)
        .unwrap()
        .with_ymd_and_hms(2027, 1, 2, 3, 4, 5)
        .unwrap();
    booking.made = at.into();
    booking.price = rust_decimal::Decimal::new(-5, 1).into();
    let xml = soap_runtime::write_document(
        soap_runtime::QName::qualified("urn:fixture:conversions", "Booking"),
        &booking,
    );
    assert!(
        xml.contains("<made>2027-01-02T03:04:05-05:00</made>"),
        "{xml}"
    );
    assert!(xml.contains("<price>-0.5</price>"), "{xml}");
    let again: Booking = soap_runtime::read_document(&xml).expect("reads back");
    assert_eq!(again.made.to_fixed_offset().unwrap(), at);
    assert_eq!(again, booking);
}
