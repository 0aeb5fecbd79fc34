//! Text columns → features: TF-IDF or feature hashing over word or character n-grams.
//!
//! The analyzer follows scikit-learn's `CountVectorizer` so that the features match its
//! `TfidfVectorizer` / `HashingVectorizer` (tested to 1e-9 against `tests/reference/tfidf.json`,
//! written by `scripts/text_reference.py`):
//!
//! - **preprocess**: lowercase (if [`TextOptions::lowercase`]);
//! - [`Analyzer::Word`]: tokens are runs of two or more Unicode alphanumerics or `_` (the
//!   pattern `(?u)\b\w\w+\b`); [`TextOptions::english_stop_words`] drops scikit-learn's English
//!   stop words ([`ENGLISH_STOP_WORDS`]); then n-grams of consecutive tokens joined by a space;
//! - [`Analyzer::Char`]: runs of two or more whitespace characters become one space, then every
//!   character n-gram of the text;
//! - [`Analyzer::CharWb`]: character n-grams inside each whitespace-separated word padded with a
//!   space on both sides (a word shorter than `n` gives one n-gram, itself padded).
//!
//! **TF-IDF** ([`TextVectorizer::Tfidf`]), with `n` documents and `df(t)` the number of documents
//! containing term `t`: `idf(t) = ln((1 + n) / (1 + df(t))) + 1` (smooth idf),
//! `tf = count` or, with [`TextOptions::sublinear_tf`], `1 + ln(count)`; each row `tf · idf` is
//! divided by its Euclidean norm (an empty row stays 0). The vocabulary is capped at
//! [`TextOptions::max_features`] terms by document frequency (ties: the term that sorts first
//! wins; scikit-learn ranks by total count instead), then sorted, so column `j` is the `j`-th
//! term in code point order. Reference: Salton & Buckley (1988), *Term-weighting approaches in
//! automatic text retrieval*, Information Processing & Management 24(5).
//!
//! **Hashing** ([`TextVectorizer::Hashing`]): each term goes to column `|h| mod n_features` with
//! sign `+1` if `h ≥ 0` else `−1`, where `h` is the signed 32-bit MurmurHash3 (x86, seed 0) of
//! its UTF-8 bytes; the row of signed counts (or `1 + ln(count)` per term with `sublinear_tf`)
//! is l2-normalised. No vocabulary is kept. Reference: Weinberger et al. (2009), *Feature hashing
//! for large scale multitask learning*, ICML.

use super::schema::FixedMap;
use super::DataError;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// scikit-learn's English stop words (`sklearn.feature_extraction.text.ENGLISH_STOP_WORDS`,
/// 318 words, sorted), from the Glasgow Information Retrieval Group's list.
#[rustfmt::skip]
pub const ENGLISH_STOP_WORDS: [&str; 318] = [
    "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost",
    "alone", "along", "already", "also", "although", "always", "am", "among", "amongst",
    "amoungst", "amount", "an", "and", "another", "any", "anyhow", "anyone", "anything", "anyway",
    "anywhere", "are", "around", "as", "at", "back", "be", "became", "because", "become",
    "becomes", "becoming", "been", "before", "beforehand", "behind", "being", "below", "beside",
    "besides", "between", "beyond", "bill", "both", "bottom", "but", "by", "call", "can",
    "cannot", "cant", "co", "con", "could", "couldnt", "cry", "de", "describe", "detail", "do",
    "done", "down", "due", "during", "each", "eg", "eight", "either", "eleven", "else",
    "elsewhere", "empty", "enough", "etc", "even", "ever", "every", "everyone", "everything",
    "everywhere", "except", "few", "fifteen", "fifty", "fill", "find", "fire", "first", "five",
    "for", "former", "formerly", "forty", "found", "four", "from", "front", "full", "further",
    "get", "give", "go", "had", "has", "hasnt", "have", "he", "hence", "her", "here", "hereafter",
    "hereby", "herein", "hereupon", "hers", "herself", "him", "himself", "his", "how", "however",
    "hundred", "i", "ie", "if", "in", "inc", "indeed", "interest", "into", "is", "it", "its",
    "itself", "keep", "last", "latter", "latterly", "least", "less", "ltd", "made", "many", "may",
    "me", "meanwhile", "might", "mill", "mine", "more", "moreover", "most", "mostly", "move",
    "much", "must", "my", "myself", "name", "namely", "neither", "never", "nevertheless", "next",
    "nine", "no", "nobody", "none", "noone", "nor", "not", "nothing", "now", "nowhere", "of",
    "off", "often", "on", "once", "one", "only", "onto", "or", "other", "others", "otherwise",
    "our", "ours", "ourselves", "out", "over", "own", "part", "per", "perhaps", "please", "put",
    "rather", "re", "same", "see", "seem", "seemed", "seeming", "seems", "serious", "several",
    "she", "should", "show", "side", "since", "sincere", "six", "sixty", "so", "some", "somehow",
    "someone", "something", "sometime", "sometimes", "somewhere", "still", "such", "system",
    "take", "ten", "than", "that", "the", "their", "them", "themselves", "then", "thence",
    "there", "thereafter", "thereby", "therefore", "therein", "thereupon", "these", "they",
    "thick", "thin", "third", "this", "those", "though", "three", "through", "throughout", "thru",
    "thus", "to", "together", "too", "top", "toward", "towards", "twelve", "twenty", "two", "un",
    "under", "until", "up", "upon", "us", "very", "via", "was", "we", "well", "were", "what",
    "whatever", "when", "whence", "whenever", "where", "whereafter", "whereas", "whereby",
    "wherein", "whereupon", "wherever", "whether", "which", "while", "whither", "who", "whoever",
    "whole", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you",
    "your", "yours", "yourself", "yourselves",
];

