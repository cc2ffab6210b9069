//! Medication reminder schedules: what a caregiver sets up, and when each dose is due.
//!
//! A schedule is stored with its IANA time zone and a travel policy, and dose times are computed
//! from the local date and wall-clock time in a zone, never as "days x 24 hours", so a daily
//! 08:00 dose stays at 08:00 across clock changes. The rules that keep a dose from being lost or
//! doubled at clock changes (a skipped hour, a repeated hour, a skipped date) are described in
//! [`occurrences`]' module, [`engine`]; the zone to compute in, per travel policy, in
//! [`TravelPolicy`].
//!
//! Time zones: this crate carries no time zone database (it would make the WebAssembly bundle
//! much larger). The app loads the zones it needs at run time as TZif bytes with
//! [`jiff::tz::TimeZone::tzif`]; the backend uses its system database. `jiff` is re-exported so
//! both use the very version this engine is built with.

pub mod as_needed;
pub mod engine;
pub mod fhir;
pub mod model;
pub mod validate;
pub mod words;

pub use jiff;

pub use as_needed::{as_needed_check, AsNeededVerdict};
pub use engine::{next_occurrences, occurrences, Occurrence, Shift, MAX_OCCURRENCES};
pub use fhir::{from_fhir_timing, to_fhir_timing, FhirProblem};
pub use model::{AsNeededLimits, Pattern, Schedule, TravelPolicy, Weekday};
pub use validate::{
    most_doses_in_24h, validate, validate_with_zone, AsNeededProblem, ScheduleProblem,
};
