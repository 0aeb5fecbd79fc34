//! The simulation studio ("Simulate" tab): pick a dataset with known labels, a model, several
//! strategies (random always among them), the budget, the seeds and the teaching toggles; the race
//! runs in a Web Worker of its own, its curves grow live (mean line and min–max band over seeds),
//! and Cancel terminates that worker at once. The summary says who won in plain words; a replay
//! link encodes a bundled dataset's race.

use super::chart::{
    accuracy_floor, percent, series_style, Chart, Frame, Line, LineLegend, Plot, Table,
    TableDetails, Ticks,
};
use super::job::{Job, JobButtons, JobError, JobMapping, NumberField};
use super::runlog::{self, RunLog};
use super::task::TaskRunner;
use super::{fetch_text, format_percent, DEMOS};
use engine::data::preview::Mapping;
use engine::models::ModelKind;
use engine::names::Named;
use engine::race::{RaceSettings, StrategyCurve};
use engine::strategies::StrategyKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use worker::race::{RaceReport, RaceRequest, TaskRequest, TaskResponse};

/// The simulation studio's state. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct RaceSim {
    /// The form.
    pub settings: RwSignal<RaceSettings>,
    /// `(runs done, runs in the race)`.
    pub progress: RwSignal<(usize, usize)>,
    /// The curves so far.
    pub curves: RwSignal<Vec<StrategyCurve>>,
    /// The race: where it is, its report, its error, the person's file.
    pub job: Job<RaceReport>,
    /// Where finished races are recorded.
    runs: RunLog,
}

impl RaceSim {
    /// Races run by `task` (in Web Workers of their own, or on this thread in component tests)
    /// and are recorded in `runs`.
    pub fn new(runs: RunLog, task: TaskRunner) -> Self {
        Self {
            settings: RwSignal::new(RaceSettings::default()),
            progress: RwSignal::new((0, 0)),
            curves: RwSignal::new(Vec::new()),
            job: Job::new(task),
            runs,
        }
    }

    /// Apply a response of the current race.
    fn receive(&self, response: TaskResponse) {
        match response {
            TaskResponse::RaceProgress(p) => {
                self.progress.set((p.done, p.total));
                self.curves.set(p.curves);
            }
            TaskResponse::RaceDone(report) => {
                self.curves.set(report.curves.clone());
                let total = self.progress.get_untracked().1;
                self.progress.set((total, total));
                self.runs.record_race(&report);
                self.job.finish(report);
            }
            _ => {}
        }
    }

    /// Run the race with the current settings on `bytes`, read with `mapping` (the suggested
    /// roles when `None`).
    pub fn run_bytes(&self, bytes: Vec<u8>, mapping: Option<Mapping>) {
        let mut settings = self.settings.get_untracked();
        if let Err(e) = settings.check() {
            self.job.fail(format!("The race cannot start: {e}."));
            return;
        }
        let generation = self.job.begin();
        self.settings.set(settings.clone());
        self.curves.set(Vec::new());
        self.progress
            .set((0, settings.strategies.len() * settings.seeds.len()));
        let request = TaskRequest::Race(RaceRequest {
            settings,
            bytes,
            mapping,
        });
        let sim = *self;
        self.job.start(generation, request, move |r| sim.receive(r));
    }

    /// Load the chosen dataset (a bundled demo, or the person's own file) and run.
    pub fn run(&self) {
        let data = self.settings.with_untracked(|s| s.data.clone());
        if let Some(own) = self.job.file.get_value().filter(|f| f.name == data) {
            match own.mapping {
                Some(mapping) => self.run_bytes(own.bytes, Some(mapping)),
                None => self.job.fail(format!(
                    "Choose the columns of {data} first: which one holds the labels."
                )),
            }
            return;
        }
        if !DEMOS.iter().any(|(_, f)| *f == data) {
            self.job.fail(format!(
                "'{data}' is neither a bundled demo nor an opened file: choose a dataset."
            ));
            return;
        }
        let sim = *self;
        let generation = self.job.begin();
        leptos::task::spawn_local(async move {
            let fetched = fetch_text(&format!("datasets/{data}")).await;
            if !sim.job.is_current(generation) {
                return; // cancelled while loading
            }
            match fetched {
                Ok(text) => sim.run_bytes(text.into_bytes(), None),
                Err(message) => sim.job.fail(message),
            }
        });
    }

