//! Calendar dates in the source format (`YYYY-MM-DD`) and the review status they imply.
//!
//! Pure: today's date is always passed in, never read from the clock here.

use std::fmt;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

// Kept in the build cache's memos (a parse) as its Julian day number: compact, and a number
// that is no date is refused on reading (the memo is then a miss), never a panic.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.0.to_julian_day())
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let day = <i32 as serde::Deserialize>::deserialize(deserializer)?;
        time::Date::from_julian_day(day).map(Date).map_err(serde::de::Error::custom)
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`, rejecting anything else (including impossible dates like 2025-02-30).
    pub fn parse(text: &str) -> Option<Date> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let bytes = text.as_bytes();
        // `time` accepts some variants (e.g. a sign); insist on exactly the documented shape.
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return None;
        }
        time::Date::parse(text, format).ok().map(Date)
    }

    /// Builds a date from its parts, if it exists.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok().map(Date)
    }

    /// Today's date in UTC, from the clock. Only the command line calls this.
    pub fn today_utc() -> Date {
        Date(time::OffsetDateTime::now_utc().date())
    }

    /// The date `n` days after the Unix epoch (for `SOURCE_DATE_EPOCH`).
    pub fn from_unix_seconds(seconds: i64) -> Option<Date> {
        time::OffsetDateTime::from_unix_timestamp(seconds).ok().map(|t| Date(t.date()))
    }

    /// Seconds from the Unix epoch to midnight UTC at the start of this date.
    pub fn unix_seconds(self) -> i64 {
        self.0.midnight().assume_utc().unix_timestamp()
    }

    /// The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb).
    pub fn add_months(self, months: u32) -> Date {
        let total = self.0.year() * 12 + (self.0.month() as i32 - 1) + months as i32;
        let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
        let month = time::Month::try_from(month).expect("1..=12");
        let last = time::util::days_in_month(month, year);
        Date(time::Date::from_calendar_date(year, month, self.0.day().min(last)).expect("clamped"))
    }

    /// Long form for readers, e.g. `31 March 2027`.
    pub fn long(self) -> String {
        format!("{} {} {}", self.0.day(), month_name(self.0.month()), self.0.year())
    }

    /// Month and year, as NHS.UK prints review dates, e.g. `March 2027`.
    pub fn month_year(self) -> String {
        format!("{} {}", month_name(self.0.month()), self.0.year())
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.0.month() as u8
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.0.day()
    }
}

fn month_name(month: time::Month) -> &'static str {
    use time::Month::*;
    match month {
        January => "January",
        February => "February",
        March => "March",
        April => "April",
        May => "May",
        June => "June",
        July => "July",
        August => "August",
        September => "September",
        October => "October",
        November => "November",
        December => "December",
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), self.0.month() as u8, self.0.day())
    }
}

/// Where a policy stands against its review date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReviewStatus {
    /// Review date more than three months away.
    InDate,
    /// Review due within three months.
    DueSoon,
    /// Review date passed.
    Overdue,
}

impl ReviewStatus {
    /// The status of a policy whose review date is `review`, seen on `today`.
    pub fn of(review: Date, today: Date) -> ReviewStatus {
        if review < today {
            ReviewStatus::Overdue
        } else if review <= today.add_months(3) {
            ReviewStatus::DueSoon
        } else {
            ReviewStatus::InDate
        }
    }

    /// Words shown to readers.
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::InDate => "In date",
            ReviewStatus::DueSoon => "Review due within 3 months",
            ReviewStatus::Overdue => "Review overdue",
        }
    }

    /// A stable key for styling and filtering.
    pub fn key(self) -> &'static str {
        match self {
            ReviewStatus::InDate => "in-date",
            ReviewStatus::DueSoon => "due-soon",
            ReviewStatus::Overdue => "overdue",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parse_accepts_only_yyyy_mm_dd() {
        assert!(Date::parse("2027-03-31").is_some());
        for bad in ["2027-3-31", "31/03/2027", "2027-02-30", "2027-03-31T00:00", "+2027-03-3", ""] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        assert_eq!(d("2026-11-30").add_months(3), d("2027-02-28"));
        assert_eq!(d("2026-01-15").add_months(12), d("2027-01-15"));
    }

    #[test]
    fn review_status_in_date_due_within_3_months_or_overdue() {
        let today = d("2026-11-22");
        assert_eq!(ReviewStatus::of(d("2026-11-21"), today), ReviewStatus::Overdue);
        assert_eq!(ReviewStatus::of(d("2026-11-22"), today), ReviewStatus::DueSoon);
        assert_eq!(ReviewStatus::of(d("2027-02-22"), today), ReviewStatus::DueSoon);
        assert_eq!(ReviewStatus::of(d("2027-02-23"), today), ReviewStatus::InDate);
    }

    #[test]
    fn long_form_spells_the_month() {
        assert_eq!(d("2027-03-31").long(), "31 March 2027");
    }
}
