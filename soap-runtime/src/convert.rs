//! Conversions between the lexical built-in types and the crates users already hold such
//! values in: chrono (feature `chrono`) for `xsd:dateTime`, `xsd:date` and `xsd:time`, and
//! rust_decimal (feature `rust_decimal`) for `xsd:decimal`.
//!
//! The runtime types keep the text as it was read, so a value that is only passed on is
//! written back exactly; converting is the caller's choice, and can fail where the other type
//! cannot hold the value (a date-time without a timezone is no `chrono::DateTime`, a decimal
//! of 40 digits is no `rust_decimal::Decimal`).

#[cfg(feature = "chrono")]
mod chrono_conversions {
    use chrono::{
        DateTime as ChronoDateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime,
        Offset, TimeZone, Timelike, Utc,
    };

    use crate::{Date, DateTime, Time, ValueError};

    /// The parts of a lexical form: the date or time as written, and its timezone offset in
    /// seconds east of UTC (`Z` is 0), if it has one.
    fn split_timezone(text: &str) -> (&str, Option<i32>) {
        if let Some(rest) = text.strip_suffix('Z') {
            return (rest, Some(0));
        }
        // `±hh:mm` at the end; a date's own `-` separators come earlier.
        let bytes = text.as_bytes();
        if bytes.len() >= 6
            && matches!(bytes[bytes.len() - 6], b'+' | b'-')
            && bytes[bytes.len() - 3] == b':'
        {
            let (rest, zone) = text.split_at(text.len() - 6);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let hours: i32 = zone[1..3].parse().unwrap_or(0);
            let minutes: i32 = zone[4..6].parse().unwrap_or(0);
            return (rest, Some(sign * (hours * 3600 + minutes * 60)));
        }
        (text, None)
    }

    fn naive_date(text: &str, expected: &'static str) -> Result<NaiveDate, ValueError> {
        let error = || ValueError::new(expected, text);
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut parts = digits.splitn(3, '-');
        let year: i32 = parts
            .next()
            .and_then(|y| y.parse().ok())
            .ok_or_else(error)?;
        let month: u32 = parts
            .next()
            .and_then(|m| m.parse().ok())
            .ok_or_else(error)?;
        let day: u32 = parts
            .next()
            .and_then(|d| d.parse().ok())
            .ok_or_else(error)?;
        let year = if negative { -year } else { year };
        NaiveDate::from_ymd_opt(year, month, day).ok_or_else(error)
    }

