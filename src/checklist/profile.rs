//! What an exported self-assessment may say about the company besides its answers (issue 16):
//! a size band and a state, both optional and chosen from closed lists, so that no export can
//! name the company. Also the export format's name and versions. Pure data, no I/O.

use serde::{Deserialize, Serialize};

/// `format` of an exported answers file (written by the checklist page's script).
pub(crate) const EXPORT_FORMAT: &str = "integridad-checklist";
/// The export version the page writes: answers plus checklist version, scores and profile.
pub(crate) const EXPORT_VERSION: u32 = 2;

/// Company size band, by the usual Mexican classification of micro, small and medium firms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SizeBand {
    Micro,
    Small,
    Medium,
}

impl SizeBand {
    pub(crate) const ALL: [SizeBand; 3] = [SizeBand::Micro, SizeBand::Small, SizeBand::Medium];

    /// The JSON spelling (and the theme's `size_<id>` string key).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SizeBand::Micro => "micro",
            SizeBand::Small => "small",
            SizeBand::Medium => "medium",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<SizeBand> {
        SizeBand::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One of the 32 entidades federativas: ISO 3166-2:MX code, Spanish and English name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct State {
    pub code: &'static str,
    pub es: &'static str,
    pub en: &'static str,
}

impl State {
    /// The name in `lang` (Spanish for any language but English).
    pub(crate) fn name(&self, lang: &str) -> &'static str {
        if lang == "en" {
            self.en
        } else {
            self.es
        }
    }
}

const fn state(code: &'static str, es: &'static str, en: &'static str) -> State {
    State { code, es, en }
}

/// The 32 entidades federativas in alphabetical order of their Spanish names.
pub(crate) const STATES: [State; 32] = [
    state("MX-AGU", "Aguascalientes", "Aguascalientes"),
    state("MX-BCN", "Baja California", "Baja California"),
    state("MX-BCS", "Baja California Sur", "Baja California Sur"),
    state("MX-CAM", "Campeche", "Campeche"),
    state("MX-CHP", "Chiapas", "Chiapas"),
    state("MX-CHH", "Chihuahua", "Chihuahua"),
    state("MX-CMX", "Ciudad de México", "Mexico City"),
    state("MX-COA", "Coahuila", "Coahuila"),
    state("MX-COL", "Colima", "Colima"),
    state("MX-DUR", "Durango", "Durango"),
    state("MX-MEX", "Estado de México", "State of Mexico"),
    state("MX-GUA", "Guanajuato", "Guanajuato"),
    state("MX-GRO", "Guerrero", "Guerrero"),
    state("MX-HID", "Hidalgo", "Hidalgo"),
    state("MX-JAL", "Jalisco", "Jalisco"),
    state("MX-MIC", "Michoacán", "Michoacán"),
    state("MX-MOR", "Morelos", "Morelos"),
    state("MX-NAY", "Nayarit", "Nayarit"),
    state("MX-NLE", "Nuevo León", "Nuevo León"),
    state("MX-OAX", "Oaxaca", "Oaxaca"),
    state("MX-PUE", "Puebla", "Puebla"),
    state("MX-QUE", "Querétaro", "Querétaro"),
    state("MX-ROO", "Quintana Roo", "Quintana Roo"),
    state("MX-SLP", "San Luis Potosí", "San Luis Potosí"),
    state("MX-SIN", "Sinaloa", "Sinaloa"),
    state("MX-SON", "Sonora", "Sonora"),
    state("MX-TAB", "Tabasco", "Tabasco"),
    state("MX-TAM", "Tamaulipas", "Tamaulipas"),
    state("MX-TLA", "Tlaxcala", "Tlaxcala"),
    state("MX-VER", "Veracruz", "Veracruz"),
    state("MX-YUC", "Yucatán", "Yucatán"),
    state("MX-ZAC", "Zacatecas", "Zacatecas"),
];

/// The state with this ISO 3166-2:MX code.
pub(crate) fn resolve_state(code: &str) -> Option<&'static State> {
    STATES.iter().find(|s| s.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_the_32_entidades_with_unique_codes() {
        let mut codes: Vec<&str> = STATES.iter().map(|s| s.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 32);
        assert!(codes.iter().all(|c| c.len() == 6 && c.starts_with("MX-")));
        assert_eq!(
            resolve_state("MX-JAL").map(|s| s.name("en")),
            Some("Jalisco")
        );
        assert_eq!(
            resolve_state("MX-CMX").map(|s| s.name("en")),
            Some("Mexico City")
        );
        assert!(resolve_state("MX-XXX").is_none());
    }

    #[test]
    fn size_bands_parse_their_spelling_only() {
        for band in SizeBand::ALL {
            assert_eq!(SizeBand::parse(band.as_str()), Some(band));
        }
        assert_eq!(SizeBand::parse("large"), None);
        assert_eq!(SizeBand::parse("Micro"), None);
    }
}
