//! The `pack` option: when and how far back the cron job packs.

/// A checked `pack` specification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackSpec {
    /// The five crontab time fields.
    pub time: [String; 5],
    /// How many days of history to keep (the 6th field, default `1`).
    pub days: String,
    /// Where cron mails its output (the 7th field).
    pub mailto: Option<String>,
}

impl PackSpec {
    /// Parses `MIN HOUR DOM MON DOW [DAYS [EMAIL]]`; errors are sentences.
    pub fn parse(text: &str) -> Result<PackSpec, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() < 5 {
            return Err("Too few crontab fields in pack specification".into());
        }
        if fields.len() > 7 {
            return Err("Too many values in pack option".into());
        }
        for field in &fields[..5] {
            if field.is_empty()
                || !field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '/' | ',' | '-'))
            {
                return Err(format!("`{field}` is not a crontab time field"));
            }
        }
        let days = fields.get(5).copied().unwrap_or("1");
        if !is_number(days) {
            return Err(format!(
                "the 6th pack field is the number of days to keep, not `{days}`"
            ));
        }
        let mailto = fields.get(6).map(|m| m.to_string());
        if let Some(mail) = &mailto {
            if !mail.contains('@') || mail.contains(['%', '"', '\'', '\\', '`', '$']) {
                return Err(format!(
                    "the 7th pack field is an e-mail address, not `{mail}`"
                ));
            }
        }
        let time = [0, 1, 2, 3, 4].map(|i| fields[i].to_owned());
        Ok(PackSpec {
            time,
            days: days.to_owned(),
            mailto,
        })
    }
}

fn is_number(s: &str) -> bool {
    let mut parts = s.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_six_and_seven_fields() {
        let p = PackSpec::parse("1 1 * * 0").unwrap();
        assert_eq!(p.time.join(" "), "1 1 * * 0");
        assert_eq!((p.days.as_str(), p.mailto), ("1", None));
        let p = PackSpec::parse(" 1 1 * * 0  3 ").unwrap();
        assert_eq!(p.days, "3");
        let p = PackSpec::parse("*/5 1-3 1,15 jan sun 0.5 jim@zope.com").unwrap();
        assert_eq!(
            (p.days.as_str(), p.mailto.as_deref()),
            ("0.5", Some("jim@zope.com"))
        );
    }

    #[test]
    fn refusals() {
        let err = |s| PackSpec::parse(s).unwrap_err();
        assert_eq!(
            err("1 1 * *"),
            "Too few crontab fields in pack specification"
        );
        assert_eq!(err("1 1 * * 0 3 a@b c"), "Too many values in pack option");
        assert_eq!(
            err("1 1 * * 0 3 jim"),
            "the 7th pack field is an e-mail address, not `jim`"
        );
        assert_eq!(
            err("1 1 * * 0 x"),
            "the 6th pack field is the number of days to keep, not `x`"
        );
        assert_eq!(err("1 1 * * ;rm"), "`;rm` is not a crontab time field");
    }
}
