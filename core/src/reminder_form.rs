//! The reminder form as a person fills it in: every field as typed, so nothing is lost on a reload
//! or an error, and the one conversion to the [`ReminderInput`] the backend takes. Problems are
//! reported with the same field paths and codes as [`check_reminder`], so the form shows the
//! backend's answer and its own checks in the same places.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::reminders::{
    check_reminder, FieldIssue, Reminder, ReminderInput, INVALID, MAX_STOCK, REQUIRED,
};
use crate::schedule::validate::{validate, ScheduleProblem};
use crate::schedule::{AsNeededLimits, Pattern, Schedule, TravelPolicy, Weekday};

/// Which kind of schedule the form shows fields for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PatternKind {
    #[default]
    Daily,
    Weekly,
    EveryNDays,
    Cycle,
    EveryNHours,
    AsNeeded,
}

impl PatternKind {
    pub const ALL: [PatternKind; 6] = [
        PatternKind::Daily,
        PatternKind::Weekly,
        PatternKind::EveryNDays,
        PatternKind::Cycle,
        PatternKind::EveryNHours,
        PatternKind::AsNeeded,
    ];

    /// The travel policy a new reminder of this kind starts with: exact intervals for "every N
    /// hours" (antibiotics), the wall clock otherwise.
    pub fn default_travel(self) -> TravelPolicy {
        match self {
            PatternKind::EveryNHours => TravelPolicy::KeepInterval,
            _ => TravelPolicy::KeepLocalTime,
        }
    }
}

/// Every field of the form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReminderForm {
    pub person_id: String,
    pub medicine: String,
    pub strength: String,
    pub dose_amount: String,
    pub dose_unit: String,
    pub instructions: String,
    pub kind: PatternKind,
    /// Times of day, "HH:MM", for the kinds that have them.
    pub times: Vec<String>,
    pub days: Vec<Weekday>,
    pub every_days: String,
    pub days_on: String,
    pub days_off: String,
    pub every_hours: String,
    pub window_start: String,
    pub window_end: String,
    pub max_per_24h: String,
    /// Least time between as-needed doses, in hours ("4", "1.5").
    pub min_gap_hours: String,
    /// "YYYY-MM-DD".
    pub start: String,
    pub end: String,
    /// The home zone; a new reminder takes the person's.
    pub zone: String,
    pub travel: TravelPolicy,
    pub stock: String,
    pub refill_at: String,
    pub hide_name: bool,
}

impl ReminderForm {
    /// The least time between as-needed doses typed, in minutes, if it reads as one.
    pub fn gap_minutes(&self) -> Option<u16> {
        read_gap(&self.min_gap_hours, &mut Vec::new())
    }

    /// A blank form for `person_id`, starting `today`, with one dose at 08:00.
    pub fn new(person_id: &str, zone: &str, today: Date) -> ReminderForm {
        ReminderForm {
            person_id: person_id.to_owned(),
            dose_amount: "1".into(),
            dose_unit: "tablet".into(),
            times: vec!["08:00".into()],
            every_days: "2".into(),
            days_on: "21".into(),
            days_off: "7".into(),
            every_hours: "8".into(),
            window_start: "06:00".into(),
            window_end: "22:00".into(),
            max_per_24h: "4".into(),
            min_gap_hours: "4".into(),
            start: today.to_string(),
            zone: zone.to_owned(),
            ..ReminderForm::default()
        }
    }

