//! Search as you type over the Learn library, in the reader's language.
//!
//! The app receives every published article of one language with its plain-text body and builds a
//! [`SearchIndex`] once, in the browser, so each keystroke is answered without a request and keeps
//! working offline. Because [`SearchIndex::search`] runs on every keystroke on phone-class
//! hardware in WebAssembly, the index does the expensive work up front: a sorted vocabulary of
//! folded words, each with its postings (which articles, which fields) and its stem, so a query is
//! a few binary searches, one cheap pass over the vocabulary for typos, and a pass over the
//! postings of the words that matched.
//!
//! People type the way they speak and on small keyboards, so matching is forgiving in four ways,
//! ranked from most to least certain: the exact word, another form of the same word ("inhalers"
//! for "inhaler", "Medikamente" for "Medikament"), a word being typed ("inha" for "inhaler") and a
//! word with a typo ("inhlaer"). Accents never matter for matching ("Ubelkeit" finds
//! "Übelkeit"), but highlighting always shows the article's own text.
//!
//! Only `std`: this runs in the browser bundle, which must stay small.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use crate::language::Language;

/// Longer words are not indexed and longer query words are ignored: no medical word is this
/// long, and the cap bounds the cost of edit distances and of pathological input.
const MAX_TERM_CHARS: usize = 40;
/// At most this many words of a query count; more would only slow the search down (the AND of
/// eight words already finds very little).
const MAX_QUERY_TERMS: usize = 8;
/// How many words of a query are looked at before giving up, so a pasted essay costs no more
/// than a sentence.
const MAX_QUERY_WORDS: usize = 64;
/// The word being typed matches as a prefix once it has this many characters; a single letter
/// would match half the vocabulary and tell the reader nothing.
const MIN_PREFIX_CHARS: usize = 2;
/// Typos are guessed only between words at least this long, query and article alike: shorter
/// words have too many neighbours ("heat" is one edit from "eat", "hat", "heal", "heart").
const MIN_TYPO_CHARS: usize = 4;
/// Stems shorter than this collide too often ("us", "be") to be worth merging.
const MIN_STEM_CHARS: usize = 3;
/// About how long a snippet is, in characters: two lines on a phone.
const SNIPPET_CHARS: usize = 160;
/// Matches closer together than this (in bytes) can share one snippet.
const SNIPPET_WINDOW_BYTES: usize = 100;
const ELLIPSIS: &str = "\u{2026}";

/// Field bits in a [`Posting`].
const TITLE: u8 = 1;
const SUMMARY: u8 = 2;
const BODY: u8 = 4;

/// Where a word is found says how much the article is about it.
const TITLE_WEIGHT: f32 = 3.0;
const SUMMARY_WEIGHT: f32 = 2.0;
const BODY_WEIGHT: f32 = 1.0;
/// A word in more than one field is a little more central than one in a single field.
const EXTRA_FIELD_BONUS: f32 = 0.25;
/// Repetition in the body helps a little, but never lifts a body match to a title match.
const BODY_REPEAT_BONUS: f32 = 0.05;
const BODY_REPEAT_CAP: u8 = 10;

/// How sure a match is, from the exact word down to a guessed typo. Multiplied with the field
/// weight, so the ordering exact > stem > prefix > typo holds within each field.
const EXACT: f32 = 1.0;
const STEM: f32 = 0.85;
/// A prefix scores between these, more the more of the word has been typed (so "inha" prefers
/// "inhaler" over "inhalation").
const PREFIX_MIN: f32 = 0.5;
const PREFIX_SPAN: f32 = 0.3;
const TYPO_1: f32 = 0.45;
const TYPO_2: f32 = 0.35;
/// Other forms of a word found by a typo ("takng" → "taking" → "take") are one step less sure.
const TYPO_OTHER_FORM: f32 = 0.9;
/// Results where only some words matched are a consolation, never mixed with full matches.
const ANY_WORD_FACTOR: f32 = 0.5;

/// One article as the app has it. Borrowed, so building the index copies only what it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchDoc<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    /// Plain text, without Markdown.
    pub body: &'a str,
}

/// A run of original text, marked when it matched the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub text: String,
    pub matched: bool,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    /// The title split into matched / unmatched runs, for `<mark>` highlighting.
    pub title: Vec<Segment>,
    /// Why it matched: a short excerpt (about 160 chars, on word boundaries, with "…" where cut) of
    /// the summary or body around the best match, split into runs; empty when only the title
    /// matched.
    pub snippet: Vec<Segment>,
}

/// The word-ending rules and small words of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rules {
    English,
    German,
    French,
    Spanish,
    /// A language without rules: words match only in full, by prefix or with typos.
    Plain,
}

impl Rules {
    fn for_tag(tag: &str) -> Rules {
        match Language::from_tag(tag) {
            Some(Language::En) => Rules::English,
            Some(Language::De) => Rules::German,
            Some(Language::Fr) => Rules::French,
            Some(Language::Es) => Rules::Spanish,
            None => Rules::Plain,
        }
    }
}

/// One article and one word in it.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    /// [`TITLE`] | [`SUMMARY`] | [`BODY`].
    fields: u8,
    /// How often the word occurs in the body, saturating.
    body_tf: u8,
}

#[derive(Debug, Clone)]
struct StoredDoc {
    id: String,
    title: String,
    summary: String,
    body: String,
}

/// Every article of one language, ready to search as the reader types.
///
/// Build it once per language with [`SearchIndex::build`]; searching never changes it.
#[derive(Clone)]
pub struct SearchIndex {
    rules: Rules,
    docs: Vec<StoredDoc>,
    /// Every distinct folded word, sorted, so exact and prefix lookups are binary searches.
    terms: Vec<Box<str>>,
    /// Per term: its length in chars, for the typo filter.
    term_chars: Vec<u8>,
    /// Per term: which characters it contains ([`char_mask`]), for the typo filter.
    term_masks: Vec<u64>,
    /// Per term: index into `stems`.
    term_stems: Vec<u32>,
    /// Postings of term `t` are `postings[posting_starts[t]..posting_starts[t + 1]]`, by article.
    posting_starts: Vec<u32>,
    postings: Vec<Posting>,
    /// Every distinct stem, sorted.
    stems: Vec<Box<str>>,
    /// Terms of stem `s` are `stem_members[stem_starts[s]..stem_starts[s + 1]]`.
    stem_starts: Vec<u32>,
    stem_members: Vec<u32>,
}

impl fmt::Debug for SearchIndex {
    /// A summary: the full index would flood any log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("rules", &self.rules)
            .field("docs", &self.docs.len())
            .field("terms", &self.terms.len())
            .field("stems", &self.stems.len())
            .field("postings", &self.postings.len())
            .finish()
    }
}