/// The longest n-gram [`TextOptions::ngram_range`] may ask for.
pub const MAX_NGRAM: usize = 8;

/// The largest [`TextVectorizer::Hashing`] dimension.
pub const MAX_HASH_FEATURES: usize = 1 << 20;

/// Which features a text column becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextVectorizer {
    /// One column per vocabulary term, TF-IDF weighted (see the module docs).
    Tfidf,
    /// A fixed number of columns, terms hashed into them with a sign (see the module docs).
    Hashing {
        /// The number of columns (1 ..= [`MAX_HASH_FEATURES`]).
        n_features: usize,
    },
}

/// What a term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Analyzer {
    /// Word n-grams (scikit-learn's `analyzer="word"`).
    Word,
    /// Character n-grams over the whole text (`analyzer="char"`).
    Char,
    /// Character n-grams within space-padded words (`analyzer="char_wb"`).
    CharWb,
}

/// How a text column becomes features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextOptions {
    /// TF-IDF (default) or hashing.
    pub vectorizer: TextVectorizer,
    /// Word (default) or character n-grams.
    pub analyzer: Analyzer,
    /// The smallest and largest n of the n-grams, `1 ≤ min ≤ max ≤` [`MAX_NGRAM`] (default `(1, 1)`).
    pub ngram_range: (usize, usize),
    /// Lowercase the text first (default `true`).
    pub lowercase: bool,
    /// Drop [`ENGLISH_STOP_WORDS`] (word analyzer only; default `false`).
    pub english_stop_words: bool,
    /// `1 + ln(count)` instead of `count` (default `true`: long texts do not swamp short ones).
    pub sublinear_tf: bool,
    /// Keep at most this many terms, by document frequency (TF-IDF only; default 1000, since the
    /// features are stored densely; `None` keeps them all).
    pub max_features: Option<usize>,
}

impl Default for TextOptions {
    fn default() -> Self {
        Self {
            vectorizer: TextVectorizer::Tfidf,
            analyzer: Analyzer::Word,
            ngram_range: (1, 1),
            lowercase: true,
            english_stop_words: false,
            sublinear_tf: true,
            max_features: Some(1000),
        }
    }
}

