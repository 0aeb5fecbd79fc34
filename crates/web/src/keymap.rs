//! Which key does what while labeling: a key (or several) per class, for skip and for undo.
//!
//! Pure Rust with no web crates, so it is tested natively. The UI ([`crate::query`]) turns a
//! browser `KeyboardEvent.key` into an [`Action`] with [`KeyMap::resolve`]; the keys editor parses
//! what the person typed with [`KeyMap::parse`], which refuses a key used twice or a reserved key
//! with a message that names both uses. A map is stored per project as JSON.
//!
//! By default class `k` (0-based) is labeled with the digit `k + 1` (classes 1–9; later classes
//! have no key until one is given), `s` skips and `Backspace` undoes (`Ctrl+Z` always undoes too).
//! A single character is matched without regard to case (`A` with Shift is `a`).

use serde::{Deserialize, Serialize};

/// Keys that keep their fixed meaning and cannot be given to a class, skip or undo.
pub const RESERVED: [&str; 3] = ["?", "Escape", "Tab"];

/// Key names accepted besides single characters (as `KeyboardEvent.key` spells them).
pub const NAMED_KEYS: [&str; 12] = [
    "Backspace",
    "Delete",
    "Enter",
    "Insert",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "ArrowLeft",
    "ArrowRight",
    "ArrowUp",
    "ArrowDown",
];

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Label the sample on screen with this class (0-based).
    Label(usize),
    /// Skip the sample on screen.
    Skip,
    /// Take back the last label or skip.
    Undo,
}

impl Action {
    /// The action in words, for messages: "class 2", "skip", "undo".
    pub fn describe(&self) -> String {
        match self {
            Action::Label(k) => format!("class {}", k + 1),
            Action::Skip => "skip".into(),
            Action::Undo => "undo".into(),
        }
    }
}

/// Why a key map was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyError {
    /// A word that is neither one character nor a known key name.
    #[error(
        "'{token}' (for {action}) is not a key: give one character (a, 1, ;) or a key name such \
         as Backspace, Enter or ArrowLeft."
    )]
    NotAKey {
        /// What was typed.
        token: String,
        /// The action it was for.
        action: String,
    },
    /// A key with a fixed meaning.
    #[error("'{key}' (for {action}) is reserved: ? opens the key list, Esc closes it and Tab moves between controls. Choose another key.")]
    Reserved {
        /// The key.
        key: String,
        /// The action it was for.
        action: String,
    },
    /// The same key for two actions.
    #[error("'{key}' is given to both {first} and {second}: each key can do one thing only.")]
    Conflict {
        /// The key.
        key: String,
        /// The first action that has it.
        first: String,
        /// The second.
        second: String,
    },
    /// More class fields than classes.
    #[error("{given} class keys were given for {n_classes} classes.")]
    TooManyClasses {
        /// Fields given.
        given: usize,
        /// Classes in the dataset.
        n_classes: usize,
    },
}

/// The keys of every action. An empty list means "no key" (the button still works).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyMap {
    /// Keys per class; classes past the end of the list keep their default digit.
    pub classes: Vec<Vec<String>>,
    /// Keys that skip; `None` is the default `s`.
    pub skip: Option<Vec<String>>,
    /// Keys that undo; `None` is the default `Backspace`.
    pub undo: Option<Vec<String>>,
}

/// A key as it is compared: one character in lower case, or a known key name in its canonical
/// spelling (`space` is `" "`). `None` for anything else.
///
/// ```
/// use web::keymap::normalize;
/// assert_eq!(normalize("A").as_deref(), Some("a"));
/// assert_eq!(normalize("backspace").as_deref(), Some("Backspace"));
/// assert_eq!(normalize("Space").as_deref(), Some(" "));
/// assert_eq!(normalize("Shift"), None);
/// ```
pub fn normalize(key: &str) -> Option<String> {
    let mut chars = key.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(c.to_lowercase().collect());
    }
    if key.eq_ignore_ascii_case("space") {
        return Some(" ".into());
    }
    if key.eq_ignore_ascii_case("esc") {
        return Some("Escape".into());
    }
    NAMED_KEYS
        .iter()
        .chain(RESERVED.iter())
        .find(|n| n.eq_ignore_ascii_case(key))
        .map(|n| n.to_string())
}

/// A key for people: `Space` for the space bar, names as they are, characters as they are.
///
/// ```
/// assert_eq!(web::keymap::display(" "), "Space");
/// assert_eq!(web::keymap::display("a"), "a");
/// ```
pub fn display(key: &str) -> String {
    if key == " " {
        "Space".into()
    } else {
        key.to_string()
    }
}

