//! Stream mode ("Stream" tab): samples arrive one by one (a synthetic stream with a drift, or a
//! file in its row order); each selective sampler decides to ask or let pass under a labeling
//! budget. Charts: prequential accuracy over time with the drift marked, and labels spent against
//! the budget; "ask everything" and "random at the same budget" are the yardsticks.

use super::race::{series_style, RaceState};
use super::runlog;
use super::task::TaskRunner;
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
    /// Where the run is.
    pub state: RwSignal<RaceState>,
    /// The finished comparison.
    pub report: RwSignal<Option<StreamReport>>,
    /// The last error.
    pub error: RwSignal<Option<String>>,
    file: StoredValue<Option<(String, Vec<u8>)>, LocalStorage>,
    /// Where the run happens; every run and cancel starts a new generation.
    task: TaskRunner,
}

impl StreamSim {
    fn with_task(task: TaskRunner) -> Self {
        Self {
            form: RwSignal::new(StreamForm::default()),
            state: RwSignal::new(RaceState::Idle),
            report: RwSignal::new(None),
            error: RwSignal::new(None),
            file: StoredValue::new_local(None),
            task,
        }
    }

    /// Streams run in Web Workers of their own.
    pub fn new_worker() -> Self {
        Self::with_task(TaskRunner::new_worker())
    }

    /// Streams run on this thread by `handler` (component tests).
    pub fn new_in_thread(handler: impl Fn(TaskRequest, &dyn Fn(TaskResponse)) + 'static) -> Self {
        Self::with_task(TaskRunner::new_in_thread(handler))
    }

    fn receive(&self, response: TaskResponse) {
        match response {
            TaskResponse::StreamDone(report) => {
                runlog::record_stream(&report);
                self.report.set(Some(report));
                self.state.set(RaceState::Done);
            }
            TaskResponse::Error(message) => {
                self.error.set(Some(message));
                self.state.set(RaceState::Failed);
            }
            _ => return,
        }
        self.task.stop();
    }

    /// Run the comparison with the form's settings.
    pub fn run(&self) {
        let generation = self.task.next_generation();
        let form = self.form.get_untracked();
        let source = if form.source == "drift" {
            StreamSource::Drift {
                n_rows: form.n_rows,
                drift_at: (form.drift_at > 0).then_some(form.drift_at),
                noise: form.noise,
            }
        } else {
            match self.file.get_value() {
                Some((name, bytes)) => StreamSource::File { name, bytes },
                None => {
                    self.error.set(Some("Choose a file first.".into()));
                    self.state.set(RaceState::Failed);
                    return;
                }
            }
        };
        let request = TaskRequest::Stream(StreamRequest {
            source,
            budget: form.budget,
            seed: form.seed,
        });
        self.error.set(None);
        self.report.set(None);
        self.state.set(RaceState::Running);
        let sim = *self;
        if let Err(message) = self
            .task
            .start(generation, request, move |r| sim.receive(r))
        {
            self.error.set(Some(message));
            self.state.set(RaceState::Failed);
        }
    }

    /// Stop now.
    pub fn cancel(&self) {
        self.task.cancel();
        if self.state.get_untracked() == RaceState::Running {
            self.state.set(RaceState::Cancelled);
        }
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

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A series to draw: short name, display name, `(x, y)` points.
pub type Series = (String, String, Vec<(f64, f64)>);

/// A line of a stream chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub label: String,
    pub colour: &'static str,
    pub dash: &'static str,
    pub path: String,
}

/// Lines over `x ∈ [0, x_max]`, `y ∈ [0, y_max]`, with ticks and the drift marker's x.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinesGeometry {
    pub lines: Vec<Line>,
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
    pub drift_x: Option<f64>,
}

