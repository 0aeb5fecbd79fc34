//! A long run in a Web Worker of its own (a strategy race, a stream comparison): where it is, its
//! report, its last error and the person's file it runs on. Every start and cancel begins a new
//! generation of its [`TaskRunner`], so a cancelled run's late messages never land. The views
//! of such runs share [`NumberField`], [`JobButtons`] and [`JobError`].

use super::mapping::{needs_confirming, MappingForm};
use super::task::TaskRunner;
use engine::data::preview::{Mapping, Preview};
use leptos::prelude::*;
use worker::race::{TaskRequest, TaskResponse};

/// The person's own file, read as the studio reads it: its bytes, and the column roles to read
/// them with once known (the suggested ones, or the ones the person confirmed).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub mapping: Option<Mapping>,
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Nothing run yet.
    Idle,
    /// Running.
    Running,
    /// Finished.
    Done,
    /// Cancelled by the person.
    Cancelled,
    /// Stopped by an error.
    Failed,
}

impl JobState {
    /// The `data-state` value and the words for the person.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            JobState::Idle => ("idle", "Ready."),
            JobState::Running => ("running", "Running…"),
            JobState::Done => ("done", "Finished."),
            JobState::Cancelled => ("cancelled", "Cancelled."),
            JobState::Failed => ("failed", "Stopped by an error."),
        }
    }
}

/// A run and its outcome, `R` being its report. `Copy`, so closures take it freely.
pub struct Job<R: Send + Sync + 'static> {
    /// Where the run is.
    pub state: RwSignal<JobState>,
    /// The finished run's report.
    pub report: RwSignal<Option<R>>,
    /// The last error, in words for the person.
    pub error: RwSignal<Option<String>>,
    /// The person's own file, when chosen instead of a bundled dataset.
    pub file: StoredValue<Option<OwnFile>, LocalStorage>,
    /// The preview of the person's file while its column roles wait for the person.
    pub preview: RwSignal<Option<Preview>>,
    task: TaskRunner,
}

impl<R: Send + Sync + 'static> Clone for Job<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: Send + Sync + 'static> Copy for Job<R> {}

impl<R: Send + Sync + 'static> Job<R> {
    /// A job that runs on `task`.
    pub fn new(task: TaskRunner) -> Self {
        Self {
            state: RwSignal::new(JobState::Idle),
            report: RwSignal::new(None),
            error: RwSignal::new(None),
            file: StoredValue::new_local(None),
            preview: RwSignal::new(None),
            task,
        }
    }

    /// Stop with `message` for the person.
    pub fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.state.set(JobState::Failed);
    }

    /// Forget the last run's report and error and begin a new generation (older responses are
    /// dropped from now on), which is returned.
    pub fn begin(&self) -> u64 {
        let generation = self.task.next_generation();
        self.error.set(None);
        self.report.set(None);
        self.state.set(JobState::Running);
        generation
    }

    /// Whether `generation` is still the current one (not cancelled or replaced).
    pub fn is_current(&self, generation: u64) -> bool {
        self.task.is_current(generation)
    }

    /// Send `request` as `generation` (from [`Self::begin`]); `receive` gets its responses but
    /// errors, which stop the run.
    pub fn start(
        &self,
        generation: u64,
        request: TaskRequest,
        receive: impl Fn(TaskResponse) + 'static,
    ) {
        let job = *self;
        let deliver = move |response| match response {
            TaskResponse::Error(message) => {
                job.fail(message);
                job.task.stop();
            }
            other => receive(other),
        };
        if let Err(message) = self.task.start(generation, request, deliver) {
            self.fail(message);
        }
    }

    /// Finish with `report`; the worker is let go.
    pub fn finish(&self, report: R) {
        self.report.set(Some(report));
        self.state.set(JobState::Done);
        self.task.stop();
    }

    /// Stop now: the worker is terminated, its late messages ignored.
    pub fn cancel(&self) {
        self.task.cancel();
        if self.state.get_untracked() == JobState::Running {
            self.state.set(JobState::Cancelled);
        }
    }

    /// Read the person's file `name` the way the studio reads it: a preview in a worker, whose
    /// suggested roles are used as they are when they are certain, and otherwise shown in the
    /// mapping step ([`Self::preview`]) for the person to confirm.
    pub fn choose_file(&self, name: String, bytes: Vec<u8>) {
        let request = TaskRequest::Preview {
            name: name.clone(),
            bytes: bytes.clone(),
        };
        self.file.set_value(Some(OwnFile {
            name,
            bytes,
            mapping: None,
        }));
        self.preview.set(None);
        let generation = self.begin();
        let job = *self;
        self.start(generation, request, move |response| {
            if let TaskResponse::Preview(preview) = response {
                job.task.stop();
                job.state.set(JobState::Idle);
                if needs_confirming(&preview) {
                    job.preview.set(Some(preview));
                } else {
                    job.use_mapping(preview.suggested);
                }
            }
        });
    }

    /// Read the person's file with `mapping` from now on.
    pub fn use_mapping(&self, mapping: Mapping) {
        self.preview.set(None);
        self.file.update_value(|f| {
            if let Some(f) = f {
                f.mapping = Some(mapping);
            }
        });
    }

    /// The person's file, once its roles are known: ready to run on.
    pub fn ready_file(&self) -> Option<OwnFile> {
        self.file.get_value().filter(|f| f.mapping.is_some())
    }

    /// Whether it is running (reactive).
    pub fn running(&self) -> bool {
        self.state.get() == JobState::Running
    }
}

