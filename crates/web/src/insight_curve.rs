//! The session's learning curve, with its metric choice: test accuracy against labels beside
//! random sampling on the same split, macro-F1 on the test split, or (without test labels) the
//! accuracy estimated from probes with its 95% band. Each is an SVG [`crate::chart::Chart`] with a
//! summary sentence and a table as its text alternative.

use super::use_insight;
use crate::chart::{
    accuracy_floor, percent, Chart, Dot, Dots, Frame, Plot, Table, TableDetails, Ticks,
};
use crate::format_percent;
use crate::studio::use_studio;
use engine::simulation::CurvePoint;
use leptos::prelude::*;
use worker::insight::{F1Point, ProbePoint};
use worker::{BaselineView, BASELINE_RUNS};

const ACCURACY_FRAME: Frame = Frame::new(640.0, 320.0);
const METRIC_FRAME: Frame = Frame::new(640.0, 300.0);

/// One point of a metric curve: labels, value and an optional band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricPoint {
    pub n_labels: usize,
    pub value: f64,
    pub band: Option<(f64, f64)>,
}

impl From<F1Point> for MetricPoint {
    fn from(p: F1Point) -> Self {
        MetricPoint {
            n_labels: p.n_labels,
            value: p.macro_f1,
            band: None,
        }
    }
}

impl From<ProbePoint> for MetricPoint {
    fn from(p: ProbePoint) -> Self {
        MetricPoint {
            n_labels: p.n_labels,
            value: p.accuracy,
            band: Some((p.low, p.high)),
        }
    }
}

/// What a curve figure draws.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CurveGeometry {
    pub ticks: Ticks,
    /// The session's curve.
    pub path: String,
    /// A dot per point of it.
    pub dots: Vec<Dot>,
    /// The random baseline's path (empty where there is none).
    pub baseline: String,
    /// The band's closed path (empty where there is none).
    pub band: String,
}

/// The session's curve on `plot`, with its ticks and dots.
fn curve(plot: Plot, points: impl Iterator<Item = (usize, f64)> + Clone) -> CurveGeometry {
    CurveGeometry {
        ticks: Ticks {
            x: plot.whole_x_ticks(),
            y: plot.even_y_ticks(5, percent),
        },
        path: plot.line(points.clone().map(|(n, v)| (n as f64, v))),
        dots: points
            .map(|(n, v)| {
                let (x, y) = plot.at((n as f64, v));
                Dot {
                    x,
                    y,
                    title: format!("{n} labels: {}", format_percent(v)),
                }
            })
            .collect(),
        ..CurveGeometry::default()
    }
}

/// Lay out test accuracy beside random sampling. The label axis runs from the first point to 10
/// labels past the session's last point (at least 20), so the session's progress stays readable
/// while the baseline gives context; the accuracy axis starts at the tenth below the lowest shown
/// value.
pub fn accuracy_geometry(active: &[CurvePoint], random: &[CurvePoint]) -> CurveGeometry {
    let x_min = active
        .iter()
        .chain(random)
        .map(|p| p.n_labels)
        .min()
        .unwrap_or(0);
    let last = active.last().map_or(x_min, |p| p.n_labels);
    let x_max = (last + 10).max(x_min + 20);
    let shown_random: Vec<&CurvePoint> = random.iter().filter(|p| p.n_labels <= x_max).collect();
    let lowest = active
        .iter()
        .chain(shown_random.iter().copied())
        .map(|p| p.accuracy)
        .fold(1.0_f64, f64::min);
    let plot = Plot::new(
        ACCURACY_FRAME,
        (x_min as f64, x_max as f64),
        (accuracy_floor(lowest), 1.0),
    );
    CurveGeometry {
        baseline: plot.line(shown_random.iter().map(|p| (p.n_labels as f64, p.accuracy))),
        ..curve(plot, active.iter().map(|p| (p.n_labels, p.accuracy)))
    }
}