impl SearchIndex {
    /// `language` is a BCP 47 tag ("en", "de", "fr", "es"): selects the word-ending rules.
    /// Other tags get no word-ending rules, which is safe but less forgiving.
    pub fn build(language: &str, docs: &[SearchDoc<'_>]) -> SearchIndex {
        let rules = Rules::for_tag(language);
        let mut ids: HashMap<String, u32, BuildHasherDefault<Fnv>> = HashMap::default();
        let mut lists: Vec<Vec<Posting>> = Vec::new();
        let mut stored = Vec::with_capacity(docs.len());
        let mut buf = String::new();
        for (doc, d) in docs.iter().zip(0u32..) {
            for (field, text) in [(TITLE, doc.title), (SUMMARY, doc.summary), (BODY, doc.body)] {
                for (start, end) in word_spans(text) {
                    let Some(word) = text.get(start..end) else {
                        continue;
                    };
                    match fold_into(word, &mut buf) {
                        Some(len) if len > 0 => {}
                        _ => continue,
                    }
                    let id = match ids.get(buf.as_str()) {
                        Some(&id) => id,
                        None => {
                            let Ok(id) = u32::try_from(lists.len()) else {
                                continue;
                            };
                            ids.insert(buf.clone(), id);
                            lists.push(Vec::new());
                            id
                        }
                    };
                    let Some(list) = lists.get_mut(id as usize) else {
                        continue;
                    };
                    match list.last_mut() {
                        Some(p) if p.doc == d => {
                            p.fields |= field;
                            if field == BODY {
                                p.body_tf = p.body_tf.saturating_add(1);
                            }
                        }
                        _ => list.push(Posting {
                            doc: d,
                            fields: field,
                            body_tf: u8::from(field == BODY),
                        }),
                    }
                }
            }
            stored.push(StoredDoc {
                id: doc.id.to_owned(),
                title: doc.title.to_owned(),
                summary: doc.summary.to_owned(),
                body: doc.body.to_owned(),
            });
        }

        let mut vocabulary: Vec<(String, u32)> = ids.into_iter().collect();
        vocabulary.sort_unstable_by(|a, b| a.0.cmp(&b.0));

        let mut posting_starts = Vec::with_capacity(vocabulary.len() + 1);
        let mut postings = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        let mut term_chars = Vec::with_capacity(vocabulary.len());
        let mut term_masks = Vec::with_capacity(vocabulary.len());
        let mut stem_of: Vec<(String, u32)> = Vec::with_capacity(vocabulary.len());
        posting_starts.push(0);
        for ((word, old), t) in vocabulary.iter().zip(0u32..) {
            if let Some(list) = lists.get(*old as usize) {
                postings.extend_from_slice(list);
            }
            posting_starts.push(u32::try_from(postings.len()).unwrap_or(u32::MAX));
            let chars: Vec<char> = word.chars().collect();
            term_chars.push(u8::try_from(chars.len()).unwrap_or(u8::MAX));
            term_masks.push(char_mask(&chars));
            stem_of.push((stem(rules, word), t));
        }
        stem_of.sort_unstable();

        let mut stems: Vec<Box<str>> = Vec::new();
        let mut stem_starts = Vec::new();
        let mut stem_members = Vec::with_capacity(stem_of.len());
        let mut term_stems = vec![0u32; vocabulary.len()];
        for (s, t) in stem_of {
            if stems.last().map(|last| last.as_ref()) != Some(s.as_str()) {
                stem_starts.push(u32::try_from(stem_members.len()).unwrap_or(u32::MAX));
                stems.push(s.into_boxed_str());
            }
            if let Some(slot) = term_stems.get_mut(t as usize) {
                *slot = u32::try_from(stems.len().saturating_sub(1)).unwrap_or(u32::MAX);
            }
            stem_members.push(t);
        }
        stem_starts.push(u32::try_from(stem_members.len()).unwrap_or(u32::MAX));

        SearchIndex {
            rules,
            docs: stored,
            terms: vocabulary
                .into_iter()
                .map(|(w, _)| w.into_boxed_str())
                .collect(),
            term_chars,
            term_masks,
            term_stems,
            posting_starts,
            postings,
            stems,
            stem_starts,
            stem_members,
        }
    }

    /// At most `limit` hits, best first. Empty or whitespace query → no hits.
    ///
    /// Every word must match; when no article has them all, articles with some of them follow
    /// with lower scores, so a reader who typed one unknown word still sees something useful.
    /// The last word, unless followed by a space, is taken as still being typed and also matches
    /// longer words it begins. Small words ("the", "und", "les") are left out while other words
    /// remain, since nearly every article has them and their highlight is noise.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 || self.docs.is_empty() {
            return Vec::new();
        }
        let query_terms = self.parse_query(query);
        if query_terms.is_empty() {
            return Vec::new();
        }
        let n = self.docs.len();
        let nq = query_terms.len();
        // best[d * nq + q]: how well query word q matched article d.
        let mut best = vec![0f32; n * nq];
        let mut field_terms = vec![[0u8; 3]; n];
        let mut marks = vec![0u8; self.terms.len()];
        let mut matched = Vec::new();
        for ((term, q), bit) in query_terms.iter().zip(0usize..).zip(0u32..) {
            let bit = 1u8 << bit;
            self.matching_terms(term, &mut matched);
            for &(t, weight) in &matched {
                if let Some(m) = marks.get_mut(t as usize) {
                    *m |= bit;
                }
                for p in self.postings_of(t) {
                    let d = p.doc as usize;
                    let score = weight * field_score(p);
                    if let Some(slot) = best.get_mut(d * nq + q) {
                        if score > *slot {
                            *slot = score;
                        }
                    }
                    if let Some(f) = field_terms.get_mut(d) {
                        for (i, field) in [TITLE, SUMMARY, BODY].into_iter().enumerate() {
                            if p.fields & field != 0 {
                                if let Some(slot) = f.get_mut(i) {
                                    *slot |= bit;
                                }
                            }
                        }
                    }
                }
            }
        }

