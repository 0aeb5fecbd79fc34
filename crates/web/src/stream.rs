//! Stream mode ("Stream" tab): samples arrive one by one (a synthetic stream with a drift, or a
//! file in its row order); each selective sampler decides to ask or let pass under a labeling
//! budget. Charts: prequential accuracy over time with the drift marked, and labels spent against
//! the budget; "ask everything" and "random at the same budget" are the yardsticks.

use super::chart::palette::LIMIT;
use super::chart::{
    percent, series_style, Chart, Frame, Line, LineLegend, Lines, Plot, Series, Ticks,
};
use super::job::{Job, JobButtons, JobError, JobMapping, NumberField};
use super::runlog::RunLog;
use super::task::TaskRunner;
use engine::simulation::StreamPoint;
use leptos::prelude::*;
use worker::race::{StreamReport, StreamRequest, StreamSource, TaskRequest, TaskResponse};

/// The stream's settings in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamForm {
    /// `drift` (synthetic) or the name of the person's file.
    pub source: String,
    /// Rows of the synthetic stream.
    pub n_rows: usize,
    /// Where the concept flips (0 = no drift).
    pub drift_at: usize,
    /// Label noise of the synthetic stream.
    pub noise: f64,
    /// Labeling budget: the share of rows that may be labeled.
    pub budget: f64,
    /// The seed.
    pub seed: u64,
}

impl Default for StreamForm {
    fn default() -> Self {
        Self {
            source: "drift".into(),
            n_rows: 2000,
            drift_at: 1000,
            noise: 0.05,
            budget: 0.1,
            seed: 1,
        }
    }
}

/// Stream mode's state. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct StreamSim {
    /// The form.
    pub form: RwSignal<StreamForm>,
    /// The comparison: where it is, its report, its error, the person's file.
    pub job: Job<StreamReport>,
    /// Where finished runs are recorded.
    runs: RunLog,
}

impl StreamSim {
    /// Streams run by `task` (in Web Workers of their own, or on this thread in component tests)
    /// and are recorded in `runs`.
    pub fn new(runs: RunLog, task: TaskRunner) -> Self {
        Self {
            form: RwSignal::new(StreamForm::default()),
            job: Job::new(task),
            runs,
        }
    }

    fn receive(&self, response: TaskResponse) {
        if let TaskResponse::StreamDone(report) = response {
            self.runs.record_stream(&report);
            self.job.finish(report);
        }
    }

    /// Run the comparison with the form's settings.
    pub fn run(&self) {
        let form = self.form.get_untracked();
        let source = if form.source == "drift" {
            StreamSource::Drift {
                n_rows: form.n_rows,
                drift_at: (form.drift_at > 0).then_some(form.drift_at),
                noise: form.noise,
            }
        } else {
            match self.job.ready_file() {
                Some(f) => StreamSource::File {
                    name: f.name,
                    bytes: f.bytes,
                    mapping: f.mapping,
                },
                None => {
                    self.job
                        .fail("Choose a file, and its label column, first.".into());
                    return;
                }
            }
        };
        let request = TaskRequest::Stream(StreamRequest {
            source,
            budget: form.budget,
            seed: form.seed,
        });
        let generation = self.job.begin();
        let sim = *self;
        self.job.start(generation, request, move |r| sim.receive(r));
    }
}

/// Make stream mode available below.
pub fn provide_stream(sim: StreamSim) {
    provide_context(sim);
}

/// Stream mode provided by [`provide_stream`].
///
/// Calling it outside [`provide_stream`] is a programming error, not something user data can cause.
pub fn use_stream() -> StreamSim {
    use_context::<StreamSim>().expect("the Stream view must be mounted below provide_stream")
}

/// The frame of the stream's charts and the run log's overlay.
pub const LINES_FRAME: Frame = Frame::new(720.0, 260.0).with_bottom(40.0);

/// Lines over rows seen, with the drift marked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamGeometry {
    pub lines: Vec<Line>,
    pub ticks: Ticks,
    /// Where the drift marker goes.
    pub drift_x: Option<f64>,
}