/// Lay out a metric curve on a 0–100 % axis (a band needs the whole range).
pub fn metric_geometry(points: &[MetricPoint]) -> CurveGeometry {
    let x_min = points.first().map_or(0, |p| p.n_labels) as f64;
    let x_max = (points.last().map_or(0, |p| p.n_labels) as f64 + 5.0).max(x_min + 10.0);
    let plot = Plot::new(METRIC_FRAME, (x_min, x_max), (0.0, 1.0));
    let share = |v: f64| v.clamp(0.0, 1.0);
    CurveGeometry {
        band: plot.band(points.iter().filter_map(|p| {
            p.band
                .map(|(low, high)| (p.n_labels as f64, share(low), share(high)))
        })),
        ..curve(plot, points.iter().map(|p| (p.n_labels, share(p.value))))
    }
}

/// The learning-curve figure: test accuracy, yours and random sampling's.
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
                .map(|d| d.settings.strategy.label().to_string())
                .unwrap_or_default()
        })
    });
    let runs = Memo::new(move |_| studio.baseline.with(|b| b.as_ref().map_or(0, |b| b.runs)));
    let geo = Memo::new(move |_| active.with(|a| random.with(|r| accuracy_geometry(a, r))));
    let random_at = move |n: usize| {
        random.with(|r| {
            r.iter()
                .find(|p| p.n_labels == n)
                .map(|p| format_percent(p.accuracy))
        })
    };

    let summary = move || match active.with(|a| a.last().copied()) {
        None => "No accuracy measured yet.".to_string(),
        Some(last) => format!(
            "Test accuracy with {} labels: {} for {} sampling{}.",
            last.n_labels,
            format_percent(last.accuracy),
            strategy.get(),
            random_at(last.n_labels)
                .map(|b| format!(", {b} for random sampling (mean of {} runs)", runs.get()))
                .unwrap_or_default()
        ),
    };
    let table = Signal::derive(move || Table {
        columns: vec!["Labels".into(), "Your accuracy".into(), "Random".into()],
        rows: active.with(|a| {
            a.iter()
                .map(|p| {
                    vec![
                        p.n_labels.to_string(),
                        format_percent(p.accuracy),
                        random_at(p.n_labels).unwrap_or_else(|| "–".into()),
                    ]
                })
                .collect()
        }),
        row_headings: false,
    });

    view! {
        <figure class="chart" aria-labelledby="curve-title">
            <h2 id="curve-title">"Learning curve"</h2>
            <Chart
                frame=ACCURACY_FRAME
                testid="learning-curve"
                labelled_by="curve-title curve-summary"
                ticks=Signal::derive(move || geo.with(|g| g.ticks.clone()))
                x_label="labels"
            >
                <path class="series-random" data-series="random" d=move || geo.with(|g| g.baseline.clone()) fill="none"></path>
                <g data-series="active">
                    <path class="series-active" d=move || geo.with(|g| g.path.clone()) fill="none"></path>
                    <Dots dots=Signal::derive(move || geo.with(|g| g.dots.clone()))/>
                </g>
            </Chart>
            <figcaption>
                <ul class="legend">
                    <li class="legend-active">{move || format!("You ({} sampling)", strategy.get())}</li>
                    <li class="legend-random" data-testid="baseline-legend">{move || {
                        let pool = studio.dataset.with(|d| d.as_ref().map(|d| (d.n_pool, d.n_test)));
                        studio.baseline.with(|b| baseline_legend(b.as_ref(), pool.unwrap_or_default()))
                    }}</li>
                </ul>
                <p id="curve-summary" data-testid="curve-summary">{summary}</p>
                <TableDetails summary="Show the numbers as a table" class="curve-table" testid="curve-table" table=table/>
            </figcaption>
        </figure>
    }
}

/// The legend of the random baseline: how many runs it is the mean of so far, and, when the
/// dataset was too large to simulate whole, the sample it ran on (`full`: pool and test rows).
pub fn baseline_legend(
    baseline: Option<&BaselineView>,
    (n_pool, n_test): (usize, usize),
) -> String {
    let Some(b) = baseline.filter(|b| b.runs > 0) else {
        return "Random sampling, same split (computing…)".to_string();
    };
    let runs = if b.runs < BASELINE_RUNS {
        format!("mean of {} of {BASELINE_RUNS} runs so far", b.runs)
    } else {
        format!("mean of {} runs", b.runs)
    };
    let sample = if b.pool_rows < n_pool || b.test_rows < n_test {
        format!(
            " on a sample: {} of {} pool rows, scored on {} of {} test rows",
            format_count(b.pool_rows),
            format_count(n_pool),
            format_count(b.test_rows),
            format_count(n_test)
        )
    } else {
        String::new()
    };
    format!("Random sampling, same split ({runs}{sample})")
}

