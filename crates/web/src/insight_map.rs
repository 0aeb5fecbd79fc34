//! The map of the pool: every (sampled) pool row at its two principal-component coordinates,
//! coloured by predicted class (Okabe–Ito), shaped by state (circle unlabeled, square labeled,
//! diamond the sample on screen) so it reads without colour, paler where the model is less sure.
//! A caption and a table of counts per class and state are its text alternative.
//!
//! The unlabeled and labeled points are drawn as a few `<path>`s, one per state, colour and
//! opacity step, not one element per point, because restyling thousands of map elements after
//! every answer delayed the next sample; only the sample on screen is an element of its own (with
//! its tooltip).

use super::{name_of, use_insight};
use crate::chart::{class_colour, Chart, Frame, Plot, Table, TableDetails};
use crate::format_percent;
use crate::studio::use_class_names;
use leptos::prelude::*;
use worker::insight::{PointState, PoolMap as MapData};

const FRAME: Frame = Frame::new(640.0, 420.0).padded(24.0);

/// One drawn point.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub row: usize,
    pub x: f64,
    pub y: f64,
    pub colour: &'static str,
    /// Fill opacity: 1 where the model is sure, down to 0.2 at the largest possible uncertainty.
    pub opacity: f64,
    pub state: PointState,
    /// Tooltip text.
    pub title: String,
}

/// Lay out the map's points: unlabeled first, then labeled, the query last (drawn on top).
pub fn glyphs(map: &MapData, names: &[String], n_classes: usize) -> Vec<Glyph> {
    let [x0, x1, y0, y1] = map.bounds;
    let plot = Plot::new(FRAME, (x0, x1), (y0, y1));
    let u_max = 1.0 - 1.0 / n_classes.max(2) as f64;
    let order = |s: PointState| match s {
        PointState::Unlabeled => 0,
        PointState::Labeled => 1,
        PointState::Query => 2,
    };
    let mut points: Vec<_> = map.points.iter().collect();
    points.sort_by_key(|p| order(p.state));
    points
        .into_iter()
        .map(|p| {
            let u = f64::from(p.uncertainty);
            let predicted = p
                .predicted
                .map(|k| format!("predicted {}", name_of(names, k)))
                .unwrap_or_else(|| "no prediction yet".into());
            let state = match (p.state, p.label) {
                (PointState::Query, _) => "to label next".to_string(),
                (_, Some(l)) => format!("labeled {}", name_of(names, l)),
                _ => "unlabeled".to_string(),
            };
            let (x, y) = plot.at((f64::from(p.x), f64::from(p.y)));
            Glyph {
                row: p.row,
                x,
                y,
                colour: p.predicted.map_or("#8c959f", class_colour),
                opacity: (1.0 - 0.8 * (u / u_max)).clamp(0.2, 1.0),
                state: p.state,
                title: format!(
                    "Sample {}: {state}, {predicted}, uncertainty {}",
                    p.row,
                    format_percent(u)
                ),
            }
        })
        .collect()
}

/// Opacity steps of the batched points (fill opacity is rounded to the nearest).
const OPACITY_STEPS: [f64; 5] = [0.2, 0.4, 0.6, 0.8, 1.0];

/// Points of one state, colour and opacity step, drawn as one `<path>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub state: PointState,
    pub colour: &'static str,
    pub opacity: f64,
    /// How many points the path draws.
    pub count: usize,
    /// The path: a circle (unlabeled) or a square (labeled) per point.
    pub d: String,
}

