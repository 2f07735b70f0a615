//! UTC calendar arithmetic for the providers' date parameters and timestamps (no time-zone
//! database needed: every provider here speaks UTC).

pub(crate) const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_HOUR: i64 = 3_600_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `YYYY-MM-DD` of the UTC day holding `ms`.
pub(crate) fn utc_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Index of the UTC hour holding `ms` (hours since the epoch).
pub(crate) fn hour_index(ms: i64) -> i64 {
    ms.div_euclid(MS_PER_HOUR)
}

/// `YYYYMMDDTHH` of an hour index (Amplitude's export parameters).
pub(crate) fn hour_stamp(hour: i64) -> String {
    let (y, m, d) = civil_from_days(hour.div_euclid(24));
    format!("{y:04}{m:02}{d:02}T{:02}", hour.rem_euclid(24))
}

/// `YYYYMMDD` → `YYYY-MM-DD` (GA4's `date` dimension); `None` unless it is a real date.
pub(crate) fn compact_date_to_iso(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m, d) = (
        s[..4].parse::<i64>().ok()?,
        s[4..6].parse::<u32>().ok()?,
        s[6..].parse::<u32>().ok()?,
    );
    valid_date(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn valid_date(y: i64, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && d >= 1 && civil_from_days(days_from_civil(y, m, d)) == (y, m, d)
}

/// Milliseconds since the epoch of a UTC timestamp written `YYYY-MM-DD HH:MM:SS[.ffffff]`
/// (Amplitude's export) or ISO 8601 `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`.
/// A timestamp without an offset is read as UTC.
pub(crate) fn parse_timestamp_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b' ' || b[10] == b'T' || b[10] == b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let first3: String = frac[..digits].chars().chain(std::iter::repeat('0')).take(3).collect();
        millis = first3.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset_minutes = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = rest[1..].replace(':', "");
            if hm.len() != 4 || !hm.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            sign * (hm[..2].parse::<i64>().ok()? * 60 + hm[2..].parse::<i64>().ok()?)
        }
    };
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + mi - offset_minutes) * 60_000 + sec * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for z in [-1_000_000, -1, 0, 1, 10_957, 19_737, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2024, 1, 15), 19_737);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn dates_and_hours_are_utc() {
        // 2024-01-15T10:30:00Z
        let ms = 1_705_314_600_000;
        assert_eq!(utc_date(ms), "2024-01-15");
        assert_eq!(hour_stamp(hour_index(ms)), "20240115T10");
        assert_eq!(utc_date(-1), "1969-12-31");
        assert_eq!(
            hour_stamp(hour_index(days_from_civil(2024, 2, 29) * 86_400_000 - 1)),
            "20240228T23"
        );
    }

    #[test]
    fn compact_dates() {
        assert_eq!(compact_date_to_iso("20240229").as_deref(), Some("2024-02-29"));
        assert_eq!(compact_date_to_iso("20230229"), None);
        assert_eq!(compact_date_to_iso("2024-01-01"), None);
    }

    #[test]
    fn both_amplitude_time_forms_parse() {
        let want = 1_705_314_600_000;
        assert_eq!(parse_timestamp_ms("2024-01-15 10:30:00.000000"), Some(want));
        assert_eq!(parse_timestamp_ms("2024-01-15 10:30:00.123456"), Some(want + 123));
        assert_eq!(parse_timestamp_ms("2024-01-15 10:30:00"), Some(want));
        assert_eq!(parse_timestamp_ms("2024-01-15T10:30:00Z"), Some(want));
        assert_eq!(parse_timestamp_ms("2024-01-15T10:30:00.5Z"), Some(want + 500));
        assert_eq!(parse_timestamp_ms("2024-01-15T12:30:00+02:00"), Some(want));
        assert_eq!(parse_timestamp_ms("2024-01-15T05:30:00-0500"), Some(want));
        for bad in [
            "",
            "2024-01-15",
            "2024-13-15 10:30:00",
            "2024-01-15 25:30:00",
            "2024-01-15X10:30:00",
            "2024-01-15 10:30:00 junk",
            "２024-01-15 10:30:00",
        ] {
            assert_eq!(parse_timestamp_ms(bad), None, "{bad}");
        }
    }
}
