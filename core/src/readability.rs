//! Readability and accessibility checks for the content team's Studio.
//!
//! Patient information should be easy to read (plain-language guidance aims at about school grade
//! 6 to 8), and every reader should get the same content: images need alt text, links need text
//! that says where they go, headings must not skip levels for screen-reader navigation. These
//! checks are hints for the editor, never a gate: the team decides.
//!
//! The Flesch formulas are calibrated for English only; for other languages the report carries no
//! scores and says so, and long words are judged by length instead of syllables.

use std::collections::HashSet;

use crate::markdown::{fold_latin, inline_text, Block, Document, Inline};

/// A sentence over this many words is reported.
pub const LONG_SENTENCE_WORDS: usize = 20;
/// An English word with this many syllables or more is reported.
pub const LONG_WORD_SYLLABLES: usize = 4;
/// In other languages, a word with this many letters or more is reported.
pub const LONG_WORD_LETTERS: usize = 13;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub words: usize,
    pub sentences: usize,
    pub syllables: usize,
    /// Flesch-Kincaid grade level (US school grade; may be below 0 for very simple text).
    pub grade: f64,
    /// Flesch Reading Ease (higher is easier; may exceed 100 or fall below 0).
    pub reading_ease: f64,
}

/// Flesch-Kincaid grade = 0.39*(words/sentences) + 11.8*(syllables/words) - 15.59; Flesch Reading
/// Ease = 206.835 - 1.015*(words/sentences) - 84.6*(syllables/words). English only. None for text
/// without words.
///
/// Words are as in [`crate::markdown::word_count`]; a number counts as a word of one syllable.
pub fn scores(text: &str) -> Option<Scores> {
    let sentence_count = sentences(text).len();
    let mut words = 0_usize;
    let mut syllables = 0_usize;
    for word in words_of(text) {
        words += 1;
        syllables += count_syllables(word);
    }
    if words == 0 {
        return None;
    }
    // Any text with a word has a sentence; `max` only guards the division.
    let per_sentence = words as f64 / sentence_count.max(1) as f64;
    let per_word = syllables as f64 / words as f64;
    Some(Scores {
        words,
        sentences: sentence_count.max(1),
        syllables,
        grade: 0.39 * per_sentence + 11.8 * per_word - 15.59,
        reading_ease: 206.835 - 1.015 * per_sentence - 84.6 * per_word,
    })
}

/// The target grade's verdict: true when grade <= target.
pub fn meets_target(scores: &Scores, target_grade: f64) -> bool {
    scores.grade <= target_grade
}

/// Whitespace-separated tokens with a letter or digit, like `markdown::word_count`.
fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
}

/// English syllables by heuristic; at least 1 (a number or symbol is read as something).
///
/// Counts groups of vowels (`y` is a vowel except at the start of a word or before a vowel), then
/// corrects the usual English spellings:
/// - a silent final `e` (`take`), but not consonant + `le` (`table`);
/// - `-es` and `-ed` that add no syllable (`takes`, `used`), unless after a sibilant or `t`/`d`
///   (`boxes`, `wanted`);
/// - a silent `e` before `-ly`, `-ful`, `-ment`, `-less`, `-ness` (`safely`, `management`);
/// - vowel pairs read as two syllables: `ia` and `io` except in `-cia-`, `-tio-` and the like
///   (`dial`, `radio` but `special`, `nation`), `iu` (`calcium`), `ua` except after `q`/`g`
///   (`actual` but `quality`);
/// - "every" as two syllables (`every`, `everything`; but `everyone` has three).
///
/// Apostrophes are ignored (`don't` is one syllable); hyphenated words count each part.
pub fn count_syllables(word: &str) -> usize {
    let mut letters = String::new();
    for c in word.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() {
            letters.push(c);
        } else if let Some(ascii) = fold_latin(c) {
            letters.push_str(ascii);
        } else if matches!(c, '\'' | '’' | 'ʼ') || c.is_alphabetic() {
            // Apostrophes join; letters this heuristic cannot read add nothing.
        } else {
            letters.push(' ');
        }
    }
    letters
        .split(' ')
        .filter(|part| !part.is_empty())
        .map(part_syllables)
        .sum::<usize>()
        .max(1)
}

