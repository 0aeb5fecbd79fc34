//! Reading a project file: what it is (format, version), then every field, all or nothing.

use super::{
    fingerprint, ImportSettings, Project, ProjectError, Settings, Source, FORMAT, MAX_EVENTS,
    MAX_PROJECT_BYTES, MAX_TEXT_CHARS, VERSION,
};
use crate::data::import::MAX_COLUMNS;
use crate::session::Event;
use base64::Engine as _;
use serde::Deserialize;

/// The first pass of [`Project::from_json`]: only the fields that say what the file is.
#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

/// [`Source`] as read, before the base64 is decoded.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum RawSource {
    Bundled {
        file: String,
    },
    Embedded {
        file_name: String,
        bytes: String,
        fingerprint: String,
    },
}

/// [`Project`] as read (second pass).
#[derive(Deserialize)]
struct RawProject {
    format: String,
    version: u32,
    app_version: String,
    name: String,
    created_ms: u64,
    updated_ms: u64,
    source: RawSource,
    import: ImportSettings,
    settings: Settings,
    events: Vec<Event>,
}

fn check_text(field: &str, text: &str, min: usize) -> Result<(), ProjectError> {
    let chars = text.chars().count();
    if chars < min || chars > MAX_TEXT_CHARS {
        return Err(ProjectError::BadText {
            field: field.to_string(),
            chars,
            min,
            max: MAX_TEXT_CHARS,
        });
    }
    Ok(())
}

/// A JSON value shown in a message, cut short.
fn shown(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// serde_json's message without its "at line L column C" (the error carries those apart).
fn message(e: &serde_json::Error) -> String {
    e.to_string()
        .split(" at line ")
        .next()
        .unwrap_or("")
        .to_string()
}

/// Refuse a list longer than [`MAX_COLUMNS`] (as `list_field`) or with an empty or over-long
/// entry (as `field`).
fn check_list(list_field: &str, field: &str, list: &[String]) -> Result<(), ProjectError> {
    if list.len() > MAX_COLUMNS {
        return Err(ProjectError::BadText {
            field: list_field.to_string(),
            chars: list.len(),
            min: 0,
            max: MAX_COLUMNS,
        });
    }
    for value in list {
        check_text(field, value, 1)?;
    }
    Ok(())
}

/// What the file says it is: an activelab project of this version.
fn check_header(bytes: &[u8]) -> Result<(), ProjectError> {
    let header: Header = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            // Valid JSON that is not an object (an array, a number, …).
            ProjectError::MissingFormat
        } else {
            ProjectError::NotJson {
                line: e.line(),
                column: e.column(),
                message: message(&e),
            }
        }
    })?;
    // serde reads a struct from an array too: a project is an object.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(ProjectError::MissingFormat);
    }
    match &header.format {
        None => return Err(ProjectError::MissingFormat),
        Some(serde_json::Value::String(f)) if f == FORMAT => {}
        Some(other) => {
            return Err(ProjectError::WrongFormat {
                found: shown(other),
            })
        }
    }
    let version = match &header.version {
        Some(v) => v
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| ProjectError::BadVersion { found: shown(v) })?,
        None => {
            return Err(ProjectError::BadVersion {
                found: "nothing".to_string(),
            })
        }
    };
    if version > VERSION {
        return Err(ProjectError::NewerVersion {
            version,
            supported: VERSION,
        });
    }
    if version < VERSION {
        return Err(ProjectError::OlderVersion {
            version,
            supported: VERSION,
        });
    }
    Ok(())
}

impl RawSource {
    /// The source with its embedded bytes decoded and checked against their fingerprint.
    fn decode(self) -> Result<Source, ProjectError> {
        Ok(match self {
            RawSource::Bundled { file } => {
                check_text("bundled file name", &file, 1)?;
                Source::Bundled { file }
            }
            RawSource::Embedded {
                file_name,
                bytes,
                fingerprint: recorded,
            } => {
                check_text("embedded file name", &file_name, 1)?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(bytes.as_bytes())
                    .map_err(|e| ProjectError::BadBase64 {
                        message: e.to_string(),
                    })?;
                let found = fingerprint(&bytes);
                if found != recorded {
                    return Err(ProjectError::FingerprintMismatch {
                        expected: recorded,
                        found,
                    });
                }
                Source::Embedded {
                    file_name,
                    bytes,
                    fingerprint: recorded,
                }
            }
        })
    }
}

/// The column names of the import settings: none empty or over-long, no list too long.
fn check_import(import: &ImportSettings) -> Result<(), ProjectError> {
    for (field, value) in [
        ("label column", &import.label_column),
        ("text column", &import.text_column),
        ("id column", &import.id_column),
    ] {
        if let Some(value) = value {
            check_text(field, value, 1)?;
        }
    }
    check_list("list of ignored columns", "ignored column", &import.ignore)?;
    if let Some(m) = &import.mapping {
        let names = [&m.label, &m.text, &m.id];
        for value in names.into_iter().flatten() {
            check_text("mapped column", value, 1)?;
        }
        for (field, list) in [
            ("mapped ignored columns", &m.ignore),
            ("class names", &m.classes),
        ] {
            check_list(&format!("list of {field}"), field, list)?;
        }
    }
    Ok(())
}

impl Project {
    /// Read and check a project file (see the module docs for what is refused). All or nothing:
    /// any problem gives an error and no project.
    ///
    /// ```
    /// use engine::project::{Project, ProjectError};
    /// let newer = br#"{"format": "activelab-project", "version": 7}"#;
    /// assert_eq!(
    ///     Project::from_json(newer).unwrap_err().to_string(),
    ///     "this project was written by a newer activelab (format version 7); this version reads version 1: update activelab to open it"
    /// );
    /// assert!(matches!(Project::from_json(b"{\"a\": 1,}"), Err(ProjectError::NotJson { line: 1, .. })));
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Project, ProjectError> {
        if bytes.len() > MAX_PROJECT_BYTES {
            return Err(ProjectError::TooLarge {
                bytes: bytes.len(),
                max: MAX_PROJECT_BYTES,
            });
        }
        check_header(bytes)?;
        let raw: RawProject =
            serde_json::from_slice(bytes).map_err(|e| ProjectError::BadField {
                line: e.line(),
                column: e.column(),
                message: message(&e),
            })?;
        check_text("app version", &raw.app_version, 0)?;
        check_text("project name", &raw.name, 0)?;
        let source = raw.source.decode()?;
        check_import(&raw.import)?;
        raw.settings.to_config()?;
        if raw.events.len() > MAX_EVENTS {
            return Err(ProjectError::TooManyEvents {
                count: raw.events.len(),
                max: MAX_EVENTS,
            });
        }
        Ok(Project {
            format: raw.format,
            version: raw.version,
            app_version: raw.app_version,
            name: raw.name,
            created_ms: raw.created_ms,
            updated_ms: raw.updated_ms,
            source,
            import: raw.import,
            settings: raw.settings,
            events: raw.events,
        })
    }
}
