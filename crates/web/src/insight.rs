//! Seeing what the labels bought, and why this sample: the learning curve with its metric choice
//! ([`curve::LearningCurvePanel`]), per-class recall bars, the confusion matrix whose cells open
//! the rows behind them, the map of the pool ([`map::PoolMap`]), the stopping panel and the "why
//! this sample?" panel. Every chart is SVG drawn with [`crate::chart`] and has a text alternative;
//! the numbers come from the worker ([`worker::insight`]), the components only render them.

#[path = "insight_curve.rs"]
pub mod curve;
#[path = "insight_map.rs"]
pub mod map;

pub use curve::LearningCurvePanel;

use super::chart::{class_colour, Table, TableDetails};
use super::studio::{use_class_names, use_studio};
use super::{format_percent, format_value};
use leptos::prelude::*;
use worker::insight::Insight;

/// The last round's insight, as a memo.
pub fn use_insight() -> Memo<Option<Insight>> {
    let studio = use_studio();
    Memo::new(move |_| studio.insight.with(|i| i.as_deref().cloned()))
}

fn name_of(names: &[String], k: usize) -> String {
    names
        .get(k)
        .cloned()
        .unwrap_or_else(|| format!("class {k}"))
}

/// Per-class recall on the test split, as horizontal bars; a table of recall, precision, F1 and
/// support is the text alternative.
#[component]
pub fn RecallBars() -> impl IntoView {
    let insight = use_insight();
    let names = use_class_names();
    let classes = Memo::new(move |_| {
        insight.with(|i| i.as_ref().map(|i| i.classes.clone()).unwrap_or_default())
    });
    const BAR_H: f64 = 24.0;
    const LABEL_W: f64 = 130.0;
    const BAR_W: f64 = 440.0;
    let height = move || classes.with(|c| c.len() as f64 * (BAR_H + 8.0) + 8.0);
    let table = Signal::derive(move || {
        let names = names.get();
        Table {
            columns: ["Class", "Recall", "Precision", "F1", "Test samples"]
                .map(String::from)
                .to_vec(),
            rows: classes.with(|c| {
                c.iter()
                    .map(|c| {
                        vec![
                            name_of(&names, c.class),
                            format_percent(c.recall),
                            format_percent(c.precision),
                            format_percent(c.f1),
                            c.support.to_string(),
                        ]
                    })
                    .collect()
            }),
            row_headings: true,
        }
    });
    view! {
        <figure class="chart recall-bars">
            <h3 id="recall-title">"Recall per class (test split)"</h3>
            {move || if classes.with(Vec::is_empty) {
                view! { <p class="note" data-testid="recall-empty">"Recall needs test labels and a model."</p> }.into_any()
            } else {
                view! {
                    <svg
                        data-testid="recall-bars"
                        viewBox=move || format!("0 0 {} {}", LABEL_W + BAR_W + 70.0, height())
                        role="img"
                        aria-labelledby="recall-title recall-summary"
                    >
                        {move || {
                            let names = names.get();
                            classes.get().into_iter().enumerate().map(|(i, c)| {
                                let y = 8.0 + i as f64 * (BAR_H + 8.0);
                                let name = name_of(&names, c.class);
                                view! {
                                    <g>
                                        <text x=LABEL_W - 8.0 y=y + BAR_H * 0.7 text-anchor="end">{name.clone()}</text>
                                        <rect class="bar-track" x=LABEL_W y=y width=BAR_W height=BAR_H></rect>
                                        <rect
                                            class="bar"
                                            data-testid="recall-bar"
                                            data-class=c.class.to_string()
                                            data-value=c.recall.to_string()
                                            x=LABEL_W
                                            y=y
                                            width=(c.recall * BAR_W).max(0.0)
                                            height=BAR_H
                                            fill=class_colour(c.class)
                                        >
                                            <title>{format!("{name}: recall {}", format_percent(c.recall))}</title>
                                        </rect>
                                        <text x=LABEL_W + BAR_W + 6.0 y=y + BAR_H * 0.7>{format_percent(c.recall)}</text>
                                    </g>
                                }
                            }).collect_view()
                        }}
                    </svg>
                }.into_any()
            }}
            <figcaption>
                <p id="recall-summary">{move || {
                    let names = names.get();
                    classes.with(|c| {
                        c.iter()
                            .min_by(|a, b| a.recall.total_cmp(&b.recall))
                            .map(|worst| format!(
                                "Lowest recall: {} ({}). Recall is the share of a class's test samples the model finds.",
                                name_of(&names, worst.class),
                                format_percent(worst.recall)
                            ))
                            .unwrap_or_default()
                    })
                }}</p>
                <TableDetails summary="Show the numbers as a table" class="insight-table" table=table/>
            </figcaption>
        </figure>
    }
}

