//! Reading the person's file as the app reads it: the same preview, the same suggested column
//! roles and the same import, with the roles the command line names taking precedence.

use engine::data::preview::{import_source, preview_source, Mapping, Preview};
use engine::data::source::Bytes;
use engine::data::Dataset;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The data flags every subcommand that reads a file shares.
#[derive(clap::Args, Debug, Clone)]
pub struct DataArgs {
    /// The file: CSV, TSV or `;`-separated CSV, or JSON Lines (`.jsonl`, `.ndjson`).
    #[arg(long)]
    pub data: PathBuf,
    /// The label column (the oracle's answers); default: the one the app suggests.
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// A free-text column to learn from (its words); `none` for no text column; default: the one
    /// the app suggests.
    #[arg(long, value_name = "COLUMN")]
    pub text: Option<String>,
    /// A column that names the rows (kept out of the features); `none` for none; default: the one
    /// the app suggests.
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// A column to leave out (repeatable), on top of those the app suggests leaving out.
    #[arg(long, value_name = "COLUMN")]
    pub ignore: Vec<String>,
}

/// What was read, and how.
pub struct Loaded {
    pub dataset: Dataset,
    pub preview: Preview,
    pub mapping: Mapping,
    /// The label column was named with `--label` (the suggestion's reason for it is moot).
    label_given: bool,
}

/// The column roles used, for the JSON report (every setting needed to run it again).
#[derive(Debug, Clone, Serialize)]
pub struct MappingReport {
    pub file: String,
    pub format: String,
    pub label: Option<String>,
    pub text: Option<String>,
    pub id: Option<String>,
    pub ignore: Vec<String>,
}

impl Loaded {
    /// The roles as the report shows them.
    pub fn mapping_report(&self) -> MappingReport {
        MappingReport {
            file: self.preview.name.clone(),
            format: self.preview.format.clone(),
            label: self.mapping.label.clone(),
            text: self.mapping.text.clone(),
            id: self.mapping.id.clone(),
            ignore: self.mapping.ignore.clone(),
        }
    }

    /// What the preview suggested and why, then how the file was read (printed on standard
    /// error, one line each).
    pub fn describe(&self) -> String {
        // The first sentence is about the suggested label column.
        let skip = usize::from(self.label_given);
        let mut lines: Vec<String> = self.preview.why.iter().skip(skip).cloned().collect();
        lines.push(self.roles());
        lines.join("\nactivelab: ")
    }

    /// One line saying how the file was read.
    fn roles(&self) -> String {
        let role = |r: &Option<String>| {
            r.as_deref()
                .map_or("none".to_string(), |c| format!("'{c}'"))
        };
        format!(
            "{} ({}, {} rows): label {}, text {}, id {}, ignored {}; {} features",
            self.preview.name,
            self.preview.format,
            self.preview.n_rows,
            role(&self.mapping.label),
            role(&self.mapping.text),
            role(&self.mapping.id),
            if self.mapping.ignore.is_empty() {
                "none".to_string()
            } else {
                self.mapping.ignore.join(", ")
            },
            self.dataset.n_features(),
        )
    }
}

/// [`load`] for a simulation, which needs the labels as its oracle: a file with no label column
/// (none named with `--label`, none suggested) is refused with its columns.
pub fn load_labeled(args: &DataArgs) -> Result<Loaded, String> {
    let loaded = load(args)?;
    if loaded.mapping.label.is_none() {
        let columns: Vec<&str> = loaded
            .preview
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        return Err(format!(
            "{} has no column the app takes for the labels: name the one that holds them with \
             --label COLUMN (its columns: {})",
            loaded.preview.name,
            columns.join(", ")
        ));
    }
    Ok(loaded)
}

/// Read `args.data` through the app's preview and import, with the suggested roles overridden by
/// the flags; an error names the flag, the column and the columns the file has.
pub fn load(args: &DataArgs) -> Result<Loaded, String> {
    let bytes = std::fs::read(&args.data)
        .map_err(|e| format!("cannot read {}: {e}", args.data.display()))?;
    let name = file_name(&args.data);
    let source = Bytes(&bytes);
    let preview = preview_source(&source, &name, 0).map_err(|e| format!("{name}: {e}"))?;
    let mapping = mapping(&preview, args)?;
    let dataset = import_source(&source, &name, &mapping).map_err(|e| format!("{name}: {e}"))?;
    Ok(Loaded {
        dataset,
        preview,
        mapping,
        label_given: args.label.is_some(),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The suggestion with the flags applied.
fn mapping(preview: &Preview, args: &DataArgs) -> Result<Mapping, String> {
    let columns: Vec<&str> = preview.columns.iter().map(|c| c.name.as_str()).collect();
    let column = |flag: &str, wanted: &str| -> Result<String, String> {
        columns
            .iter()
            .find(|c| **c == wanted)
            .or_else(|| columns.iter().find(|c| c.eq_ignore_ascii_case(wanted)))
            .map(|c| c.to_string())
            .ok_or_else(|| {
                format!(
                    "--{flag} {wanted}: {} has no such column (its columns: {})",
                    preview.name,
                    columns.join(", ")
                )
            })
    };
    let role = |flag: &str, given: &Option<String>, suggested: &Option<String>| match given {
        None => Ok(suggested.clone()),
        Some(none) if none.eq_ignore_ascii_case("none") => Ok(None),
        Some(wanted) => column(flag, wanted).map(Some),
    };
    let mut mapping = Mapping {
        label: role("label", &args.label, &preview.suggested.label)?,
        text: role("text", &args.text, &preview.suggested.text)?,
        id: role("id", &args.id, &preview.suggested.id)?,
        ..Mapping::default()
    };
    let assigned = [&mapping.label, &mapping.text, &mapping.id];
    let mut ignore: Vec<String> = preview
        .suggested
        .ignore
        .iter()
        .filter(|c| !assigned.iter().any(|a| a.as_deref() == Some(c.as_str())))
        .cloned()
        .collect();
    for wanted in &args.ignore {
        let c = column("ignore", wanted)?;
        if assigned.iter().any(|a| a.as_deref() == Some(c.as_str())) {
            return Err(format!(
                "--ignore {c}: that column is the label, text or id column"
            ));
        }
        if !ignore.contains(&c) {
            ignore.push(c);
        }
    }
    mapping.ignore = ignore;
    Ok(mapping)
}
