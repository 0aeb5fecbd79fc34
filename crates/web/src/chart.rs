//! The live learning curve: test accuracy against labels, for this session and for random sampling
//! on the same split, as hand-written SVG with a data table as its text alternative.

use super::format_percent;
use super::studio::use_studio;
use engine::simulation::CurvePoint;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// Everything the SVG draws, computed from the two curves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartGeometry {
    /// `(x, y, n_labels, accuracy)` of each point of the session's curve.
    pub active: Vec<(f64, f64, usize, f64)>,
    /// SVG path of the session's curve.
    pub active_path: String,
    /// SVG path of the random baseline (clipped to the shown label range).
    pub random_path: String,
    /// `(x, label)` ticks.
    pub x_ticks: Vec<(f64, String)>,
    /// `(y, label)` ticks.
    pub y_ticks: Vec<(f64, String)>,
}

fn path(points: impl Iterator<Item = (f64, f64)>) -> String {
    points
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" }))
        .collect()
}

/// Lay out both curves. The label axis runs from the first point to 10 labels past the session's
/// last point (at least 20), so the session's progress stays readable while the baseline gives
/// context; the accuracy axis starts at the tenth below the lowest shown value.
pub fn geometry(active: &[CurvePoint], random: &[CurvePoint]) -> ChartGeometry {
    let x_min = active
        .iter()
        .chain(random)
        .map(|p| p.n_labels)
        .min()
        .unwrap_or(0) as f64;
    let last = active.last().map_or(x_min as usize, |p| p.n_labels);
    let x_max = (last + 10).max(x_min as usize + 20) as f64;
    let shown_random: Vec<&CurvePoint> = random
        .iter()
        .filter(|p| p.n_labels as f64 <= x_max)
        .collect();
    let lowest = active
        .iter()
        .chain(shown_random.iter().copied())
        .map(|p| p.accuracy)
        .fold(1.0_f64, f64::min);
    let y_min = ((lowest * 10.0).floor() / 10.0).clamp(0.0, 0.9);
    let sx = |n: usize| LEFT + (n as f64 - x_min) / (x_max - x_min) * (WIDTH - LEFT - RIGHT);
    let sy = |a: f64| TOP + (1.0 - (a - y_min) / (1.0 - y_min)) * (HEIGHT - TOP - BOTTOM);
    let x_step = (((x_max - x_min) / 6.0).ceil() as usize).max(1);
    let x_ticks = (x_min as usize..=x_max as usize)
        .step_by(x_step)
        .map(|n| (sx(n), n.to_string()))
        .collect();
    let y_ticks = (0..=5)
        .map(|i| y_min + (1.0 - y_min) * i as f64 / 5.0)
        .map(|a| (sy(a), format!("{:.0}%", a * 100.0)))
        .collect();
    let points: Vec<(f64, f64, usize, f64)> = active
        .iter()
        .map(|p| (sx(p.n_labels), sy(p.accuracy), p.n_labels, p.accuracy))
        .collect();
    ChartGeometry {
        active_path: path(points.iter().map(|&(x, y, _, _)| (x, y))),
        active: points,
        random_path: path(
            shown_random
                .iter()
                .map(|p| (sx(p.n_labels), sy(p.accuracy))),
        ),
        x_ticks,
        y_ticks,
    }
}

/// The learning-curve figure.
#[component]
pub fn LearningCurve() -> impl IntoView {
    let studio = use_studio();
    let active = Memo::new(move |_| {
        studio
            .round
            .with(|r| r.as_ref().map(|r| r.curve.clone()).unwrap_or_default())
    });
    let random = Memo::new(move |_| {
        studio
            .baseline
            .with(|b| b.as_ref().map(|b| b.curve.clone()).unwrap_or_default())
    });
    let strategy = Memo::new(move |_| {
        studio.dataset.with(|d| {
            d.as_ref()
                .map(|d| d.strategy_label.clone())
                .unwrap_or_default()
        })
    });
    let runs = Memo::new(move |_| studio.baseline.with(|b| b.as_ref().map_or(0, |b| b.runs)));
    let geo = Memo::new(move |_| active.with(|a| random.with(|r| geometry(a, r))));

    let summary = move || {
        let a = active.get();
        let r = random.get();
        match a.last() {
            None => "No accuracy measured yet.".to_string(),
            Some(last) => {
                let base = r.iter().find(|p| p.n_labels == last.n_labels);
                format!(
                    "Test accuracy with {} labels: {} for {} sampling{}.",
                    last.n_labels,
                    format_percent(last.accuracy),
                    strategy.get(),
                    base.map(|b| format!(
                        ", {} for random sampling (mean of {} runs)",
                        format_percent(b.accuracy),
                        runs.get()
                    ))
                    .unwrap_or_default()
                )
            }
        }
    };

    let table_rows = move || {
        let r = random.get();
        active
            .get()
            .into_iter()
            .map(|p| {
                let base = r
                    .iter()
                    .find(|b| b.n_labels == p.n_labels)
                    .map(|b| format_percent(b.accuracy))
                    .unwrap_or_else(|| "–".into());
                view! { <tr><td>{p.n_labels}</td><td>{format_percent(p.accuracy)}</td><td>{base}</td></tr> }
            })
            .collect_view()
    };

    view! {
        <figure class="chart" aria-labelledby="curve-title">
            <h2 id="curve-title">"Learning curve"</h2>
            <svg
                data-testid="learning-curve"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-labelledby="curve-title curve-summary"
            >
                <g class="grid">
                    {move || geo.get().y_ticks.into_iter().map(|(y, label)| view! {
                        <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y></line>
                        <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{label}</text>
                    }).collect_view()}
                    {move || geo.get().x_ticks.into_iter().map(|(x, label)| view! {
                        <text x=x y=HEIGHT - BOTTOM + 18.0 text-anchor="middle">{label}</text>
                    }).collect_view()}
                </g>
                <text class="axis-label" x=(LEFT + WIDTH - RIGHT) / 2.0 y=HEIGHT - 6.0 text-anchor="middle">"labels"</text>
                <path class="series-random" data-series="random" d=move || geo.get().random_path fill="none"></path>
                <g data-series="active">
                    <path class="series-active" d=move || geo.get().active_path fill="none"></path>
                    {move || geo.get().active.into_iter().map(|(x, y, n, a)| view! {
                        <circle class="point" cx=x cy=y r="4">
                            <title>{format!("{n} labels: {}", format_percent(a))}</title>
                        </circle>
                    }).collect_view()}
                </g>
            </svg>
            <figcaption>
                <ul class="legend">
                    <li class="legend-active">{move || format!("You ({} sampling)", strategy.get())}</li>
                    <li class="legend-random">{move || match runs.get() {
                        0 => "Random sampling, same split (computing…)".to_string(),
                        n => format!("Random sampling, same split (mean of {n} runs)"),
                    }}</li>
                </ul>
                <p id="curve-summary" data-testid="curve-summary">{summary}</p>
                <details>
                    <summary>"Show the numbers as a table"</summary>
                    <table class="curve-table" data-testid="curve-table">
                        <thead><tr><th scope="col">"Labels"</th><th scope="col">"Your accuracy"</th><th scope="col">"Random"</th></tr></thead>
                        <tbody>{table_rows}</tbody>
                    </table>
                </details>
            </figcaption>
        </figure>
    }
}