/// Lay out `series` over `x ∈ [0, x_max]`, `y ∈ [0, y_max]` (`y` as a share when `y_percent`).
pub fn lines_geometry(
    series: &[Series],
    x_max: f64,
    y_max: f64,
    y_percent: bool,
    drift_at: Option<usize>,
) -> StreamGeometry {
    let plot = Plot::new(LINES_FRAME, (0.0, x_max.max(1.0)), (0.0, y_max.max(1e-9)));
    let whole = |v: f64| format!("{v:.0}");
    StreamGeometry {
        lines: plot.lines(series),
        ticks: Ticks {
            x: plot.even_x_ticks(5, whole),
            y: if y_percent {
                plot.even_y_ticks(4, percent)
            } else {
                plot.even_y_ticks(4, whole)
            },
        },
        drift_x: drift_at.map(|d| plot.x.at(d as f64)),
    }
}

/// One chart of a stream run: its lines over rows seen, the drift marked.
#[component]
fn StreamChart(
    geo: Memo<StreamGeometry>,
    title_id: &'static str,
    testid: &'static str,
    y_label: &'static str,
) -> impl IntoView {
    let (top, bottom) = (LINES_FRAME.top, LINES_FRAME.height - LINES_FRAME.bottom);
    view! {
        <Chart
            frame=LINES_FRAME
            testid=testid
            labelled_by=title_id
            ticks=Signal::derive(move || geo.with(|g| g.ticks.clone()))
            x_label=format!("rows seen ({y_label})")
        >
            {move || geo.with(|g| g.drift_x).map(|x| view! {
                <g class="drift" data-testid="drift-marker">
                    <line x1=x x2=x y1=top y2=bottom></line>
                    <text x=x + 4.0 y=top + 12.0>"drift"</text>
                </g>
            })}
            <Lines lines=Signal::derive(move || geo.with(|g| g.lines.clone()))/>
        </Chart>
    }
}

/// Every sampler's curve of `y` over rows seen, in the report's order.
fn sampler_series(report: &StreamReport, y: impl Fn(&StreamPoint) -> f64) -> Vec<Series> {
    report
        .curves
        .iter()
        .enumerate()
        .map(|(i, c)| Series {
            name: c.name.clone(),
            label: c.label.clone(),
            style: series_style(&c.name, i),
            points: c.run.points.iter().map(|p| (p.seen as f64, y(p))).collect(),
        })
        .collect()
}

