//! Where a chart's marks go, as plain numbers and strings: computed in a memo when the data change,
//! drawn by [`super::view`], and tested without a page.

use super::palette::Style;

/// An SVG chart's size and margins: the plot sits inside, tick labels and axis names around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    /// A `width` × `height` chart with room for tick labels on the left and below.
    pub const fn new(width: f64, height: f64) -> Self {
        Self {
            width,
            height,
            left: 56.0,
            right: 16.0,
            top: 16.0,
            bottom: 44.0,
        }
    }

    /// The same size with `pad` on every side (a chart without tick labels).
    pub const fn padded(self, pad: f64) -> Self {
        Self {
            left: pad,
            right: pad,
            top: pad,
            bottom: pad,
            ..self
        }
    }

    /// The same frame with another bottom margin.
    pub const fn with_bottom(self, bottom: f64) -> Self {
        Self { bottom, ..self }
    }

    /// The `<svg>`'s `viewBox`.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", self.width, self.height)
    }

    /// Data from `lo` to `hi` across the plot, left to right.
    pub fn x(&self, lo: f64, hi: f64) -> Scale {
        Scale::new(lo, hi, self.left, self.width - self.right)
    }

    /// Data from `lo` to `hi` up the plot, bottom to top.
    pub fn y(&self, lo: f64, hi: f64) -> Scale {
        Scale::new(lo, hi, self.height - self.bottom, self.top)
    }
}

/// A linear map from data to SVG coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// The data at the start.
    pub lo: f64,
    /// The data at the end.
    pub hi: f64,
    from: f64,
    to: f64,
}

impl Scale {
    /// Map `lo..=hi` onto `from..=to`.
    pub fn new(lo: f64, hi: f64, from: f64, to: f64) -> Self {
        Self { lo, hi, from, to }
    }

    /// Where `v` lands; a domain of one value puts everything at the start rather than nowhere.
    pub fn at(&self, v: f64) -> f64 {
        let span = self.hi - self.lo;
        if span.abs() < 1e-12 {
            self.from
        } else {
            self.from + (v - self.lo) / span * (self.to - self.from)
        }
    }
}

/// A tick: where it is and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// A chart's ticks on both axes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ticks {
    pub x: Vec<Tick>,
    pub y: Vec<Tick>,
}

/// A share as a whole percentage, for tick labels: `0.25` → `25%`.
pub fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// Where an accuracy axis starts: the tenth at or below the lowest value shown (at most 90 %), so
/// differences near the top stay visible.
pub fn accuracy_floor(lowest: f64) -> f64 {
    ((lowest * 10.0).floor() / 10.0).clamp(0.0, 0.9)
}

/// An SVG path through `points` (SVG coordinates, one decimal); empty without points.
pub fn line_path(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    points
        .into_iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" }))
        .collect()
}

/// The closed outline of a band through `(x, low, high)` (SVG coordinates, left to right): along
/// the highs, back along the lows; empty without points.
pub fn band_path(edges: &[(f64, f64, f64)]) -> String {
    if edges.is_empty() {
        return String::new();
    }
    let upper = edges.iter().map(|&(x, _, high)| (x, high));
    let lower = edges.iter().rev().map(|&(x, low, _)| (x, low));
    let mut d = line_path(upper.chain(lower));
    d.push_str(" Z");
    d
}

/// Data ranges laid on a frame: the two scales, and the paths and ticks drawn with them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    pub frame: Frame,
    pub x: Scale,
    pub y: Scale,
}

impl Plot {
    /// `x` and `y` are the data ranges `(lo, hi)` the plot spans.
    pub fn new(frame: Frame, x: (f64, f64), y: (f64, f64)) -> Self {
        Self {
            frame,
            x: frame.x(x.0, x.1),
            y: frame.y(y.0, y.1),
        }
    }

    /// A data point's SVG coordinates.
    pub fn at(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (self.x.at(x), self.y.at(y))
    }

    /// The path through data points.
    pub fn line(&self, points: impl IntoIterator<Item = (f64, f64)>) -> String {
        line_path(points.into_iter().map(|p| self.at(p)))
    }

    /// The closed band through data `(x, low, high)`, left to right.
    pub fn band(&self, points: impl IntoIterator<Item = (f64, f64, f64)>) -> String {
        let edges: Vec<_> = points
            .into_iter()
            .map(|(x, low, high)| (self.x.at(x), self.y.at(low), self.y.at(high)))
            .collect();
        band_path(&edges)
    }