    /// The form showing a saved reminder.
    pub fn from_reminder(r: &Reminder) -> ReminderForm {
        let s = &r.schedule;
        let mut form = ReminderForm::new(&r.person_id, &s.zone, s.start);
        form.medicine = r.medicine.clone();
        form.strength = r.strength.clone();
        form.dose_amount = r.dose_amount.clone();
        form.dose_unit = r.dose_unit.clone();
        form.instructions = r.instructions.clone();
        form.end = s.end.map(|d| d.to_string()).unwrap_or_default();
        form.travel = s.travel;
        form.stock = r.stock.map(|v| v.to_string()).unwrap_or_default();
        form.refill_at = r.refill_at.map(|v| v.to_string()).unwrap_or_default();
        form.hide_name = r.hide_name_in_calendar;
        let times_text = |times: &[Time]| times.iter().map(|t| hhmm(*t)).collect();
        match &s.pattern {
            Pattern::Daily { times } => {
                form.kind = PatternKind::Daily;
                form.times = times_text(times);
            }
            Pattern::Weekly { days, times } => {
                form.kind = PatternKind::Weekly;
                form.days = days.clone();
                form.times = times_text(times);
            }
            Pattern::EveryNDays { n, times } => {
                form.kind = PatternKind::EveryNDays;
                form.every_days = n.to_string();
                form.times = times_text(times);
            }
            Pattern::Cycle {
                days_on,
                days_off,
                times,
            } => {
                form.kind = PatternKind::Cycle;
                form.days_on = days_on.to_string();
                form.days_off = days_off.to_string();
                form.times = times_text(times);
            }
            Pattern::EveryNHours {
                hours,
                window_start,
                window_end,
            } => {
                form.kind = PatternKind::EveryNHours;
                form.every_hours = hours.to_string();
                form.window_start = hhmm(*window_start);
                form.window_end = hhmm(*window_end);
            }
            Pattern::AsNeeded(limits) => {
                form.kind = PatternKind::AsNeeded;
                form.max_per_24h = limits.max_per_24h.to_string();
                form.min_gap_hours = hours_text(limits.min_gap_minutes);
            }
        }
        form
    }

    /// Switches the kind of schedule, moving the travel policy along while the person has not
    /// chosen one different from the old kind's default.
    pub fn set_kind(&mut self, kind: PatternKind) {
        if self.travel == self.kind.default_travel() {
            self.travel = kind.default_travel();
        }
        self.kind = kind;
    }

    /// Just the schedule, for the live preview: `None` while a field cannot be read or the
    /// schedule would not give the doses it says ("every 0 hours"). The zone is left to the
    /// preview, which says itself when it cannot find one.
    pub fn schedule(&self) -> Option<Schedule> {
        let mut issues = Vec::new();
        let schedule = self.read_schedule(&mut issues)?;
        let sound = validate(&schedule)
            .iter()
            .all(|p| *p == ScheduleProblem::UnknownZone);
        (issues.is_empty() && sound).then_some(schedule)
    }

    /// The request to send, or every problem (the form's own and [`check_reminder`]'s, in form
    /// order, each field once).
    pub fn to_input(
        &self,
        zone_known: impl Fn(&str) -> bool,
    ) -> Result<ReminderInput, Vec<FieldIssue>> {
        let mut issues = Vec::new();
        let schedule = self.read_schedule(&mut issues);
        let stock = read_count(&self.stock, "stock", &mut issues);
        let refill_at = read_count(&self.refill_at, "refillAt", &mut issues);
        let input = schedule.map(|schedule| ReminderInput {
            person_id: self.person_id.trim().to_owned(),
            medicine: self.medicine.trim().to_owned(),
            strength: self.strength.trim().to_owned(),
            dose_amount: self.dose_amount.trim().replace(',', "."),
            dose_unit: self.dose_unit.clone(),
            instructions: self.instructions.trim().to_owned(),
            schedule,
            hide_name_in_calendar: self.hide_name,
            stock,
            refill_at,
        });
        if let Some(input) = &input {
            for issue in check_reminder(input, &zone_known) {
                if !issues.iter().any(|i: &FieldIssue| i.field == issue.field) {
                    issues.push(issue);
                }
            }
        } else {
            // The schedule could not be read; still check the other fields.
            if self.person_id.trim().is_empty() {
                issues.push(FieldIssue::new("personId", REQUIRED));
            }
            if self.medicine.trim().is_empty() {
                issues.push(FieldIssue::new("medicine", REQUIRED));
            }
            if self.dose_amount.trim().is_empty() {
                issues.push(FieldIssue::new("doseAmount", REQUIRED));
            }
        }
        match input {
            Some(input) if issues.is_empty() => Ok(input),
            _ => {
                issues.sort_by_key(|i| field_order(&i.field));
                Err(issues)
            }
        }
    }