/// Syllables of one run of ASCII lowercase letters; 0 when it has no vowel (`mg`).
fn part_syllables(part: &str) -> usize {
    let b = part.as_bytes();
    let n = b.len();
    let at = |i: usize| b.get(i).copied().unwrap_or(b' ');
    let plain_vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let vowel = |i: usize| {
        let c = at(i);
        plain_vowel(c) || (c == b'y' && i > 0 && !plain_vowel(at(i + 1)))
    };
    let consonant = |i: usize| i < n && !vowel(i);
    let ends = |suffix: &str| part.ends_with(suffix);

    let mut count: usize = 0;
    for i in 0..n {
        if !vowel(i) {
            continue;
        }
        if i == 0 || !vowel(i - 1) {
            count += 1;
            continue;
        }
        let before = if i >= 2 { at(i - 2) } else { b' ' };
        let splits = match (at(i - 1), at(i)) {
            (b'i', b'a') => !matches!(before, b'c' | b't' | b's' | b'x'),
            (b'i', b'o') => !matches!(before, b'c' | b't' | b's' | b'x' | b'g'),
            (b'i', b'u') => true,
            (b'u', b'a') => !matches!(before, b'q' | b'g'),
            _ => false,
        };
        if splits {
            count += 1;
        }
    }
    // "every" is said "ev-ry" (every, everything, everyday), unless a vowel follows (every-one).
    if let Some(at_every) = part.find("every") {
        if !plain_vowel(at(at_every + 5)) {
            count = count.saturating_sub(1);
        }
    }
    if count <= 1 {
        return count;
    }

    // `consonant + le` keeps its syllable: ta-ble, ta-bles, ta-bled.
    let le_syllable = |l_index: usize| {
        at(l_index) == b'l' && l_index >= 1 && consonant(l_index - 1) && at(l_index - 1) != b'l'
    };
    if ends("e") && n >= 2 && consonant(n - 2) && !(n >= 3 && le_syllable(n - 2)) {
        count -= 1;
    } else if ends("es") && n >= 4 && consonant(n - 3) {
        let sibilant = matches!(at(n - 3), b's' | b'x' | b'z' | b'c' | b'g')
            || (at(n - 3) == b'h' && matches!(at(n - 4), b'c' | b's'));
        if !sibilant && !le_syllable(n - 3) {
            count -= 1;
        }
    } else if ends("ed") && n >= 4 && consonant(n - 3) {
        if !matches!(at(n - 3), b't' | b'd') && !le_syllable(n - 3) {
            count -= 1;
        }
    } else {
        for suffix in ["ly", "ful", "ment", "ments", "less", "ness"] {
            if let Some(stem) = part.strip_suffix(suffix) {
                if stem.len() >= 3 {
                    let e = stem.len() - 1;
                    if at(e) == b'e' && consonant(e - 1) && !le_syllable(e - 1) {
                        count -= 1;
                    }
                }
                break;
            }
        }
    }
    count.max(1)
}

/// Abbreviations whose full stop does not end a sentence (compared lowercase, without the final
/// stop). "etc." and "no." are not here: they usually end one. Nor are single letters, so
/// "vitamin D." ends a sentence.
const ABBREVIATIONS: [&str; 23] = [
    "e.g", "i.e", "eg", "ie", "dr", "mr", "mrs", "ms", "prof", "st", "vs", "approx", "jr", "sr",
    "nr", "z.b", "d.h", "u.a", "bzw", "ca", "mme", "mlle", "cf",
];

