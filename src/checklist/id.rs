//! The identifiers of checklists, sections and items: `[a-z0-9-]+`, checked once when parsed
//! (serde `try_from`), then trusted everywhere, since they end up in URLs, anchors and the
//! browser's saved answers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Checks the SPEC's id syntax; `what` names the kind of id in the message.
fn check_id(what: &str, id: &str) -> Result<(), String> {
    if id.is_empty() {
        Err(format!(
            "empty {what}; use lowercase letters, digits and `-`"
        ))
    } else if id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(())
    } else {
        Err(format!(
            "invalid {what} `{id}`; use only lowercase letters, digits and `-`"
        ))
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub(crate) struct $name(String);

        impl $name {
            #[allow(dead_code)] // not every id type needs it
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(id: String) -> Result<$name, String> {
                check_id($what, &id)?;
                Ok($name(id))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = String;

            fn try_from(id: &str) -> Result<$name, String> {
                $name::try_from(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A checklist's id: its file name without `.yaml`, and the last segment of its URL.
    ChecklistId,
    "checklist id"
);
id_type!(
    /// A section's id, unique within its checklist file; used as the section's anchor.
    SectionId,
    "section id"
);
id_type!(
    /// An item's id, unique within its checklist file and stable forever: saved answers are
    /// keyed by checklist id and item id.
    ItemId,
    "item id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_only_lowercase_digits_and_hyphens() {
        for ok in ["lic-01", "a", "0", "con-12-b", "-"] {
            assert!(ItemId::try_from(ok).is_ok(), "{ok}");
        }
        let cases = [
            ("", "empty item id; use lowercase letters, digits and `-`"),
            (
                "Lic-01",
                "invalid item id `Lic-01`; use only lowercase letters, digits and `-`",
            ),
            (
                "lic_01",
                "invalid item id `lic_01`; use only lowercase letters, digits and `-`",
            ),
            (
                "lic 01",
                "invalid item id `lic 01`; use only lowercase letters, digits and `-`",
            ),
            (
                "obra-pública",
                "invalid item id `obra-pública`; use only lowercase letters, digits and `-`",
            ),
        ];
        for (bad, message) in cases {
            assert_eq!(ItemId::try_from(bad), Err(message.to_string()), "{bad}");
        }
    }

    #[test]
    fn ids_name_their_kind_and_round_trip_through_serde() {
        assert_eq!(
            SectionId::try_from("X").unwrap_err(),
            "invalid section id `X`; use only lowercase letters, digits and `-`"
        );
        let id: ChecklistId = serde_json::from_str("\"construction\"").unwrap();
        assert_eq!(id.to_string(), "construction");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"construction\"");
        let err = serde_json::from_str::<ChecklistId>("\"Obra\"").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid checklist id `Obra`"),
            "{err}"
        );
    }
}