        let all = u8::MAX >> (8 - nq.min(8));
        let any = |f: &[u8; 3]| f.iter().fold(0u8, |acc, m| acc | m);
        let total = |d: usize| -> f32 { best.get(d * nq..d * nq + nq).unwrap_or(&[]).iter().sum() };
        let mut ranked: Vec<(f32, usize)> = field_terms
            .iter()
            .enumerate()
            .filter(|(_, f)| any(f) == all)
            .map(|(d, _)| (total(d), d))
            .collect();
        if ranked.is_empty() {
            ranked = field_terms
                .iter()
                .enumerate()
                .filter(|(_, f)| any(f) != 0)
                .map(|(d, f)| {
                    let share = any(f).count_ones() as f32 / nq as f32;
                    (total(d) * share * ANY_WORD_FACTOR, d)
                })
                .collect();
        }
        let order = |a: &(f32, usize), b: &(f32, usize)| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.doc_id(a.1).cmp(self.doc_id(b.1)))
                .then_with(|| a.1.cmp(&b.1))
        };
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit, order);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by(order);

        let matcher = Matcher::new(self, marks);
        ranked
            .into_iter()
            .filter_map(|(score, d)| {
                let doc = self.docs.get(d)?;
                let fields = field_terms.get(d).copied().unwrap_or_default();
                Some(Hit {
                    id: doc.id.clone(),
                    score,
                    title: highlight(&doc.title, &matcher),
                    snippet: snippet(doc, fields, &matcher),
                })
            })
            .collect()
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn doc_id(&self, d: usize) -> &str {
        self.docs.get(d).map_or("", |doc| doc.id.as_str())
    }

    fn postings_of(&self, t: u32) -> &[Posting] {
        let t = t as usize;
        let (Some(&start), Some(&end)) =
            (self.posting_starts.get(t), self.posting_starts.get(t + 1))
        else {
            return &[];
        };
        self.postings
            .get(start as usize..end as usize)
            .unwrap_or(&[])
    }

    fn stem_members_of(&self, s: usize) -> &[u32] {
        let (Some(&start), Some(&end)) = (self.stem_starts.get(s), self.stem_starts.get(s + 1))
        else {
            return &[];
        };
        self.stem_members
            .get(start as usize..end as usize)
            .unwrap_or(&[])
    }

    fn find_term(&self, folded: &str) -> Option<u32> {
        let t = self
            .terms
            .binary_search_by(|t| t.as_ref().cmp(folded))
            .ok()?;
        u32::try_from(t).ok()
    }

    /// The words of a query as they are matched: folded, capped, small words left out, the last
    /// one marked as still being typed.
    fn parse_query(&self, query: &str) -> Vec<QueryTerm> {
        let mut words: Vec<(String, bool)> = Vec::new();
        let mut buf = String::new();
        let mut cut_short = false;
        for (start, end) in word_spans(query) {
            if words.len() >= MAX_QUERY_WORDS {
                cut_short = true;
                break;
            }
            let Some(word) = query.get(start..end) else {
                continue;
            };
            if let Some(len) = fold_into(word, &mut buf) {
                if len > 0 {
                    words.push((buf.clone(), end == query.len()));
                }
            }
        }
        let typing = |at_end: bool| at_end && !cut_short;
        let kept: Vec<&(String, bool)> = words
            .iter()
            .filter(|(w, at_end)| typing(*at_end) || !is_small_word(self.rules, w))
            .collect();
        let kept = if kept.is_empty() {
            words.iter().collect()
        } else {
            kept
        };

        let mut terms: Vec<QueryTerm> = Vec::new();
        for (word, at_end) in kept {
            let prefix = typing(*at_end);
            if let Some(existing) = terms.iter_mut().find(|t| t.folded == *word) {
                existing.prefix |= prefix && existing.chars.len() >= MIN_PREFIX_CHARS;
                continue;
            }
            if terms.len() >= MAX_QUERY_TERMS {
                break;
            }
            let chars: Vec<char> = word.chars().collect();
            terms.push(QueryTerm {
                stem: stem(self.rules, word),
                prefix: prefix && chars.len() >= MIN_PREFIX_CHARS,
                mask: char_mask(&chars),
                max_typos: max_typos(chars.len()),
                folded: word.clone(),
                chars,
            });
        }
        terms
    }

    /// Every vocabulary term the query word matches, with how sure the match is; sorted by term,
    /// one entry per term (its best).
    ///
    /// Typos are guessed only for words the library does not know, in any form: a reader who
    /// typed "heat" means heat, not "heart" or "eat", and guessing anyway would let such neighbours
    /// satisfy the word and fill results and highlights with noise. Likewise a word being typed
    /// that begins known words ("travelli") is not a typo yet.
    fn matching_terms(&self, q: &QueryTerm, out: &mut Vec<(u32, f32)>) {
        out.clear();
        if let Some(t) = self.find_term(&q.folded) {
            out.push((t, EXACT));
        }
        if let Ok(s) = self
            .stems
            .binary_search_by(|s| s.as_ref().cmp(q.stem.as_str()))
        {
            out.extend(self.stem_members_of(s).iter().map(|&t| (t, STEM)));
        }
        if q.prefix {
            let start = self
                .terms
                .partition_point(|t| t.as_ref() < q.folded.as_str());
            let typed = q.chars.len() as f32;
            for ((term, &len), t) in self
                .terms
                .iter()
                .zip(&self.term_chars)
                .zip(0u32..)
                .skip(start)
            {
                if !term.starts_with(q.folded.as_str()) {
                    break;
                }
                let share = typed / f32::from(len.max(1));
                out.push((t, PREFIX_MIN + PREFIX_SPAN * share.min(1.0)));
            }
        }
        if q.max_typos > 0 && out.is_empty() {
            let k = q.max_typos;
            let mut decoded = ['\0'; MAX_TERM_CHARS];
            for (((term, &len), &mask), t) in self
                .terms
                .iter()
                .zip(&self.term_chars)
                .zip(&self.term_masks)
                .zip(0u32..)
            {
                // Each edit changes the length by at most one and the set of letters by at most
                // two, so these cheap checks skip almost every word before the edit distance.
                if usize::from(len) < MIN_TYPO_CHARS
                    || usize::from(len).abs_diff(q.chars.len()) > k
                    || ((mask ^ q.mask).count_ones() as usize) > 2 * k
                {
                    continue;
                }
                let mut used = 0;
                for (slot, c) in decoded.iter_mut().zip(term.chars()) {
                    *slot = c;
                    used += 1;
                }
                let Some(candidate) = decoded.get(..used) else {
                    continue;
                };
                let Some(distance) = bounded_distance(&q.chars, candidate, k) else {
                    continue;
                };
                if distance == 0 {
                    continue;
                }
                let weight = if distance == 1 { TYPO_1 } else { TYPO_2 };
                out.push((t, weight));
                let stem = self.term_stems.get(t as usize).copied().unwrap_or(u32::MAX);
                out.extend(
                    self.stem_members_of(stem as usize)
                        .iter()
                        .map(|&m| (m, weight * TYPO_OTHER_FORM)),
                );
            }
        }
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        out.dedup_by_key(|e| e.0);
    }
}

/// FNV-1a: much faster than the default SipHash for the short words of the build, where every
/// word of every article is looked up. Flooding protection is not needed: the articles come from
/// the portal's own content team.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// A query word, prepared for matching.
#[derive(Debug, Clone)]
struct QueryTerm {
    folded: String,
    chars: Vec<char>,
    stem: String,
    /// Still being typed: also matches words it begins.
    prefix: bool,
    mask: u64,
    max_typos: usize,
}

/// How many typos a query word of `chars` characters may have: short words have too many
/// neighbours ("side", "site", "wide") to guess at more.
fn max_typos(chars: usize) -> usize {
    match chars {
        0..MIN_TYPO_CHARS => 0,
        MIN_TYPO_CHARS..=7 => 1,
        _ => 2,
    }
}

/// The score of one word in one article by where it occurs.
fn field_score(p: &Posting) -> f32 {
    let mut best: f32 = 0.0;
    let mut fields = 0u8;
    for (bit, weight) in [
        (TITLE, TITLE_WEIGHT),
        (SUMMARY, SUMMARY_WEIGHT),
        (BODY, BODY_WEIGHT),
    ] {
        if p.fields & bit != 0 {
            best = best.max(weight);
            fields += 1;
        }
    }
    best + EXTRA_FIELD_BONUS * f32::from(fields.saturating_sub(1))
        + BODY_REPEAT_BONUS * f32::from(p.body_tf.min(BODY_REPEAT_CAP))
}

/// Tells, for a word of an article, which query words it matched: the vocabulary terms that
/// matched during the search, looked up again. Highlighting thus follows exactly the rules that
/// chose the article.
struct Matcher<'i> {
    index: &'i SearchIndex,
    /// Per vocabulary term: bits of the query words it matched.
    marks: Vec<u8>,
    /// Bit `n` set when some matched term has `n` chars, and which ASCII letters they start with:
    /// most words of a body are dismissed by these before any lookup.
    lengths: u64,
    firsts: u128,
    non_ascii_first: bool,
}

impl<'i> Matcher<'i> {
    fn new(index: &'i SearchIndex, marks: Vec<u8>) -> Matcher<'i> {
        let mut lengths = 0u64;
        let mut firsts = 0u128;
        let mut non_ascii_first = false;
        for ((term, &len), &mark) in index.terms.iter().zip(&index.term_chars).zip(&marks) {
            if mark == 0 {
                continue;
            }
            lengths |= 1u64.checked_shl(u32::from(len)).unwrap_or(0);
            match term.bytes().next() {
                Some(b) if b.is_ascii() => firsts |= 1u128 << b,
                _ => non_ascii_first = true,
            }
        }
        Matcher {
            index,
            marks,
            lengths,
            firsts,
            non_ascii_first,
        }
    }

    /// Query-word bits matched by one word of original text.
    fn mask(&self, word: &str, buf: &mut String) -> u8 {
        let Some(len) = fold_into(word, buf) else {
            return 0;
        };
        if self.lengths & 1u64.checked_shl(len as u32).unwrap_or(0) == 0 {
            return 0;
        }
        match buf.bytes().next() {
            Some(b) if b.is_ascii() => {
                if self.firsts & (1u128 << b) == 0 {
                    return 0;
                }
            }
            Some(_) if self.non_ascii_first => {}
            _ => return 0,
        }
        self.index
            .find_term(buf)
            .and_then(|t| self.marks.get(t as usize).copied())
            .unwrap_or(0)
    }
}

/// Appends segments to `out`, joining a run to the previous one when both are (un)matched.
fn push_segment(out: &mut Vec<Segment>, text: &str, matched: bool) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.matched == matched => last.text.push_str(text),
        _ => out.push(Segment {
            text: text.to_owned(),
            matched,
        }),
    }
}

