//! The sample views: a queried row shown in the form that fits it — a table of feature values
//! compared with each class's mean over the labeled rows, a text with the words that pushed the
//! prediction highlighted, an image drawn large, or (for 8 × 8 digits) its pixels — and the grid
//! of a batch. Everything the file holds is rendered as text or pixels, never as HTML.

use super::{format_percent, format_value};
use engine::data::text::{TermMethod, TermWeight};
use engine::data::Thumbnail;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use worker::{QueryView, SampleView};

/// A piece of a text: plain, or a word with the weight it pushed the prediction by.
#[derive(Debug, Clone, PartialEq)]
pub enum TextPiece {
    /// Text as it is (spaces, punctuation, words without weight).
    Plain(String),
    /// A word the model weighed: positive toward its best guess, negative toward the second.
    Word(String, f64),
}

/// Split `text` into plain runs and weighted words: a word (a run of alphanumerics or `_`, the
/// vectorizer's notion) is weighted when its lowercase form is one of `terms`.
pub fn split_highlights(text: &str, terms: &[TermWeight]) -> Vec<TextPiece> {
    let weight = |word: &str| {
        let lower = word.to_lowercase();
        terms.iter().find(|t| t.term == lower).map(|t| t.weight)
    };
    let mut pieces = Vec::new();
    let mut plain = String::new();
    let mut word = String::new();
    let flush_word = |word: &mut String, plain: &mut String, pieces: &mut Vec<TextPiece>| {
        if word.is_empty() {
            return;
        }
        match weight(word) {
            Some(w) if word.chars().count() >= 2 => {
                if !plain.is_empty() {
                    pieces.push(TextPiece::Plain(std::mem::take(plain)));
                }
                pieces.push(TextPiece::Word(std::mem::take(word), w));
            }
            _ => plain.push_str(&std::mem::take(word)),
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush_word(&mut word, &mut plain, &mut pieces);
            plain.push(c);
        }
    }
    flush_word(&mut word, &mut plain, &mut pieces);
    if !plain.is_empty() {
        pieces.push(TextPiece::Plain(plain));
    }
    pieces
}

/// `(rows, cols)` when the features are the pixels of a small square image named
/// `pixel_r_c` (the Digits demo), in row-major order.
pub fn pixel_grid(feature_names: &[String]) -> Option<(usize, usize)> {
    let n = feature_names.len();
    let side = (1..=32).find(|s| s * s == n)?;
    let all = feature_names
        .iter()
        .enumerate()
        .all(|(i, name)| name == &format!("pixel_{}_{}", i / side, i % side));
    all.then_some((side, side))
}

/// The pixels of a digit as an SVG of grey squares (darker = more ink), with a text alternative.
#[component]
pub fn PixelSample(values: Vec<f64>, rows: usize, cols: usize) -> impl IntoView {
    let max = values.iter().copied().fold(0.0f64, f64::max).max(1e-9);
    let cells = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let shade = 255.0 - (v / max).clamp(0.0, 1.0) * 255.0;
            let fill = format!("rgb({0:.0},{0:.0},{0:.0})", shade);
            view! { <rect x=(i % cols).to_string() y=(i / cols).to_string() width="1" height="1" fill=fill/> }
        })
        .collect_view();
    let label = format!("A {rows} × {cols} grey image, drawn from its pixel values");
    view! {
        <figure class="sample-pixels">
            <svg
                data-testid="sample-pixels"
                viewBox=format!("0 0 {cols} {rows}")
                role="img"
                aria-label=label
                shape-rendering="crispEdges"
            >
                {cells}
            </svg>
        </figure>
    }
}

/// An image's thumbnail on a canvas, scaled up with CSS.
#[component]
pub fn ImageSample(thumbnail: Thumbnail, path: String) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let (width, height) = (thumbnail.width, thumbnail.height);
    let pixels = StoredValue::new(thumbnail.rgba);
    // Drawing pixels on a canvas is DOM output: an effect.
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else {
            return;
        };
        let element: &web_sys::HtmlCanvasElement = &canvas;
        let Ok(Some(context)) = element.get_context("2d") else {
            return;
        };
        let Ok(context) = context.dyn_into::<web_sys::CanvasRenderingContext2d>() else {
            return;
        };
        pixels.with_value(|rgba| {
            if let Ok(data) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
                wasm_bindgen::Clamped(rgba),
                width,
                height,
            ) {
                let _ = context.put_image_data(&data, 0.0, 0.0);
            }
        });
    });
    let label = format!("The image {path}");
    view! {
        <figure class="sample-image">
            <canvas
                node_ref=canvas
                data-testid="sample-image"
                width=width.to_string()
                height=height.to_string()
                role="img"
                aria-label=label
            ></canvas>
            <figcaption>{path}</figcaption>
        </figure>
    }
}