    fn read_schedule(&self, issues: &mut Vec<FieldIssue>) -> Option<Schedule> {
        let start = read_date(&self.start, "schedule.start", true, issues);
        let end = read_date(&self.end, "schedule.end", false, issues);
        let pattern = match self.kind {
            PatternKind::Daily => {
                read_times(&self.times, issues).map(|times| Pattern::Daily { times })
            }
            PatternKind::Weekly => {
                let times = read_times(&self.times, issues);
                if self.days.is_empty() {
                    issues.push(FieldIssue::new("schedule.pattern.days", REQUIRED));
                }
                let mut days = self.days.clone();
                days.sort();
                days.dedup();
                times.map(|times| Pattern::Weekly { days, times })
            }
            PatternKind::EveryNDays => {
                let n = read_number(&self.every_days, "schedule.pattern", issues);
                let times = read_times(&self.times, issues);
                n.zip(times)
                    .map(|(n, times)| Pattern::EveryNDays { n, times })
            }
            PatternKind::Cycle => {
                let on = read_number(&self.days_on, "schedule.pattern.daysOn", issues);
                let off = read_number(&self.days_off, "schedule.pattern.daysOff", issues);
                let times = read_times(&self.times, issues);
                match (on, off, times) {
                    (Some(days_on), Some(days_off), Some(times)) => Some(Pattern::Cycle {
                        days_on,
                        days_off,
                        times,
                    }),
                    _ => None,
                }
            }
            PatternKind::EveryNHours => {
                let hours = read_number::<u8>(&self.every_hours, "schedule.pattern", issues);
                let from = read_time(&self.window_start, "schedule.pattern.windowStart", issues);
                let to = read_time(&self.window_end, "schedule.pattern.windowEnd", issues);
                match (hours, from, to) {
                    (Some(hours), Some(window_start), Some(window_end)) => {
                        Some(Pattern::EveryNHours {
                            hours,
                            window_start,
                            window_end,
                        })
                    }
                    _ => None,
                }
            }
            PatternKind::AsNeeded => {
                let max =
                    read_number::<u8>(&self.max_per_24h, "schedule.pattern.maxPer24h", issues);
                let gap = read_gap(&self.min_gap_hours, issues);
                max.zip(gap).map(|(max_per_24h, min_gap_minutes)| {
                    Pattern::AsNeeded(AsNeededLimits {
                        max_per_24h,
                        min_gap_minutes,
                    })
                })
            }
        };
        Some(Schedule {
            zone: self.zone.trim().to_owned(),
            start: start.flatten()?,
            end: end.flatten(),
            count: None,
            pattern: pattern?,
            travel: self.travel,
        })
    }
}

/// "08:00".
pub fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Minutes as the hours field shows them: "4", "1.5", "0.25".
fn hours_text(minutes: u16) -> String {
    let whole = minutes / 60;
    let rest = minutes % 60;
    if rest == 0 {
        return whole.to_string();
    }
    let fraction = format!("{:.2}", f64::from(rest) / 60.0);
    let fraction = fraction.trim_start_matches('0').trim_end_matches('0');
    format!("{whole}{fraction}")
}

fn read_date(
    text: &str,
    field: &str,
    required: bool,
    issues: &mut Vec<FieldIssue>,
) -> Option<Option<Date>> {
    let text = text.trim();
    if text.is_empty() {
        if required {
            issues.push(FieldIssue::new(field, REQUIRED));
            return None;
        }
        return Some(None);
    }
    match text.parse::<Date>() {
        Ok(d) => Some(Some(d)),
        Err(_) => {
            issues.push(FieldIssue::new(field, INVALID));
            None
        }
    }
}

fn read_time(text: &str, field: &str, issues: &mut Vec<FieldIssue>) -> Option<Time> {
    let text = text.trim();
    if text.is_empty() {
        issues.push(FieldIssue::new(field, REQUIRED));
        return None;
    }
    // Only "HH:MM" (what a time input gives): seconds would not survive a calendar export.
    let valid = text.len() == 5 && text.as_bytes().get(2) == Some(&b':');
    match text.parse::<Time>() {
        Ok(t) if valid => Some(t),
        _ => {
            issues.push(FieldIssue::new(field, INVALID));
            None
        }
    }
}

fn read_times(texts: &[String], issues: &mut Vec<FieldIssue>) -> Option<Vec<Time>> {
    let field = "schedule.pattern.times";
    let filled: Vec<&String> = texts.iter().filter(|t| !t.trim().is_empty()).collect();
    if filled.is_empty() {
        issues.push(FieldIssue::new(field, "no_times"));
        return None;
    }
    let mut out = Vec::new();
    for text in filled {
        let mut own = Vec::new();
        match read_time(text, field, &mut own) {
            Some(t) => out.push(t),
            None => {
                issues.push(FieldIssue::new(field, INVALID));
                return None;
            }
        }
    }
    out.sort();
    Some(out)
}

