//! Italian formatting of amounts and dates ("1.234,56", "18/01/2017").

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// "1.234,56": at least two decimals, more when the file has them (quantities, unit prices).
pub fn amount(d: &Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    number(&d)
}

/// A decimal in Italian notation keeping its own scale ("22,00", "0,5").
pub fn number(d: &Decimal) -> String {
    let s = d.to_string();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 2);
    if neg {
        out.push('-');
    }
    let bytes = int.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(char::from(*b));
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// A quantity: its own decimals, trailing zeros beyond two removed ("5,00", "1,5", "2,125").
pub fn quantity(d: &Decimal) -> String {
    amount(d)
}

/// "18/01/2017".
pub fn date(d: &NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

const MESI: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// "2014-12-18 (18 dicembre 2014)", as the SdI stylesheet shows dates.
pub fn date_long(d: &NaiveDate) -> String {
    let month = MESI.get(d.month0() as usize).copied().unwrap_or("");
    format!(
        "{} ({} {} {})",
        d.format("%Y-%m-%d"),
        d.day(),
        month,
        d.year()
    )
}

/// An ISO date-time as written by the SdI ("2013-06-06T12:00:00Z") → "06/06/2013 12:00".
pub fn datetime(raw: &str) -> String {
    let t = raw.trim();
    match (
        t.get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        t.get(11..16),
    ) {
        (Some(d), Some(hm)) if t.as_bytes().get(10) == Some(&b'T') => format!("{} {hm}", date(&d)),
        (Some(d), _) => date(&d),
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn italian_numbers_and_dates() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        assert_eq!(amount(&d("1234.5")), "1.234,50");
        assert_eq!(amount(&d("1234567.891")), "1.234.567,891");
        assert_eq!(amount(&d("-0.1")), "-0,10");
        assert_eq!(amount(&d("5")), "5,00");
        assert_eq!(amount(&d("100.00000000")), "100,00");
        assert_eq!(number(&d("22.00")), "22,00");
        let day = NaiveDate::from_ymd_opt(2014, 12, 18).expect("date");
        assert_eq!(date(&day), "18/12/2014");
        assert_eq!(date_long(&day), "2014-12-18 (18 dicembre 2014)");
        assert_eq!(datetime("2013-06-06T12:01:00Z"), "06/06/2013 12:01");
        assert_eq!(datetime("2019-01-05"), "05/01/2019");
        assert_eq!(datetime("garbage"), "garbage");
    }
}