impl TextOptions {
    /// Refuse options out of range, naming the option and the rule.
    ///
    /// ```
    /// use engine::data::text::TextOptions;
    /// let bad = TextOptions { ngram_range: (2, 1), ..TextOptions::default() };
    /// assert_eq!(
    ///     bad.check().unwrap_err().to_string(),
    ///     "ngram_range = (2, 1) is not allowed: it needs 1 ≤ min ≤ max ≤ 8"
    /// );
    /// ```
    pub fn check(&self) -> Result<(), DataError> {
        let (lo, hi) = self.ngram_range;
        if lo < 1 || lo > hi || hi > MAX_NGRAM {
            return Err(DataError::BadOption {
                option: "ngram_range".into(),
                value: format!("({lo}, {hi})"),
                rule: format!("it needs 1 ≤ min ≤ max ≤ {MAX_NGRAM}"),
            });
        }
        if self.max_features == Some(0) {
            return Err(DataError::BadOption {
                option: "max_features".into(),
                value: "0".into(),
                rule: "keep at least 1 term, or None for all".into(),
            });
        }
        if let TextVectorizer::Hashing { n_features } = self.vectorizer {
            if !(1..=MAX_HASH_FEATURES).contains(&n_features) {
                return Err(DataError::BadOption {
                    option: "n_features".into(),
                    value: n_features.to_string(),
                    rule: format!("hashing needs between 1 and {MAX_HASH_FEATURES} columns"),
                });
            }
        }
        Ok(())
    }
}

/// The features of a text column: one name per column and a sparse row per document.
#[derive(Debug, Clone, PartialEq)]
pub struct TextFeatures {
    /// The terms (TF-IDF, sorted) or `hash_0`, `hash_1`, … (hashing).
    pub names: Vec<String>,
    /// Per document, the `(column, value)` pairs that are not zero, by column.
    pub rows: Vec<Vec<(usize, f64)>>,
}

impl TextFeatures {
    /// The features as a dense `documents × names` matrix.
    ///
    /// ```
    /// use engine::data::text::TextFeatures;
    /// let f = TextFeatures { names: vec!["a".into(), "b".into()], rows: vec![vec![(1, 0.5)], vec![]] };
    /// assert_eq!(f.to_dense(), ndarray::array![[0.0, 0.5], [0.0, 0.0]]);
    /// ```
    pub fn to_dense(&self) -> Array2<f64> {
        let mut out = Array2::zeros((self.rows.len(), self.names.len()));
        for (mut row, sparse) in out.rows_mut().into_iter().zip(&self.rows) {
            for &(j, v) in sparse {
                if let Some(dst) = row.get_mut(j) {
                    *dst = v;
                }
            }
        }
        out
    }
}