/// Lay out `(name, label, points)` series.
pub fn lines_geometry(
    series: &[Series],
    x_max: f64,
    y_max: f64,
    y_percent: bool,
    drift_at: Option<usize>,
) -> LinesGeometry {
    let x_max = x_max.max(1.0);
    let y_max = y_max.max(1e-9);
    let sx = move |x: f64| LEFT + x / x_max * (WIDTH - LEFT - RIGHT);
    let sy = move |y: f64| TOP + (1.0 - y / y_max) * (HEIGHT - TOP - BOTTOM);
    let lines = series
        .iter()
        .enumerate()
        .map(|(i, (name, label, points))| {
            let (colour, dash) = series_style(name, i);
            let (colour, dash) = if name == "budget" {
                ("#57606a", "3 3")
            } else {
                (colour, dash)
            };
            Line {
                name: name.clone(),
                label: label.clone(),
                colour,
                dash,
                path: points
                    .iter()
                    .enumerate()
                    .map(|(j, &(x, y))| {
                        format!(
                            "{}{:.1},{:.1}",
                            if j == 0 { "M" } else { " L" },
                            sx(x),
                            sy(y)
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    LinesGeometry {
        lines,
        x_ticks: (0..=5)
            .map(|i| x_max * i as f64 / 5.0)
            .map(|x| (sx(x), format!("{x:.0}")))
            .collect(),
        y_ticks: (0..=4)
            .map(|i| y_max * i as f64 / 4.0)
            .map(|y| {
                (
                    sy(y),
                    if y_percent {
                        format!("{:.0}%", y * 100.0)
                    } else {
                        format!("{y:.0}")
                    },
                )
            })
            .collect(),
        drift_x: drift_at.map(|d| sx(d as f64)),
    }
}

/// One SVG chart of lines.
#[component]
fn LinesChart(
    geo: Memo<LinesGeometry>,
    title_id: &'static str,
    testid: &'static str,
    y_label: &'static str,
) -> impl IntoView {
    view! {
        <svg data-testid=testid viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=title_id>
            <g class="grid">
                {move || geo.get().y_ticks.into_iter().map(|(y, label)| view! {
                    <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y></line>
                    <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{label}</text>
                }).collect_view()}
                {move || geo.get().x_ticks.into_iter().map(|(x, label)| view! {
                    <text x=x y=HEIGHT - BOTTOM + 18.0 text-anchor="middle">{label}</text>
                }).collect_view()}
            </g>
            <text class="axis-label" x=(LEFT + WIDTH - RIGHT) / 2.0 y=HEIGHT - 4.0 text-anchor="middle">{format!("rows seen ({y_label})")}</text>
            {move || geo.get().drift_x.map(|x| view! {
                <g class="drift" data-testid="drift-marker">
                    <line x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM></line>
                    <text x=x + 4.0 y=TOP + 12.0>"drift"</text>
                </g>
            })}
            {move || geo.get().lines.into_iter().map(|l| view! {
                <path data-series=l.name.clone() d=l.path fill="none" stroke=l.colour stroke-width="2" stroke-dasharray=l.dash></path>
            }).collect_view()}
        </svg>
    }
}

/// The "Stream" tab; expects [`provide_stream`] above it.
#[component]
pub fn StreamView() -> impl IntoView {
    let sim = use_stream();
    let running = move || sim.state.get() == RaceState::Running;
    let num = |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<f64>().ok();
    let on_file = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match super::controls::read_file(ev).await {
                Ok((name, bytes)) => {
                    sim.form.update(|f| f.source = name.clone());
                    sim.file.set_value(Some((name, bytes)));
                }
                Err(message) => sim.error.set(Some(message)),
            }
        });
    };
    let accuracy = Memo::new(move |_| {
        sim.report.with(|r| {
            let Some(r) = r else {
                return LinesGeometry::default();
            };
            let series: Vec<_> = r
                .curves
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.label.clone(),
                        c.run
                            .points
                            .iter()
                            .map(|p| (p.seen as f64, p.accuracy))
                            .collect(),
                    )
                })
                .collect();
            lines_geometry(&series, r.n_rows as f64, 1.0, true, r.drift_at)
        })
    });
    let labels = Memo::new(move |_| {
        sim.report.with(|r| {
            let Some(r) = r else {
                return LinesGeometry::default();
            };
            // "ask everything" keeps its place (and colour) but is not drawn: it would dwarf the
            // budget.
            let mut series: Vec<Series> = r
                .curves
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        return (c.name.clone(), c.label.clone(), Vec::new());
                    }
                    (
                        c.name.clone(),
                        c.label.clone(),
                        c.run
                            .points
                            .iter()
                            .map(|p| (p.seen as f64, p.labels as f64))
                            .collect(),
                    )
                })
                .collect();
            if let Some(c) = r.curves.get(1) {
                series.push((
                    "budget".into(),
                    "budget".into(),
                    c.run
                        .points
                        .iter()
                        .zip(&c.allowed)
                        .map(|(p, a)| (p.seen as f64, *a))
                        .collect(),
                ));
            }
            let y_max = series
                .iter()
                .flat_map(|s| s.2.iter().map(|p| p.1))
                .fold(1.0, f64::max);
            lines_geometry(&series, r.n_rows as f64, y_max * 1.05, false, r.drift_at)
        })
    });
    let status = move || sim.state.get().describe();
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
                    <label>"Rows "
                        <input type="number" min="20" max="20000" data-testid="stream-rows" prop:value=move || sim.form.with(|f| f.n_rows.to_string())
                            on:change=move |ev| if let Some(v) = num(&ev) { sim.form.update(|f| f.n_rows = v.max(0.0) as usize) }/>
                    </label>
                    <label>"Drift at row (0 = none) "
                        <input type="number" min="0" data-testid="stream-drift" prop:value=move || sim.form.with(|f| f.drift_at.to_string())
                            on:change=move |ev| if let Some(v) = num(&ev) { sim.form.update(|f| f.drift_at = v.max(0.0) as usize) }/>
                    </label>
                    <label>"Label noise "
                        <input type="number" min="0" max="0.5" step="0.01" data-testid="stream-noise" prop:value=move || sim.form.with(|f| f.noise.to_string())
                            on:change=move |ev| if let Some(v) = num(&ev) { sim.form.update(|f| f.noise = v) }/>
                    </label>
                    <label>"Labeling budget (share of rows) "
                        <input type="number" min="0" max="1" step="0.01" data-testid="stream-budget" prop:value=move || sim.form.with(|f| f.budget.to_string())
                            on:change=move |ev| if let Some(v) = num(&ev) { sim.form.update(|f| f.budget = v) }/>
                    </label>
                    <label>"Seed "
                        <input type="number" min="0" data-testid="stream-seed" prop:value=move || sim.form.with(|f| f.seed.to_string())
                            on:change=move |ev| if let Some(v) = num(&ev) { sim.form.update(|f| f.seed = v.max(0.0) as u64) }/>
                    </label>
                </fieldset>
                <div class="race-actions">
                    <button type="submit" data-testid="stream-run" disabled=running>"Run the stream"</button>
                    <button type="button" data-testid="stream-cancel" disabled=move || !running() on:click=move |_| sim.cancel()>"Cancel"</button>
                </div>
            </form>
            <div class="race-status" role="status" aria-live="polite" data-testid="stream-status" data-state=move || status().0>{move || status().1}</div>
            {move || sim.error.get().map(|message| view! { <div class="error" role="alert" data-testid="stream-error">{message}</div> })}
            <figure class="chart race-chart" aria-labelledby="stream-acc-title">
                <h3 id="stream-acc-title">"Prequential accuracy over the last 50 rows, as the stream goes by"</h3>
                <LinesChart geo=accuracy title_id="stream-acc-title" testid="stream-accuracy-chart" y_label="accuracy"/>
            </figure>
            <figure class="chart race-chart" aria-labelledby="stream-labels-title">
                <h3 id="stream-labels-title">"Labels spent against the budget (grey dotted line)"</h3>
                <LinesChart geo=labels title_id="stream-labels-title" testid="stream-labels-chart" y_label="labels"/>
            </figure>
            <ul class="legend race-legend">
                {move || accuracy.get().lines.into_iter().map(|l| view! {
                    <li>
                        <svg width="36" height="10" aria-hidden="true"><line x1="0" x2="36" y1="5" y2="5" stroke=l.colour stroke-width="3" stroke-dasharray=l.dash></line></svg>
                        {l.label}
                    </li>
                }).collect_view()}
            </ul>
            <section class="race-summary" aria-labelledby="stream-summary-title">
                <h3 id="stream-summary-title">"Summary"</h3>
                <ul data-testid="stream-summary">
                    {move || sim.report.with(|r| r.as_ref().map(|r| r.sentences.clone()).unwrap_or_default())
                        .into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                    {move || sim.report.with(|r| r.as_ref().and_then(|r| r.drift_at)).map(|d| view! {
                        <li>{format!("The concept flips at row {d} (every label changes): watch the dip and the recovery.")}</li>
                    })}
                </ul>
                <table class="curve-table" data-testid="stream-table">
                    <caption>"Per sampler: accuracy over the whole stream and labels asked"</caption>
                    <thead><tr><th scope="col">"Sampler"</th><th scope="col">"Accuracy"</th><th scope="col">"Labels"</th></tr></thead>
                    <tbody>
                        {move || sim.report.with(|r| r.as_ref().map(|r| r.curves.clone()).unwrap_or_default()).into_iter().map(|c| view! {
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