/// `12345` as "12,345".
pub fn format_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A metric curve (macro-F1, or the probe estimate with its band) with a table as its text
/// alternative.
#[component]
pub fn MetricCurve(
    /// The points, oldest first.
    points: Signal<Vec<MetricPoint>>,
    /// The chart's title (says what is measured and how).
    title: &'static str,
    /// `data-testid` of the SVG and `data-series` of its points.
    series: &'static str,
) -> impl IntoView {
    let geo = Memo::new(move |_| points.with(|p| metric_geometry(p)));
    let title_id = format!("{series}-title");
    let summary_id = format!("{series}-summary");
    let interval =
        |(low, high): (f64, f64)| format!("{} – {}", format_percent(low), format_percent(high));
    let summary = move || {
        points.with(|p| match p.last() {
            None => "No value yet.".to_string(),
            Some(last) => format!(
                "{title}: {} with {} labels{}.",
                format_percent(last.value),
                last.n_labels,
                last.band
                    .map(|(low, high)| format!(
                        " (95% interval {} to {})",
                        format_percent(low),
                        format_percent(high)
                    ))
                    .unwrap_or_default()
            ),
        })
    };
    let table = Signal::derive(move || Table {
        columns: vec!["Labels".into(), "Value".into(), "95% interval".into()],
        rows: points.with(|p| {
            p.iter()
                .map(|p| {
                    vec![
                        p.n_labels.to_string(),
                        format_percent(p.value),
                        p.band.map(interval).unwrap_or_else(|| "–".into()),
                    ]
                })
                .collect()
        }),
        row_headings: false,
    });
    view! {
        <figure class="chart metric-curve" aria-labelledby=title_id.clone()>
            <h3 id=title_id.clone()>{title}</h3>
            <Chart
                frame=METRIC_FRAME
                testid=series
                labelled_by=format!("{title_id} {summary_id}")
                ticks=Signal::derive(move || geo.with(|g| g.ticks.clone()))
                x_label="labels"
            >
                <path class="band" d=move || geo.with(|g| g.band.clone())></path>
                <g data-series=series>
                    <path class="series-active" d=move || geo.with(|g| g.path.clone()) fill="none"></path>
                    <Dots dots=Signal::derive(move || geo.with(|g| g.dots.clone()))/>
                </g>
            </Chart>
            <figcaption>
                <p id=summary_id.clone() data-testid=summary_id>{summary}</p>
                <TableDetails summary="Show the numbers as a table" class="insight-table" table=table/>
            </figcaption>
        </figure>
    }
}