/// A labelled number input: it shows `value` and hands a number the person enters to `set`.
#[component]
pub fn NumberField(
    /// The words before the input.
    label: &'static str,
    /// The input's `data-testid`.
    testid: &'static str,
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional)] max: Option<&'static str>,
    #[prop(optional)] step: Option<&'static str>,
    #[prop(into)] value: Signal<String>,
    set: impl Fn(f64) + 'static,
) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
            set(v);
        }
    };
    view! {
        <label>
            {label}
            <input type="number" min=min max=max step=step data-testid=testid prop:value=value on:change=on_change/>
        </label>
    }
}

/// A job's run and cancel buttons (`data-testid` `<testid>-run` and `<testid>-cancel`); the run
/// button submits the form around it.
#[component]
pub fn JobButtons<R: Send + Sync + 'static>(
    job: Job<R>,
    testid: &'static str,
    /// The run button's words.
    run: &'static str,
) -> impl IntoView {
    view! {
        <div class="race-actions">
            <button type="submit" data-testid=format!("{testid}-run") disabled=move || job.running()>{run}</button>
            <button type="button" data-testid=format!("{testid}-cancel") disabled=move || !job.running()
                on:click=move |_| job.cancel()>"Cancel"</button>
        </div>
    }
}

/// A job's last error, as an alert (`data-testid` `<testid>-error`).
#[component]
pub fn JobError<R: Send + Sync + 'static>(job: Job<R>, testid: &'static str) -> impl IntoView {
    move || {
        job.error.get().map(|message| {
            view! { <div class="error" role="alert" data-testid=format!("{testid}-error")>{message}</div> }
        })
    }
}

/// The mapping step of a job's own file, while its roles wait for the person.
#[component]
pub fn JobMapping<R: Send + Sync + 'static>(job: Job<R>) -> impl IntoView {
    move || {
        job.preview.get().map(|preview| {
            let on_start = Callback::new(move |mapping: Mapping| job.use_mapping(mapping));
            let on_cancel = Callback::new(move |()| {
                job.preview.set(None);
                job.file.set_value(None);
            });
            view! { <MappingForm preview on_start on_cancel start="Use these columns" ask_classes=false/> }
        })
    }
}
