//! Where a project's data comes from and how it was imported.

use super::{fingerprint, ProjectError};
use crate::data::import::{parse_csv, parse_jsonl, parse_text_csv, CsvOptions};
use crate::data::preview::{import_with_mapping, Mapping};
use crate::data::text::TextOptions;
use crate::data::Dataset;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Where the dataset comes from. JSON: `{"type": "bundled", "file": "iris.csv"}` or
/// `{"type": "embedded", "file_name": …, "bytes": "<base64>", "fingerprint": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    /// A demo dataset shipped with the app (`public/datasets/<file>`).
    Bundled {
        /// The file name under `public/datasets/`.
        file: String,
    },
    /// The person's own file, embedded.
    Embedded {
        /// The file's name when it was opened.
        file_name: String,
        /// The file's bytes (base64, standard alphabet with padding, in JSON).
        #[serde(serialize_with = "as_base64")]
        bytes: Vec<u8>,
        /// [`fingerprint`] of `bytes`.
        fingerprint: String,
    },
}

impl Source {
    /// An embedded source with its fingerprint computed.
    ///
    /// ```
    /// use engine::project::{fingerprint, Source};
    /// let s = Source::embedded("a.csv", b"x,label\n1,a\n".to_vec());
    /// assert!(matches!(&s, Source::Embedded { fingerprint: f, .. } if *f == fingerprint(b"x,label\n1,a\n")));
    /// ```
    pub fn embedded(file_name: &str, bytes: Vec<u8>) -> Self {
        Source::Embedded {
            file_name: file_name.to_string(),
            fingerprint: fingerprint(&bytes),
            bytes,
        }
    }

    /// The data file's name.
    pub fn file_name(&self) -> &str {
        match self {
            Source::Bundled { file } => file,
            Source::Embedded { file_name, .. } => file_name,
        }
    }
}

fn as_base64<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// What kind of data the import made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// A table (CSV, TSV, JSON Lines) of numeric and categorical columns.
    Tabular,
    /// A table with one text column, vectorized.
    Text,
    /// A folder of images (not embeddable: the images stay on the person's machine).
    Images,
}

/// How the data file was imported: the column roles the person chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSettings {
    /// What kind of data.
    pub kind: ImportKind,
    /// The label column (`None`: inferred, as at import).
    #[serde(default)]
    pub label_column: Option<String>,
    /// The text column (for [`ImportKind::Text`]).
    #[serde(default)]
    pub text_column: Option<String>,
    /// The id column, if any.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Columns left out.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The column roles the person chose in the mapping step, when the file was opened through
    /// it: then [`ImportSettings::import`] reads the file with
    /// [`import_with_mapping`](crate::data::preview::import_with_mapping) (the person's
    /// class names included) and the fields above are informative. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Mapping>,
}

impl ImportSettings {
    /// Tabular data with every role inferred.
    pub fn tabular() -> Self {
        Self {
            kind: ImportKind::Tabular,
            label_column: None,
            text_column: None,
            id_column: None,
            ignore: Vec::new(),
            mapping: None,
        }
    }

    /// The settings of a file opened with the person's column roles.
    ///
    /// ```
    /// use engine::data::preview::Mapping;
    /// use engine::project::ImportSettings;
    /// let mapping = Mapping { id: Some("id".into()), classes: vec!["a".into(), "b".into()], ..Mapping::default() };
    /// let settings = ImportSettings::mapped(&mapping);
    /// let data = settings.import("t.csv", b"id,x\nr1,1\nr2,2\n").unwrap();
    /// assert_eq!(data.class_names, ["a", "b"]);
    /// assert_eq!(data.known_labels, [None, None]);
    /// ```
    pub fn mapped(mapping: &Mapping) -> Self {
        Self {
            kind: if mapping.text.is_some() {
                ImportKind::Text
            } else {
                ImportKind::Tabular
            },
            label_column: mapping.label.clone(),
            text_column: mapping.text.clone(),
            id_column: mapping.id.clone(),
            ignore: mapping.ignore.clone(),
            mapping: Some(mapping.clone()),
        }
    }

    /// The importer's options for a file named `name`.
    pub fn csv_options(&self, name: &str) -> CsvOptions {
        CsvOptions {
            label_column: self.label_column.clone(),
            id_column: self.id_column.clone(),
            ignore: self.ignore.clone(),
            ..CsvOptions::named(name)
        }
    }

    /// Import `bytes` (the file `name`) as these settings say: JSON Lines when the name ends in
    /// `.jsonl` or `.ndjson`, else CSV/TSV; [`ImportKind::Text`] vectorizes the text column with
    /// the default [`TextOptions`]. Images cannot be imported from bytes here.
    pub fn import(&self, name: &str, bytes: &[u8]) -> Result<Dataset, ProjectError> {
        if let (Some(mapping), false) = (&self.mapping, self.kind == ImportKind::Images) {
            return import_with_mapping(bytes, name, mapping).map_err(ProjectError::Data);
        }
        let options = self.csv_options(name);
        let lower = name.to_ascii_lowercase();
        match self.kind {
            ImportKind::Tabular if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") => {
                parse_jsonl(bytes, &options)
            }
            ImportKind::Tabular => parse_csv(bytes, &options),
            ImportKind::Text => match &self.text_column {
                Some(column) => parse_text_csv(bytes, &options, column, &TextOptions::default()),
                None => {
                    return Err(ProjectError::DataMissing {
                        file: name.to_string(),
                        reason: "a text project must name its text column".to_string(),
                    })
                }
            },
            ImportKind::Images => {
                return Err(ProjectError::DataMissing {
                    file: name.to_string(),
                    reason: "images are not embedded in projects: open the image folder again"
                        .to_string(),
                })
            }
        }
        .map_err(ProjectError::Data)
    }
}