    /// Use the person's own file for the next race, read as the studio reads it (its roles
    /// confirmed by the person when the suggestion is not certain).
    pub fn set_own_file(&self, name: String, bytes: Vec<u8>) {
        self.settings.update(|s| s.data = name.clone());
        self.job.choose_file(name, bytes);
    }
}

/// The replay link's query for a race on a bundled demo (a person's own file stays on their
/// machine, so its race cannot be replayed from a link).
pub fn replay_query(settings: &RaceSettings) -> Option<String> {
    DEMOS
        .iter()
        .any(|(_, f)| *f == settings.data)
        .then(|| settings.to_query())
}

/// Make the simulation studio available below.
pub fn provide_race(sim: RaceSim) {
    provide_context(sim);
}

/// The simulation studio provided by [`provide_race`].
///
/// Calling it outside [`provide_race`] is a programming error, not something user data can cause.
pub fn use_race() -> RaceSim {
    use_context::<RaceSim>().expect("the Simulate view must be mounted below provide_race")
}

const FRAME: Frame = Frame::new(720.0, 340.0);

/// One strategy's drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesGeometry {
    /// The mean over seeds, named by the strategy.
    pub mean: Line,
    /// The closed min–max band over seeds.
    pub band: String,
    /// The mean accuracies, comma-separated (for tests and the replay check).
    pub values: String,
}

/// The whole race chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RaceGeometry {
    pub series: Vec<SeriesGeometry>,
    pub ticks: Ticks,
}

/// Lay out the curves: labels on x (from the first to the last label count), accuracy on y (from
/// the tenth below the lowest band value to 1).
pub fn race_geometry(curves: &[StrategyCurve]) -> RaceGeometry {
    let points = curves.iter().flat_map(|c| c.stats.iter());
    let (mut x_min, mut x_max, mut low) = (usize::MAX, 0usize, 1.0_f64);
    for s in points {
        x_min = x_min.min(s.n_labels);
        x_max = x_max.max(s.n_labels);
        low = low.min(s.min);
    }
    if x_min == usize::MAX {
        return RaceGeometry::default();
    }
    let x_max = x_max.max(x_min + 1);
    let plot = Plot::new(
        FRAME,
        (x_min as f64, x_max as f64),
        (accuracy_floor(low), 1.0),
    );
    let series = curves
        .iter()
        .enumerate()
        .map(|(i, c)| SeriesGeometry {
            mean: Line {
                name: c.strategy.to_string(),
                label: c.label.clone(),
                style: series_style(c.strategy.name(), i),
                path: plot.line(c.stats.iter().map(|s| (s.n_labels as f64, s.mean))),
            },
            band: plot.band(c.stats.iter().map(|s| (s.n_labels as f64, s.min, s.max))),
            values: c
                .stats
                .iter()
                .map(|s| s.mean.to_string())
                .collect::<Vec<_>>()
                .join(","),
        })
        .collect();
    RaceGeometry {
        series,
        ticks: Ticks {
            x: plot.whole_x_ticks(),
            y: plot.even_y_ticks(5, percent),
        },
    }
}

/// The curves as a table: a row per label count, a column per strategy (mean and spread).
pub fn race_table(curves: &[StrategyCurve]) -> Table {
    let len = curves.iter().map(|c| c.stats.len()).max().unwrap_or(0);
    let rows = (0..len)
        .map(|i| {
            let n = curves
                .iter()
                .find_map(|c| c.stats.get(i).map(|s| s.n_labels))
                .unwrap_or(0);
            let cells = curves.iter().map(|c| {
                c.stats
                    .get(i)
                    .map(|s| {
                        format!(
                            "{} ({}–{})",
                            format_percent(s.mean),
                            format_percent(s.min),
                            format_percent(s.max)
                        )
                    })
                    .unwrap_or_else(|| "–".into())
            });
            std::iter::once(n.to_string()).chain(cells).collect()
        })
        .collect();
    Table {
        columns: std::iter::once("Labels".to_string())
            .chain(curves.iter().map(|c| format!("{} mean (min–max)", c.label)))
            .collect(),
        rows,
        row_headings: false,
    }
}

/// Strategies offered in the race (expected error reduction is left out: too slow to race).
pub const RACE_STRATEGIES: [StrategyKind; 10] = [
    StrategyKind::Random,
    StrategyKind::LeastConfident,
    StrategyKind::Margin,
    StrategyKind::Entropy,
    StrategyKind::Qbc,
    StrategyKind::CoreSet,
    StrategyKind::Density,
    StrategyKind::RankedBatch,
    StrategyKind::QbcKl,
    StrategyKind::Adaptive,
];