/// The confusion matrix on the test split: rows are the true classes, columns the predictions;
/// every cell is a button that lists the samples behind it.
#[component]
pub fn ConfusionMatrix() -> impl IntoView {
    let insight = use_insight();
    let names = use_class_names();
    let confusion =
        Memo::new(move |_| insight.with(|i| i.as_ref().and_then(|i| i.confusion.clone())));
    let open = RwSignal::new(None::<(usize, usize)>);
    let table = move || {
        let Some(c) = confusion.get() else {
            return view! { <p class="note" data-testid="confusion-empty">"The confusion matrix needs test labels and a model."</p> }.into_any();
        };
        let names = names.get();
        let max = c.counts.iter().flatten().copied().max().unwrap_or(0).max(1);
        let header = names
            .iter()
            .take(c.counts.len())
            .map(|n| view! { <th scope="col">{n.clone()}</th> })
            .collect_view();
        let body = c
            .counts
            .iter()
            .enumerate()
            .map(|(t, row)| {
                let cells = row
                    .iter()
                    .enumerate()
                    .map(|(p, &n)| {
                        let shade = n as f64 / max as f64;
                        // Set through the CSSOM (`style:`), which the page's CSP allows; a
                        // `style="…"` attribute would be blocked.
                        let background = format!(
                            "rgba({}, {:.3})",
                            if t == p { "0, 114, 178" } else { "213, 94, 0" },
                            0.08 + 0.72 * shade
                        );
                        let label = format!(
                            "{n} test sample{} of {} predicted {}: show them",
                            if n == 1 { "" } else { "s" },
                            name_of(&names, t),
                            name_of(&names, p)
                        );
                        view! {
                            <td>
                                <button
                                    class="cell"
                                    class:diagonal={t == p}
                                    class:dark={shade > 0.55}
                                    data-testid="confusion-cell"
                                    data-true=t.to_string()
                                    data-pred=p.to_string()
                                    style:background=background
                                    aria-label=label
                                    aria-pressed=move || (open.get() == Some((t, p))).to_string()
                                    on:click=move |_| open.update(|o| *o = if *o == Some((t, p)) { None } else { Some((t, p)) })
                                >
                                    {n}
                                </button>
                            </td>
                        }
                    })
                    .collect_view();
                view! { <tr><th scope="row">{name_of(&names, t)}</th>{cells}</tr> }
            })
            .collect_view();
        view! {
            <table class="confusion" data-testid="confusion-matrix" aria-describedby="confusion-note">
                <thead>
                    <tr><td></td><th scope="colgroup" colspan=c.counts.len().to_string()>"Predicted"</th></tr>
                    <tr><th scope="col">"True ↓"</th>{header}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        }
        .into_any()
    };
    let examples = move || {
        let (t, p) = open.get()?;
        let c = confusion.get()?;
        let names = names.get();
        let total = *c.counts.get(t)?.get(p)?;
        let rows = c.examples.get(t)?.get(p)?.clone();
        let heading = format!(
            "{} predicted {}: {} of {total}",
            name_of(&names, t),
            name_of(&names, p),
            rows.len()
        );
        Some(view! {
            <div class="cell-examples" data-testid="cell-examples" aria-live="polite">
                <h4>{heading}</h4>
                {if rows.is_empty() {
                    view! { <p>"No test sample falls in this cell."</p> }.into_any()
                } else {
                    view! {
                        <ul>
                            {rows.into_iter().map(|e| view! {
                                <li data-testid="cell-example" data-row=e.row.to_string()>
                                    <strong>{format!("#{} ", e.id)}</strong>
                                    <span>{e.summary}</span>
                                    <span class="muted">{format!(" — {} sure", format_percent(e.confidence))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <button class="close" on:click=move |_| open.set(None)>"Close the list"</button>
            </div>
        })
    };
    view! {
        <figure class="chart confusion-figure">
            <h3>"Confusion matrix (test split)"</h3>
            {table}
            <figcaption id="confusion-note">
                "Rows: the true class; columns: the model's prediction. The diagonal (blue) is right, \
                 the rest (orange) are mistakes; darker means more samples. Choose a cell to see its samples."
            </figcaption>
            {examples}
        </figure>
    }
}

/// The stopping panel: the suggestion and every criterion with its reason.
#[component]
pub fn StoppingPanel() -> impl IntoView {
    let insight = use_insight();
    let stopping = Memo::new(move |_| insight.with(|i| i.as_ref().map(|i| i.stopping.clone())));
    view! {
        <section class="stopping" aria-labelledby="stopping-title" data-testid="stopping">
            <h3 id="stopping-title">"When to stop"</h3>
            {move || stopping.get().map(|s| view! {
                <p
                    class="suggestion"
                    class:stop=s.suggest_stop
                    data-testid="stop-suggestion"
                    data-stop=s.suggest_stop.to_string()
                >
                    {s.suggestion.clone()}
                </p>
                <ul class="advice">
                    {s.advice.into_iter().map(|a| view! {
                        <li data-testid="stop-advice" data-stop=a.stop.to_string()>
                            <span class="verdict">{if a.stop { "✓ stop" } else { "… continue" }}</span>
                            <strong>{format!(" {}: ", a.criterion)}</strong>
                            {a.reason}
                        </li>
                    }).collect_view()}
                </ul>
                <p class="muted">{format!("The plateau rule follows the {}.", s.metric)}</p>
            })}
        </section>
    }
}

/// Why this sample: the numbers behind the pick of the query on screen.
#[component]
pub fn WhyPanel() -> impl IntoView {
    let insight = use_insight();
    let names = use_class_names();
    let why = Memo::new(move |_| insight.with(|i| i.as_ref().and_then(|i| i.why.clone())));
    let body = move || {
        let w = why.get()?;
        let names = names.get();
        let rank = |r: usize| format!("{r} of {}", w.candidates);
        let proba = w
            .proba
            .iter()
            .enumerate()
            .map(|(k, &p)| view! { <li>{format!("{}: {}", name_of(&names, k), format_percent(p))}</li> })
            .collect_view();
        let lead = if w.probe {
            "A probe: a uniformly random sample, asked so the accuracy estimate stays unbiased (not ranked by the strategy).".to_string()
        } else if w.proba.is_empty() {
            "No model yet: this sample was picked to cover the data.".to_string()
        } else {
            format!(
                "Picked by {} with score {}.",
                w.strategy,
                format_value(w.score)
            )
        };
        let has_model = !w.proba.is_empty();
        let adaptive = w.adaptive.clone().map(|a| {
            let lead = format!(
                "Proposed by {} (chance of this sample {}).",
                a.proposers().join(", "),
                format_percent(a.probability)
            );
            let rows = a
                .arms
                .iter()
                .map(|arm| {
                    let share = format!("{:.2}rem", 4.0 * arm.weight.clamp(0.0, 1.0));
                    view! {
                        <tr data-testid="why-arm" data-name=arm.name.clone() data-proposed=arm.proposed.to_string()>
                            <th scope="row">{arm.label.clone()}</th>
                            <td data-value=arm.weight.to_string()>
                                <span class="why-arm-bar" aria-hidden="true" style:width=share></span>
                                {format_percent(arm.weight)}
                            </td>
                            <td>{if arm.proposed { "yes" } else { "no" }}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <p data-testid="why-adaptive">{lead}</p>
                <table class="why-arms" aria-label="Adaptive strategy weights">
                    <thead><tr><th scope="col">"Strategy"</th><th scope="col">"Weight"</th><th scope="col">"Proposed this sample"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        });
        Some(view! {
            <p>{lead}</p>
            {adaptive}
            {has_model.then(|| view! { <ul class="why-proba" aria-label="Class probabilities">{proba}</ul> })}
            <dl class="why-numbers">
                {has_model.then(|| view! {
                    <div>
                        <dt>"Margin (best − second best)"</dt>
                        <dd data-testid="why-margin" data-value=w.margin.to_string()>
                            {format!("{} · rank {}", format_value(w.margin), rank(w.rank_margin))}
                        </dd>
                    </div>
                    <div>
                        <dt>"Entropy"</dt>
                        <dd data-testid="why-entropy" data-value=w.entropy.to_string()>
                            {format!("{} nats · rank {}", format_value(w.entropy), rank(w.rank_entropy))}
                        </dd>
                    </div>
                    <div>
                        <dt>"Least confidence (1 − top probability)"</dt>
                        <dd data-testid="why-least-confidence" data-value=w.least_confidence.to_string()>
                            {format!("{} · rank {}", format_value(w.least_confidence), rank(w.rank_least_confident))}
                        </dd>
                    </div>
                })}
                {w.nearest_labeled.clone().map(|n| view! {
                    <div>
                        <dt>"Nearest labeled sample"</dt>
                        <dd data-testid="why-nearest">{format!(
                            "#{} ({}), distance {} (standardized features)",
                            n.id,
                            name_of(&names, n.class),
                            format_value(n.distance)
                        )}</dd>
                    </div>
                })}
                {w.density.map(|d| view! {
                    <div>
                        <dt>"Density (mean similarity to the pool)"</dt>
                        <dd data-testid="why-density">{format_value(d)}</dd>
                    </div>
                })}
                {w.committee_votes.clone().map(|votes| view! {
                    <div>
                        <dt>"Committee votes"</dt>
                        <dd data-testid="why-votes">{votes.iter().enumerate()
                            .map(|(k, v)| format!("{}: {v}", name_of(&names, k)))
                            .collect::<Vec<_>>().join(", ")}</dd>
                    </div>
                })}
                <div>
                    <dt>"On the map"</dt>
                    <dd data-testid="why-map">{match w.map {
                        Some([x, y]) => format!("the large diamond at ({}, {})", format_value(x), format_value(y)),
                        None => "not shown".to_string(),
                    }}</dd>
                </div>
            </dl>
        })
    };
    // Between a round's sample and its insight (one frame or so) the panel still explains the
    // previous sample: `aria-busy` tells assistive technology not to read it out yet.
    let studio = use_studio();
    view! {
        <section
            class="why-panel"
            aria-labelledby="why-title"
            data-testid="why-panel"
            aria-busy=move || studio.insight_pending.get().to_string()
        >
            <h3 id="why-title">"Why this sample?"</h3>
            {body}
        </section>
    }
}

/// Everything the labels bought: recall bars, confusion matrix, map, stopping panel.
#[component]
pub fn InsightPanels() -> impl IntoView {
    let studio = use_studio();
    view! {
        <section
            class="insight"
            aria-labelledby="insight-title"
            data-testid="insight"
            aria-busy=move || studio.insight_pending.get().to_string()
        >
            <h2 id="insight-title">"What the labels bought"</h2>
            <div class="insight-grid">
                <RecallBars/>
                <ConfusionMatrix/>
                <map::PoolMap/>
                <StoppingPanel/>
            </div>
        </section>
    }
}
