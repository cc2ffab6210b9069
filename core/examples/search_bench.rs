//! How fast is search as you type? Builds an index of 2,000 synthetic English articles and replays
//! every keystroke of about twenty queries, as the app would on each key press.
//!
//! `cargo run --release -p portal-core --example search_bench`
//!
//! The articles are made deterministically from a fixed list of health words and a simple linear
//! congruential generator, so runs compare. One word in ten is a made-up name (as medicine and
//! brand names are), which gives the vocabulary a realistic size for the typo pass. The target on
//! a phone in WebAssembly is 50 ms per keystroke; count on a phone being 4-6 times slower than
//! this machine, so the native numbers should stay well under 5 ms.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use portal_core::search::{SearchDoc, SearchIndex};

const ARTICLES: usize = 2_000;
const BODY_WORDS: usize = 400;
const ROUNDS: usize = 5;
const LIMIT: usize = 10;

const WORDS: &[&str] = &[
    "a",
    "about",
    "absorb",
    "aches",
    "active",
    "activity",
    "adult",
    "adults",
    "advice",
    "after",
    "again",
    "age",
    "alcohol",
    "allergic",
    "allergies",
    "allergy",
    "also",
    "always",
    "and",
    "antibiotic",
    "antibiotics",
    "anxiety",
    "any",
    "appointment",
    "are",
    "arm",
    "arthritis",
    "as",
    "ask",
    "asthma",
    "at",
    "attack",
    "avoid",
    "back",
    "balance",
    "be",
    "bed",
    "before",
    "bleeding",
    "blister",
    "blood",
    "body",
    "bone",
    "bones",
    "brain",
    "breakfast",
    "breastfeeding",
    "breath",
    "breathe",
    "breathing",
    "but",
    "by",
    "calcium",
    "call",
    "can",
    "cancer",
    "capsule",
    "capsules",
    "car",
    "care",
    "carer",
    "caregiver",
    "change",
    "check",
    "checked",
    "chest",
    "child",
    "children",
    "cholesterol",
    "chronic",
    "clinic",
    "cold",
    "common",
    "condition",
    "conditions",
    "confusion",
    "constipation",
    "control",
    "cool",
    "cough",
    "cream",
    "daily",
    "damage",
    "day",
    "days",
    "dehydration",
    "depression",
    "diabetes",
    "diarrhoea",
    "diet",
    "dizzy",
    "doctor",
    "doctors",
    "dose",
    "doses",
    "drink",
    "drinking",
    "drive",
    "driving",
    "drops",
    "dry",
    "during",
    "ear",
    "eat",
    "eating",
    "effect",
    "effects",
    "energy",
    "every",
    "exercise",
    "eye",
    "eyes",
    "fall",
    "family",
    "fatigue",
    "fever",
    "feel",
    "feeling",
    "fluid",
    "food",
    "foot",
    "for",
    "fridge",
    "from",
    "function",
    "glucose",
    "guide",
    "have",
    "headache",
    "health",
    "healthy",
    "heart",
    "heat",
    "help",
    "helps",
    "high",
    "holiday",
    "home",
    "hospital",
    "hot",
    "how",
    "if",
    "illness",
    "in",
    "infection",
    "infections",
    "inflammation",
    "information",
    "inhaler",
    "inhalers",
    "injection",
    "injections",
    "insulin",
    "is",
    "it",
    "itching",
    "joint",
    "joints",
    "keep",
    "kidney",
    "kidneys",
    "label",
    "leaflet",
    "level",
    "levels",
    "life",
    "light",
    "liquid",
    "liver",
    "long",
    "low",
    "lung",
    "lungs",
    "meal",
    "meals",
    "medicine",
    "medicines",
    "medication",
    "memory",
    "migraine",
    "missed",
    "mood",
    "morning",
    "mouth",
    "muscle",
    "muscles",
    "nausea",
    "nerve",
    "night",
    "not",
    "nurse",
    "of",
    "often",
    "on",
    "or",
    "ointment",
    "pack",
    "pain",
    "patch",
    "patient",
    "patients",
    "pharmacist",
    "pharmacy",
    "pill",
    "pills",
    "plan",
    "pregnancy",
    "pregnant",
    "prescription",
    "pressure",
    "prevent",
    "problem",
    "problems",
    "rash",
    "rate",
    "reaction",
    "reactions",
    "regular",
    "regularly",
    "relief",
    "remember",
    "repeat",
    "rest",
    "risk",
    "routine",
    "safe",
    "safely",
    "safety",
    "salt",
    "schedule",
    "school",
    "side",
    "signs",
    "skin",
    "sleep",
    "sleeping",
    "smoking",
    "sore",
    "spray",
    "start",
    "starting",
    "stomach",
    "stop",
    "stopping",
    "storage",
    "store",
    "stored",
    "storing",
    "stress",
    "stroke",
    "sugar",
    "sun",
    "support",
    "surgery",
    "swallow",
    "swelling",
    "symptom",
    "symptoms",
    "syrup",
    "tablet",
    "tablets",
    "take",
    "taken",
    "takes",
    "taking",
    "technique",
    "temperature",
    "test",
    "tests",
    "the",
    "therapy",
    "thyroid",
    "time",
    "tired",
    "to",
    "travel",
    "travelling",
    "treatment",
    "treatments",
    "triggers",
    "type",
    "understand",
    "urine",
    "use",
    "used",
    "using",
    "vaccine",
    "vaccination",
    "vaccines",
    "vitamin",
    "vomiting",
    "walk",
    "walking",
    "water",
    "weight",
    "well",
    "when",
    "while",
    "with",
    "without",
    "worse",
    "wound",
    "you",
    "your",
];