/// The "Simulate" tab; expects [`provide_race`] above it.
#[component]
pub fn SimulateView() -> impl IntoView {
    let sim = use_race();
    let running = move || sim.job.running();
    let on_data = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        sim.settings.update(|s| s.data = v);
    };
    let on_file = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match super::controls::read_file(ev).await {
                Ok((name, bytes)) => sim.set_own_file(name, bytes),
                Err(message) => sim.job.error.set(Some(message)),
            }
        });
    };
    let own_name = move || {
        sim.settings
            .with(|s| (!DEMOS.iter().any(|(_, f)| *f == s.data)).then(|| s.data.clone()))
    };
    let toggle = move |kind: StrategyKind, on: bool| {
        sim.settings.update(|s| {
            s.strategies.retain(|&k| k != kind);
            if on {
                s.strategies.push(kind);
                let order = |k: &StrategyKind| RACE_STRATEGIES.iter().position(|r| r == k);
                s.strategies
                    .sort_by_key(|k| (*k == StrategyKind::Random, order(k)));
            }
        })
    };
    let seeds_text = move || {
        sim.settings.with(|s| {
            s.seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
    };
    let on_seeds = move |ev: leptos::ev::Event| {
        let seeds: Vec<u64> = event_target_value(&ev)
            .split([',', ' '])
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        sim.settings.update(|s| s.seeds = seeds);
    };
    let geo = Memo::new(move |_| sim.curves.with(|c| race_geometry(c)));
    let status = move || sim.job.state.get().describe();
    view! {
        <main class="race" aria-labelledby="race-title">
            <h2 id="race-title">"Strategy race"</h2>
            <p class="hint">"Known labels act as the oracle. Every strategy gets the same seeds: the same split, the same first labels, the same noisy answers."</p>
            <form class="race-form" on:submit=move |ev| { ev.prevent_default(); if !running() { sim.run(); } }>
                <fieldset disabled=running>
                    <legend>"Data and model"</legend>
                    <label>"Dataset "
                        <select data-testid="race-data" on:change=on_data prop:value=move || sim.settings.with(|s| s.data.clone())>
                            {DEMOS.iter().map(|(name, file)| view! {
                                <option value=*file selected=move || sim.settings.with(|s| s.data == *file)>{*name}</option>
                            }).collect_view()}
                            {move || own_name().map(|n| view! { <option value=n.clone() selected=true>{format!("Your file: {n}")}</option> })}
                        </select>
                    </label>
                    <label class="file-open">"or your own file (CSV, TSV, JSON Lines) "
                        <input type="file" accept=".csv,.tsv,.txt,.jsonl,.ndjson,text/csv" data-testid="race-file" on:change=on_file/>
                    </label>
                    <label>"Model "
                        <select data-testid="race-model" on:change=move |ev| { if let Ok(m) = event_target_value(&ev).parse() { sim.settings.update(|s| s.model = m); } } prop:value=move || sim.settings.with(|s| s.model.name())>
                            {ModelKind::ALL.iter().map(|&kind| view! {
                                <option value=kind.name() selected=move || sim.settings.with(|s| s.model == kind)>{kind.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </fieldset>
                <fieldset disabled=running data-testid="race-strategies">
                    <legend>"Strategies (random is always in the race)"</legend>
                    {RACE_STRATEGIES.iter().map(|&kind| {
                        let random = kind == StrategyKind::Random;
                        view! {
                            <label class="check">
                                <input type="checkbox" value=kind.name()
                                    disabled=random
                                    prop:checked=move || random || sim.settings.with(|s| s.strategies.contains(&kind))
                                    on:change=move |ev| toggle(kind, event_target_checked(&ev))/>
                                {kind.label()}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <fieldset disabled=running>
                    <legend>"Budget, seeds and teaching toggles"</legend>
                    <NumberField label="Budget (labels) " testid="race-budget" min="2" max="5000"
                        value=move || sim.settings.with(|s| s.budget.to_string())
                        set=move |v| sim.settings.update(|s| s.budget = v.max(0.0) as usize)/>
                    <NumberField label="Batch size " testid="race-batch" min="1"
                        value=move || sim.settings.with(|s| s.batch.to_string())
                        set=move |v| sim.settings.update(|s| s.batch = v.max(0.0) as usize)/>
                    <label>"Seeds "
                        <input type="text" inputmode="numeric" data-testid="race-seeds" aria-describedby="seeds-hint"
                            prop:value=seeds_text on:change=on_seeds/>
                    </label>
                    <span id="seeds-hint" class="hint">"comma-separated, one run per strategy and seed"</span>
                    <NumberField label="Label noise rate " testid="race-noise" min="0" max="0.9" step="0.05"
                        value=move || sim.settings.with(|s| s.noise.to_string())
                        set=move |v| sim.settings.update(|s| s.noise = v)/>
                    <NumberField label="Minority classes kept (share) " testid="race-imbalance" min="0.05" max="1" step="0.05"
                        value=move || sim.settings.with(|s| s.imbalance.to_string())
                        set=move |v| sim.settings.update(|s| s.imbalance = v)/>
                    <NumberField label="Cold-start labels " testid="race-cold" min="0"
                        value=move || sim.settings.with(|s| s.cold_start.to_string())
                        set=move |v| sim.settings.update(|s| s.cold_start = v.max(0.0) as usize)/>
                </fieldset>
                <JobButtons job=sim.job testid="race" run="Run the race"/>
            </form>
            <div class="race-status" role="status" aria-live="polite" data-testid="race-status" data-state=move || status().0>
                {move || status().1}
                " "
                <progress data-testid="race-progress" max=move || sim.progress.get().1.max(1) value=move || sim.progress.get().0
                    aria-label="Runs finished"></progress>
                " "
                <span data-testid="race-progress-text">{move || { let (d, t) = sim.progress.get(); format!("{d} of {t} runs") }}</span>
            </div>
            <JobMapping job=sim.job/>
            <JobError job=sim.job testid="race"/>
            <figure class="chart race-chart" aria-labelledby="race-chart-title">
                <h3 id="race-chart-title">"Learning curves: mean test accuracy over seeds, band = min–max over seeds"</h3>
                <Chart
                    frame=FRAME
                    testid="race-chart"
                    labelled_by="race-chart-title race-summary-title"
                    ticks=Signal::derive(move || geo.with(|g| g.ticks.clone()))
                    x_label="labels"
                >
                    {move || geo.get().series.into_iter().map(|s| view! {
                        <g data-testid="race-series" data-strategy=s.mean.name.clone()>
                            <path class="race-band" d=s.band fill=s.mean.style.colour></path>
                            <path class="race-mean" data-testid="race-mean" data-strategy=s.mean.name.clone() data-values=s.values
                                d=s.mean.path fill="none" stroke=s.mean.style.colour stroke-dasharray=s.mean.style.dash></path>
                        </g>
                    }).collect_view()}
                </Chart>
                <figcaption>
                    <LineLegend lines=Signal::derive(move || geo.with(|g| g.series.iter().map(|s| s.mean.clone()).collect()))/>
                    <TableDetails summary="Show the curves as a table" class="curve-table" testid="race-table"
                        table=Signal::derive(move || sim.curves.with(|c| race_table(c)))/>
                </figcaption>
            </figure>
            <RaceSummaryView/>
        </main>
    }
}

/// The summary: sentences, AULC per strategy, the replay link.
#[component]
fn RaceSummaryView() -> impl IntoView {
    let sim = use_race();
    let link = move || {
        let query = sim
            .job
            .report
            .with(|r| r.as_ref().and_then(|r| replay_query(&r.settings)))?;
        let window = web_sys::window()?;
        let location = window.location();
        let base = format!("{}{}", location.origin().ok()?, location.pathname().ok()?);
        Some(format!("{base}?{query}"))
    };
    view! {
        <section class="race-summary" aria-labelledby="race-summary-title">
            <h3 id="race-summary-title">"Summary"</h3>
            <Show when=move || sim.job.report.with(Option::is_some) fallback=|| view! { <p class="hint">"The summary appears when the race is finished."</p> }>
                <ul data-testid="race-summary">
                    {move || sim.job.report.with(|r| r.as_ref().map(|r| r.summary.sentences.clone()).unwrap_or_default())
                        .into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                </ul>
                <table class="curve-table" data-testid="aulc-table">
                    <caption>"AULC (mean test accuracy over the curve) per strategy, over seeds"</caption>
                    <thead><tr><th scope="col">"Strategy"</th><th scope="col">"AULC mean"</th><th scope="col">"sd"</th><th scope="col">"per seed"</th></tr></thead>
                    <tbody>
                        {move || sim.job.report.with(|r| r.as_ref().map(|r| r.curves.clone()).unwrap_or_default()).into_iter().map(|c| view! {
                            <tr data-strategy=c.strategy.name() data-aulc=c.aulc_mean.to_string()>
                                <th scope="row">{c.label.clone()}</th>
                                <td>{format!("{:.3}", c.aulc_mean)}</td>
                                <td>{format!("{:.3}", c.aulc_sd)}</td>
                                <td>{c.aulc.iter().map(|a| format!("{a:.3}")).collect::<Vec<_>>().join(", ")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {move || match link() {
                    Some(href) => view! {
                        <p>"Replay this race on another machine: " <a data-testid="replay-link" href=href.clone()>{href.clone()}</a></p>
                    }.into_any(),
                    None => view! { <p class="hint">"Races on your own file cannot be replayed from a link (the file stays on this machine); export the run from the Runs tab instead."</p> }.into_any(),
                }}
            </Show>
        </section>
    }
}

/// When the page's URL carries a race (`?run=race&…`), load its settings and start it.
pub fn replay_from_url(sim: RaceSim) -> bool {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return false;
    };
    if !search.contains("run=race") {
        return false;
    }
    match RaceSettings::from_query(&search) {
        Ok(settings) => {
            sim.settings.set(settings);
            sim.run();
        }
        Err(e) => {
            sim.job.fail(format!("{e}."));
        }
    }
    true
}

/// The app's top-level views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The labeling studio.
    Label,
    /// Strategy races.
    Simulate,
    /// Stream mode.
    Stream,
    /// The run log.
    Runs,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 4] = [Tab::Label, Tab::Simulate, Tab::Stream, Tab::Runs];

    /// The tab's id stem and its name.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Tab::Label => ("label", "Label"),
            Tab::Simulate => ("simulate", "Simulate"),
            Tab::Stream => ("stream", "Stream"),
            Tab::Runs => ("runs", "Runs"),
        }
    }
}

/// The tab bar and the active view; `children` is the labeling studio. The simulation, stream and
/// run-log state are provided here, and a replay link in the URL opens the Simulate tab and runs.
#[component]
pub fn AppTabs(children: ChildrenFn) -> impl IntoView {
    let runs = use_context::<runlog::RunLog>().unwrap_or_else(runlog::provide_runlog);
    let sim = RaceSim::new(runs, TaskRunner::new_worker());
    provide_race(sim);
    super::stream::provide_stream(super::stream::StreamSim::new(
        runs,
        TaskRunner::new_worker(),
    ));
    let tab = RwSignal::new(Tab::Label);
    if replay_from_url(sim) {
        tab.set(Tab::Simulate);
    }
    let select = move |ev: leptos::ev::KeyboardEvent| {
        let i = Tab::ALL
            .iter()
            .position(|t| *t == tab.get_untracked())
            .unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" => (i + 1) % Tab::ALL.len(),
            "ArrowLeft" => (i + Tab::ALL.len() - 1) % Tab::ALL.len(),
            "Home" => 0,
            "End" => Tab::ALL.len() - 1,
            _ => return,
        };
        ev.prevent_default();
        tab.set(Tab::ALL[next]);
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("tab-{}", Tab::ALL[next].names().0)))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    };
    view! {
        <nav class="tabs" aria-label="Views">
            <div role="tablist" aria-label="Views" on:keydown=select>
                {Tab::ALL.iter().map(|&t| {
                    let (id, name) = t.names();
                    view! {
                        <button type="button" role="tab" id=format!("tab-{id}") data-testid=format!("tab-{id}")
                            aria-controls="tab-panel"
                            aria-selected=move || (tab.get() == t).to_string()
                            tabindex=move || if tab.get() == t { "0" } else { "-1" }
                            on:click=move |_| tab.set(t)>
                            {name}
                        </button>
                    }
                }).collect_view()}
            </div>
        </nav>
        <div id="tab-panel" role="tabpanel" aria-labelledby=move || format!("tab-{}", tab.get().names().0)>
            {move || match tab.get() {
                Tab::Label => children().into_any(),
                Tab::Simulate => view! { <SimulateView/> }.into_any(),
                Tab::Stream => view! { <super::stream::StreamView/> }.into_any(),
                Tab::Runs => view! { <super::runlog::RunsView/> }.into_any(),
            }}
        </div>
    }
}
