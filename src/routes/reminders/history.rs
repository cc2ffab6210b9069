//! History and adherence: taken, skipped and missed doses per day for one person, over 7 or 30
//! days, as a chart with a table for screen readers, and a CSV file for the doctor.

use leptos::prelude::*;
use portal_core::dose_log::{daily_tallies, history, history_csv, total, DoseStatus, Tally};
use portal_core::schedule::jiff::civil::Time;
use portal_core::schedule::jiff::Timestamp;

use super::dose_card::dose_text;
use super::{load_zones, ticking_now, Section, SectionNav, SyncLine};
use crate::components::page::PageTitle;
use crate::i18n::{civil_text, tr, use_i18n, CivilStyle, I18n, Key};
use crate::reminder_data::use_reminder_data;
use crate::time_zones::use_zones;

const CHART_HEIGHT: f64 = 120.0;

#[component]
pub fn History() -> impl IntoView {
    let (Some(data), Some(zones)) = (use_reminder_data(), use_zones()) else {
        return view! { <p>{tr(Key::ErrorUnexpected)}</p> }.into_any();
    };
    let i18n = use_i18n();
    let now = ticking_now();
    load_zones(data, zones);
    data.wake();
    let chosen = RwSignal::new(String::new());
    let days = RwSignal::new(7u16);
    let person = move || {
        let id = chosen.get();
        data.people.with(|list| {
            list.iter()
                .find(|p| p.id == id)
                .or_else(|| list.first())
                .cloned()
        })
    };
    let tallies = move |span: u16| {
        let person = person()?;
        let tz = zones.get(&person.zone)?;
        let now = now.get();
        let today = now.to_zoned(tz).date();
        let reminders = data.reminders.get();
        let events = data.events();
        let zone_of = |n: &str| zones.get(n);
        Some(daily_tallies(
            &person, &reminders, &events, &zone_of, None, today, span, now,
        ))
    };
    let shown = Memo::new(move |_| tallies(days.get()));
    let export = move |_| {
        let Some(person) = person() else { return };
        let Some(tz) = zones.get(&person.zone) else {
            return;
        };
        let now = Timestamp::now();
        let today = now.to_zoned(tz).date();
        let zone_of = |n: &str| zones.get(n);
        let rows = history(
            &person,
            &data.reminders.get_untracked(),
            &data.events(),
            &zone_of,
            today,
            30,
            now,
        );
        let headers = [
            i18n.t(Key::CsvPerson),
            i18n.t(Key::CsvMedicine),
            i18n.t(Key::CsvStrength),
            i18n.t(Key::CsvDose),
            i18n.t(Key::CsvScheduled),
            i18n.t(Key::CsvZone),
            i18n.t(Key::CsvStatus),
            i18n.t(Key::CsvDetail),
        ];
        let word = |s: &DoseStatus| i18n.t(status_key(s)).to_owned();
        let dose = |amount: &str, unit: &str| dose_text(i18n, amount, unit);
        let separator = i18n.language().list_separator();
        let csv = history_csv(&rows, &headers, &word, &dose, &zone_of, separator);
        let name = format!(
            "doses-{}-{}.csv",
            person.name.replace(|c: char| !c.is_alphanumeric(), "-"),
            today
        );
        download(&name, &csv);
    };
    view! {
        <PageTitle title=Key::HistoryTitle />
        <SectionNav current=Section::History />
        <SyncLine data />
        {move || data.people.with(Vec::is_empty).then(|| view! { <p>{tr(Key::RemindersNoPeople)}</p> })}
        <div class="history-controls">
            {move || (data.people.with(Vec::len) > 1).then(|| view! {
                <div class="field">
                    <label for="history-person">{tr(Key::HistoryPerson)}</label>
                    <select id="history-person" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        {data.people.get().into_iter().map(|p| {
                            let selected = person().is_some_and(|c| c.id == p.id);
                            view! { <option value=p.id.clone() selected=selected>{p.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
            <fieldset class="field span-choice">
                <legend>{tr(Key::HistorySpan)}</legend>
                {[7u16, 30].into_iter().map(|span| {
                    let id = format!("history-span-{span}");
                    view! {
                        <div class="choice">
                            <input type="radio" name="history-span" id=id.clone()
                                prop:checked=move || days.get() == span
                                on:change=move |_| days.set(span) />
                            <label for=id>{move || i18n.fill(Key::HistoryDays, &[("n", &span.to_string())])}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
        </div>
        <div class="adherence-figures">
            {[7u16, 30].into_iter().map(|span| view! {
                <p class="adherence-figure">
                    {move || {
                        let t = tallies(span).map(|t| total(&t)).unwrap_or_default();
                        figure_text(i18n, span, &t)
                    }}
                </p>
            }).collect_view()}
        </div>
        // Drawn anew only when the figures change, not with every tick of the clock: an open
        // table would otherwise close under the reader every 30 seconds.
        {move || shown.get().map(|t| view! { <Chart tallies=t /> })}
        <p>
            <button type="button" class="button" on:click=export>{tr(Key::HistoryExport)}</button>
        </p>
        <p class="hint">{tr(Key::HistoryExportHint)}</p>
    }
    .into_any()
}

fn figure_text(i18n: I18n, span: u16, t: &Tally) -> String {
    let due = t.taken + t.skipped + t.missed;
    let key = i18n.plural(
        Key::HistoryAdherenceOne,
        Key::HistoryAdherence,
        u64::from(due),
    );
    match t.percent() {
        Some(p) => i18n.fill(
            key,
            &[
                ("days", &span.to_string()),
                ("percent", &p.to_string()),
                ("taken", &t.taken.to_string()),
                ("due", &due.to_string()),
            ],
        ),
        None => i18n.fill(Key::HistoryNoDoses, &[("days", &span.to_string())]),
    }
}

pub fn status_key(s: &DoseStatus) -> Key {
    match s {
        DoseStatus::Upcoming => Key::RemindersStatusUpcoming,
        DoseStatus::Due => Key::RemindersStatusDue,
        DoseStatus::Overdue => Key::RemindersStatusOverdue,
        DoseStatus::Missed => Key::RemindersStatusMissed,
        DoseStatus::Taken { .. } => Key::RemindersStatusTaken,
        DoseStatus::Skipped { .. } => Key::RemindersStatusSkipped,
        DoseStatus::Snoozed { .. } => Key::RemindersStatusSnoozed,
    }
}

/// A bar per day (taken, skipped, missed stacked), with the same figures as a table.
#[component]
fn Chart(tallies: Vec<portal_core::dose_log::DayTally>) -> impl IntoView {
    let i18n = use_i18n();
    let n = tallies.len().max(1) as f64;
    let most = tallies
        .iter()
        .map(|d| d.tally.taken + d.tally.skipped + d.tally.missed)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let width = 100.0 / n;
    let bars = tallies
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = i as f64 * width + width * 0.15;
            let w = width * 0.7;
            let mut y = CHART_HEIGHT;
            let mut part = |count: u32, class: &'static str| {
                let h = f64::from(count) / most * CHART_HEIGHT;
                y -= h;
                view! { <rect class=class x=format!("{x:.2}") y=format!("{y:.2}") width=format!("{w:.2}") height=format!("{h:.2}") /> }
            };
            view! {
                <g>
                    {part(d.tally.taken, "bar-taken")}
                    {part(d.tally.skipped, "bar-skipped")}
                    {part(d.tally.missed, "bar-missed")}
                </g>
            }
        })
        .collect_view();
    // Under the bars, the days they stand for: every day of a week, every seventh of a month
    // counting back from today. The table says the same to a screen reader.
    let every = if tallies.len() <= 7 { 1 } else { 7 };
    let tallies = StoredValue::new(tallies);
    // The words follow a change of language; the bars and the open table stay as they are.
    let labels = move || {
        let lang = i18n.language();
        tallies.with_value(|tallies| {
            tallies
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let shown = (tallies.len() - 1 - i).is_multiple_of(every);
                    let text =
                        shown.then(|| portal_core::language::day_label(d.day, lang, every == 1));
                    view! { <span>{text}</span> }
                })
                .collect_view()
        })
    };
    let rows = move || {
        let lang = i18n.language();
        tallies.with_value(|tallies| {
            tallies
                .iter()
                .map(|d| {
                    let day =
                        civil_text(d.day.to_datetime(Time::midnight()), lang, CivilStyle::Day);
                    // On a narrow phone the day may break after its weekday, never inside the date.
                    let day = match day.split_once(' ') {
                        Some((weekday, date)) => {
                            format!("{weekday} {}", date.replace(' ', "\u{a0}"))
                        }
                        None => day,
                    };
                    view! {
                        <tr>
                            <th scope="row">{day}</th>
                            <td>{d.tally.taken}</td>
                            <td>{d.tally.skipped}</td>
                            <td>{d.tally.missed}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let summary = move || {
        let lang = i18n.language();
        let day = |d: Option<&portal_core::dose_log::DayTally>| {
            d.map(|d| civil_text(d.day.to_datetime(Time::midnight()), lang, CivilStyle::Day))
                .unwrap_or_default()
        };
        tallies.with_value(|tallies| {
            let t = total(tallies);
            i18n.fill(
                Key::HistoryChartSummary,
                &[
                    ("from", &day(tallies.first())),
                    ("to", &day(tallies.last())),
                    ("taken", &t.taken.to_string()),
                    ("skipped", &t.skipped.to_string()),
                    ("missed", &t.missed.to_string()),
                ],
            )
        })
    };
    view! {
        <figure class="adherence-chart">
            <svg viewBox=format!("0 0 100 {CHART_HEIGHT}") preserveAspectRatio="none" role="img" aria-label=summary>
                {bars}
            </svg>
            <div class="chart-days" aria-hidden="true">{labels}</div>
            <figcaption>
                <p>{summary}</p>
                <ul class="chart-legend">
                    <li><span class="swatch bar-taken" aria-hidden="true"></span>{tr(Key::RemindersStatusTaken)}</li>
                    <li><span class="swatch bar-skipped" aria-hidden="true"></span>{tr(Key::RemindersStatusSkipped)}</li>
                    <li><span class="swatch bar-missed" aria-hidden="true"></span>{tr(Key::RemindersStatusMissed)}</li>
                </ul>
            </figcaption>
            <details>
                <summary>{tr(Key::HistoryTable)}</summary>
                // Scrolls sideways on its own when a narrow phone or a long language needs it,
                // instead of cutting off the last column.
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(Key::HistoryTable)>
                <table class="history-table">
                    <thead>
                        <tr>
                            <th scope="col">{tr(Key::HistoryDay)}</th>
                            <th scope="col">{tr(Key::RemindersStatusTaken)}</th>
                            <th scope="col">{tr(Key::RemindersStatusSkipped)}</th>
                            <th scope="col">{tr(Key::RemindersStatusMissed)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                </div>
            </details>
        </figure>
    }
}

/// Saves `text` as a file the person downloads.
fn download(name: &str, text: &str) {
    // With a byte order mark first: without one, Excel reads the file in the computer's old code
    // page, and "Jürgen" comes out garbled.
    let text = format!("\u{feff}{text}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(e).ok());
    if let Some(a) = link {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