/// scikit-learn's `\w`: a Unicode alphanumeric or `_`.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Runs of two or more whitespace characters become one space (a single one is kept as is).
fn collapse_whitespace(text: &str) -> Cow<'_, str> {
    let mut chars = text.chars().peekable();
    let mut needs = false;
    while let Some(c) = chars.next() {
        if c.is_whitespace() && chars.peek().is_some_and(|n| n.is_whitespace()) {
            needs = true;
            break;
        }
    }
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() && chars.peek().is_some_and(|n| n.is_whitespace()) {
            while chars.peek().is_some_and(|n| n.is_whitespace()) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The byte offset of every character of `s`, and its length.
fn char_bounds(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

/// Every character n-gram of `s` for `n` in `lo..=hi`, in scikit-learn's order.
fn char_ngrams(s: &str, lo: usize, hi: usize, f: &mut dyn FnMut(&str)) {
    let bounds = char_bounds(s);
    let len = bounds.len() - 1;
    for n in lo.max(1)..=hi.min(len) {
        for i in 0..=len - n {
            f(&s[bounds[i]..bounds[i + n]]);
        }
    }
}

/// Call `f` on every term of `text` (see the module docs for the analyzers).
fn for_each_term(text: &str, options: &TextOptions, buf: &mut String, f: &mut dyn FnMut(&str)) {
    let text: Cow<'_, str> = if options.lowercase {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    };
    let (lo, hi) = options.ngram_range;
    match options.analyzer {
        Analyzer::Word => {
            let mut tokens: Vec<&str> = Vec::new();
            let mut run: Option<(usize, usize)> = None; // (start byte, chars)
            for (i, c) in text.char_indices() {
                if is_word_char(c) {
                    match &mut run {
                        Some((_, n)) => *n += 1,
                        None => run = Some((i, 1)),
                    }
                } else if let Some((start, n)) = run.take() {
                    if n >= 2 {
                        tokens.push(&text[start..i]);
                    }
                }
            }
            if let Some((start, n)) = run {
                if n >= 2 {
                    tokens.push(&text[start..]);
                }
            }
            if options.english_stop_words {
                tokens.retain(|t| ENGLISH_STOP_WORDS.binary_search(t).is_err());
            }
            for n in lo.max(1)..=hi {
                if n == 1 {
                    tokens.iter().for_each(|t| f(t));
                    continue;
                }
                for window in tokens.windows(n) {
                    buf.clear();
                    for (k, t) in window.iter().enumerate() {
                        if k > 0 {
                            buf.push(' ');
                        }
                        buf.push_str(t);
                    }
                    f(buf);
                }
            }
        }
        Analyzer::Char => char_ngrams(&collapse_whitespace(&text), lo, hi, f),
        Analyzer::CharWb => {
            for word in text.split(char::is_whitespace).filter(|w| !w.is_empty()) {
                buf.clear();
                buf.push(' ');
                buf.push_str(word);
                buf.push(' ');
                let bounds = char_bounds(buf);
                let len = bounds.len() - 1;
                for n in lo.max(1)..=hi {
                    let mut offset = 0;
                    f(&buf[..bounds[n.min(len)]]);
                    while offset + n < len {
                        offset += 1;
                        f(&buf[bounds[offset]..bounds[offset + n]]);
                    }
                    if offset == 0 {
                        break; // a word shorter than n counts once
                    }
                }
            }
        }
    }
}

/// The terms of one text, in scikit-learn's order.
///
/// ```
/// use engine::data::text::{analyze, Analyzer, TextOptions};
/// let words = TextOptions { ngram_range: (1, 2), ..TextOptions::default() };
/// assert_eq!(analyze("The cat, a cat!", &words).unwrap(), vec!["the", "cat", "cat", "the cat", "cat cat"]);
/// let chars = TextOptions { analyzer: Analyzer::CharWb, ngram_range: (3, 3), ..TextOptions::default() };
/// assert_eq!(analyze("ab", &chars).unwrap(), vec![" ab", "ab "]);
/// ```
pub fn analyze(text: &str, options: &TextOptions) -> Result<Vec<String>, DataError> {
    options.check()?;
    let mut out = Vec::new();
    for_each_term(text, options, &mut String::new(), &mut |t| {
        out.push(t.to_string())
    });
    Ok(out)
}

/// MurmurHash3 x86 32-bit (Austin Appleby, public domain), as scikit-learn's
/// `murmurhash3_32(…, positive=False)`.
fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, &b) in tail.iter().enumerate() {
            k |= u32::from(b) << (8 * i);
        }
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Divide a sparse row by its Euclidean norm (summed in column order); a zero row stays zero.
fn l2_normalize(row: &mut [(usize, f64)]) {
    let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        row.iter_mut().for_each(|(_, v)| *v /= norm);
    }
}

fn tf(count: u32, options: &TextOptions) -> f64 {
    if options.sublinear_tf {
        1.0 + f64::from(count).ln()
    } else {
        f64::from(count)
    }
}

/// Turn documents into features (see the module docs). An error when the options are out of
/// range or no document has a single term ([`DataError::EmptyVocabulary`]).
///
/// ```
/// use engine::data::text::{vectorize, TextOptions};
/// let f = vectorize(&["red apple", "green apple"], &TextOptions::default()).unwrap();
/// assert_eq!(f.names, vec!["apple", "green", "red"]);
/// // idf(apple) = ln(3/3) + 1 = 1, idf(red) = ln(3/2) + 1; then each row has norm 1.
/// let red = 1.0 + (1.5f64).ln();
/// let norm = (1.0 + red * red).sqrt();
/// assert!((f.rows[0][0].1 - 1.0 / norm).abs() < 1e-12);
/// assert!((f.rows[0][1].1 - red / norm).abs() < 1e-12);
/// ```
pub fn vectorize(docs: &[&str], options: &TextOptions) -> Result<TextFeatures, DataError> {
    options.check()?;
    match options.vectorizer {
        TextVectorizer::Tfidf => tfidf(docs, options),
        TextVectorizer::Hashing { n_features } => hashing(docs, options, n_features),
    }
}