/// The whole of `text` in runs; concatenated, they are `text` again.
fn highlight(text: &str, matcher: &Matcher<'_>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut done = 0;
    for (start, end) in word_spans(text) {
        let word = text.get(start..end).unwrap_or("");
        let matched = matcher.mask(word, &mut buf) != 0;
        push_segment(&mut out, text.get(done..start).unwrap_or(""), false);
        push_segment(&mut out, word, matched);
        done = end;
    }
    push_segment(&mut out, text.get(done..).unwrap_or(""), false);
    out
}

/// The excerpt that best explains why `doc` matched: the window of the summary or body with the
/// most query words not already visible in the title, then the most query words, preferring the
/// summary, which was written to be read on its own.
fn snippet(doc: &StoredDoc, fields: [u8; 3], matcher: &Matcher<'_>) -> Vec<Segment> {
    let [title_terms, summary_terms, body_terms] = fields;
    let quality = |mask: u8| ((mask & !title_terms).count_ones(), mask.count_ones());
    let mut chosen: Option<(&str, Window)> = None;
    if summary_terms != 0 {
        if let Some(w) = best_window(&doc.summary, summary_terms, title_terms, matcher) {
            chosen = Some((&doc.summary, w));
        }
    }
    let summary_covers_all = chosen.is_some_and(|(_, w)| w.mask & body_terms == body_terms);
    if body_terms != 0 && !summary_covers_all {
        if let Some(w) = best_window(&doc.body, body_terms, title_terms, matcher) {
            let better = chosen.is_none_or(|(_, c)| quality(w.mask) > quality(c.mask));
            if better {
                chosen = Some((&doc.body, w));
            }
        }
    }
    match chosen {
        Some((text, w)) => excerpt(text, w.start, w.end, matcher),
        None => Vec::new(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: usize,
    end: usize,
    mask: u8,
}

/// The stretch of `text` of at most [`SNIPPET_WINDOW_BYTES`] that holds the most query words.
/// Stops reading as soon as one stretch holds every word the field matched, so a long body is
/// usually read only up to its first good passage.
fn best_window(text: &str, target: u8, title_terms: u8, matcher: &Matcher<'_>) -> Option<Window> {
    let mut buf = String::new();
    let mut open: VecDeque<(usize, u8)> = VecDeque::new();
    let mut counts = [0u32; 8];
    let mut best: Option<(Window, (u32, u32))> = None;
    for (start, end) in word_spans(text) {
        let mask = matcher.mask(text.get(start..end).unwrap_or(""), &mut buf);
        if mask == 0 {
            continue;
        }
        open.push_back((start, mask));
        add_bits(&mut counts, mask, true);
        while let Some(&(first, first_mask)) = open.front() {
            if end.saturating_sub(first) <= SNIPPET_WINDOW_BYTES || open.len() == 1 {
                break;
            }
            open.pop_front();
            add_bits(&mut counts, first_mask, false);
        }
        let covered = counts
            .iter()
            .zip(0u32..)
            .filter(|(c, _)| **c > 0)
            .fold(0u8, |acc, (_, bit)| acc | (1u8 << bit));
        let quality = ((covered & !title_terms).count_ones(), covered.count_ones());
        if best.is_none_or(|(_, q)| quality > q) {
            let start = open.front().map_or(start, |&(s, _)| s);
            best = Some((
                Window {
                    start,
                    end,
                    mask: covered,
                },
                quality,
            ));
        }
        if covered & target == target {
            break;
        }
    }
    best.map(|(w, _)| w)
}

fn add_bits(counts: &mut [u32; 8], mask: u8, add: bool) {
    for (count, bit) in counts.iter_mut().zip(0u32..) {
        if mask & (1u8 << bit) != 0 {
            *count = if add {
                count.saturating_add(1)
            } else {
                count.saturating_sub(1)
            };
        }
    }
}

/// About [`SNIPPET_CHARS`] characters of `text` around `start..end`, cut between words, with
/// "…" where text was left out and runs of whitespace (line breaks of the body) made single
/// spaces.
fn excerpt(text: &str, start: usize, end: usize, matcher: &Matcher<'_>) -> Vec<Segment> {
    let span_chars = text.get(start..end).map_or(0, |s| s.chars().count());
    let budget = SNIPPET_CHARS.saturating_sub(span_chars);
    let lead = budget / 3;
    let (mut from, moved_back) = back_chars(text, start, lead);
    let (mut to, moved_on) = forward_chars(text, end, budget - lead + (lead - moved_back));
    if moved_on < budget - lead {
        from = back_chars(text, from, budget - lead - moved_on).0;
    }

    // Cut between words: at whitespace, never through the matched stretch.
    let before = text.get(..from).unwrap_or("");
    if from > 0 && !before.ends_with(char::is_whitespace) {
        from = match text
            .get(from..start)
            .and_then(|t| t.find(char::is_whitespace))
        {
            Some(i) => from + i,
            None => start,
        };
    }
    let rest = text.get(from..start).unwrap_or("");
    from = start - rest.trim_start().len();
    if to < text.len()
        && !text
            .get(to..)
            .unwrap_or("")
            .starts_with(char::is_whitespace)
    {
        to = match text.get(end..to).and_then(|t| t.rfind(char::is_whitespace)) {
            Some(i) => end + i,
            None => end,
        };
    }
    to = end + text.get(end..to).unwrap_or("").trim_end().len();

    let cut_before = !text.get(..from).unwrap_or("").trim().is_empty();
    let cut_after = !text.get(to..).unwrap_or("").trim().is_empty();
    let Some(part) = text.get(from..to) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if cut_before {
        push_segment(&mut out, ELLIPSIS, false);
    }
    let mut buf = String::new();
    let mut done = 0;
    for (s, e) in word_spans(part) {
        let word = part.get(s..e).unwrap_or("");
        let matched = matcher.mask(word, &mut buf) != 0;
        push_segment(
            &mut out,
            &collapse_whitespace(part.get(done..s).unwrap_or("")),
            false,
        );
        push_segment(&mut out, word, matched);
        done = e;
    }
    push_segment(
        &mut out,
        &collapse_whitespace(part.get(done..).unwrap_or("")),
        false,
    );
    if cut_after {
        push_segment(&mut out, ELLIPSIS, false);
    }
    out
}

/// Byte position `n` chars before `at` (or the start), and how many chars that was.
fn back_chars(text: &str, at: usize, n: usize) -> (usize, usize) {
    let mut pos = at;
    let mut moved = 0;
    for (i, _) in text.get(..at).unwrap_or("").char_indices().rev().take(n) {
        pos = i;
        moved += 1;
    }
    (pos, moved)
}

/// Byte position `n` chars after `at` (or the end), and how many chars that was.
fn forward_chars(text: &str, at: usize, n: usize) -> (usize, usize) {
    let mut pos = at;
    let mut moved = 0;
    for c in text.get(at..).unwrap_or("").chars().take(n) {
        pos += c.len_utf8();
        moved += 1;
    }
    (pos, moved)
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// Letters, digits, and the combining accents of decomposed text ("e" + U+0301), so "café"
/// typed either way is one word.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Byte ranges of the words of `text`.
fn word_spans(text: &str) -> WordSpans<'_> {
    WordSpans { text, at: 0 }
}

/// Reads bytes and decodes a char only where one is not ASCII: tokenising every body is most of
/// the cost of building the index and of snippets.
struct WordSpans<'a> {
    text: &'a str,
    at: usize,
}

impl WordSpans<'_> {
    /// Whether the char at `at` is part of a word, and its length in bytes.
    fn class_at(&self, at: usize) -> Option<(bool, usize)> {
        let byte = *self.text.as_bytes().get(at)?;
        if byte.is_ascii() {
            return Some((byte.is_ascii_alphanumeric(), 1));
        }
        let c = self.text.get(at..)?.chars().next()?;
        Some((is_word_char(c), c.len_utf8()))
    }
}

impl Iterator for WordSpans<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let mut start = None;
        while let Some((word, width)) = self.class_at(self.at) {
            if word {
                start.get_or_insert(self.at);
            } else if let Some(s) = start {
                return Some((s, self.at));
            }
            self.at += width;
        }
        // Past the end (or, never, stuck inside a char): stop for good.
        self.at = self.text.len();
        start.map(|s| (s, self.at))
    }
}