/// The keys typed in one field: words separated by spaces or commas ("a", "1 a", "Backspace").
fn parse_field(text: &str, action: Action) -> Result<Vec<String>, KeyError> {
    let mut keys: Vec<String> = Vec::new();
    for token in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        let key = normalize(token).ok_or_else(|| KeyError::NotAKey {
            token: token.chars().take(24).collect(),
            action: action.describe(),
        })?;
        if RESERVED.contains(&key.as_str()) {
            return Err(KeyError::Reserved {
                key,
                action: action.describe(),
            });
        }
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

impl KeyMap {
    /// The keys of `action` with `n_classes` classes, defaults filled in.
    ///
    /// ```
    /// use web::keymap::{Action, KeyMap};
    /// let map = KeyMap::default();
    /// assert_eq!(map.keys(Action::Label(0), 3), vec!["1".to_string()]);
    /// assert_eq!(map.keys(Action::Skip, 3), vec!["s".to_string()]);
    /// ```
    pub fn keys(&self, action: Action, n_classes: usize) -> Vec<String> {
        match action {
            Action::Skip => self.skip.clone().unwrap_or_else(|| vec!["s".into()]),
            Action::Undo => self
                .undo
                .clone()
                .unwrap_or_else(|| vec!["Backspace".into()]),
            Action::Label(k) if k >= n_classes => Vec::new(),
            Action::Label(k) => match self.classes.get(k) {
                Some(keys) => keys.clone(),
                None if k < 9 => {
                    let digit = (k + 1).to_string();
                    // A default digit that was given to something else is not the class's.
                    let taken = self.explicit().any(|(_, keys)| keys.contains(&digit));
                    if taken {
                        Vec::new()
                    } else {
                        vec![digit]
                    }
                }
                None => Vec::new(),
            },
        }
    }

    /// The actions whose keys were set by the person, with those keys.
    fn explicit(&self) -> impl Iterator<Item = (Action, &Vec<String>)> {
        self.classes
            .iter()
            .enumerate()
            .map(|(k, keys)| (Action::Label(k), keys))
            .chain(self.skip.iter().map(|keys| (Action::Skip, keys)))
            .chain(self.undo.iter().map(|keys| (Action::Undo, keys)))
    }

    /// Every action with `n_classes` classes: the classes in order, then skip and undo.
    pub fn actions(n_classes: usize) -> Vec<Action> {
        (0..n_classes)
            .map(Action::Label)
            .chain([Action::Skip, Action::Undo])
            .collect()
    }

    /// What a pressed key (`KeyboardEvent.key`) does, if anything.
    ///
    /// ```
    /// use web::keymap::{Action, KeyMap};
    /// let map = KeyMap::parse(&["a", "2"], "s", "Backspace").unwrap();
    /// assert_eq!(map.resolve("A", 2), Some(Action::Label(0)));
    /// assert_eq!(map.resolve("1", 2), None);
    /// ```
    pub fn resolve(&self, key: &str, n_classes: usize) -> Option<Action> {
        let key = normalize(key)?;
        Self::actions(n_classes)
            .into_iter()
            .find(|&a| self.keys(a, n_classes).contains(&key))
    }

    /// A map from what the person typed: one field per class (in order), skip and undo. Each
    /// field holds zero or more keys separated by spaces or commas. Refused when a word is not a
    /// key, a key is reserved ([`RESERVED`]) or a key is given to two actions.
    ///
    /// ```
    /// use web::keymap::{KeyError, KeyMap};
    /// assert!(KeyMap::parse(&["a", "b", "c"], "s", "Backspace").is_ok());
    /// assert!(matches!(KeyMap::parse(&["a", "a"], "s", "x"), Err(KeyError::Conflict { .. })));
    /// assert!(matches!(KeyMap::parse(&["?"], "s", "x"), Err(KeyError::Reserved { .. })));
    /// ```
    pub fn parse(classes: &[&str], skip: &str, undo: &str) -> Result<Self, KeyError> {
        let map = Self {
            classes: classes
                .iter()
                .enumerate()
                .map(|(k, text)| parse_field(text, Action::Label(k)))
                .collect::<Result<_, _>>()?,
            skip: Some(parse_field(skip, Action::Skip)?),
            undo: Some(parse_field(undo, Action::Undo)?),
        };
        map.validate(classes.len())?;
        Ok(map)
    }

    /// Check a map (a stored one may be stale or edited): every key is a key, none is reserved,
    /// none does two things, and there are no more class fields than classes.
    pub fn validate(&self, n_classes: usize) -> Result<(), KeyError> {
        if self.classes.len() > n_classes {
            return Err(KeyError::TooManyClasses {
                given: self.classes.len(),
                n_classes,
            });
        }
        let mut seen: Vec<(String, Action)> = Vec::new();
        for action in Self::actions(n_classes) {
            for key in self.keys(action, n_classes) {
                if normalize(&key).as_deref() != Some(key.as_str()) {
                    return Err(KeyError::NotAKey {
                        token: key,
                        action: action.describe(),
                    });
                }
                if RESERVED.contains(&key.as_str()) {
                    return Err(KeyError::Reserved {
                        key,
                        action: action.describe(),
                    });
                }
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    return Err(KeyError::Conflict {
                        key: display(&key),
                        first: first.describe(),
                        second: action.describe(),
                    });
                }
                seen.push((key, action));
            }
        }
        Ok(())
    }

    /// The map as stored text (JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored map, or the default one when the text is not a valid map (a damaged record
    /// never breaks labeling). `n_classes` is the dataset's class count when it is known (a map
    /// may have keys for more classes than are loaded yet: they are kept, and unused).
    pub fn from_json(text: &str, n_classes: usize) -> Self {
        serde_json::from_str::<Self>(text)
            .ok()
            .filter(|m| m.validate(n_classes.max(m.classes.len())).is_ok())
            .unwrap_or_default()
    }

    /// The keys of `action` as one field's text ("1 a").
    pub fn field(&self, action: Action, n_classes: usize) -> String {
        self.keys(action, n_classes)
            .iter()
            .map(|k| display(k))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_digits_s_and_backspace() {
        let map = KeyMap::default();
        assert_eq!(map.resolve("1", 3), Some(Action::Label(0)));
        assert_eq!(map.resolve("3", 3), Some(Action::Label(2)));
        assert_eq!(map.resolve("4", 3), None);
        assert_eq!(map.resolve("S", 3), Some(Action::Skip));
        assert_eq!(map.resolve("Backspace", 3), Some(Action::Undo));
        assert_eq!(map.resolve("Shift", 3), None);
        assert!(map.keys(Action::Label(9), 12).is_empty());
        assert!(map.validate(12).is_ok());
    }

    #[test]
    fn a_letter_replaces_or_joins_the_digit() {
        let map = KeyMap::parse(&["a", "2 b", "3"], "s", "Backspace").unwrap();
        assert_eq!(map.resolve("a", 3), Some(Action::Label(0)));
        assert_eq!(map.resolve("1", 3), None);
        assert_eq!(map.resolve("B", 3), Some(Action::Label(1)));
        assert_eq!(map.resolve("2", 3), Some(Action::Label(1)));
        assert_eq!(map.field(Action::Label(1), 3), "2 b");
    }

    #[test]
    fn a_digit_given_away_is_not_the_default_any_more() {
        // Class 1 takes "2": class 2 (default "2") loses it rather than conflict.
        let map = KeyMap::parse(&["2"], "s", "Backspace").unwrap();
        assert_eq!(map.resolve("2", 3), Some(Action::Label(0)));
        assert!(map.keys(Action::Label(1), 3).is_empty());
        assert_eq!(map.resolve("3", 3), Some(Action::Label(2)));
    }

    #[test]
    fn conflicts_and_reserved_keys_are_refused_with_both_uses() {
        let e = KeyMap::parse(&["a", "b"], "a", "Backspace").unwrap_err();
        assert_eq!(
            e,
            KeyError::Conflict {
                key: "a".into(),
                first: "class 1".into(),
                second: "skip".into()
            }
        );
        assert!(e.to_string().contains("class 1 and skip"));
        let e = KeyMap::parse(&["a", "b"], "s", "?").unwrap_err();
        assert!(matches!(e, KeyError::Reserved { ref key, .. } if key == "?"));
        let e = KeyMap::parse(&["Esc"], "s", "x").unwrap_err();
        assert!(matches!(e, KeyError::Reserved { ref key, .. } if key == "Escape"));
        let e = KeyMap::parse(&["ctrl"], "s", "x").unwrap_err();
        assert!(e.to_string().contains("'ctrl' (for class 1) is not a key"));
        // Case does not make two keys.
        assert!(matches!(
            KeyMap::parse(&["a", "A"], "s", "x"),
            Err(KeyError::Conflict { .. })
        ));
    }

    #[test]
    fn a_stored_map_survives_json_and_a_bad_one_falls_back() {
        let map = KeyMap::parse(&["a", "b"], "Space", "Delete").unwrap();
        assert_eq!(KeyMap::from_json(&map.to_json(), 2), map);
        assert_eq!(map.resolve(" ", 2), Some(Action::Skip));
        assert_eq!(map.field(Action::Skip, 2), "Space");
        assert_eq!(KeyMap::from_json("not json", 2), KeyMap::default());
        // Three class fields stored, read before the classes are known: kept.
        let three = KeyMap::parse(&["a", "b", "c"], "s", "x").unwrap();
        assert_eq!(KeyMap::from_json(&three.to_json(), 0), three);
        assert_eq!(three.resolve("c", 2), None);
        // A stored conflict (edited by hand) falls back to the default.
        let clash = r#"{"classes":[["a"],["a"]]}"#;
        assert_eq!(KeyMap::from_json(clash, 2), KeyMap::default());
        assert!(matches!(
            three.validate(2),
            Err(KeyError::TooManyClasses {
                given: 3,
                n_classes: 2
            })
        ));
        // A class added later keeps its digit.
        assert_eq!(map.resolve("3", 3), Some(Action::Label(2)));
    }

    #[test]
    fn empty_fields_mean_no_key() {
        let map = KeyMap::parse(&["", "b"], "", "Backspace").unwrap();
        assert!(map.keys(Action::Label(0), 2).is_empty());
        assert!(map.keys(Action::Skip, 2).is_empty());
        assert_eq!(map.resolve("s", 2), None);
        assert_eq!(map.resolve("1", 2), None);
    }
}