fn empty_vocabulary() -> DataError {
    DataError::EmptyVocabulary {
        column: "text".into(),
    }
}

fn tfidf(docs: &[&str], options: &TextOptions) -> Result<TextFeatures, DataError> {
    let mut vocab: FixedMap<String, u32> = FixedMap::default();
    let mut scratch: Vec<u32> = Vec::new();
    let mut touched: Vec<u32> = Vec::new();
    let mut counts: Vec<Vec<(u32, u32)>> = Vec::with_capacity(docs.len());
    let mut buf = String::new();
    for doc in docs {
        for_each_term(doc, options, &mut buf, &mut |term| {
            let id = match vocab.get(term) {
                Some(&id) => id,
                None => {
                    let Ok(id) = u32::try_from(scratch.len()) else {
                        return; // 4 billion terms: the rest are left out
                    };
                    vocab.insert(term.to_string(), id);
                    scratch.push(0);
                    id
                }
            };
            if scratch[id as usize] == 0 {
                touched.push(id);
            }
            scratch[id as usize] += 1;
        });
        let mut row: Vec<(u32, u32)> = touched
            .iter()
            .map(|&id| (id, scratch[id as usize]))
            .collect();
        for &id in &touched {
            scratch[id as usize] = 0;
        }
        touched.clear();
        row.sort_unstable();
        counts.push(row);
    }
    drop(scratch);
    if vocab.is_empty() {
        return Err(empty_vocabulary());
    }
    let mut terms = vec![String::new(); vocab.len()];
    for (term, id) in vocab {
        terms[id as usize] = term;
    }
    let mut df = vec![0u32; terms.len()];
    for row in &counts {
        for &(id, _) in row {
            df[id as usize] += 1;
        }
    }
    let mut kept: Vec<u32> = (0..terms.len() as u32).collect();
    if let Some(max) = options.max_features {
        if kept.len() > max {
            kept.sort_unstable_by(|&a, &b| {
                df[b as usize]
                    .cmp(&df[a as usize])
                    .then_with(|| terms[a as usize].cmp(&terms[b as usize]))
            });
            kept.truncate(max);
        }
    }
    kept.sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
    let mut column = vec![u32::MAX; terms.len()];
    for (j, &id) in kept.iter().enumerate() {
        column[id as usize] = j as u32;
    }
    let n = docs.len() as f64;
    let idf: Vec<f64> = kept
        .iter()
        .map(|&id| ((1.0 + n) / (1.0 + f64::from(df[id as usize]))).ln() + 1.0)
        .collect();
    let rows = counts
        .into_iter()
        .map(|row| {
            let mut out: Vec<(usize, f64)> = row
                .into_iter()
                .filter(|&(id, _)| column[id as usize] != u32::MAX)
                .map(|(id, c)| {
                    let j = column[id as usize] as usize;
                    (j, tf(c, options) * idf[j])
                })
                .collect();
            out.sort_unstable_by_key(|&(j, _)| j);
            l2_normalize(&mut out);
            out
        })
        .collect();
    let names = kept
        .into_iter()
        .map(|id| std::mem::take(&mut terms[id as usize]))
        .collect();
    Ok(TextFeatures { names, rows })
}