/// Writes the form `word` is matched by into `out`: lowercase, accents and umlauts folded.
/// Returns its length in chars, or `None` when longer than [`MAX_TERM_CHARS`] (or, as written,
/// twice that: accents folded away must not let a huge word through).
fn fold_into(word: &str, out: &mut String) -> Option<usize> {
    out.clear();
    if word.is_ascii() {
        if word.len() > MAX_TERM_CHARS {
            return None;
        }
        out.push_str(word);
        out.make_ascii_lowercase();
        return Some(word.len());
    }
    let mut len = 0;
    for (c, written) in word.chars().zip(1usize..) {
        if written > 2 * MAX_TERM_CHARS {
            return None;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            len += 1;
        } else {
            for lower in c.to_lowercase() {
                len += push_folded(lower, out);
            }
        }
        if len > MAX_TERM_CHARS {
            return None;
        }
    }
    Some(len)
}

/// A small table for the accents of the portal's languages and their neighbours; anything else
/// is kept as it is. Returns how many chars were written.
fn push_folded(c: char, out: &mut String) -> usize {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' => "s",
        'ß' => "ss",
        'ť' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        // Combining accents of decomposed text.
        '\u{300}'..='\u{36f}' => "",
        _ => {
            out.push(c);
            return 1;
        }
    };
    out.push_str(folded);
    folded.len()
}

/// Which characters a word contains, one bit per letter or digit (others share the rest), for a
/// cheap lower bound on the edit distance.
fn char_mask(chars: &[char]) -> u64 {
    chars.iter().fold(0u64, |mask, &c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            _ => 36 + c as u32 % 28,
        };
        mask | (1u64 << bit)
    })
}

/// Damerau-Levenshtein distance (optimal string alignment: a swap of neighbours is one edit)
/// when it is at most `k`, else `None`; gives up as soon as the distance must exceed `k`.
fn bounded_distance(a: &[char], b: &[char], k: usize) -> Option<usize> {
    const WIDTH: usize = MAX_TERM_CHARS + 1;
    if a.len() > MAX_TERM_CHARS || b.len() > MAX_TERM_CHARS || a.len().abs_diff(b.len()) > k {
        return None;
    }
    const FAR: u8 = u8::MAX / 2;
    let mut before = [FAR; WIDTH];
    let mut previous = [FAR; WIDTH];
    let mut current = [FAR; WIDTH];
    for (slot, j) in previous.iter_mut().zip(0u8..).take(b.len() + 1) {
        *slot = j;
    }
    let mut previous_min = 0usize;
    for ((i, &ca), row) in a.iter().enumerate().zip(1u8..) {
        if let Some(first) = current.first_mut() {
            *first = row;
        }
        let mut row_min = usize::from(row);
        for (j, &cb) in b.iter().enumerate() {
            let at = |r: &[u8; WIDTH], col: usize| r.get(col).copied().unwrap_or(FAR);
            let substitute = at(&previous, j) + u8::from(ca != cb);
            let delete = at(&previous, j + 1) + 1;
            let insert = at(&current, j) + 1;
            let mut value = substitute.min(delete).min(insert);
            if i > 0 && j > 0 && ca != cb && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca)
            {
                value = value.min(at(&before, j - 1) + 1);
            }
            let value = value.min(FAR);
            if let Some(slot) = current.get_mut(j + 1) {
                *slot = value;
            }
            row_min = row_min.min(usize::from(value));
        }
        // A row depends only on the two above it, so once two rows are past `k`, all are.
        if row_min > k && previous_min > k {
            return None;
        }
        previous_min = row_min;
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = usize::from(previous.get(b.len()).copied().unwrap_or(FAR));
    (distance <= k).then_some(distance)
}

/// Words so common in questions that requiring them would only hide articles: "how to store
/// an inhaler" is about storing inhalers. Compared after folding.
fn is_small_word(rules: Rules, word: &str) -> bool {
    match rules {
        Rules::English => matches!(
            word,
            "a" | "an"
                | "and"
                | "are"
                | "as"
                | "at"
                | "be"
                | "by"
                | "can"
                | "do"
                | "does"
                | "for"
                | "from"
                | "how"
                | "i"
                | "if"
                | "in"
                | "is"
                | "it"
                | "my"
                | "of"
                | "on"
                | "or"
                | "should"
                | "that"
                | "the"
                | "this"
                | "to"
                | "what"
                | "when"
                | "with"
                | "you"
                | "your"
        ),
        Rules::German => matches!(
            word,
            "am" | "an"
                | "auf"
                | "bei"
                | "das"
                | "dem"
                | "den"
                | "der"
                | "des"
                | "die"
                | "ein"
                | "eine"
                | "einem"
                | "einen"
                | "einer"
                | "fur"
                | "ich"
                | "im"
                | "in"
                | "ist"
                | "kann"
                | "mein"
                | "meine"
                | "mit"
                | "oder"
                | "sind"
                | "und"
                | "von"
                | "wann"
                | "was"
                | "wie"
                | "zu"
                | "zum"
                | "zur"
        ),
        Rules::French => matches!(
            word,
            "a" | "au"
                | "aux"
                | "avec"
                | "comment"
                | "d"
                | "dans"
                | "de"
                | "des"
                | "du"
                | "en"
                | "est"
                | "et"
                | "je"
                | "l"
                | "la"
                | "le"
                | "les"
                | "ma"
                | "mes"
                | "mon"
                | "ou"
                | "pour"
                | "qu"
                | "quand"
                | "que"
                | "sur"
                | "un"
                | "une"
        ),
        Rules::Spanish => matches!(
            word,
            "a" | "al"
                | "como"
                | "con"
                | "cuando"
                | "de"
                | "del"
                | "el"
                | "en"
                | "es"
                | "la"
                | "las"
                | "lo"
                | "los"
                | "mi"
                | "mis"
                | "o"
                | "para"
                | "por"
                | "que"
                | "se"
                | "un"
                | "una"
                | "unas"
                | "unos"
                | "y"
        ),
        Rules::Plain => false,
    }
}

/// The stem a folded word is matched by. Deliberately light: it only has to give the forms a
/// reader is likely to type the same stem as the forms an article uses; the stem itself is never
/// shown. A wrong merge costs a weak result, a missed merge costs a missing one, so the rules
/// merge only what they are sure of.
fn stem(rules: Rules, word: &str) -> String {
    let mut w = word.to_owned();
    match rules {
        Rules::English => stem_english(&mut w),
        Rules::German => stem_german(&mut w),
        Rules::French => stem_french(&mut w),
        Rules::Spanish => stem_spanish(&mut w),
        Rules::Plain => {}
    }
    w
}

/// Byte length of `w` without `suffix`, when what remains is still a usable stem.
fn cut(w: &str, suffix: &str) -> Option<usize> {
    let rest = w.strip_suffix(suffix)?;
    (rest.chars().count() >= MIN_STEM_CHARS).then_some(rest.len())
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Plurals and third person (-s, -es, -ies), -ed, -ing, -ly on long words, and a final -e, so
/// "take", "takes", "taking" all become "tak" and "allergy", "allergies" become "allergi".
fn stem_english(w: &mut String) {
    if w.ends_with("sses") || w.ends_with("ies") {
        if let Some(n) = cut(w, "es") {
            w.truncate(n);
        }
    } else if !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        if let Some(n) = cut(w, "s") {
            w.truncate(n);
        }
    }
    // "bleed", "need": the -ed there is no ending.
    if !w.ends_with("eed") {
        let rest = cut(w, "ed").or_else(|| cut(w, "ing"));
        if let Some(n) = rest.filter(|&n| w.get(..n).is_some_and(|r| r.contains(is_vowel))) {
            w.truncate(n);
            // "stopped" → "stop", "running" → "run"; but "falling", "missing", "added" keep theirs.
            let mut tail = w.chars().rev();
            if let (Some(last), Some(before)) = (tail.next(), tail.next()) {
                if last == before
                    && !is_vowel(last)
                    && !matches!(last, 'l' | 's' | 'z')
                    && last.is_ascii_alphabetic()
                {
                    if let Some(n) = cut(w, last.encode_utf8(&mut [0; 4])) {
                        w.truncate(n);
                    }
                }
            }
        }
    }
    if let Some(rest) = w.strip_suffix("ly") {
        if rest.chars().count() >= 5 {
            w.truncate(rest.len());
        }
    }
    // "try", "tried", "tries" → "tri"; "day" stays.
    if w.chars().count() >= MIN_STEM_CHARS {
        if let Some(rest) = w.strip_suffix('y') {
            if rest.chars().last().is_some_and(|c| !is_vowel(c)) {
                w.truncate(rest.len());
                w.push('i');
            }
        }
    }
    if let Some(n) = cut(w, "e") {
        w.truncate(n);
    }
}