fn read_number<T: std::str::FromStr>(
    text: &str,
    field: &str,
    issues: &mut Vec<FieldIssue>,
) -> Option<T> {
    let text = text.trim();
    if text.is_empty() {
        issues.push(FieldIssue::new(field, REQUIRED));
        return None;
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        issues.push(FieldIssue::new(field, INVALID));
        return None;
    }
    match text.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            issues.push(FieldIssue::new(field, INVALID));
            None
        }
    }
}

/// An optional whole count (stock, refill level).
fn read_count(text: &str, field: &str, issues: &mut Vec<FieldIssue>) -> Option<u32> {
    if text.trim().is_empty() {
        return None;
    }
    let value = read_number::<u32>(text, field, issues)?;
    if value > MAX_STOCK {
        issues.push(FieldIssue::new(field, INVALID));
        return None;
    }
    Some(value)
}

/// Hours with an optional fraction ("4", "1.5", "1,5") to whole minutes.
fn read_gap(text: &str, issues: &mut Vec<FieldIssue>) -> Option<u16> {
    let field = "schedule.pattern.minGapMinutes";
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        issues.push(FieldIssue::new(field, REQUIRED));
        return None;
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() > 2 || fraction.len() > 2 || !digits(whole) || !digits(fraction) {
        issues.push(FieldIssue::new(field, INVALID));
        return None;
    }
    let whole: u16 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let hundredths: u16 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u16>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    // Round to the nearest minute: 1.33 hours is 80 minutes.
    Some(whole * 60 + (hundredths * 60 + 50) / 100)
}