/// Syllables for made-up names (medicines, brands, places).
const SYLLABLES: &[&str] = &[
    "ba", "bre", "ca", "dro", "fen", "ga", "lor", "ma", "nex", "ol", "pra", "qui", "ra", "sol",
    "ta", "tor", "va", "xin", "zo", "mid", "lan", "ter", "vo", "pen", "cil", "dol", "rex", "sta",
    "mun", "kel",
];

const QUERIES: &[&str] = &[
    "inhaler",
    "side effects",
    "blood presure",
    "diabetis tablets",
    "storing medicine in heat",
    "inhlaer technique",
    "how to take tablets",
    "high blood pressure",
    "missed dose",
    "allergic reaction",
    "travelling with insulin",
    "asthma attack",
    "preassure",
    "children medicine dose",
    "pregnancy and breastfeeding",
    "heart rate",
    "dizzy after taking",
    "kidney function",
    "sleep problems",
    "vaccination schedule",
];

/// Knuth's MMIX linear congruential generator: deterministic and good enough to pick words.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }

    fn word(&mut self) -> String {
        if self.below(10) == 0 {
            (0..2 + self.below(3))
                .map(|_| self.pick(SYLLABLES))
                .collect()
        } else {
            self.pick(WORDS).to_owned()
        }
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut out = String::new();
        for i in 0..words {
            let word = self.word();
            if i == 0 {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(&word);
            }
        }
        out
    }
}

struct Article {
    id: String,
    title: String,
    summary: String,
    body: String,
}

fn articles() -> Vec<Article> {
    let mut rng = Lcg(2026);
    (0..ARTICLES)
        .map(|i| {
            let title_words = 4 + rng.below(5);
            let title = rng.sentence(title_words);
            let summary_words = 15 + rng.below(15);
            let summary = format!("{}.", rng.sentence(summary_words));
            let mut body = String::new();
            let mut written = 0;
            while written < BODY_WORDS {
                let n = 6 + rng.below(12);
                body.push_str(&rng.sentence(n));
                body.push_str(if rng.below(6) == 0 { ".\n\n" } else { ". " });
                written += n;
            }
            Article {
                id: format!("article-{i:04}"),
                title,
                summary,
                body,
            }
        })
        .collect()
}

struct Stats<'q> {
    count: usize,
    median: Duration,
    p95: Duration,
    max: Duration,
    slowest: &'q str,
}