/// Case and plural endings in two light steps (after the Snowball German stemmer's first two),
/// so "Medikament", "Medikamente", "Medikamenten", "Medikaments" meet, as do "Kinder" and
/// "Kindern", "Erwachsene" and "Erwachsenen".
fn stem_german(w: &mut String) {
    if let Some(n) = ["ern", "em", "en", "er", "es", "e"]
        .into_iter()
        .find_map(|s| cut(w, s))
    {
        w.truncate(n);
    } else if let Some(n) = cut(w, "s") {
        // Only after letters a genitive or plural -s follows: "Blutdrucks", but not "Haus".
        let valid = w.get(..n).and_then(|r| r.chars().last()).is_some_and(|c| {
            matches!(
                c,
                'b' | 'd' | 'f' | 'g' | 'h' | 'k' | 'l' | 'm' | 'n' | 'r' | 't'
            )
        });
        if valid {
            w.truncate(n);
        }
    }
    if let Some(n) = ["en", "er"].into_iter().find_map(|s| cut(w, s)) {
        w.truncate(n);
    }
}

/// Plurals (-s, -x, -aux → -al) and the mute feminine -e, so "effets" meets "effet" and
/// "conservées" meets "conservé".
fn stem_french(w: &mut String) {
    let aux = w
        .strip_suffix("aux")
        .filter(|rest| !rest.ends_with('e') && rest.chars().count() >= 2)
        .map(str::len);
    if let Some(n) = aux {
        w.truncate(n);
        w.push_str("al");
    } else if let Some(n) = cut(w, "x") {
        w.truncate(n);
    } else if !w.ends_with("ss") {
        if let Some(n) = cut(w, "s") {
            w.truncate(n);
        }
    }
    while let Some(n) = cut(w, "e") {
        w.truncate(n);
    }
}