/// Splits text into sentences: after `.`, `!`, `?` or `…` followed by a space or the end (closing
/// quotes and brackets stay with their sentence), and at blank lines (between blocks). Not on
/// decimals like 2.5 (no space follows) or after abbreviations such as "e.g.", "Dr.", "Mr.",
/// "Mrs.". Whitespace inside a sentence is collapsed to single spaces; pieces without a letter or
/// digit are dropped.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            let mut blank_line = false;
            while let Some(&next) = chars.peek() {
                if next == '\n' {
                    blank_line = true;
                } else if !next.is_whitespace() {
                    break;
                }
                chars.next();
            }
            current.push(' ');
            if blank_line {
                finish_sentence(&mut current, &mut out);
            }
            continue;
        }
        current.push(c);
        if !is_terminal(c) {
            continue;
        }
        let mut run = 1;
        while let Some(&next) = chars.peek() {
            if is_terminal(next) {
                run += 1;
            } else if !is_closing(next) {
                break;
            }
            current.push(next);
            chars.next();
        }
        // Full-width stops are not followed by a space in Chinese and Japanese.
        let at_break =
            matches!(c, '。' | '！' | '？') || chars.peek().is_none_or(|next| next.is_whitespace());
        if at_break && !(c == '.' && run == 1 && ends_with_abbreviation(&current)) {
            finish_sentence(&mut current, &mut out);
        }
    }
    finish_sentence(&mut current, &mut out);
    out
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '’' | '”' | '»' | ')' | ']' | '*' | '_')
}

/// Whether the sentence so far ends with an abbreviation's stop, e.g. "… ask your Dr.".
fn ends_with_abbreviation(current: &str) -> bool {
    let last = current.split_whitespace().next_back().unwrap_or_default();
    let word = last
        .trim_end_matches(is_closing)
        .trim_end_matches('.')
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    ABBREVIATIONS.contains(&word.as_str())
}

