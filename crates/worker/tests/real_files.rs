//! Files no one here wrote (vega-datasets, installed with the e2e tests' npm packages): what the
//! preview makes of them, and that they import and open without hand editing.

use engine::data::preview::{import_with_mapping, preview, ColumnKind, LabelFound, Mapping};
use serde_json::Value;

mod common;
use common::public;

/// Seattle's 1,461 days of weather: a `date` column, four numbers, the weather.
#[test]
fn a_date_column_is_a_date_feature_not_an_id() {
    let weather = public("seattle-weather.csv");
    let p = preview(&weather, "seattle-weather.csv", 5).expect("previews");
    let kind = |name: &str| p.columns.iter().find(|c| c.name == name).map(|c| c.kind);
    assert_eq!(kind("date"), Some(ColumnKind::Date));
    assert_eq!(
        p.suggested.id, None,
        "a date is a feature, not the rows' names"
    );
    assert!(
        p.why.iter().any(|w| w.starts_with("'date' holds dates")),
        "{:?}",
        p.why
    );
    let data = import_with_mapping(
        &weather,
        "seattle-weather.csv",
        &Mapping {
            label: Some("weather".into()),
            ..p.suggested.clone()
        },
    )
    .expect("imports");
    assert_eq!(data.n_rows(), 1461);
    assert_eq!(data.class_names.len(), 5);
    let date_features: Vec<&String> = data
        .feature_names
        .iter()
        .filter(|n| n.starts_with("date:"))
        .collect();
    assert_eq!(date_features.len(), 7, "{date_features:?}");
}

/// The 406 cars, with `Origin` (3 values) left only in every 9th row, as partly labeled data
/// is: it is suggested for the labels, and the reason says so.
#[test]
fn a_mostly_empty_category_of_few_values_is_suggested_as_partial_labels() {
    let cars: Vec<Value> = serde_json::from_slice(&public("cars.json")).expect("a JSON array");
    let lines: Vec<String> = cars
        .into_iter()
        .enumerate()
        .map(|(i, mut car)| {
            if i % 9 != 0 {
                car["Origin"] = Value::Null;
            }
            car.to_string()
        })
        .collect();
    let jsonl = lines.join("\n");
    let p = preview(jsonl.as_bytes(), "cars.jsonl", 5).expect("previews");
    assert_eq!(p.suggested.label.as_deref(), Some("Origin"));
    assert_eq!(p.label_found, Some(LabelFound::PartlyLabeled));
    assert!(
        p.why[0].starts_with("'Origin' is suggested for the labels: a category with 3 values, empty in 360 of 406 rows"),
        "{:?}",
        p.why
    );
    assert_eq!(p.suggested.text.as_deref(), Some("Name"));
    let kind = |name: &str| p.columns.iter().find(|c| c.name == name).map(|c| c.kind);
    assert_eq!(kind("Year"), Some(ColumnKind::Date));
    let data = import_with_mapping(jsonl.as_bytes(), "cars.jsonl", &p.suggested).expect("imports");
    assert_eq!(data.known_labels.iter().flatten().count(), 46);
    assert!(data.feature_names.iter().any(|n| n == "Year:year"));
    assert!(data.feature_names.iter().any(|n| n.starts_with("Name:")));
}
