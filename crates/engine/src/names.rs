//! The choices a person makes by name (a strategy, a model), as enums whose serde form is the
//! short name: project files, the run log and replay links keep their strings, while code can
//! only name a choice that exists.

/// A choice with a short name for files and links, a display name for people, and the list of
/// every choice.
pub trait Named: Copy + Sized + 'static {
    /// What it is called in error messages ("strategy", "model"), and in the plural.
    const WHAT: (&'static str, &'static str);
    /// Every choice, in menu order.
    const ALL: &'static [Self];
    /// The short name (`margin`, `naive_bayes`).
    fn name(self) -> &'static str;

    /// The choice a short name means.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The choice `name` means, or an error that names the choices.
    fn parse(name: &str) -> Result<Self, String> {
        Self::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|c| c.name()).collect();
            format!(
                "unknown {} '{name}': the {} are {}",
                Self::WHAT.0,
                Self::WHAT.1,
                known.join(", ")
            )
        })
    }
}

/// Serde for a [`Named`] choice as its short name (`#[serde(with = …)]` is not needed: the
/// choices implement `Serialize`/`Deserialize` through [`named_serde!`]).
macro_rules! named_serde {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::names::Named::name(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                <$t as $crate::names::Named>::parse(&name).map_err(serde::de::Error::custom)
            }
        }

        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(name: &str) -> Result<Self, String> {
                <$t as $crate::names::Named>::parse(name)
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::names::Named::name(*self))
            }
        }
    };
}
pub(crate) use named_serde;