/// Plurals (-s, -es after a consonant, -ces → -z) and the gender vowel, so "medicamentos" meets
/// "medicamento", "presiones" meets "presión" and "alta" meets "alto".
fn stem_spanish(w: &mut String) {
    let ces = w
        .strip_suffix("ces")
        .filter(|rest| rest.chars().count() >= 2)
        .map(str::len);
    if let Some(n) = ces {
        w.truncate(n);
        w.push('z');
    } else if let Some(n) = cut(w, "es").filter(|&n| {
        w.get(..n)
            .and_then(|r| r.chars().last())
            .is_some_and(|c| c.is_alphabetic() && !is_vowel(c))
    }) {
        w.truncate(n);
    } else if let Some(n) = cut(w, "s") {
        w.truncate(n);
    }
    if let Some(n) = ["a", "e", "o"].into_iter().find_map(|s| cut(w, s)) {
        w.truncate(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc<'a>(id: &'a str, title: &'a str, summary: &'a str, body: &'a str) -> SearchDoc<'a> {
        SearchDoc {
            id,
            title,
            summary,
            body,
        }
    }

    fn english() -> SearchIndex {
        SearchIndex::build(
            "en",
            &[
                doc(
                    "inhaler",
                    "Using your inhaler",
                    "How to use an inhaler so the medicine reaches your lungs.",
                    "Shake the inhaler before each puff. Breathe out, then breathe in slowly.",
                ),
                doc(
                    "side-effects",
                    "Side effects of common medicines",
                    "What to do when a medicine makes you feel unwell.",
                    "Every medicine can have a side effect. Tell your doctor about any side effect.",
                ),
                doc(
                    "diabetes",
                    "Living with diabetes",
                    "Everyday tips on food, activity and tablets.",
                    "Check your blood sugar regularly. Keep glucose tablets with you.",
                ),
                doc(
                    "blood-pressure",
                    "High blood pressure",
                    "Why blood pressure matters.",
                    "Taking your tablets at the same time each day helps to control pressure.",
                ),
                doc(
                    "storage",
                    "Storing medicines at home",
                    "Keep medicines cool and dry.",
                    "Do not store your inhaler in a hot car. Heat can damage tablets.",
                ),
            ],
        )
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.id.as_str()).collect()
    }

    fn joined(segments: &[Segment]) -> String {
        segments.iter().map(|s| s.text.as_str()).collect()
    }

    fn marked(segments: &[Segment]) -> Vec<&str> {
        segments
            .iter()
            .filter(|s| s.matched)
            .map(|s| s.text.as_str())
            .collect()
    }

    #[test]
    fn empty_and_whitespace_queries_find_nothing() {
        let index = english();
        assert!(index.search("", 10).is_empty());
        assert!(index.search("   \n\t ", 10).is_empty());
        assert!(index.search("?!-", 10).is_empty());
        assert!(index.search("inhaler", 0).is_empty());
        let empty = SearchIndex::build("en", &[]);
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
        assert!(empty.search("inhaler", 10).is_empty());
        assert_eq!(index.len(), 5);
        assert!(!index.is_empty());
    }

    #[test]
    fn typos_are_forgiven() {
        let index = english();
        assert_eq!(ids(&index.search("inhlaer ", 10))[0], "inhaler");
        assert_eq!(ids(&index.search("diabtes ", 10))[0], "diabetes");
        assert_eq!(ids(&index.search("diabetis", 10))[0], "diabetes");
        assert_eq!(ids(&index.search("preassure ", 10))[0], "blood-pressure");
        assert_eq!(ids(&index.search("blood presure", 10))[0], "blood-pressure");
        // Short words get no typo allowance: "dya" is not "day".
        assert!(index.search("dya ", 10).is_empty());
        assert!(!index.search("day ", 10).is_empty());
    }

    #[test]
    fn typo_highlights_the_word_in_the_article() {
        let hits = english().search("inhlaer ", 10);
        assert_eq!(marked(&hits[0].title), vec!["inhaler"]);
    }

    #[test]
    fn typos_are_guessed_only_for_unknown_words() {
        let index = SearchIndex::build(
            "en",
            &[
                doc("heat", "Heat and medicines", "", ""),
                doc("heart", "Heart health", "", ""),
                doc("eat", "What to eat", "", "Eating well."),
                doc("take", "When to take it", "", ""),
                doc("taking", "Tablets", "", "Taking tablets with food."),
            ],
        );
        // "heat" is a word the library knows: its neighbours are not guesses.
        assert_eq!(ids(&index.search("heat ", 10)), vec!["heat"]);
        // "haet" is not: it may be "heat" (a swap), never the three-letter "eat".
        assert_eq!(ids(&index.search("haet ", 10)), vec!["heat"]);
        // A typo finds the word ("taking"), and the word's other forms ("take").
        assert_eq!(ids(&index.search("takng ", 10)), vec!["take", "taking"]);
    }

    #[test]
    fn distance_counts_swaps_as_one_edit() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(bounded_distance(&c("inhlaer"), &c("inhaler"), 1), Some(1));
        assert_eq!(
            bounded_distance(&c("preassure"), &c("pressure"), 2),
            Some(1)
        );
        assert_eq!(bounded_distance(&c("kitten"), &c("sitting"), 3), Some(3));
        assert_eq!(bounded_distance(&c("kitten"), &c("sitting"), 2), None);
        assert_eq!(bounded_distance(&c("abc"), &c("abc"), 0), Some(0));
        assert_eq!(bounded_distance(&c("ca"), &c("abc"), 3), Some(3));
        assert_eq!(bounded_distance(&c(""), &c("ab"), 2), Some(2));
        assert_eq!(bounded_distance(&c("abcdefgh"), &c("zzzzzzzz"), 2), None);
    }

    #[test]
    fn english_word_endings_meet() {
        let s = |w: &str| stem(Rules::English, w);
        assert_eq!(s("inhalers"), "inhaler");
        assert_eq!(s("effects"), s("effect"));
        assert_eq!(s("taking"), "tak");
        assert_eq!(s("take"), "tak");
        assert_eq!(s("takes"), "tak");
        assert_eq!(s("allergies"), s("allergy"));
        assert_eq!(s("tried"), s("try"));
        assert_eq!(s("stopped"), "stop");
        assert_eq!(s("storing"), s("stored"));
        assert_eq!(s("storing"), s("store"));
        assert_eq!(s("glasses"), "glass");
        assert_eq!(s("bleeding"), "bleed");
        assert_eq!(s("bleed"), "bleed");
        assert_eq!(s("falling"), "fall");
        assert_eq!(s("added"), "add");
        assert_eq!(s("regularly"), "regular");
        // Short words are left alone.
        assert_eq!(s("gas"), "gas");
        assert_eq!(s("use"), "use");
        assert_eq!(s("string"), "string");
        assert_eq!(s("virus"), "virus");
    }

    #[test]
    fn side_effects_finds_side_effect_and_taking_finds_take() {
        let index = SearchIndex::build(
            "en",
            &[
                doc("a", "Rash", "", "A common side effect is a rash."),
                doc(
                    "b",
                    "When to take it",
                    "",
                    "Take one tablet in the morning.",
                ),
                doc("c", "Other", "", "Nothing relevant here."),
            ],
        );
        let hits = index.search("side effects ", 10);
        assert_eq!(ids(&hits), vec!["a"]);
        assert_eq!(marked(&hits[0].snippet), vec!["side", "effect"]);
        assert_eq!(ids(&index.search("taking ", 10)), vec!["b"]);
        let back = SearchIndex::build("en", &[doc("x", "Taking tablets", "", "")]);
        assert_eq!(ids(&back.search("take", 10)), vec!["x"]);
    }

    #[test]
    fn exact_ranks_above_other_forms() {
        let index = SearchIndex::build(
            "en",
            &[doc("a", "Inhalers", "", ""), doc("b", "Inhaler", "", "")],
        );
        assert_eq!(ids(&index.search("inhaler ", 10)), vec!["b", "a"]);
    }

    #[test]
    fn german_word_endings_meet() {
        let s = |w: &str| stem(Rules::German, w);
        assert_eq!(s("medikamente"), "medikament");
        assert_eq!(s("medikamenten"), "medikament");
        assert_eq!(s("medikaments"), "medikament");
        assert_eq!(s("medikament"), "medikament");
        assert_eq!(s("blutdrucks"), "blutdruck");
        assert_eq!(s("kindern"), s("kinder"));
        assert_eq!(s("erwachsenen"), s("erwachsene"));
        assert_eq!(s("haus"), "haus");
        assert_eq!(s("insulin"), "insulin");

        let index = SearchIndex::build(
            "de",
            &[
                doc(
                    "bd",
                    "Hoher Blutdruck",
                    "Warum der Wert des Blutdrucks zählt.",
                    "Nehmen Sie Ihre Medikamente jeden Tag.",
                ),
                doc("mess", "Blutdruckmessung zu Hause", "", "Richtig messen."),
                doc("ub", "Übelkeit", "Was gegen Übelkeit hilft.", ""),
            ],
        );
        assert_eq!(ids(&index.search("Medikament ", 10)), vec!["bd"]);
        assert_eq!(ids(&index.search("Blutdruck ", 10)), vec!["bd"]);
        // While typing, compounds that begin with the word are found too.
        assert_eq!(ids(&index.search("Blutdruck", 10)), vec!["bd", "mess"]);
        let hits = index.search("wie messe ich den Blutdruck", 10);
        assert_eq!(ids(&hits), vec!["mess"]);
    }

    #[test]
    fn french_and_spanish_plurals_meet() {
        let fr = |w: &str| stem(Rules::French, w);
        assert_eq!(fr("effets"), fr("effet"));
        assert_eq!(fr("medicaments"), "medicament");
        assert_eq!(fr("animaux"), "animal");
        assert_eq!(fr("conservees"), fr("conserve"));
        let es = |w: &str| stem(Rules::Spanish, w);
        assert_eq!(es("medicamentos"), es("medicamento"));
        assert_eq!(es("presiones"), es("presion"));
        assert_eq!(es("dolores"), "dolor");
        assert_eq!(es("veces"), "vez");
        assert_eq!(es("alta"), es("alto"));

        let index = SearchIndex::build("fr", &[doc("fr", "Les effets indésirables", "", "")]);
        let hits = index.search("effet indesirable ", 10);
        assert_eq!(ids(&hits), vec!["fr"]);
        assert_eq!(marked(&hits[0].title), vec!["effets", "indésirables"]);
    }

    #[test]
    fn the_word_being_typed_matches_as_a_prefix() {
        let index = english();
        assert_eq!(ids(&index.search("inha", 10))[..2], ["inhaler", "storage"]);
        assert_eq!(marked(&index.search("inha", 10)[0].title), vec!["inhaler"]);
        // Once followed by a space, the word is finished.
        assert!(index.search("inha ", 10).is_empty());
        // Only the last word is being typed.
        assert!(index
            .search("inha tablets", 10)
            .iter()
            .all(|h| h.score < 1.0));
        // A single letter is not yet a prefix.
        assert!(index.search("x", 10).is_empty());
        assert_eq!(ids(&index.search("blood pres", 10)), vec!["blood-pressure"]);
    }

    #[test]
    fn typing_a_second_word_narrows_and_highlights_both() {
        let index = english();
        let hits = index.search("side eff", 10);
        assert_eq!(ids(&hits), vec!["side-effects"]);
        assert_eq!(marked(&hits[0].title), vec!["Side", "effects"]);
        assert_eq!(marked(&hits[0].snippet)[..2], ["side", "effect"]);
        // Halfway through the second word, nothing has it yet: the first word still finds.
        let hits = index.search("side e", 10);
        assert_eq!(ids(&hits), vec!["side-effects"]);
        assert_eq!(marked(&hits[0].title), vec!["Side"]);
    }

    #[test]
    fn accents_do_not_matter_but_highlights_keep_them() {
        let index = SearchIndex::build(
            "de",
            &[
                doc("ub", "Übelkeit und Erbrechen", "", ""),
                doc("gr", "Größe", "", ""),
            ],
        );
        let hits = index.search("Ubelkeit", 10);
        assert_eq!(ids(&hits), vec!["ub"]);
        assert_eq!(marked(&hits[0].title), vec!["Übelkeit"]);
        assert_eq!(ids(&index.search("GROSSE", 10)), vec!["gr"]);
        // Decomposed accents ("U" + combining diaeresis) are the same word.
        assert_eq!(ids(&index.search("U\u{308}belkeit", 10)), vec!["ub"]);
    }

    #[test]
    fn all_words_must_match_else_any_word_counts_less() {
        let index = english();
        let both = index.search("inhaler heat", 10);
        assert_eq!(ids(&both), vec!["storage"]);
        let full_score = both[0].score;

        // No article has both: each word alone still finds its articles, scored lower.
        let either = index.search("glucose lungs", 10);
        let mut found = ids(&either);
        found.sort_unstable();
        assert_eq!(found, vec!["diabetes", "inhaler"]);
        assert!(either.iter().all(|h| h.score < full_score));

        // An article with more of the words ranks first.
        let most = index.search("inhaler heat zebra", 10);
        assert_eq!(ids(&most)[0], "storage");

        assert!(index.search("zebra giraffe", 10).is_empty());

        // Each result highlights the words it has.
        let lungs = either
            .iter()
            .find(|h| h.id == "inhaler")
            .map(|h| marked(&h.snippet));
        assert_eq!(lungs, Some(vec!["lungs"]));
    }

    #[test]
    fn small_words_are_not_required() {
        let index = english();
        assert_eq!(
            ids(&index.search("how to store an inhaler in the car", 10)),
            vec!["storage"]
        );
        // Alone, they are all there is to search for.
        assert!(!index.search("the ", 10).is_empty());
    }

    #[test]
    fn title_segments_rebuild_the_title_exactly() {
        let index = english();
        let hits = index.search("side effect", 10);
        assert_eq!(hits[0].id, "side-effects");
        assert_eq!(
            hits[0].title,
            vec![
                Segment {
                    text: "Side".into(),
                    matched: true
                },
                Segment {
                    text: " ".into(),
                    matched: false
                },
                Segment {
                    text: "effects".into(),
                    matched: true
                },
                Segment {
                    text: " of common medicines".into(),
                    matched: false
                },
            ]
        );
        assert_eq!(joined(&hits[0].title), "Side effects of common medicines");
    }

    #[test]
    fn snippets_show_the_match_and_mark_cuts() {
        let long = format!(
            "{}The tablets should be kept away from heat and light. {}",
            "Some words before the match that go on for a while. ".repeat(8),
            "More words after the match that also go on and on. ".repeat(8),
        );
        let index = SearchIndex::build("en", &[doc("t", "Storage", "Short summary here.", &long)]);
        let hits = index.search("heat", 10);
        let snippet = joined(&hits[0].snippet);
        assert!(snippet.starts_with(ELLIPSIS), "{snippet}");
        assert!(snippet.ends_with(ELLIPSIS), "{snippet}");
        assert!(snippet.contains("away from heat and light"), "{snippet}");
        assert_eq!(marked(&hits[0].snippet), vec!["heat"]);
        let chars = snippet.chars().count();
        assert!((100..=SNIPPET_CHARS + 2).contains(&chars), "{chars}");
        // Cut between words: each end is a whole word next to the ellipsis.
        let inner = snippet
            .trim_start_matches(ELLIPSIS)
            .trim_end_matches(ELLIPSIS);
        assert!(long.contains(inner), "{inner}");
        assert!(long.contains(&format!(" {inner} ")), "{inner}");
    }

    #[test]
    fn short_summaries_are_shown_whole_and_title_only_matches_have_no_snippet() {
        let index = english();
        let hits = index.search("lungs", 10);
        assert_eq!(
            joined(&hits[0].snippet),
            "How to use an inhaler so the medicine reaches your lungs."
        );
        let title_only = index.search("living", 10);
        assert_eq!(ids(&title_only), vec!["diabetes"]);
        assert!(title_only[0].snippet.is_empty());
    }

    #[test]
    fn snippet_prefers_words_the_title_does_not_show() {
        let index = SearchIndex::build(
            "en",
            &[doc(
                "i",
                "Inhaler basics",
                "An inhaler delivers medicine.",
                "Never leave an inhaler near heat.",
            )],
        );
        let hits = index.search("inhaler heat", 10);
        assert_eq!(marked(&hits[0].snippet), vec!["inhaler", "heat"]);
    }

    #[test]
    fn title_matches_rank_above_body_matches() {
        let index = SearchIndex::build(
            "en",
            &[
                doc("a-body", "Travel", "", "Take your inhaler on holiday."),
                doc("b-summary", "Asthma", "Your inhaler and you.", ""),
                doc("c-title", "Inhaler care", "", ""),
            ],
        );
        assert_eq!(
            ids(&index.search("inhaler", 10)),
            vec!["c-title", "b-summary", "a-body"]
        );
    }

    #[test]
    fn ties_are_broken_by_id() {
        let index = SearchIndex::build(
            "en",
            &[
                doc("b", "Inhaler", "", ""),
                doc("c", "Inhaler", "", ""),
                doc("a", "Inhaler", "", ""),
            ],
        );
        assert_eq!(ids(&index.search("inhaler", 10)), vec!["a", "b", "c"]);
        assert_eq!(ids(&index.search("inhaler", 2)), vec!["a", "b"]);
    }

    #[test]
    fn huge_queries_are_capped() {
        let index = english();
        let query = "inhaler ".repeat(2_000);
        assert_eq!(ids(&index.search(&query, 10))[0], "inhaler");
        let long_word = "a".repeat(10_000);
        assert!(index.search(&long_word, 10).is_empty());
        let many = "inhaler heat car hot damage tablets store your one two three";
        let parsed = index.parse_query(many);
        assert_eq!(parsed.len(), MAX_QUERY_TERMS);
        assert!(!index.search(many, 10).is_empty());
    }

    #[test]
    fn unknown_languages_still_search() {
        let index = SearchIndex::build("pt-BR", &[doc("p", "Efeitos colaterais", "", "")]);
        assert_eq!(ids(&index.search("efeitos", 10)), vec!["p"]);
        assert_eq!(ids(&index.search("efeito", 10)), vec!["p"]);
        assert!(format!("{index:?}").contains("docs: 1"));
    }

    fn words() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("inhaler".to_owned()),
                Just("Übelkeit".to_owned()),
                Just("side".to_owned()),
                Just("effects".to_owned()),
                "[a-zA-Zäöüß]{1,12}",
                ".{0,12}",
            ],
            0..40,
        )
        .prop_map(|w| w.join(" "))
    }

    proptest! {
        #[test]
        fn searching_never_panics_and_titles_survive(
            titles in prop::collection::vec(".{0,60}", 0..6),
            bodies in prop::collection::vec(words(), 0..6),
            query in prop_oneof![".{0,80}", words()],
            limit in 0usize..8,
        ) {
            let empty = String::new();
            let docs: Vec<SearchDoc<'_>> = titles
                .iter()
                .zip(bodies.iter().chain(std::iter::repeat(&empty)))
                .enumerate()
                .map(|(i, (title, body))| SearchDoc {
                    id: ["a", "b", "c", "d", "e", "f"].get(i).copied().unwrap_or("z"),
                    title,
                    summary: body.get(..body.len() / 2).unwrap_or(""),
                    body,
                })
                .collect();
            for language in ["en", "de", "fr", "es", "xx"] {
                let index = SearchIndex::build(language, &docs);
                let hits = index.search(&query, limit);
                prop_assert!(hits.len() <= limit);
                for pair in hits.windows(2) {
                    prop_assert!(pair[0].score >= pair[1].score);
                }
                for hit in &hits {
                    let title = docs.iter().find(|d| d.id == hit.id).map(|d| d.title);
                    let rebuilt = joined(&hit.title);
                    prop_assert_eq!(Some(rebuilt.as_str()), title);
                    prop_assert!(hit.title.iter().chain(&hit.snippet).all(|s| !s.text.is_empty()));
                    // About two lines: the window plus at most one very long word.
                    let snippet_chars = joined(&hit.snippet).chars().count();
                    prop_assert!(snippet_chars <= SNIPPET_CHARS + 2 * MAX_TERM_CHARS + 2);
                }
            }
        }

        #[test]
        fn folding_and_stemming_never_panic(word in ".{0,50}") {
            let mut buf = String::new();
            if let Some(len) = fold_into(&word, &mut buf) {
                prop_assert_eq!(len, buf.chars().count());
                for rules in [Rules::English, Rules::German, Rules::French, Rules::Spanish, Rules::Plain] {
                    let s = stem(rules, &buf);
                    prop_assert!(s.chars().count() <= len.max(1) + 1);
                }
            }
        }
    }
}