/// Where each field sits in the form, so problems are listed top to bottom.
fn field_order(field: &str) -> usize {
    const ORDER: [&str; 19] = [
        "personId",
        "medicine",
        "strength",
        "doseAmount",
        "doseUnit",
        "instructions",
        "schedule.pattern.days",
        "schedule.pattern",
        "schedule.pattern.daysOn",
        "schedule.pattern.daysOff",
        "schedule.pattern.times",
        "schedule.pattern.windowStart",
        "schedule.pattern.windowEnd",
        "schedule.pattern.maxPer24h",
        "schedule.pattern.minGapMinutes",
        "schedule.start",
        "schedule.end",
        "stock",
        "refillAt",
    ];
    ORDER
        .iter()
        .position(|f| *f == field)
        .unwrap_or(ORDER.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn form() -> ReminderForm {
        let mut f = ReminderForm::new("p1", "Europe/London", date(2026, 3, 20));
        f.medicine = "Metformin".into();
        f.strength = "500 mg".into();
        f
    }

    fn codes(issues: &[FieldIssue]) -> Vec<(String, &'static str)> {
        issues.iter().map(|i| (i.field.clone(), i.code)).collect()
    }

    #[test]
    fn a_filled_daily_form_becomes_a_request() {
        let mut f = form();
        f.times = vec!["20:00".into(), "08:00".into(), "".into()];
        let input = f.to_input(|_| true).unwrap();
        assert_eq!(input.medicine, "Metformin");
        assert_eq!(
            input.schedule.pattern,
            Pattern::Daily {
                times: vec![Time::constant(8, 0, 0, 0), Time::constant(20, 0, 0, 0)]
            }
        );
        assert_eq!(input.schedule.travel, TravelPolicy::KeepLocalTime);
        assert_eq!(input.stock, None);
    }

    #[test]
    fn problems_come_in_form_order_with_the_backend_field_names() {
        let mut f = form();
        f.medicine = " ".into();
        f.times = vec!["8 o'clock".into()];
        f.stock = "lots".into();
        f.start = "2026-02-30".into();
        let issues = f.to_input(|_| true).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![
                ("medicine".into(), REQUIRED),
                ("schedule.pattern.times".into(), INVALID),
                ("schedule.start".into(), INVALID),
                ("stock".into(), INVALID),
            ]
        );
    }

    #[test]
    fn the_core_rules_still_apply() {
        let mut f = form();
        f.kind = PatternKind::Weekly;
        f.end = "2026-03-01".into();
        f.refill_at = "5".into();
        let issues = f.to_input(|_| true).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![
                ("schedule.pattern.days".into(), REQUIRED),
                ("schedule.end".into(), "end_before_start"),
                ("refillAt".into(), INVALID),
            ]
        );
        f.days = vec![Weekday::Fri, Weekday::Mon];
        let issues = f.to_input(|_| true).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![
                ("schedule.end".into(), "end_before_start"),
                ("refillAt".into(), INVALID),
            ]
        );
    }

    #[test]
    fn unknown_zones_are_reported() {
        let f = form();
        let issues = f.to_input(|_| false).unwrap_err();
        assert_eq!(
            codes(&issues),
            vec![("schedule.zone".into(), "unknown_zone")]
        );
    }

    #[test]
    fn as_needed_gaps_read_hours_with_fractions() {
        let mut f = form();
        f.set_kind(PatternKind::AsNeeded);
        for (text, minutes) in [
            ("4", 240),
            ("1.5", 90),
            ("1,5", 90),
            ("0.25", 15),
            (".5", 30),
        ] {
            f.min_gap_hours = text.into();
            let input = f.to_input(|_| true).unwrap();
            assert_eq!(
                input.schedule.pattern,
                Pattern::AsNeeded(AsNeededLimits {
                    max_per_24h: 4,
                    min_gap_minutes: minutes
                }),
                "{text}"
            );
        }
        for bad in ["-1", "1.555", "abc", "100"] {
            f.min_gap_hours = bad.into();
            let issues = f.to_input(|_| true).unwrap_err();
            assert_eq!(
                codes(&issues),
                vec![("schedule.pattern.minGapMinutes".into(), INVALID)],
                "{bad}"
            );
        }
    }

    #[test]
    fn hourly_schedules_default_to_exact_intervals_until_the_person_chooses() {
        let mut f = form();
        f.set_kind(PatternKind::EveryNHours);
        assert_eq!(f.travel, TravelPolicy::KeepInterval);
        f.set_kind(PatternKind::Daily);
        assert_eq!(f.travel, TravelPolicy::KeepLocalTime);
        f.travel = TravelPolicy::HomeZone;
        f.set_kind(PatternKind::EveryNHours);
        assert_eq!(f.travel, TravelPolicy::HomeZone);
    }

    #[test]
    fn every_saved_pattern_round_trips_through_the_form() {
        let patterns = [
            Pattern::Daily {
                times: vec![Time::constant(8, 0, 0, 0)],
            },
            Pattern::Weekly {
                days: vec![Weekday::Mon, Weekday::Wed],
                times: vec![Time::constant(9, 30, 0, 0)],
            },
            Pattern::EveryNDays {
                n: 3,
                times: vec![Time::constant(7, 0, 0, 0)],
            },
            Pattern::Cycle {
                days_on: 21,
                days_off: 7,
                times: vec![Time::constant(21, 0, 0, 0)],
            },
            Pattern::EveryNHours {
                hours: 8,
                window_start: Time::constant(6, 0, 0, 0),
                window_end: Time::constant(22, 0, 0, 0),
            },
            Pattern::AsNeeded(AsNeededLimits {
                max_per_24h: 4,
                min_gap_minutes: 80,
            }),
        ];
        for pattern in patterns {
            let reminder = Reminder {
                id: "r1".into(),
                person_id: "p1".into(),
                medicine: "Ibuprofen".into(),
                strength: "200 mg".into(),
                dose_amount: "1".into(),
                dose_unit: "tablet".into(),
                instructions: "With food".into(),
                schedule: Schedule {
                    zone: "Europe/London".into(),
                    start: date(2026, 1, 1),
                    end: Some(date(2026, 12, 31)),
                    count: None,
                    pattern: pattern.clone(),
                    travel: TravelPolicy::HomeZone,
                },
                hide_name_in_calendar: true,
                stock: Some(30),
                refill_at: Some(5),
                version: 1,
                updated_at: String::new(),
                created_at: String::new(),
            };
            let input = ReminderForm::from_reminder(&reminder)
                .to_input(|_| true)
                .unwrap();
            assert_eq!(input.schedule, reminder.schedule);
            assert_eq!(input.stock, Some(30));
            assert!(input.hide_name_in_calendar);
        }
    }

    #[test]
    fn the_preview_needs_a_readable_schedule_only() {
        let mut f = form();
        f.medicine.clear();
        assert!(f.schedule().is_some());
        f.times = vec!["25:00".into()];
        assert!(f.schedule().is_none());
    }

    #[test]
    fn the_preview_never_describes_a_schedule_without_doses() {
        let mut f = form();
        f.set_kind(PatternKind::EveryNHours);
        assert!(f.schedule().is_some());
        f.every_hours = "0".into();
        assert!(f.schedule().is_none(), "every 0 hours");
        f.every_hours = "8".into();
        f.zone = String::new();
        assert!(
            f.schedule().is_some(),
            "the preview speaks about a missing zone itself"
        );
    }
}