/// A text with the words that pushed the prediction highlighted (as text, never HTML), and the
/// same words listed for screen readers.
#[component]
pub fn TextSample(
    text: String,
    terms: Vec<TermWeight>,
    /// Names of the classes the words pushed toward and away from.
    toward: Option<(String, String)>,
    /// How the words were weighed (said under the legend).
    #[prop(optional)]
    method: TermMethod,
) -> impl IntoView {
    let pieces = split_highlights(&text, &terms)
        .into_iter()
        .map(|piece| match piece {
            TextPiece::Plain(s) => view! { <span>{s}</span> }.into_any(),
            TextPiece::Word(w, weight) => {
                let class = if weight > 0.0 { "push-for" } else { "push-against" };
                let title = format!("{:+.2}", weight);
                view! {
                    <mark class=class data-testid="highlight" data-weight=weight.to_string() title=title>{w}</mark>
                }
                .into_any()
            }
        })
        .collect_view();
    let list = |positive: bool| {
        terms
            .iter()
            .filter(|t| (t.weight > 0.0) == positive)
            .map(|t| t.term.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (for_words, against_words) = (list(true), list(false));
    let legend = toward.map(|(best, second)| {
        view! {
            <p class="highlight-legend" data-testid="highlights">
                {(!for_words.is_empty()).then(|| view! {
                    <span><mark class="push-for">"Toward " {best.clone()}</mark> ": " {for_words.clone()}</span>
                })}
                {(!against_words.is_empty()).then(|| view! {
                    <span><mark class="push-against">"Toward " {second.clone()}</mark> ": " {against_words.clone()}</span>
                })}
                {(for_words.is_empty() && against_words.is_empty()).then(|| view! {
                    <span>"No word of this text weighs in the model yet."</span>
                })}
                <span
                    class="highlight-method"
                    data-testid="highlight-method"
                    data-method=format!("{method:?}").to_lowercase()
                >
                    "Weighed by " {method.describe()} "."
                </span>
            </p>
        }
    });
    view! {
        <div class="sample-text-wrap">
            <blockquote class="sample-text" data-testid="sample-text">{pieces}</blockquote>
            {legend}
        </div>
    }
}

/// The feature values, each with the class means over the labeled rows; the nearest mean
/// (relative to the spread of the means) is marked.
#[component]
pub fn FeatureTable(
    names: Vec<String>,
    values: Vec<f64>,
    class_names: Vec<String>,
    class_means: Vec<Option<Vec<f64>>>,
) -> impl IntoView {
    let shown: Vec<(usize, String)> = class_means
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_some())
        .map(|(k, _)| (k, class_names.get(k).cloned().unwrap_or_default()))
        .take(6)
        .collect();
    let head = shown
        .iter()
        .map(|(_, name)| view! { <th scope="col">"Mean " {name.clone()}</th> })
        .collect_view();
    let rows = names
        .into_iter()
        .zip(values)
        .enumerate()
        .map(|(j, (name, value))| {
            let means: Vec<(usize, f64)> = shown
                .iter()
                .filter_map(|(k, _)| {
                    class_means
                        .get(*k)
                        .and_then(|m| m.as_ref())
                        .and_then(|m| m.get(j))
                        .map(|&m| (*k, m))
                })
                .collect();
            let nearest = means
                .iter()
                .min_by(|a, b| (a.1 - value).abs().total_cmp(&(b.1 - value).abs()))
                .map(|(k, _)| *k);
            let cells = means
                .iter()
                .map(|&(k, m)| {
                    let near = Some(k) == nearest && means.len() > 1;
                    view! {
                        <td class:nearest=near>
                            {format_value(m)}
                            {near.then(|| view! { <span class="visually-hidden">" (nearest)"</span> })}
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{name}</th><td>{format_value(value)}</td>{cells}</tr> }
        })
        .collect_view();
    view! {
        <table class="features" data-testid="sample-table" aria-labelledby="query-title">
            <thead><tr><th scope="col">"Feature"</th><th scope="col">"Value"</th>{head}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The body of a sample: the view that fits its data.
#[component]
pub fn SampleBody(
    query: QueryView,
    feature_names: Vec<String>,
    class_names: Vec<String>,
) -> impl IntoView {
    let name = |k: usize| class_names.get(k).cloned().unwrap_or_default();
    let pixels = pixel_grid(&feature_names);
    match query.display.clone() {
        SampleView::Text {
            text,
            terms,
            toward,
            method,
        } => {
            let toward = toward.map(|(a, b)| (name(a), name(b)));
            view! { <TextSample text terms toward method/> }.into_any()
        }
        SampleView::Image { thumbnail, path } => view! { <ImageSample thumbnail path/> }.into_any(),
        SampleView::Table { class_means } => {
            let table = view! {
                <FeatureTable names=feature_names values=query.features.clone() class_names=class_names.clone() class_means/>
            };
            match pixels {
                Some((rows, cols)) => view! {
                    <PixelSample values=query.features.clone() rows cols/>
                    <details class="pixel-values"><summary>"Pixel values"</summary>{table}</details>
                }
                .into_any(),
                None => table.into_any(),
            }
        }
        SampleView::Plain => view! {
            <FeatureTable names=feature_names values=query.features.clone() class_names class_means=Vec::new()/>
        }
        .into_any(),
    }
}

/// Batch mode: the round's picks as a grid of cards, each with its own class buttons.
#[component]
pub fn BatchGrid(
    batch: Vec<QueryView>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
    /// The person labels a card's row: `(row, class)`.
    on_label: Callback<(usize, usize)>,
) -> impl IntoView {
    let cards = batch
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let row = q.row;
            let guess = q.predicted.map(|k| {
                format!(
                    "Model: {} ({})",
                    class_names.get(k).cloned().unwrap_or_default(),
                    format_percent(q.proba.get(k).copied().unwrap_or_default())
                )
            });
            let buttons = class_names
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let label = format!("Label sample {} as {c}", i + 1);
                    view! {
                        <button class="class-button small" aria-label=label on:click=move |_| on_label.run((row, k))>{c.clone()}</button>
                    }
                })
                .collect_view();
            view! {
                <li class="batch-card" data-testid="batch-card" data-row=row.to_string()>
                    <h3>"Sample " {i + 1} " · " {q.row_id.clone()}</h3>
                    <SampleBody query=q feature_names=feature_names.clone() class_names=class_names.clone()/>
                    <p class="batch-guess">{guess}</p>
                    <div class="class-buttons" role="group" aria-label=format!("Label sample {}", i + 1)>{buttons}</div>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="batch-grid" data-testid="batch-grid">{cards}</ul> }
}