fn hashing(
    docs: &[&str],
    options: &TextOptions,
    n_features: usize,
) -> Result<TextFeatures, DataError> {
    let mut per_doc: FixedMap<String, u32> = FixedMap::default();
    let mut acc = vec![0.0f64; n_features];
    let mut seen = vec![false; n_features];
    let mut touched: Vec<usize> = Vec::new();
    let mut buf = String::new();
    let mut any = false;
    let mut rows = Vec::with_capacity(docs.len());
    for doc in docs {
        per_doc.clear();
        for_each_term(
            doc,
            options,
            &mut buf,
            &mut |term| match per_doc.get_mut(term) {
                Some(c) => *c += 1,
                None => {
                    per_doc.insert(term.to_string(), 1);
                }
            },
        );
        any |= !per_doc.is_empty();
        // Sum in term order, so the result does not depend on the map's iteration order.
        let mut entries: Vec<(&String, &u32)> = per_doc.iter().collect();
        entries.sort_unstable();
        for (term, &count) in entries {
            let h = murmur3_32(term.as_bytes(), 0) as i32;
            let j = if h == i32::MIN {
                (i64::from(i32::MAX) - (n_features as i64 - 1)).rem_euclid(n_features as i64)
                    as usize
            } else {
                h.unsigned_abs() as usize % n_features
            };
            let sign = if h >= 0 { 1.0 } else { -1.0 };
            if !seen[j] {
                seen[j] = true;
                touched.push(j);
            }
            acc[j] += sign * tf(count, options);
        }
        touched.sort_unstable();
        let mut row: Vec<(usize, f64)> = touched
            .iter()
            .map(|&j| {
                seen[j] = false;
                (j, std::mem::take(&mut acc[j]))
            })
            .filter(|&(_, v)| v != 0.0)
            .collect();
        touched.clear();
        l2_normalize(&mut row);
        rows.push(row);
    }
    if !any {
        return Err(empty_vocabulary());
    }
    Ok(TextFeatures {
        names: (0..n_features).map(|j| format!("hash_{j}")).collect(),
        rows,
    })
}

/// A term of a document and how much it pushed a prediction (positive: toward the predicted
/// class; negative: toward the runner-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermWeight {
    /// The term (as in the feature name after `column:`).
    pub term: String,
    /// Its contribution to the difference of the two classes' scores.
    pub weight: f64,
}

/// The terms of one row that pushed a linear model toward class A rather than class B, for a
/// text column named `column` (features named `column:term`). The model works on standardized
/// features, so a present term's contribution is `value / scale · (coef_a − coef_b)`: what its
/// presence adds to the score of A minus that of B. Returns the `top` most positive terms
/// (largest first), then the `top` most negative (most negative first); absent terms and zero
/// contributions are left out; ties go to the term that sorts first.
///
/// ```
/// use engine::data::text::term_weights;
/// let names = vec!["n".to_string(), "t:free".to_string(), "t:lunch".to_string(), "t:money".to_string()];
/// let row = [5.0, 0.6, 0.0, 0.8];
/// let scale = [1.0, 0.5, 1.0, 0.4];
/// let (a, b) = ([9.0, 1.0, 3.0, -0.5], [0.0, 0.0, 0.0, 0.0]);
/// let w = term_weights(&names, "t", &row, &scale, &a, &b, 5);
/// assert_eq!(w.len(), 2); // "n" is not a term; "lunch" is absent
/// assert_eq!((w[0].term.as_str(), w[0].weight), ("free", 1.2));
/// assert_eq!((w[1].term.as_str(), w[1].weight), ("money", -1.0));
/// ```
pub fn term_weights(
    feature_names: &[String],
    column: &str,
    row: &[f64],
    scale: &[f64],
    coef_a: &[f64],
    coef_b: &[f64],
    top: usize,
) -> Vec<TermWeight> {
    weigh_terms(feature_names, column, row, top, |j, value| {
        let s = scale.get(j).copied().filter(|s| *s > 0.0).unwrap_or(1.0);
        let weight = value / s * (coef_a.get(j)? - coef_b.get(j)?);
        (value != 0.0).then_some(weight)
    })
}

/// The `top` strongest terms of `column` in `row` as [`strongest`] orders them, each weighed by
/// `weigh(feature index, value)`; terms it does not weigh, or weighs 0 or not finite, are left
/// out.
fn weigh_terms(
    feature_names: &[String],
    column: &str,
    row: &[f64],
    top: usize,
    mut weigh: impl FnMut(usize, f64) -> Option<f64>,
) -> Vec<TermWeight> {
    let prefix = format!("{column}:");
    let all: Vec<TermWeight> = feature_names
        .iter()
        .enumerate()
        .filter_map(|(j, name)| {
            let term = name.strip_prefix(&prefix)?;
            let weight = weigh(j, *row.get(j)?)?;
            (weight != 0.0 && weight.is_finite()).then(|| TermWeight {
                term: term.to_string(),
                weight,
            })
        })
        .collect();
    strongest(all, top)
}

