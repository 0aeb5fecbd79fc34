//! The components that draw [`super::geometry`]: the chart's `<svg>` with its grid and axis names,
//! and the marks and text alternatives every chart shares. Each chart adds the marks that are its
//! own (with their test hooks) as the [`Chart`]'s children.

use super::geometry::{Dot, Frame, Line, Table, Ticks};
use leptos::prelude::*;

/// An SVG chart: an image named by the elements `labelled_by` lists, its grid and tick labels,
/// its axes' names, and the marks in `children` on top.
#[component]
pub fn Chart(
    /// Its size and margins.
    frame: Frame,
    /// The `<svg>`'s `data-testid`.
    testid: &'static str,
    /// The ids of the elements that name the image: its title, then what it shows in words.
    #[prop(into)]
    labelled_by: String,
    /// The grid's ticks (none by default).
    #[prop(into, optional)]
    ticks: Signal<Ticks>,
    /// The x axis's name, under the tick labels.
    #[prop(into, optional)]
    x_label: Option<Signal<String>>,
    /// The y axis's name, up the left edge.
    #[prop(into, optional)]
    y_label: Option<Signal<String>>,
    /// The marks.
    children: Children,
) -> impl IntoView {
    let right = frame.width - frame.right;
    let below = frame.height - frame.bottom + 18.0;
    let middle = (frame.top + frame.height - frame.bottom) / 2.0;
    view! {
        <svg data-testid=testid viewBox=frame.view_box() role="img" aria-labelledby=labelled_by>
            <g class="grid">
                {move || ticks.with(|t| t.y.iter().map(|t| view! {
                    <line x1=frame.left x2=right y1=t.at y2=t.at></line>
                    <text x=frame.left - 6.0 y=t.at + 4.0 text-anchor="end">{t.label.clone()}</text>
                }).collect_view())}
                {move || ticks.with(|t| t.x.iter().map(|t| view! {
                    <text x=t.at y=below text-anchor="middle">{t.label.clone()}</text>
                }).collect_view())}
            </g>
            {x_label.map(|label| view! {
                <text class="axis-label" x=(frame.left + right) / 2.0 y=frame.height - 6.0 text-anchor="middle">{label}</text>
            })}
            {y_label.map(|label| view! {
                <text class="axis-label" x="12" y=middle text-anchor="middle" transform=format!("rotate(-90 12 {middle})")>{label}</text>
            })}
            {children()}
        </svg>
    }
}

/// A dot (`circle.point`) per point, each with its words as a tooltip.
#[component]
pub fn Dots(#[prop(into)] dots: Signal<Vec<Dot>>) -> impl IntoView {
    move || {
        dots.with(|d| {
            d.iter()
                .map(|d| {
                    view! {
                        <circle class="point" cx=d.x cy=d.y r="4">
                            <title>{d.title.clone()}</title>
                        </circle>
                    }
                })
                .collect_view()
        })
    }
}

/// Each line as a path named by its `data-series`, in its colour and dash.
#[component]
pub fn Lines(#[prop(into)] lines: Signal<Vec<Line>>) -> impl IntoView {
    move || {
        lines.with(|l| {
            l.iter()
                .map(|l| {
                    view! {
                        <path data-series=l.name.clone() d=l.path.clone() fill="none"
                            stroke=l.style.colour stroke-width="2" stroke-dasharray=l.style.dash></path>
                    }
                })
                .collect_view()
        })
    }
}

/// The legend of lines: a sample of each line as drawn (colour and dash), then its name.
#[component]
pub fn LineLegend(
    #[prop(into)] lines: Signal<Vec<Line>>,
    /// The list's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <ul class="legend race-legend" data-testid=testid>
            {move || lines.with(|l| l.iter().map(|l| view! {
                <li>
                    <svg width="36" height="10" aria-hidden="true">
                        <line x1="0" x2="36" y1="5" y2="5" stroke=l.style.colour stroke-width="3" stroke-dasharray=l.style.dash></line>
                    </svg>
                    {l.label.clone()}
                </li>
            }).collect_view())}
        </ul>
    }
}

/// A chart's text alternative: its numbers as a table, folded under `summary`.
#[component]
pub fn TableDetails(
    /// The words that unfold the table.
    summary: &'static str,
    /// The table's class.
    class: &'static str,
    /// The table's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
    #[prop(into)] table: Signal<Table>,
) -> impl IntoView {
    let head = move || {
        table.with(|t| {
            t.columns
                .iter()
                .map(|c| view! { <th scope="col">{c.clone()}</th> })
                .collect_view()
        })
    };
    let body = move || {
        table.with(|t| {
            t.rows
                .iter()
                .map(|row| {
                    let cells = row
                        .iter()
                        .enumerate()
                        .map(|(i, cell)| {
                            if i == 0 && t.row_headings {
                                view! { <th scope="row">{cell.clone()}</th> }.into_any()
                            } else {
                                view! { <td>{cell.clone()}</td> }.into_any()
                            }
                        })
                        .collect_view();
                    view! { <tr>{cells}</tr> }
                })
                .collect_view()
        })
    };
    view! {
        <details>
            <summary>{summary}</summary>
            <table class=class data-testid=testid>
                <thead><tr>{head}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </details>
    }
}