fn finish_sentence(current: &mut String, out: &mut Vec<String>) {
    if current.chars().any(char::is_alphanumeric) {
        out.push(current.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    current.clear();
}

#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Over [`LONG_SENTENCE_WORDS`] words; `text` is the sentence with whitespace collapsed.
    LongSentence {
        text: String,
        words: usize,
    },
    /// English: 4+ syllables; other languages: 13+ letters. Each word once, lowercased; numbers,
    /// URLs and anything else that is not letters (with `-` or `'`) skipped.
    LongWord {
        word: String,
    },
    ImageWithoutAlt {
        src: String,
    },
    /// A heading more than one level below the one before, e.g. `##` then `####`. The title is
    /// level 1, so the first heading may be level 2.
    SkippedHeading {
        from: u8,
        to: u8,
        text: String,
    },
    /// "click here", "read more", "hier", "en savoir plus"… (also empty link text).
    VagueLinkText {
        text: String,
    },
    /// Link text that is itself a URL: screen readers spell it out.
    BareUrlLink {
        href: String,
    },
    MissingSummary,
    MissingTitle,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Only for English (`en`, `en-GB`, …).
    pub scores: Option<Scores>,
    /// Missing title and summary first, then heading, image and link findings in document order,
    /// then long sentences in order, then long words in order of first use.
    pub findings: Vec<Finding>,
    /// True when the language is not English: the app shows "these formulas are English-only".
    pub english_only_note: bool,
}

/// Link texts that do not say where a link goes, compared lowercase and trimmed, without final
/// punctuation. In the portal's languages, whatever the article's language.
const VAGUE_LINK_TEXTS: [&str; 36] = [
    "",
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "learn more",
    "more info",
    "more information",
    "this link",
    "link",
    "this page",
    "go",
    "hier",
    "klicken sie hier",
    "hier klicken",
    "mehr",
    "weiterlesen",
    "mehr lesen",
    "mehr erfahren",
    "dieser link",
    "ici",
    "cliquez ici",
    "en savoir plus",
    "lire la suite",
    "plus",
    "ce lien",
    "lien",
    "aquí",
    "haga clic aquí",
    "haz clic aquí",
    "leer más",
    "más",
    "más información",
    "este enlace",
    "enlace",
];

/// The body's prose as the scores read it: paragraphs, list items, table cells, quotes and
/// callouts, each its own paragraph (separated by blank lines); no headings, no code blocks.
///
/// Whoever stores a grade for an article should score this text, so the number matches what the
/// Studio showed the editor: `scores(&prose_text(&doc))`.
pub fn prose_text(doc: &Document) -> String {
    let mut walk = Walk::default();
    for block in &doc.blocks {
        walk.block(block);
    }
    walk.prose.join("\n\n")
}

/// Checks an article for the content team. `language` is the article's BCP 47 tag; English is
/// any tag whose primary subtag is `en`.
///
/// Scores use the body's prose: paragraphs, list items, table cells, quotes and callouts, not
/// headings or code blocks; each paragraph and cell is at least its own sentence.
pub fn check_article(title: &str, summary: &str, doc: &Document, language: &str) -> Report {
    let english = language
        .split(['-', '_'])
        .next()
        .is_some_and(|primary| primary.trim().eq_ignore_ascii_case("en"));
    let mut walk = Walk::default();
    for block in &doc.blocks {
        walk.block(block);
    }

    let mut findings = Vec::new();
    if title.trim().is_empty() {
        findings.push(Finding::MissingTitle);
    }
    if summary.trim().is_empty() {
        findings.push(Finding::MissingSummary);
    }
    findings.append(&mut walk.findings);

    let prose = walk.prose.join("\n\n");
    for sentence in sentences(&prose) {
        let words = words_of(&sentence).count();
        if words > LONG_SENTENCE_WORDS {
            findings.push(Finding::LongSentence {
                text: sentence,
                words,
            });
        }
    }

    let mut seen = HashSet::new();
    for token in walk.texts.iter().flat_map(|text| text.split_whitespace()) {
        let word = token
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        // Numbers, URLs, addresses and codes are not words to simplify.
        if word.is_empty()
            || !word
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
        {
            continue;
        }
        let long = if english {
            count_syllables(&word) >= LONG_WORD_SYLLABLES
        } else {
            word.chars().filter(|c| c.is_alphabetic()).count() >= LONG_WORD_LETTERS
        };
        if long && seen.insert(word.clone()) {
            findings.push(Finding::LongWord { word });
        }
    }

    Report {
        scores: if english { scores(&prose) } else { None },
        findings,
        english_only_note: !english,
    }
}

/// One pass over the document collecting prose, heading texts and structural findings.
#[derive(Default)]
struct Walk {
    /// Paragraphs, list items, cells: what the scores and sentence checks read.
    prose: Vec<String>,
    /// Prose and headings in document order, for the long-word check.
    texts: Vec<String>,
    findings: Vec<Finding>,
    /// The level of the heading before; the title counts as level 1.
    last_level: Option<u8>,
}

impl Walk {
    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, content, .. } => {
                let text = inline_text(content).trim().to_string();
                let from = self.last_level.unwrap_or(1);
                if *level > from.saturating_add(1) {
                    self.findings.push(Finding::SkippedHeading {
                        from,
                        to: *level,
                        text: text.clone(),
                    });
                }
                self.last_level = Some(*level);
                self.inlines(content);
                self.texts.push(text);
            }
            Block::Paragraph(content) => {
                self.inlines(content);
                self.push_prose(inline_text(content));
            }
            Block::List { items, .. } => {
                for block in items.iter().flatten() {
                    self.block(block);
                }
            }
            Block::Quote(blocks) | Block::Callout { blocks, .. } => {
                for block in blocks {
                    self.block(block);
                }
            }
            Block::Table { head, rows, .. } => {
                for cell in head.iter().chain(rows.iter().flatten()) {
                    self.inlines(cell);
                    self.push_prose(inline_text(cell));
                }
            }
            Block::Code(_) | Block::Rule => {}
        }
    }

    fn push_prose(&mut self, text: String) {
        self.texts.push(text.clone());
        self.prose.push(text);
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            match inline {
                Inline::Image { src, alt } => {
                    if alt.trim().is_empty() {
                        self.findings
                            .push(Finding::ImageWithoutAlt { src: src.clone() });
                    }
                }
                Inline::Link { href, content, .. } => {
                    let text = inline_text(content);
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if looks_like_url(&text, href) {
                        self.findings
                            .push(Finding::BareUrlLink { href: href.clone() });
                    } else if is_vague(&text) && !has_image_with_alt(content) {
                        self.findings.push(Finding::VagueLinkText { text });
                    }
                    self.inlines(content);
                }
                Inline::Emphasis(content) | Inline::Strong(content) => self.inlines(content),
                Inline::Text(_) | Inline::Code(_) | Inline::LineBreak => {}
            }
        }
    }
}

/// An image link with alt text says where it goes through the alt text.
fn has_image_with_alt(content: &[Inline]) -> bool {
    content
        .iter()
        .any(|inline| matches!(inline, Inline::Image { alt, .. } if !alt.trim().is_empty()))
}

