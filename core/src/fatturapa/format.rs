//! Italian formatting of amounts and dates ("1.234,56", "18/01/2017").

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// "1.234,56": at least two decimals, more when the file has them (quantities, unit prices).
pub fn amount(d: &Decimal) -> String {
    let mut out = String::with_capacity(16);
    write_amount(d, &mut out);
    out
}

/// A decimal in Italian notation keeping its own scale ("22,00", "0,5").
pub fn number(d: &Decimal) -> String {
    let mut out = String::with_capacity(16);
    write_number(d, &mut out);
    out
}

/// [`amount`] appended to `out` without allocating.
pub fn write_amount(d: &Decimal, out: &mut String) {
    let (mut m, mut s) = (d.mantissa(), d.scale());
    while s > 2 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    while s < 2 {
        m *= 10;
        s += 1;
    }
    write_digits(m, s, out);
}

/// [`number`] appended to `out` without allocating.
pub fn write_number(d: &Decimal, out: &mut String) {
    write_digits(d.mantissa(), d.scale(), out);
}

/// Mantissa `m` with `scale` decimals in Italian notation.
fn write_digits(m: i128, scale: u32, out: &mut String) {
    let mut buf = [0u8; 48];
    let mut n = m.unsigned_abs();
    let mut len = 0;
    while n > 0 || len <= scale as usize {
        buf[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    // buf holds the digits least significant first; `len > scale` is guaranteed.
    if m < 0 {
        out.push('-');
    }
    let int_len = len - scale as usize;
    for i in 0..int_len {
        if i > 0 && (int_len - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(char::from(buf[len - 1 - i]));
    }
    if scale > 0 {
        out.push(',');
        for i in int_len..len {
            out.push(char::from(buf[len - 1 - i]));
        }
    }
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
        assert_eq!(number(&d("0.5")), "0,5");
        assert_eq!(number(&d("-1234")), "-1.234");
        assert_eq!(amount(&d("0")), "0,00");
        assert_eq!(amount(&d("-0.005")), "-0,005");
        assert_eq!(amount(&d("999999.999")), "999.999,999");
        let day = NaiveDate::from_ymd_opt(2014, 12, 18).expect("date");
        assert_eq!(date(&day), "18/12/2014");
        assert_eq!(date_long(&day), "2014-12-18 (18 dicembre 2014)");
        assert_eq!(datetime("2013-06-06T12:01:00Z"), "06/06/2013 12:01");
        assert_eq!(datetime("2019-01-05"), "05/01/2019");
        assert_eq!(datetime("garbage"), "garbage");
    }
}
