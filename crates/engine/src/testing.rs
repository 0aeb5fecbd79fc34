//! Test support shared by the unit tests: the bundled datasets and the reference values, compiled
//! in so that the same tests run natively and in the browser.

use crate::data::import::{parse_csv, CsvOptions};
use crate::data::Dataset;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The bytes of the bundled demo `public/datasets/<name>.csv`.
pub(crate) fn bundled_csv(name: &str) -> &'static [u8] {
    match name {
        "iris" => include_bytes!("../../../public/datasets/iris.csv"),
        "wine" => include_bytes!("../../../public/datasets/wine.csv"),
        "breast_cancer" => include_bytes!("../../../public/datasets/breast_cancer.csv"),
        "digits" => include_bytes!("../../../public/datasets/digits.csv"),
        other => panic!("no bundled dataset {other}"),
    }
}

/// The bundled demo `name`, imported with every role inferred.
pub(crate) fn bundled(name: &str) -> Dataset {
    parse_csv(bundled_csv(name), &CsvOptions::named(name)).expect("a bundled CSV imports")
}

/// The bundled Iris demo, imported.
pub(crate) fn iris() -> Dataset {
    bundled("iris")
}

/// The reference values of `tests/reference/<name>.json` (scikit-learn, scipy and modAL, written
/// by the committed scripts).
pub(crate) fn reference(name: &str) -> Value {
    reference_as(name)
}

/// [`reference`] read into a typed record.
pub(crate) fn reference_as<T: DeserializeOwned>(name: &str) -> T {
    let text = match name {
        "logistic" => include_str!("../../../tests/reference/logistic.json"),
        "metrics" => include_str!("../../../tests/reference/metrics.json"),
        "pca" => include_str!("../../../tests/reference/pca.json"),
        "race" => include_str!("../../../tests/reference/race.json"),
        "strategies" => include_str!("../../../tests/reference/strategies.json"),
        "tfidf" => include_str!("../../../tests/reference/tfidf.json"),
        other => panic!("no reference file {other}"),
    };
    serde_json::from_str(text).expect("a reference file reads")
}

/// A JSON array of numbers.
pub(crate) fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}