impl<'q> Stats<'q> {
    fn of(mut timings: Vec<(Duration, &'q str)>) -> Stats<'q> {
        timings.sort_by_key(|t| t.0);
        let at = |share: f64| {
            let i = ((timings.len() as f64 - 1.0) * share).round() as usize;
            timings.get(i).map_or(Duration::ZERO, |t| t.0)
        };
        let (max, slowest) = timings.last().copied().unwrap_or((Duration::ZERO, ""));
        Stats {
            count: timings.len(),
            median: at(0.5),
            p95: at(0.95),
            max,
            slowest,
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn main() {
    let articles = articles();
    let docs: Vec<SearchDoc<'_>> = articles
        .iter()
        .map(|a| SearchDoc {
            id: &a.id,
            title: &a.title,
            summary: &a.summary,
            body: &a.body,
        })
        .collect();
    let words: usize = articles
        .iter()
        .map(|a| a.body.split_whitespace().count())
        .sum();
    let distinct: HashSet<String> = articles
        .iter()
        .flat_map(|a| {
            [&a.title, &a.summary, &a.body]
                .into_iter()
                .flat_map(|t| t.split(|c: char| !c.is_alphanumeric()))
        })
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();

    let started = Instant::now();
    let index = SearchIndex::build("en", &docs);
    let build = started.elapsed();

    // Every keystroke of every query: "i", "in", "inh", ...
    let keystrokes: Vec<&str> = QUERIES
        .iter()
        .flat_map(|q| q.char_indices().map(move |(i, c)| &q[..i + c.len_utf8()]))
        .collect();
    // Each keystroke is timed in every round. A busy machine preempts now and then, so besides
    // all runs, the best of the rounds per keystroke shows the cost of the search itself.
    let mut runs: Vec<Vec<Duration>> = vec![Vec::with_capacity(ROUNDS); keystrokes.len()];
    let mut hits = 0usize;
    for _ in 0..ROUNDS {
        for (&query, times) in keystrokes.iter().zip(runs.iter_mut()) {
            let started = Instant::now();
            let found = index.search(query, LIMIT);
            times.push(started.elapsed());
            hits += found.len();
        }
    }
    let all: Vec<(Duration, &str)> = runs
        .iter()
        .zip(&keystrokes)
        .flat_map(|(times, &q)| times.iter().map(move |&t| (t, q)))
        .collect();
    let best: Vec<(Duration, &str)> = runs
        .iter()
        .zip(&keystrokes)
        .map(|(times, &q)| (times.iter().copied().min().unwrap_or_default(), q))
        .collect();
    let all = Stats::of(all);
    let best = Stats::of(best);

    println!(
        "search_bench: {ARTICLES} synthetic English articles, {words} body words, {} distinct words",
        distinct.len()
    );
    println!("index build: {:.1} ms", ms(build));
    println!(
        "queries: {} keystrokes x {ROUNDS} rounds = {}, limit {LIMIT}, {:.1} hits per query",
        keystrokes.len(),
        all.count,
        hits as f64 / all.count.max(1) as f64
    );
    println!();
    println!(
        "{:<22}{:>8}{:>11}{:>11}{:>11}   slowest",
        "per query", "count", "median", "p95", "max"
    );
    for (name, stats) in [("all runs", &all), ("best of rounds", &best)] {
        println!(
            "{:<22}{:>8}{:>8.3} ms{:>8.3} ms{:>8.3} ms   {:?}",
            name,
            stats.count,
            ms(stats.median),
            ms(stats.p95),
            ms(stats.max),
            stats.slowest
        );
    }
    println!();
    println!("target: < 50 ms per keystroke on a phone in wasm (4-6x slower), so < 5 ms here");

    let sample = index.search("storing medicine in heat", 3);
    for hit in &sample {
        let mark = |segments: &[portal_core::search::Segment]| -> String {
            segments
                .iter()
                .map(|s| {
                    if s.matched {
                        format!("[{}]", s.text)
                    } else {
                        s.text.clone()
                    }
                })
                .collect()
        };
        println!(
            "\n{} ({:.2}): {}\n  {}",
            hit.id,
            hit.score,
            mark(&hit.title),
            mark(&hit.snippet)
        );
    }
}