/// The "Stream" tab; expects [`provide_stream`] above it.
#[component]
pub fn StreamView() -> impl IntoView {
    let sim = use_stream();
    let running = move || sim.job.running();
    let on_file = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match super::controls::read_file(ev).await {
                Ok((name, bytes)) => {
                    sim.form.update(|f| f.source = name.clone());
                    sim.job.choose_file(name, bytes);
                }
                Err(message) => sim.job.error.set(Some(message)),
            }
        });
    };
    let accuracy = Memo::new(move |_| {
        sim.job.report.with(|r| {
            let Some(r) = r else {
                return StreamGeometry::default();
            };
            let series = sampler_series(r, |p| p.accuracy);
            lines_geometry(&series, r.n_rows as f64, 1.0, true, r.drift_at)
        })
    });
    let labels = Memo::new(move |_| {
        sim.job.report.with(|r| {
            let Some(r) = r else {
                return StreamGeometry::default();
            };
            let mut series = sampler_series(r, |p| p.labels as f64);
            // "ask everything" keeps its place (and colour) but is not drawn: it would dwarf the
            // budget.
            if let Some(all) = series.first_mut() {
                all.points.clear();
            }
            if let Some(c) = r.curves.get(1) {
                series.push(Series {
                    name: "budget".into(),
                    label: "budget".into(),
                    style: LIMIT,
                    points: c
                        .run
                        .points
                        .iter()
                        .zip(&c.allowed)
                        .map(|(p, a)| (p.seen as f64, *a))
                        .collect(),
                });
            }
            let y_max = series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .fold(1.0, f64::max);
            lines_geometry(&series, r.n_rows as f64, y_max * 1.05, false, r.drift_at)
        })
    });
    let status = move || sim.job.state.get().describe();
    view! {
        <main class="race stream" aria-labelledby="stream-title">
            <h2 id="stream-title">"Stream mode"</h2>
            <p class="hint">"Samples arrive one at a time; each sampler decides at once whether to ask for the label, within a labeling budget. Every row is first predicted (and scored), then maybe learned from."</p>
            <form class="race-form" on:submit=move |ev| { ev.prevent_default(); if !running() { sim.run(); } }>
                <fieldset disabled=running>
                    <legend>"Stream"</legend>
                    <label>"Source "
                        <select data-testid="stream-source" prop:value=move || sim.form.with(|f| f.source.clone())
                            on:change=move |ev| { let v = event_target_value(&ev); sim.form.update(|f| f.source = v); }>
                            <option value="drift">"Synthetic stream with a drift (rotating hyperplane)"</option>
                            {move || sim.form.with(|f| (f.source != "drift").then(|| f.source.clone())).map(|n| view! {
                                <option value=n.clone() selected=true>{format!("Your file in row order: {n}")}</option>
                            })}
                        </select>
                    </label>
                    <label class="file-open">"or a labeled CSV in arrival order "
                        <input type="file" accept=".csv,.tsv,.txt,.jsonl,.ndjson,text/csv" data-testid="stream-file" on:change=on_file/>
                    </label>
                    <NumberField label="Rows " testid="stream-rows" min="20" max="20000"
                        value=move || sim.form.with(|f| f.n_rows.to_string())
                        set=move |v| sim.form.update(|f| f.n_rows = v.max(0.0) as usize)/>
                    <NumberField label="Drift at row (0 = none) " testid="stream-drift" min="0"
                        value=move || sim.form.with(|f| f.drift_at.to_string())
                        set=move |v| sim.form.update(|f| f.drift_at = v.max(0.0) as usize)/>
                    <NumberField label="Label noise " testid="stream-noise" min="0" max="0.5" step="0.01"
                        value=move || sim.form.with(|f| f.noise.to_string())
                        set=move |v| sim.form.update(|f| f.noise = v)/>
                    <NumberField label="Labeling budget (share of rows) " testid="stream-budget" min="0" max="1" step="0.01"
                        value=move || sim.form.with(|f| f.budget.to_string())
                        set=move |v| sim.form.update(|f| f.budget = v)/>
                    <NumberField label="Seed " testid="stream-seed" min="0"
                        value=move || sim.form.with(|f| f.seed.to_string())
                        set=move |v| sim.form.update(|f| f.seed = v.max(0.0) as u64)/>
                </fieldset>
                <JobButtons job=sim.job testid="stream" run="Run the stream"/>
            </form>
            <div class="race-status" role="status" aria-live="polite" data-testid="stream-status" data-state=move || status().0>{move || status().1}</div>
            <JobMapping job=sim.job/>
            <JobError job=sim.job testid="stream"/>
            <figure class="chart race-chart" aria-labelledby="stream-acc-title">
                <h3 id="stream-acc-title">"Prequential accuracy over the last 50 rows, as the stream goes by"</h3>
                <StreamChart geo=accuracy title_id="stream-acc-title" testid="stream-accuracy-chart" y_label="accuracy"/>
            </figure>
            <figure class="chart race-chart" aria-labelledby="stream-labels-title">
                <h3 id="stream-labels-title">"Labels spent against the budget (grey dotted line)"</h3>
                <StreamChart geo=labels title_id="stream-labels-title" testid="stream-labels-chart" y_label="labels"/>
            </figure>
            <LineLegend lines=Signal::derive(move || accuracy.with(|g| g.lines.clone()))/>
            <section class="race-summary" aria-labelledby="stream-summary-title">
                <h3 id="stream-summary-title">"Summary"</h3>
                <ul data-testid="stream-summary">
                    {move || sim.job.report.with(|r| r.as_ref().map(|r| r.sentences.clone()).unwrap_or_default())
                        .into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                    {move || sim.job.report.with(|r| r.as_ref().and_then(|r| r.drift_at)).map(|d| view! {
                        <li>{format!("The concept flips at row {d} (every label changes): watch the dip and the recovery.")}</li>
                    })}
                </ul>
                <table class="curve-table" data-testid="stream-table">
                    <caption>"Per sampler: accuracy over the whole stream and labels asked"</caption>
                    <thead><tr><th scope="col">"Sampler"</th><th scope="col">"Accuracy"</th><th scope="col">"Labels"</th></tr></thead>
                    <tbody>
                        {move || sim.job.report.with(|r| r.as_ref().map(|r| r.curves.clone()).unwrap_or_default()).into_iter().map(|c| view! {
                            <tr data-sampler=c.name.clone() data-accuracy=c.run.accuracy.to_string() data-labels=c.run.asked.len().to_string()>
                                <th scope="row">{c.label.clone()}</th>
                                <td>{super::format_percent(c.run.accuracy)}</td>
                                <td>{c.run.asked.len()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </main>
    }
}
