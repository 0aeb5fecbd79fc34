//! Colours that stay apart for colour-blind readers (Okabe–Ito), and dash patterns so that lines
//! differ without colour too.

/// How a line is drawn: its colour and its dash pattern (`""` for solid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub colour: &'static str,
    pub dash: &'static str,
}

/// Okabe–Ito colours for classes, in the order classes get them (black and yellow last: yellow is
/// faint on white).
pub const CLASS_COLOURS: [&str; 8] = [
    "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#000000", "#F0E442",
];

/// The colour of class `k` (classes beyond eight reuse the palette).
pub fn class_colour(k: usize) -> &'static str {
    CLASS_COLOURS[k % CLASS_COLOURS.len()]
}

/// Okabe–Ito colours (black last) for series in order; vermillion is kept for random sampling.
pub const SERIES_COLOURS: [&str; 6] = [
    "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000",
];

/// Dash patterns for series in order.
pub const DASHES: [&str; 6] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "1 2"];

/// Random sampling, the baseline every chart compares with: vermillion, dash-dotted.
pub const RANDOM: Style = Style {
    colour: "#D55E00",
    dash: "6 3 1 3",
};

/// A budget or other limit drawn for reference: grey, dotted.
pub const LIMIT: Style = Style {
    colour: "#57606a",
    dash: "3 3",
};

/// The style of the series named `name` at `index`: random sampling keeps its own, the others
/// take the palette in order.
pub fn series_style(name: &str, index: usize) -> Style {
    if name == "random" {
        RANDOM
    } else {
        Style {
            colour: SERIES_COLOURS[index % SERIES_COLOURS.len()],
            dash: DASHES[index % DASHES.len()],
        }
    }
}