/// Group the unlabeled and labeled glyphs into [`Batch`]es (unlabeled first, so labeled squares
/// are drawn on top); the query glyph is left out (it is drawn on its own).
pub fn batches(glyphs: &[Glyph]) -> Vec<Batch> {
    use std::fmt::Write;
    let mut out: Vec<Batch> = Vec::new();
    for g in glyphs {
        if g.state == PointState::Query {
            continue;
        }
        let step = OPACITY_STEPS
            .iter()
            .copied()
            .min_by(|a, b| (a - g.opacity).abs().total_cmp(&(b - g.opacity).abs()))
            .unwrap_or(1.0);
        let at = out
            .iter()
            .position(|b| b.state == g.state && b.colour == g.colour && b.opacity == step);
        let batch = match at {
            Some(i) => &mut out[i],
            None => {
                out.push(Batch {
                    state: g.state,
                    colour: g.colour,
                    opacity: step,
                    count: 0,
                    d: String::new(),
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        batch.count += 1;
        let _ = match g.state {
            // A circle of radius 3.5 as two arcs.
            PointState::Unlabeled => write!(
                batch.d,
                "M{:.1},{:.1}a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0",
                g.x - 3.5,
                g.y
            ),
            _ => write!(batch.d, "M{:.1},{:.1}h9v9h-9Z", g.x - 4.5, g.y - 4.5),
        };
    }
    // Stable order: unlabeled before labeled (glyphs come sorted that way already).
    out.sort_by_key(|b| matches!(b.state, PointState::Labeled));
    out
}

/// Counts per predicted class and state, and a one-sentence summary.
fn counts(map: &MapData, names: &[String], n_classes: usize) -> (Vec<[usize; 3]>, String) {
    let mut per_class = vec![[0usize; 3]; n_classes + 1]; // last row: no prediction
    let mut by_state = [0usize; 3];
    for p in &map.points {
        let s = match p.state {
            PointState::Unlabeled => 0,
            PointState::Labeled => 1,
            PointState::Query => 2,
        };
        let row = p.predicted.filter(|&k| k < n_classes).unwrap_or(n_classes);
        per_class[row][s] += 1;
        by_state[s] += 1;
    }
    let predicted: Vec<String> = (0..n_classes)
        .map(|k| {
            let n: usize = per_class[k].iter().sum();
            format!("{} {n}", name_of(names, k))
        })
        .collect();
    let mean_u = if map.points.is_empty() {
        0.0
    } else {
        map.points
            .iter()
            .map(|p| f64::from(p.uncertainty))
            .sum::<f64>()
            / map.points.len() as f64
    };
    let sample = if map.points.len() < map.pool_size {
        format!(" (a sample of the {} pool rows)", map.pool_size)
    } else {
        String::new()
    };
    let summary = format!(
        "{} samples shown{sample}: {} labeled, {} to label next, {} unlabeled. Predicted: {}. \
         Mean uncertainty {}.",
        map.points.len(),
        by_state[1],
        by_state[2],
        by_state[0],
        predicted.join(", "),
        format_percent(mean_u)
    );
    (per_class, summary)
}

/// The map figure.
#[component]
pub fn PoolMap() -> impl IntoView {
    let insight = use_insight();
    let names = use_class_names();
    let map = Memo::new(move |_| insight.with(|i| i.as_ref().and_then(|i| i.map.clone())));
    let n_classes = Memo::new(move |_| insight.with(|i| i.as_ref().map_or(0, |i| i.n_classes)));
    let drawn = Memo::new(move |_| {
        map.with(|m| {
            m.as_ref()
                .map(|m| names.with(|n| glyphs(m, n, n_classes.get())))
                .unwrap_or_default()
        })
    });
    let axis = move |k: usize| {
        map.with(|m| {
            m.as_ref()
                .map(|m| {
                    format!(
                        "PC{} ({} of the variance)",
                        k + 1,
                        format_percent(m.variance_ratio[k])
                    )
                })
                .unwrap_or_default()
        })
    };
    let summary = move || {
        map.with(|m| {
            m.as_ref()
                .map(|m| names.with(|n| counts(m, n, n_classes.get()).1))
                .unwrap_or_else(|| "The map is not available for this dataset.".into())
        })
    };
    let points = move || {
        let drawn = drawn.get();
        let batched = batches(&drawn)
            .into_iter()
            .map(|b| {
                let (state, class) = match b.state {
                    PointState::Labeled => ("labeled", "map-points labeled"),
                    _ => ("unlabeled", "map-points"),
                };
                view! {
                    <path class=class data-testid="map-batch" data-state=state
                        data-count=b.count.to_string() d=b.d fill=b.colour fill-opacity=b.opacity></path>
                }
            })
            .collect_view();
        let query = drawn
            .into_iter()
            .filter(|g| g.state == PointState::Query)
            .map(|g| {
                view! {
                    <g class="map-query">
                        <circle class="query-ring" cx=g.x cy=g.y r="14" fill="none"></circle>
                        <path class="map-point query" data-testid="map-point" data-state="query"
                            data-row=g.row.to_string()
                            d=format!("M{:.1},{:.1} l9,9 l-9,9 l-9,-9 Z", g.x, g.y - 9.0)
                            fill=g.colour fill-opacity=g.opacity>
                            <title>{g.title}</title>
                        </path>
                    </g>
                }
            })
            .collect_view();
        (batched, query)
    };
    let legend = move || {
        let names = names.get();
        (0..n_classes.get())
            .map(|k| {
                let background = class_colour(k).to_string();
                view! { <li><span class="swatch" style:background=background aria-hidden="true"></span>{name_of(&names, k)}</li> }
            })
            .collect_view()
    };
    let table = Signal::derive(move || {
        let names = names.get();
        let k = n_classes.get();
        let rows = map.with(|m| {
            m.as_ref()
                .map(|m| {
                    counts(m, &names, k)
                        .0
                        .into_iter()
                        .enumerate()
                        .filter(|(i, c)| *i < k || c.iter().sum::<usize>() > 0)
                        .map(|(i, c)| {
                            let name = if i < k {
                                name_of(&names, i)
                            } else {
                                "no prediction".into()
                            };
                            vec![name, c[1].to_string(), c[0].to_string(), c[2].to_string()]
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        Table {
            columns: ["Predicted class", "Labeled", "Unlabeled", "Next"]
                .map(String::from)
                .to_vec(),
            rows,
            row_headings: true,
        }
    });
    view! {
        <figure class="chart pool-map" aria-labelledby="map-title">
            <h3 id="map-title">"Map of the pool"</h3>
            <Chart
                frame=FRAME
                testid="pool-map"
                labelled_by="map-title map-summary"
                x_label=Signal::derive(move || axis(0))
                y_label=Signal::derive(move || axis(1))
            >
                <g class="points">{points}</g>
            </Chart>
            <figcaption>
                <ul class="legend map-legend">
                    {legend}
                    <li><span class="shape circle" aria-hidden="true">"●"</span>"unlabeled"</li>
                    <li><span class="shape square" aria-hidden="true">"■"</span>"labeled"</li>
                    <li><span class="shape diamond" aria-hidden="true">"◆"</span>"to label next"</li>
                    <li>"paler = less sure"</li>
                </ul>
                <p id="map-summary" data-testid="map-summary">{summary}</p>
                <TableDetails summary="Show the counts as a table" class="insight-table" table=table/>
                <p class="muted">"Principal component analysis of the standardized features, computed once for the pool."</p>
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn glyph(row: usize, state: PointState, colour: &'static str, opacity: f64) -> Glyph {
        Glyph {
            row,
            x: row as f64,
            y: 2.0,
            colour,
            opacity,
            state,
            title: String::new(),
        }
    }

    #[wasm_bindgen_test]
    fn batches_group_by_state_colour_and_opacity_step_and_leave_the_query_out() {
        let g = [
            glyph(0, PointState::Unlabeled, "#0072B2", 0.95),
            glyph(1, PointState::Unlabeled, "#0072B2", 1.0),
            glyph(2, PointState::Unlabeled, "#0072B2", 0.21),
            glyph(3, PointState::Unlabeled, "#E69F00", 1.0),
            glyph(4, PointState::Labeled, "#0072B2", 1.0),
            glyph(5, PointState::Query, "#0072B2", 1.0),
        ];
        let b = batches(&g);
        let summary: Vec<_> = b
            .iter()
            .map(|b| (b.state, b.colour, b.opacity, b.count))
            .collect();
        assert_eq!(
            summary,
            vec![
                (PointState::Unlabeled, "#0072B2", 1.0, 2),
                (PointState::Unlabeled, "#0072B2", 0.2, 1),
                (PointState::Unlabeled, "#E69F00", 1.0, 1),
                (PointState::Labeled, "#0072B2", 1.0, 1),
            ]
        );
        assert_eq!(b[0].d.matches('M').count(), 2);
        assert_eq!(b[3].d, "M-0.5,-2.5h9v9h-9Z");
    }
}
