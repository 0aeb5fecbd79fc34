//! Which role each column plays: label, id, ignored, text or feature.

use crate::data::import::{CsvOptions, LABEL_COLUMN_NAMES};
use crate::data::text::TextOptions;
use crate::data::DataError;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Role {
    Feature,
    Label,
    Id,
    Ignored,
    Text,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Label => "label",
            Role::Id => "id",
            Role::Ignored => "ignored",
            Role::Text => "text",
        }
    }
}

/// The column names for a message: all of them, or the first 20 and how many more.
fn available(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut out = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        out.push_str(&format!(", … ({} more)", names.len() - SHOWN));
    }
    out
}

/// The column a name asks for: the exact name, else the first ASCII case-insensitive match.
fn find_column(names: &[String], wanted: &str, role: Role) -> Result<usize, DataError> {
    let wanted_trim = wanted.trim();
    names
        .iter()
        .position(|n| n == wanted_trim)
        .or_else(|| {
            names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(wanted_trim))
        })
        .ok_or_else(|| DataError::UnknownColumn {
            role: role.name().into(),
            name: wanted.to_string(),
            available: available(names),
        })
}

fn assign(roles: &mut [Role], names: &[String], i: usize, role: Role) -> Result<(), DataError> {
    match roles.get(i).copied() {
        Some(Role::Feature) => {
            roles[i] = role;
            Ok(())
        }
        Some(existing) if existing == role => Ok(()),
        Some(existing) => Err(DataError::ColumnRoleConflict {
            column: names.get(i).cloned().unwrap_or_default(),
            first: existing.name().into(),
            second: role.name().into(),
        }),
        None => Ok(()),
    }
}

/// Which column holds the labels: the option, else a preferred name, else the last free column.
fn label_index(names: &[String], roles: &[Role], options: &CsvOptions) -> Result<usize, DataError> {
    if let Some(wanted) = &options.label_column {
        return find_column(names, wanted, Role::Label);
    }
    for preferred in LABEL_COLUMN_NAMES {
        if let Some(i) = names
            .iter()
            .zip(roles)
            .position(|(n, r)| *r == Role::Feature && n.eq_ignore_ascii_case(preferred))
        {
            return Ok(i);
        }
    }
    roles
        .iter()
        .rposition(|r| *r == Role::Feature)
        .ok_or_else(|| DataError::NoFeatures {
            detail: "every column has another role, so none is left for the label".into(),
        })
}

/// Which role each column plays, and where the id, text and label columns are.
pub(super) struct Roles {
    pub(super) roles: Vec<Role>,
    pub(super) id: Option<usize>,
    pub(super) text: Option<usize>,
    pub(super) label: usize,
}

pub(super) fn roles(
    names: &[String],
    options: &CsvOptions,
    text: Option<(&str, &TextOptions)>,
) -> Result<Roles, DataError> {
    let mut roles = vec![Role::Feature; names.len()];
    let id = match &options.id_column {
        Some(id) => {
            let i = find_column(names, id, Role::Id)?;
            assign(&mut roles, names, i, Role::Id)?;
            Some(i)
        }
        None => None,
    };
    let text = match text {
        Some((name, _)) => {
            let i = find_column(names, name, Role::Text)?;
            assign(&mut roles, names, i, Role::Text)?;
            Some(i)
        }
        None => None,
    };
    for ignored in &options.ignore {
        let i = find_column(names, ignored, Role::Ignored)?;
        assign(&mut roles, names, i, Role::Ignored)?;
    }
    let label = label_index(names, &roles, options)?;
    assign(&mut roles, names, label, Role::Label)?;
    Ok(Roles {
        roles,
        id,
        text,
        label,
    })
}