    /// `hh:mm:ss[.fff…]`, with `24:00:00` as the end of the day: the time, and whether it is
    /// that end (the next day's midnight).
    fn naive_time(text: &str, expected: &'static str) -> Result<(NaiveTime, bool), ValueError> {
        let error = || ValueError::new(expected, text);
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (text, ""),
        };
        let mut parts = whole.splitn(3, ':');
        let mut next = || -> Result<u32, ValueError> {
            parts.next().and_then(|p| p.parse().ok()).ok_or_else(error)
        };
        let (hour, minute, second) = (next()?, next()?, next()?);
        // Digits past the ninth are below a nanosecond, which chrono cannot hold: cut.
        let mut nanos = 0u32;
        for (i, digit) in fraction.bytes().take(9).enumerate() {
            nanos += u32::from(digit - b'0') * 10u32.pow(8 - i as u32);
        }
        if hour == 24 && minute == 0 && second == 0 && nanos == 0 {
            return Ok((NaiveTime::MIN, true));
        }
        NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
            .map(|time| (time, false))
            .ok_or_else(error)
    }

    fn naive_date_time(text: &str) -> Result<NaiveDateTime, ValueError> {
        let (date, time) = text
            .split_once('T')
            .ok_or_else(|| ValueError::new("xsd:dateTime", text))?;
        let date = naive_date(date, "xsd:dateTime")?;
        let (time, end_of_day) = naive_time(time, "xsd:dateTime")?;
        let date = if end_of_day {
            date.succ_opt()
                .ok_or_else(|| ValueError::new("xsd:dateTime", text))?
        } else {
            date
        };
        Ok(date.and_time(time))
    }

    fn offset(seconds: i32, text: &str, expected: &'static str) -> Result<FixedOffset, ValueError> {
        FixedOffset::east_opt(seconds).ok_or_else(|| ValueError::new(expected, text))
    }

    /// The XML Schema lexical form of a year: at least four digits, a `-` before a negative
    /// one (chrono's `%Y` puts a `+` before years past 9999, which XML Schema does not allow).
    fn push_year(out: &mut String, year: i32) {
        if year < 0 {
            out.push('-');
        }
        out.push_str(&format!("{:04}", year.unsigned_abs()));
    }

    fn push_date(out: &mut String, date: NaiveDate) {
        push_year(out, date.year());
        out.push_str(&format!("-{:02}-{:02}", date.month(), date.day()));
    }

    /// `hh:mm:ss` and the fraction without trailing zeros (a leap second is second 60).
    fn push_time(out: &mut String, time: NaiveTime) {
        let (second, nanos) = match time.nanosecond() {
            n if n >= 1_000_000_000 => (time.second() + 1, n - 1_000_000_000),
            n => (time.second(), n),
        };
        out.push_str(&format!(
            "{:02}:{:02}:{:02}",
            time.hour(),
            time.minute(),
            second
        ));
        if nanos > 0 {
            let fraction = format!("{nanos:09}");
            out.push('.');
            out.push_str(fraction.trim_end_matches('0'));
        }
    }

    fn push_offset(out: &mut String, seconds: i32) {
        if seconds == 0 {
            out.push('Z');
        } else {
            let sign = if seconds < 0 { '-' } else { '+' };
            let minutes = seconds.unsigned_abs() / 60;
            out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
        }
    }

    /// A lexical form this module wrote: it is valid by construction, so the check cannot fail.
    fn checked<T>(text: String, new: fn(&str) -> Result<T, ValueError>) -> T {
        match new(&text) {
            Ok(value) => value,
            Err(error) => unreachable!("a formatted {text:?} does not check: {error}"),
        }
    }

    impl DateTime {
        /// The date and time as written, without its timezone (whether it has one or not).
        pub fn to_naive(&self) -> Result<NaiveDateTime, ValueError> {
            naive_date_time(split_timezone(self.as_str()).0)
        }

        /// The timezone offset, when the value has one.
        pub fn offset(&self) -> Option<FixedOffset> {
            let (_, seconds) = split_timezone(self.as_str());
            seconds.and_then(FixedOffset::east_opt)
        }

        /// The instant, in the value's own timezone. A date-time without a timezone names no
        /// instant, and is an error (see [`DateTime::to_naive`]).
        pub fn to_fixed_offset(&self) -> Result<ChronoDateTime<FixedOffset>, ValueError> {
            let text = self.as_str();
            let (local, seconds) = split_timezone(text);
            let seconds =
                seconds.ok_or_else(|| ValueError::new("an xsd:dateTime with a timezone", text))?;
            let naive = naive_date_time(local)?;
            offset(seconds, text, "xsd:dateTime")?
                .from_local_datetime(&naive)
                .single()
                .ok_or_else(|| ValueError::new("xsd:dateTime", text))
        }

        /// The instant, in UTC (see [`DateTime::to_fixed_offset`]).
        pub fn to_utc(&self) -> Result<ChronoDateTime<Utc>, ValueError> {
            self.to_fixed_offset().map(|t| t.with_timezone(&Utc))
        }
    }

    impl<Tz: TimeZone> From<ChronoDateTime<Tz>> for DateTime {
        /// The instant with its offset (`Z` for UTC), and the fraction of a second only when
        /// there is one.
        fn from(value: ChronoDateTime<Tz>) -> Self {
            let seconds = value.offset().fix().local_minus_utc();
            let mut text = String::with_capacity(32);
            push_date(&mut text, value.naive_local().date());
            text.push('T');
            push_time(&mut text, value.naive_local().time());
            push_offset(&mut text, seconds);
            checked(text, DateTime::new)
        }
    }

    impl From<NaiveDateTime> for DateTime {
        /// A date and time without a timezone.
        fn from(value: NaiveDateTime) -> Self {
            let mut text = String::with_capacity(32);
            push_date(&mut text, value.date());
            text.push('T');
            push_time(&mut text, value.time());
            checked(text, DateTime::new)
        }
    }

    impl TryFrom<&DateTime> for ChronoDateTime<FixedOffset> {
        type Error = ValueError;

        fn try_from(value: &DateTime) -> Result<Self, ValueError> {
            value.to_fixed_offset()
        }
    }

    impl TryFrom<&DateTime> for ChronoDateTime<Utc> {
        type Error = ValueError;

        fn try_from(value: &DateTime) -> Result<Self, ValueError> {
            value.to_utc()
        }
    }

    impl TryFrom<&DateTime> for NaiveDateTime {
        type Error = ValueError;

        fn try_from(value: &DateTime) -> Result<Self, ValueError> {
            value.to_naive()
        }
    }

    impl Date {
        /// The date as written, without its timezone.
        pub fn to_naive(&self) -> Result<NaiveDate, ValueError> {
            naive_date(split_timezone(self.as_str()).0, "xsd:date")
        }

        /// The timezone offset, when the value has one.
        pub fn offset(&self) -> Option<FixedOffset> {
            let (_, seconds) = split_timezone(self.as_str());
            seconds.and_then(FixedOffset::east_opt)
        }
    }

    impl From<NaiveDate> for Date {
        fn from(value: NaiveDate) -> Self {
            let mut text = String::with_capacity(16);
            push_date(&mut text, value);
            checked(text, Date::new)
        }
    }

    impl TryFrom<&Date> for NaiveDate {
        type Error = ValueError;

        fn try_from(value: &Date) -> Result<Self, ValueError> {
            value.to_naive()
        }
    }

    impl Time {
        /// The time as written, without its timezone; `24:00:00` is midnight.
        pub fn to_naive(&self) -> Result<NaiveTime, ValueError> {
            naive_time(split_timezone(self.as_str()).0, "xsd:time").map(|(time, _)| time)
        }

        /// The timezone offset, when the value has one.
        pub fn offset(&self) -> Option<FixedOffset> {
            let (_, seconds) = split_timezone(self.as_str());
            seconds.and_then(FixedOffset::east_opt)
        }
    }

    impl From<NaiveTime> for Time {
        fn from(value: NaiveTime) -> Self {
            let mut text = String::with_capacity(16);
            push_time(&mut text, value);
            checked(text, Time::new)
        }
    }

    impl TryFrom<&Time> for NaiveTime {
        type Error = ValueError;

        fn try_from(value: &Time) -> Result<Self, ValueError> {
            value.to_naive()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use proptest::prelude::*;

        #[test]
        fn date_times_convert_both_ways() {
            let value = DateTime::new("2024-02-29T23:59:59.125+05:30").unwrap();
            let chrono = value.to_fixed_offset().unwrap();
            assert_eq!(chrono.to_rfc3339(), "2024-02-29T23:59:59.125+05:30");
            assert_eq!(DateTime::from(chrono).as_str(), value.as_str());
            assert_eq!(
                value.to_utc().unwrap().to_rfc3339(),
                "2024-02-29T18:29:59.125+00:00"
            );
            let utc = Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap();
            assert_eq!(DateTime::from(utc).as_str(), "2026-11-22T09:30:00Z");
        }

        #[test]
        fn a_date_time_without_a_timezone_is_no_instant() {
            let value = DateTime::new("2024-02-29T12:00:00").unwrap();
            assert!(value.to_fixed_offset().is_err());
            assert_eq!(value.offset(), None);
            let naive = value.to_naive().unwrap();
            assert_eq!(DateTime::from(naive).as_str(), "2024-02-29T12:00:00");
        }

        #[test]
        fn the_end_of_the_day_is_the_next_midnight() {
            let value = DateTime::new("1999-12-31T24:00:00Z").unwrap();
            assert_eq!(
                value.to_utc().unwrap().to_rfc3339(),
                "2000-01-01T00:00:00+00:00"
            );
            assert_eq!(
                Time::new("24:00:00").unwrap().to_naive().unwrap(),
                NaiveTime::MIN
            );
        }

        #[test]
        fn years_outside_four_digits_keep_the_xml_schema_form() {
            let far = NaiveDate::from_ymd_opt(12345, 1, 2).unwrap();
            assert_eq!(Date::from(far).as_str(), "12345-01-02");
            let old = NaiveDate::from_ymd_opt(-44, 3, 15).unwrap();
            assert_eq!(Date::from(old).as_str(), "-0044-03-15");
            assert_eq!(Date::from(old).to_naive().unwrap(), old);
        }

        #[test]
        fn impossible_dates_are_errors() {
            assert!(Date::new("2023-02-29").unwrap().to_naive().is_err());
            assert!(Time::new("23:61:00").unwrap().to_naive().is_err());
            let date = Date::new("2024-05-01+02:00").unwrap();
            assert_eq!(date.offset(), FixedOffset::east_opt(7200));
            assert_eq!(
                date.to_naive().unwrap(),
                NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()
            );
        }

        proptest! {
            #[test]
            fn any_instant_survives_the_lexical_form(
                seconds in -100_000_000_000i64..400_000_000_000,
                nanos in 0u32..1_000_000_000,
                offset_minutes in -14 * 60i32..=14 * 60,
            ) {
                let offset = FixedOffset::east_opt(offset_minutes * 60).unwrap();
                let instant = ChronoDateTime::from_timestamp(seconds, nanos).unwrap().with_timezone(&offset);
                let lexical = DateTime::from(instant);
                let again = DateTime::new(lexical.as_str()).unwrap();
                prop_assert_eq!(again.to_fixed_offset().unwrap(), instant);
            }

            #[test]
            fn any_time_of_day_survives_the_lexical_form(seconds in 0u32..86_400, nanos in 0u32..1_000_000_000) {
                let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, nanos).unwrap();
                prop_assert_eq!(Time::from(time).to_naive().unwrap(), time);
            }
        }
    }
}