/// The `top` most positive weights (largest first), then the `top` most negative (most negative
/// first); ties go to the term that sorts first.
fn strongest(mut all: Vec<TermWeight>, top: usize) -> Vec<TermWeight> {
    all.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then_with(|| x.term.cmp(&y.term))
    });
    let positive: Vec<TermWeight> = all
        .iter()
        .filter(|t| t.weight > 0.0)
        .take(top)
        .cloned()
        .collect();
    let mut negative: Vec<TermWeight> = all.into_iter().filter(|t| t.weight < 0.0).collect();
    negative.sort_by(|x, y| {
        x.weight
            .total_cmp(&y.weight)
            .then_with(|| x.term.cmp(&y.term))
    });
    negative.truncate(top);
    positive.into_iter().chain(negative).collect()
}

/// How the highlighted terms of a text were weighed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TermMethod {
    /// A linear model's coefficients times the term's value ([`term_weights`]).
    #[default]
    Coefficients,
    /// Occlusion: the change of the predicted probabilities when the term is taken out
    /// ([`occlusion_weights`]); works for any model.
    Occlusion,
}

impl TermMethod {
    /// The method in a few words, for the person.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Coefficients => "the linear model's weights times each word's value",
            Self::Occlusion => {
                "occlusion: how much the model leans less toward its best guess over its second \
                 when the word is taken out"
            }
        }
    }
}

/// The terms of one row that pushed any model toward class A rather than class B, by occlusion:
/// for each term present in the row (feature `column:term` not zero), `predict` is asked again
/// with that one feature set to 0, and the term's weight is how much the margin
/// `s(A) − s(B)` drops without it: `(sA − sB)(row) − (sA − sB)(row without the term)`. Positive:
/// the term pushed toward A; negative: toward B. `predict` maps a raw feature row to per-class
/// scores, higher meaning more likely: probabilities, or log-likelihoods for a model whose
/// probabilities saturate at 0 and 1 (a missing class counts as 0). Returns the `top` most
/// positive then the `top` most negative terms, as [`term_weights`] does; zero and non-finite
/// changes are left out.
///
/// ```
/// use engine::data::text::occlusion_weights;
/// let names = vec!["t:free".to_string(), "t:lunch".to_string(), "t:meeting".to_string()];
/// // A toy model: "free" makes spam (class 0) likely, "meeting" makes ham (class 1) likely.
/// let predict = |x: &[f64]| {
///     let z = 2.0 * x[0] - 3.0 * x[2];
///     let p = 1.0 / (1.0 + (-z).exp());
///     vec![p, 1.0 - p]
/// };
/// let w = occlusion_weights(&names, "t", &[1.0, 0.5, 1.0], 0, 1, predict, 5);
/// assert_eq!(w[0].term, "free"); // taking "free" out lowers P(spam) − P(ham)
/// assert!(w[0].weight > 0.0);
/// assert_eq!(w[1].term, "meeting");
/// assert!(w[1].weight < 0.0);
/// assert_eq!(w.len(), 2); // "lunch" changes nothing
/// ```
pub fn occlusion_weights(
    feature_names: &[String],
    column: &str,
    row: &[f64],
    class_a: usize,
    class_b: usize,
    predict: impl Fn(&[f64]) -> Vec<f64>,
    top: usize,
) -> Vec<TermWeight> {
    let margin =
        |p: &[f64]| p.get(class_a).copied().unwrap_or(0.0) - p.get(class_b).copied().unwrap_or(0.0);
    let full = margin(&predict(row));
    if !full.is_finite() {
        return Vec::new();
    }
    let mut without = row.to_vec();
    weigh_terms(feature_names, column, row, top, |j, value| {
        if value == 0.0 || !value.is_finite() {
            return None;
        }
        without[j] = 0.0;
        let weight = full - margin(&predict(&without));
        without[j] = value;
        Some(weight)
    })
}

#[cfg(test)]
mod tests;
