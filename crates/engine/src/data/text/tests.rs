//! The vectorizers against scikit-learn, and the term highlights.

use super::*;

#[test]
fn occlusion_ranks_terms_by_their_pull_and_ignores_absent_ones() {
    let names: Vec<String> = ["n", "t:a", "t:b", "t:c", "t:d"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Three classes; the margin of class 2 over class 0 is linear in the features.
    let predict = |x: &[f64]| {
        let m = 0.1 * x[1] + 0.3 * x[2] - 0.2 * x[3] + 0.5 * x[4];
        vec![0.3 - m / 2.0, 0.4, 0.3 + m / 2.0]
    };
    let row = [7.0, 1.0, 1.0, 1.0, 0.0];
    let w = occlusion_weights(&names, "t", &row, 2, 0, predict, 1);
    // Strongest positive first ("b"), then strongest negative ("c"); "d" is absent and "n"
    // is not a term.
    assert_eq!(w.len(), 2);
    assert_eq!(w[0].term, "b");
    assert!((w[0].weight - 0.3).abs() < 1e-12);
    assert_eq!(w[1].term, "c");
    assert!((w[1].weight + 0.2).abs() < 1e-12);
    // Swapping the classes flips the signs.
    let flipped = occlusion_weights(&names, "t", &row, 0, 2, predict, 1);
    assert_eq!(flipped[0].term, "c");
    assert_eq!(flipped[1].term, "b");
}

#[test]
fn occlusion_survives_odd_models_and_rows() {
    let names = vec!["t:x".to_string()];
    // A model that answers with too few classes or NaN gives no highlight, never a panic.
    assert!(occlusion_weights(&names, "t", &[1.0], 3, 4, |_| vec![0.5], 5).is_empty());
    assert!(occlusion_weights(&names, "t", &[1.0], 0, 1, |_| vec![f64::NAN, 0.0], 5).is_empty());
    assert!(occlusion_weights(&names, "t", &[], 0, 1, |_| vec![1.0, 0.0], 5).is_empty());
    assert!(occlusion_weights(&[], "t", &[1.0], 0, 1, |_| vec![1.0, 0.0], 5).is_empty());
    // A model that ignores the text gives no highlight.
    assert!(occlusion_weights(&names, "t", &[1.0], 0, 1, |_| vec![0.7, 0.3], 5).is_empty());
    assert_eq!(TermMethod::default(), TermMethod::Coefficients);
    assert!(TermMethod::Occlusion.describe().starts_with("occlusion"));
}

#[derive(serde::Deserialize)]
struct Reference {
    corpus: Vec<String>,
    cases: Vec<Case>,
}
#[derive(serde::Deserialize)]
struct Case {
    name: String,
    kind: String,
    options: CaseOptions,
    feature_names: Option<Vec<String>>,
    matrix: Vec<Vec<f64>>,
}
#[derive(serde::Deserialize)]
struct CaseOptions {
    analyzer: String,
    ngram_range: (usize, usize),
    lowercase: bool,
    english_stop_words: bool,
    sublinear_tf: bool,
    n_features: Option<usize>,
}

#[test]
fn matches_scikit_learn_to_1e_9() {
    let reference: Reference = crate::testing::reference_as("tfidf");
    let docs: Vec<&str> = reference.corpus.iter().map(String::as_str).collect();
    let mut worst = 0.0f64;
    for case in &reference.cases {
        let options = TextOptions {
            vectorizer: match case.kind.as_str() {
                "tfidf" => TextVectorizer::Tfidf,
                _ => TextVectorizer::Hashing {
                    n_features: case.options.n_features.unwrap(),
                },
            },
            analyzer: match case.options.analyzer.as_str() {
                "word" => Analyzer::Word,
                "char" => Analyzer::Char,
                _ => Analyzer::CharWb,
            },
            ngram_range: case.options.ngram_range,
            lowercase: case.options.lowercase,
            english_stop_words: case.options.english_stop_words,
            sublinear_tf: case.options.sublinear_tf,
            max_features: None,
        };
        let features = vectorize(&docs, &options).unwrap();
        if let Some(names) = &case.feature_names {
            assert_eq!(&features.names, names, "{}", case.name);
        }
        let dense = features.to_dense();
        assert_eq!(dense.nrows(), case.matrix.len(), "{}", case.name);
        for (i, row) in case.matrix.iter().enumerate() {
            assert_eq!(dense.ncols(), row.len(), "{}", case.name);
            for (j, want) in row.iter().enumerate() {
                let d = (dense[[i, j]] - want).abs();
                worst = worst.max(d);
                assert!(
                    d < 1e-9,
                    "{} [{i}, {j}]: {} vs {want}",
                    case.name,
                    dense[[i, j]]
                );
            }
        }
    }
    assert_eq!(reference.cases.len(), 8);
    println!("max deviation from scikit-learn: {worst:e}");
}

#[test]
fn max_features_keeps_the_most_frequent_documents_terms_then_sorts() {
    let docs = ["bb aa zz", "cc aa zz", "dd cc zz", "bb ee"];
    let options = TextOptions {
        max_features: Some(2),
        ..TextOptions::default()
    };
    // df: zz 3, then aa, bb, cc 2 (a tie: the first in sorted order wins), dd 1, ee 1.
    let f = vectorize(&docs, &options).unwrap();
    assert_eq!(f.names, vec!["aa", "zz"]);
    assert_eq!(f.rows[2], vec![(1, 1.0)], "'dd cc zz' keeps zz only");
    assert_eq!(f.rows[3], vec![], "'bb ee' keeps nothing");
}

#[test]
fn empty_vocabulary_and_bad_options_are_refused() {
    assert_eq!(
        vectorize(&["a b", ""], &TextOptions::default())
            .unwrap_err()
            .to_string(),
        "the text column 'text' has no terms to learn from: every text is empty or has only one-letter words"
    );
    let hashing = TextOptions {
        vectorizer: TextVectorizer::Hashing { n_features: 0 },
        ..TextOptions::default()
    };
    assert_eq!(
        vectorize(&["ab"], &hashing).unwrap_err().to_string(),
        "n_features = 0 is not allowed: hashing needs between 1 and 1048576 columns"
    );
    let none = TextOptions {
        max_features: Some(0),
        ..TextOptions::default()
    };
    assert_eq!(
        none.check().unwrap_err().to_string(),
        "max_features = 0 is not allowed: keep at least 1 term, or None for all"
    );
}

#[test]
fn murmur3_known_values() {
    // Reference values of MurmurHash3_x86_32 (the SMHasher test vectors).
    assert_eq!(murmur3_32(b"", 0), 0);
    assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
    assert_eq!(murmur3_32(b"test", 0), 0xba6b_d213);
    assert_eq!(murmur3_32(b"Hello, world!", 0), 0xc036_3e43);
    assert_eq!(
        murmur3_32(b"The quick brown fox jumps over the lazy dog", 0),
        0x2e4f_f723
    );
}

#[test]
fn analyzers_follow_scikit_learn() {
    let terms = |text: &str, analyzer, ngram_range, english_stop_words| {
        let options = TextOptions {
            analyzer,
            ngram_range,
            english_stop_words,
            ..TextOptions::default()
        };
        analyze(text, &options).unwrap()
    };
    assert_eq!(
        terms("The best of_all  friends", Analyzer::Word, (1, 2), true),
        vec!["best", "of_all", "friends", "best of_all", "of_all friends"]
    );
    assert_eq!(
        terms("Ab  c\td", Analyzer::Char, (2, 2), false),
        vec!["ab", "b ", " c", "c\t", "\td"]
    );
    // " é " has 3 characters: n = 1, 2 as usual; n = 3 is the whole padded word, and then
    // longer n-grams stop (scikit-learn gives the same list).
    assert_eq!(
        terms("é", Analyzer::CharWb, (1, 5), false),
        vec![" ", "é", " ", " é", "é ", " é "]
    );
    assert!(ENGLISH_STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
}