#[cfg(feature = "rust_decimal")]
mod decimal_conversions {
    use crate::{Decimal, ValueError};

    impl Decimal {
        /// The value as a `rust_decimal::Decimal`: an error past its 28 significant digits
        /// (or its range), never a rounded value.
        pub fn to_rust_decimal(&self) -> Result<rust_decimal::Decimal, ValueError> {
            let text = self.as_str();
            let unsigned = text.trim_start_matches(['+', '-']);
            // rust_decimal reads `.5` and `5.` as XML Schema does, but not a leading `+`.
            let value = if text.starts_with('-') {
                format!("-{unsigned}")
            } else {
                unsigned.to_owned()
            };
            rust_decimal::Decimal::from_str_exact(&value)
                .map_err(|_| ValueError::new("a decimal of at most 28 significant digits", text))
        }
    }

    impl From<rust_decimal::Decimal> for Decimal {
        /// Its digits as rust_decimal writes them, scale kept (`1.50` stays `1.50`).
        fn from(value: rust_decimal::Decimal) -> Self {
            match Decimal::new(&value.to_string()) {
                Ok(decimal) => decimal,
                Err(error) => unreachable!("rust_decimal wrote {value}, no xsd:decimal: {error}"),
            }
        }
    }

    impl TryFrom<&Decimal> for rust_decimal::Decimal {
        type Error = ValueError;