fn is_vague(text: &str) -> bool {
    let text = text
        .trim()
        .trim_end_matches(['.', ':', '!', '…', '›', '»', '→', '>'])
        .trim()
        .to_lowercase();
    VAGUE_LINK_TEXTS.contains(&text.as_str())
}

fn looks_like_url(text: &str, href: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("www.")
        || (!lower.is_empty() && text.trim() == href && !href.starts_with("mailto:"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn syllables_of_common_words() {
        for (word, expected) in [
            ("the", 1),
            ("cat", 1),
            ("blood", 1),
            ("take", 1),
            ("takes", 1),
            ("used", 1),
            ("once", 1),
            ("queue", 1),
            ("don't", 1),
            ("table", 2),
            ("tables", 2),
            ("little", 2),
            ("pressure", 2),
            ("doctor", 2),
            ("water", 2),
            ("people", 2),
            ("daily", 2),
            ("dizzy", 2),
            ("wanted", 2),
            ("boxes", 2),
            ("lately", 2),
            ("beyond", 2),
            ("take-home", 2),
            ("medicine", 3),
            ("medicines", 3),
            ("every", 2),
            ("everything", 3),
            ("everyone", 3),
            ("pharmacist", 3),
            ("syllable", 3),
            ("radio", 3),
            ("actual", 3),
            ("quality", 3),
            ("management", 3),
            ("information", 4),
            ("medication", 4),
            ("hypertension", 4),
            ("emergency", 4),
            ("paracetamol", 5),
            ("responsibility", 6),
        ] {
            assert_eq!(count_syllables(word), expected, "{word}");
        }
        assert_eq!(count_syllables("Medicine,"), 3);
        // At least one, even for numbers, symbols and nothing at all.
        assert_eq!(count_syllables("2.5"), 1);
        assert_eq!(count_syllables("mg"), 1);
        assert_eq!(count_syllables(""), 1);
    }

    #[test]
    fn sentence_splitting() {
        assert_eq!(
            sentences("The cat sat on the mat."),
            vec!["The cat sat on the mat."]
        );
        assert_eq!(
            sentences("Take 2.5 mg, e.g. with food. Ask your Dr. Smith! Is it safe? Yes"),
            vec![
                "Take 2.5 mg, e.g. with food.",
                "Ask your Dr. Smith!",
                "Is it safe?",
                "Yes"
            ]
        );
        assert_eq!(
            sentences("Mrs. Jones met Mr. Brown, i.e. her GP.   She was   fine."),
            vec!["Mrs. Jones met Mr. Brown, i.e. her GP.", "She was fine."]
        );
        assert_eq!(
            sentences("He said \"stop.\" Then he left (see below.) Really?! Yes…"),
            vec![
                "He said \"stop.\"",
                "Then he left (see below.)",
                "Really?!",
                "Yes…"
            ]
        );
        // A blank line ends a sentence (list items, cells); a single line break does not.
        assert_eq!(
            sentences("First item\n\nSecond item\nwraps here\n  \n Third"),
            vec!["First item", "Second item wraps here", "Third"]
        );
        assert_eq!(
            sentences("Take vitamin D. Then rest."),
            vec!["Take vitamin D.", "Then rest."]
        );
        assert_eq!(
            sentences("Version 1.2.3 is out."),
            vec!["Version 1.2.3 is out."]
        );
        assert!(sentences("").is_empty());
        assert!(sentences(" ... !! \n\n ?").is_empty());
    }

    #[test]
    fn scores_of_known_texts() {
        // 6 words, 1 sentence, 6 syllables: 0.39*6 + 11.8*1 - 15.59 = -1.45;
        // 206.835 - 1.015*6 - 84.6*1 = 116.145.
        let s = scores("The cat sat on the mat.").unwrap();
        assert_eq!((s.words, s.sentences, s.syllables), (6, 1, 6));
        assert!(close(s.grade, -1.45), "{}", s.grade);
        assert!(close(s.reading_ease, 116.145), "{}", s.reading_ease);

        // Take(1) one(1) tablet(2) each(1) morning(2) with(1) water(2): 7 words, 10 syllables.
        // Do not take more than two tablets(2) in a day: 10 words, 11 syllables.
        // If you feel dizzy(2), sit down and rest: 8 words, 9 syllables.
        // 25 words, 3 sentences, 30 syllables: words/sentence 25/3, syllables/word 1.2.
        // grade = 0.39*25/3 + 11.8*1.2 - 15.59 = 3.25 + 14.16 - 15.59 = 1.82
        // ease = 206.835 - 1.015*25/3 - 84.6*1.2 = 206.835 - 8.458333… - 101.52 = 96.856666…
        let s = scores(
            "Take one tablet each morning with water. Do not take more than two tablets in a day. \
             If you feel dizzy, sit down and rest.",
        )
        .unwrap();
        assert_eq!((s.words, s.sentences, s.syllables), (25, 3, 30));
        assert!(close(s.grade, 1.82), "{}", s.grade);
        assert!(close(s.reading_ease, 206.835 - 1.015 * 25.0 / 3.0 - 101.52));
        assert!(meets_target(&s, 6.0));
        assert!(!meets_target(&s, 1.0));

        // Harder text: 14 words, 1 sentence; syllables: Hypertension(4) is(1) a(1) chronic(2)
        // medical(3) condition(3) characterised(4) by(1) persistently(4) elevated(4) arterial(4)
        // blood(1) pressure(2) measurements(3) = 37.
        // grade = 0.39*14 + 11.8*37/14 - 15.59 = 5.46 + 31.185714… - 15.59 = 21.055714…
        let s = scores(
            "Hypertension is a chronic medical condition characterised by persistently elevated \
             arterial blood pressure measurements.",
        )
        .unwrap();
        assert_eq!((s.words, s.sentences, s.syllables), (14, 1, 37));
        assert!(close(s.grade, 0.39 * 14.0 + 11.8 * 37.0 / 14.0 - 15.59));
        assert!(!meets_target(&s, 8.0));

        assert_eq!(scores(""), None);
        assert_eq!(scores(" -- ... \n\n |"), None);
    }

    fn report(body: &str) -> Report {
        check_article("Title", "Summary", &parse(body), "en")
    }

    #[test]
    fn a_clean_article_has_no_findings() {
        let r = report(
            "## What it is\n\nHigh blood pressure is common. It often has no signs.\n\n\
             ### Checks\n\n- Get it checked each year.\n- Ask your [GP surgery](/find-a-gp).\n\n\
             ![A nurse takes a reading](/img/cuff.png)\n\n## Next steps\n\n| When | What |\n|--|--|\n| Now | Rest |",
        );
        assert_eq!(r.findings, vec![]);
        assert!(!r.english_only_note);
        let s = r.scores.unwrap();
        // Headings are not counted: 2 + 2 sentences, a lone image alt text, 4 cells.
        assert_eq!(s.sentences, 9);
    }

    #[test]
    fn findings_of_each_kind() {
        let long = "This sentence is written with far too many words for a patient who is tired \
                    and worried and simply wants to know what to do next.";
        let body = format!(
            "#### Skipped\n\n## Back\n\n#### Again\n\n![](/a.png) ![ ](/b.png) ![ok](/c.png)\n\n\
             [Click here](/x), [read more…](/y), [HIER](/z), [](/e), \
             [https://www.nhs.uk](https://www.nhs.uk), <https://example.org>, [www.nhs.uk](https://www.nhs.uk), \
             [![logo](/l.png)](/home)\n\n{long}\n\nResponsibility and responsibility, 2025 and hypertension."
        );
        let r = check_article(" ", "", &parse(&body), "en");
        assert_eq!(
            r.findings,
            vec![
                Finding::MissingTitle,
                Finding::MissingSummary,
                Finding::SkippedHeading {
                    from: 1,
                    to: 4,
                    text: "Skipped".into()
                },
                Finding::SkippedHeading {
                    from: 2,
                    to: 4,
                    text: "Again".into()
                },
                Finding::ImageWithoutAlt {
                    src: "/a.png".into()
                },
                Finding::ImageWithoutAlt {
                    src: "/b.png".into()
                },
                Finding::VagueLinkText {
                    text: "Click here".into()
                },
                Finding::VagueLinkText {
                    text: "read more…".into()
                },
                Finding::VagueLinkText {
                    text: "HIER".into()
                },
                Finding::VagueLinkText {
                    text: String::new()
                },
                Finding::BareUrlLink {
                    href: "https://www.nhs.uk".into()
                },
                Finding::BareUrlLink {
                    href: "https://example.org".into()
                },
                Finding::BareUrlLink {
                    href: "https://www.nhs.uk".into()
                },
                Finding::LongSentence {
                    text: long.split_whitespace().collect::<Vec<_>>().join(" "),
                    words: 26
                },
                Finding::LongWord {
                    word: "responsibility".into()
                },
                Finding::LongWord {
                    word: "hypertension".into()
                },
            ]
        );
    }

    #[test]
    fn twenty_words_is_not_long() {
        let twenty = vec!["word"; 20].join(" ");
        assert!(report(&format!("{twenty}.")).findings.is_empty());
        let r = report(&format!("{twenty} more."));
        assert!(matches!(
            r.findings.as_slice(),
            [Finding::LongSentence { words: 21, .. }]
        ));
    }

    #[test]
    fn prose_is_counted_in_lists_tables_and_callouts_but_not_headings_or_code() {
        let r = report(
            "## A very long heading about hypertension medication interaction\n\n\
             - one two\n- three\n\n> [!DOCTOR]\n> four five.\n\n| six | seven |\n|--|--|\n| eight | nine |\n\n\
             ```\nten eleven twelve\n```",
        );
        let s = r.scores.unwrap();
        assert_eq!((s.words, s.sentences), (9, 7));
        let doc =
            parse("## Heading\n\nOne.\n\n- two\n\n```\ncode\n```\n\n| three |\n|--|\n| four |");
        assert_eq!(prose_text(&doc), "One.\n\ntwo\n\nthree\n\nfour");
        // Long words are still reported from headings.
        assert!(r.findings.contains(&Finding::LongWord {
            word: "medication".into()
        }));
    }

    #[test]
    fn other_languages_get_no_scores_and_judge_words_by_length() {
        let doc = parse(
            "## Blutdruck\n\nDie Blutdruckmessung ist einfach. Nehmen Sie die Tablette morgens. \
             [hier](/x) und [mehr](/y).",
        );
        let r = check_article("Blutdruck", "Kurz", &doc, "de");
        assert_eq!(r.scores, None);
        assert!(r.english_only_note);
        assert_eq!(
            r.findings,
            vec![
                Finding::VagueLinkText {
                    text: "hier".into()
                },
                Finding::VagueLinkText {
                    text: "mehr".into()
                },
                Finding::LongWord {
                    word: "blutdruckmessung".into()
                },
            ]
        );
        let english = check_article("T", "S", &parse("Short text."), "en-GB");
        assert!(english.scores.is_some());
        assert!(!english.english_only_note);
        assert!(check_article("T", "S", &parse("Texte court."), "fr").english_only_note);
    }

    #[test]
    fn an_empty_body_has_no_scores() {
        let r = check_article("T", "S", &parse(""), "en");
        assert_eq!(r.scores, None);
        assert!(r.findings.is_empty());
    }

    proptest! {
        #[test]
        fn scores_never_panic_and_are_finite(text in "\\PC{0,400}") {
            let _ = sentences(&text);
            if let Some(s) = scores(&text) {
                prop_assert!(s.grade.is_finite());
                prop_assert!(s.reading_ease.is_finite());
                prop_assert!(s.words >= 1 && s.sentences >= 1 && s.syllables >= s.words);
            }
            for word in text.split_whitespace() {
                prop_assert!(count_syllables(word) >= 1);
            }
        }

        #[test]
        fn checks_never_panic(body in "\\PC{0,400}", title in "\\PC{0,20}", lang in "[a-zA-Z-]{0,6}") {
            let report = check_article(&title, "", &parse(&body), &lang);
            if let Some(s) = report.scores {
                prop_assert!(s.grade.is_finite() && s.reading_ease.is_finite());
            }
            prop_assert!(report.findings.contains(&Finding::MissingSummary));
        }

        #[test]
        fn sentences_keep_every_word(text in "[a-z .!?\\n]{0,200}") {
            let words: usize = sentences(&text).iter().map(|s| words_of(s).count()).sum();
            prop_assert_eq!(words, words_of(&text).count());
        }
    }
}