    /// Whole-number ticks along x (counts of labels), about six of them.
    pub fn whole_x_ticks(&self) -> Vec<Tick> {
        let (lo, hi) = (self.x.lo.max(0.0) as usize, self.x.hi.max(0.0) as usize);
        let step = ((hi.saturating_sub(lo) as f64 / 6.0).ceil() as usize).max(1);
        (lo..=hi)
            .step_by(step)
            .map(|n| Tick {
                at: self.x.at(n as f64),
                label: n.to_string(),
            })
            .collect()
    }

    /// `n + 1` evenly spaced ticks along x, each labelled by `label`.
    pub fn even_x_ticks(&self, n: usize, label: impl Fn(f64) -> String) -> Vec<Tick> {
        even(&self.x, n, label)
    }

    /// `n + 1` evenly spaced ticks up y, each labelled by `label`.
    pub fn even_y_ticks(&self, n: usize, label: impl Fn(f64) -> String) -> Vec<Tick> {
        even(&self.y, n, label)
    }

    /// Every series as a line on this plot.
    pub fn lines(&self, series: &[Series]) -> Vec<Line> {
        series
            .iter()
            .map(|s| Line {
                name: s.name.clone(),
                label: s.label.clone(),
                style: s.style,
                path: self.line(s.points.iter().copied()),
            })
            .collect()
    }
}

fn even(scale: &Scale, n: usize, label: impl Fn(f64) -> String) -> Vec<Tick> {
    let n = n.max(1);
    (0..=n)
        .map(|i| scale.lo + (scale.hi - scale.lo) * i as f64 / n as f64)
        .map(|v| Tick {
            at: scale.at(v),
            label: label(v),
        })
        .collect()
}

/// A series of data points to draw as a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its short name (the path's `data-series`).
    pub name: String,
    /// Its name for people (the legend).
    pub label: String,
    pub style: Style,
    /// `(x, y)` data points, left to right.
    pub points: Vec<(f64, f64)>,
}

/// A series as drawn: its names and style, and its path.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub label: String,
    pub style: Style,
    pub path: String,
}

/// A marked point with the words its tooltip gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

/// A chart's numbers as a table, its text alternative.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column headings.
    pub columns: Vec<String>,
    /// The rows' cells, as text.
    pub rows: Vec<Vec<String>>,
    /// Whether each row's first cell heads the row (a name rather than a number).
    pub row_headings: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const FRAME: Frame = Frame::new(640.0, 320.0);

    #[wasm_bindgen_test]
    fn scales_put_the_range_inside_the_margins_y_upwards() {
        let plot = Plot::new(FRAME, (10.0, 30.0), (0.5, 1.0));
        assert_eq!(plot.at((10.0, 0.5)), (56.0, 276.0));
        assert_eq!(plot.at((30.0, 1.0)), (624.0, 16.0));
        assert_eq!(plot.at((20.0, 0.75)), (340.0, 146.0));
        // One value: at the start, not NaN.
        assert_eq!(FRAME.x(3.0, 3.0).at(3.0), 56.0);
        let map = FRAME.padded(24.0);
        assert_eq!(map.y(-1.0, 1.0).at(1.0), 24.0);
        assert_eq!(map.x(-1.0, 1.0).at(1.0), 616.0);
    }

    #[wasm_bindgen_test]
    fn ticks_count_labels_in_about_six_steps_and_split_shares_evenly() {
        let plot = Plot::new(FRAME, (3.0, 23.0), (0.6, 1.0));
        let x: Vec<String> = plot.whole_x_ticks().into_iter().map(|t| t.label).collect();
        assert_eq!(x, ["3", "7", "11", "15", "19", "23"]);
        let y: Vec<String> = plot
            .even_y_ticks(4, percent)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(y, ["60%", "70%", "80%", "90%", "100%"]);
        assert_eq!(plot.even_y_ticks(4, percent)[4].at, 16.0);
        assert_eq!(
            Plot::new(FRAME, (5.0, 5.0), (0.0, 1.0))
                .whole_x_ticks()
                .len(),
            1
        );
    }

    #[wasm_bindgen_test]
    fn paths_go_through_the_points_and_bands_close_back_along_the_lows() {
        assert_eq!(line_path([]), "");
        assert_eq!(line_path([(1.0, 2.0), (3.26, 4.0)]), "M1.0,2.0 L3.3,4.0");
        assert_eq!(band_path(&[]), "");
        assert_eq!(
            band_path(&[(0.0, 9.0, 1.0), (5.0, 8.0, 2.0)]),
            "M0.0,1.0 L5.0,2.0 L5.0,8.0 L0.0,9.0 Z"
        );
        assert_eq!(accuracy_floor(0.87), 0.8);
        assert_eq!(accuracy_floor(1.0), 0.9);
        assert_eq!(accuracy_floor(-0.2), 0.0);
    }
}