        fn try_from(value: &Decimal) -> Result<Self, ValueError> {
            value.to_rust_decimal()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use proptest::prelude::*;

        #[test]
        fn decimals_convert_without_rounding() {
            let value = Decimal::new("-12.50").unwrap();
            let exact = value.to_rust_decimal().unwrap();
            assert_eq!(exact.to_string(), "-12.50");
            assert_eq!(Decimal::from(exact).as_str(), "-12.50");
            assert_eq!(
                Decimal::new("+.5")
                    .unwrap()
                    .to_rust_decimal()
                    .unwrap()
                    .to_string(),
                "0.5"
            );
            assert!(Decimal::new("1234567890123456789012345678901234567890")
                .unwrap()
                .to_rust_decimal()
                .is_err());
            assert!(Decimal::new("-0.000000000000000000000000000001")
                .unwrap()
                .to_rust_decimal()
                .is_err());
        }

        proptest! {
            #[test]
            fn any_decimal_survives_the_lexical_form(mantissa: i64, scale in 0u32..=18) {
                let exact = rust_decimal::Decimal::new(mantissa, scale);
                let lexical = Decimal::from(exact);
                prop_assert_eq!(Decimal::new(lexical.as_str()).unwrap().to_rust_decimal().unwrap(), exact);
            }
        }
    }
}