/// The learning curve with its metric choice: test accuracy (with the random baseline) or
/// macro-F1 when test labels exist; otherwise the accuracy estimated from probe labels, with its
/// 95% band, named as such.
#[component]
pub fn LearningCurvePanel() -> impl IntoView {
    let studio = use_studio();
    let insight = use_insight();
    let has_test = Memo::new(move |_| {
        studio
            .dataset
            .with(|d| d.as_ref().is_none_or(|d| d.has_test))
    });
    let metric = RwSignal::new("accuracy");
    let f1 = Signal::derive(move || {
        insight.with(|i| {
            i.as_ref()
                .map(|i| i.f1_curve.iter().copied().map(MetricPoint::from).collect())
                .unwrap_or_default()
        })
    });
    let probe = Signal::derive(move || {
        insight.with(|i| {
            i.as_ref()
                .map(|i| {
                    i.probe_curve
                        .iter()
                        .copied()
                        .map(MetricPoint::from)
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    let choice = move |value: &'static str, label: &'static str| {
        view! {
            <label>
                <input
                    type="radio"
                    name="curve-metric"
                    value=value
                    data-testid=format!("curve-metric-{value}")
                    prop:checked=move || metric.get() == value
                    on:change=move |_| metric.set(value)
                />
                {label}
            </label>
        }
    };
    view! {
        <div class="learning-curve-panel" data-testid="learning-curve-panel">
            {move || if has_test.get() {
                view! {
                    <fieldset class="metric-choice">
                        <legend>"Learning curve on the test split"</legend>
                        {choice("accuracy", "Accuracy")}
                        {choice("f1", "Macro-F1")}
                    </fieldset>
                    {move || if metric.get() == "f1" {
                        view! { <MetricCurve points=f1 title="Macro-F1 on the test split" series="f1-curve"/> }.into_any()
                    } else {
                        view! { <LearningCurve/> }.into_any()
                    }}
                }.into_any()
            } else {
                view! {
                    <p class="note" data-testid="probe-note">
                        "There are no test labels, so accuracy is estimated from probes: uniformly random \
                         samples you label, compared with what the model predicted for them. The band is \
                         the 95% Wilson interval; it narrows as probes are answered."
                    </p>
                    <MetricCurve
                        points=probe
                        title="Estimated accuracy (probe estimate, not a test score)"
                        series="probe-curve"
                    />
                }.into_any()
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn point(n_labels: usize, accuracy: f64) -> CurvePoint {
        CurvePoint { n_labels, accuracy }
    }

    #[wasm_bindgen_test]
    fn the_accuracy_axis_shows_the_session_and_the_baseline_up_to_ten_labels_past_it() {
        let active = [point(3, 0.62), point(4, 0.71)];
        let random: Vec<CurvePoint> = (3..60).map(|n| point(n, 0.55)).collect();
        let g = accuracy_geometry(&active, &random);
        // Labels 3 to 23 (at least 20 wide), accuracy from 50 % (the tenth below 55 %).
        assert_eq!(g.ticks.x.first().map(|t| t.label.as_str()), Some("3"));
        assert_eq!(g.ticks.x.last().map(|t| t.label.as_str()), Some("23"));
        assert_eq!(g.ticks.y.first().map(|t| t.label.as_str()), Some("50%"));
        assert_eq!(g.dots.len(), 2);
        assert_eq!(g.dots[1].title, "4 labels: 71.0 %");
        // The baseline is clipped to the axis: 21 points, 3 to 23.
        assert_eq!(g.baseline.matches('L').count(), 20);
        assert!(g.band.is_empty());
    }

    #[wasm_bindgen_test]
    fn the_baseline_legend_says_how_far_it_has_run_and_on_what() {
        let view = |runs, pool_rows, test_rows| BaselineView {
            strategy: "random".into(),
            runs,
            curve: vec![point(3, 0.5)],
            pool_rows,
            test_rows,
        };
        assert_eq!(
            baseline_legend(None, (105, 45)),
            "Random sampling, same split (computing…)"
        );
        assert_eq!(
            baseline_legend(Some(&view(2, 105, 45)), (105, 45)),
            "Random sampling, same split (mean of 2 of 5 runs so far)"
        );
        assert_eq!(
            baseline_legend(Some(&view(5, 5000, 2000)), (70_000, 30_000)),
            "Random sampling, same split (mean of 5 runs on a sample: 5,000 of 70,000 pool rows, \
             scored on 2,000 of 30,000 test rows)"
        );
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_234_567), "1,234,567");
    }

    #[wasm_bindgen_test]
    fn a_probe_curve_draws_its_band_on_the_whole_axis() {
        let points = [
            MetricPoint {
                n_labels: 5,
                value: 0.6,
                band: Some((0.3, 0.8)),
            },
            MetricPoint {
                n_labels: 6,
                value: 0.7,
                band: Some((0.4, 1.2)),
            },
        ];
        let g = metric_geometry(&points);
        assert_eq!(g.ticks.y.first().map(|t| t.label.as_str()), Some("0%"));
        assert!(g.band.starts_with('M') && g.band.ends_with(" Z"));
        // Four corners; the high above 100 % is drawn at the top (y = 16).
        assert_eq!(g.band.matches('L').count(), 3);
        assert!(g.band.contains(",16.0 L"));
        assert!(g.baseline.is_empty());
        assert!(metric_geometry(&[]).path.is_empty());
    }
}
