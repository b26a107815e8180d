//! The value formats Compose uses for sizes, CPUs and durations, shared by
//! the rules and the standards' validation.

use std::time::Duration;

/// A size in bytes as Compose reads it (`512M`, `1g`, `1.5GiB`, `536870912`).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') || number.matches('.').count() > 1 {
        return None;
    }
    let number: f64 = number.parse().ok()?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let power = match unit {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return None,
    };
    Some((number * 1024f64.powi(power)) as u64)
}

/// A CPU count (`0.5`, `'1.0'`, `2`); `None` when it is no non-negative number.
pub fn parse_cpus(text: &str) -> Option<f64> {
    let text = text.trim();
    let valid = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.matches('.').count() <= 1
        && text != ".";
    valid.then(|| text.parse().ok()).flatten()
}

/// A duration as Compose writes them (Go syntax: `30s`, `1m30s`, `500ms`, `1.5h`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * seconds;
        rest = &rest[unit_end..];
    }
    Some(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let mib = 1024 * 1024;
        assert_eq!(parse_size("512M"), Some(512 * mib));
        assert_eq!(parse_size("512m"), Some(512 * mib));
        assert_eq!(parse_size("536870912"), Some(512 * mib));
        assert_eq!(parse_size("512MB"), Some(512 * mib));
        assert_eq!(parse_size("512MiB"), Some(512 * mib));
        assert_eq!(parse_size("1g"), Some(1024 * mib));
        assert_eq!(parse_size("1.5g"), Some(1536 * mib));
        assert_eq!(parse_size("100 k"), Some(100 * 1024));
        assert_eq!(parse_size("512x"), None);
        assert_eq!(parse_size("M"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("1..2m"), None);
        assert_eq!(parse_size(""), None);
    }

    #[test]
    fn cpus() {
        assert_eq!(parse_cpus("1.0"), Some(1.0));
        assert_eq!(parse_cpus("0.5"), Some(0.5));
        assert_eq!(parse_cpus("2"), Some(2.0));
        assert_eq!(parse_cpus(".5"), Some(0.5));
        assert_eq!(parse_cpus("50%"), None);
        assert_eq!(parse_cpus("-1"), None);
        assert_eq!(parse_cpus("one"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("30 s"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration(""), None);
    }
}
