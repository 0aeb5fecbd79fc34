//! Every chart of the app is drawn the same way: [`geometry`] turns data into plain numbers and
//! strings (a [`Plot`]'s scales, [`Ticks`], line and band paths, a [`Table`] for the text
//! alternative), which are tested without a page, and [`view`]'s few components draw them
//! ([`Chart`] for the `<svg>` with its grid and axis names, [`Dots`], [`Lines`], [`LineLegend`],
//! [`TableDetails`]). [`palette`] holds the colour-blind-safe colours and dashes.
//!
//! A chart module keeps what is its own (its data, its layout rules, its series' markup and test
//! hooks) and takes the rest from here:
//!
//! ```ignore
//! const FRAME: Frame = Frame::new(640.0, 300.0);
//! let plot = Plot::new(FRAME, (0.0, 20.0), (0.0, 1.0));
//! let ticks = Ticks { x: plot.whole_x_ticks(), y: plot.even_y_ticks(5, percent) };
//! let path = plot.line(points.iter().map(|p| (p.n_labels as f64, p.value)));
//! view! {
//!     <Chart frame=FRAME testid="f1-curve" labelled_by="f1-title" ticks=ticks x_label="labels">
//!         <path class="series-active" d=path fill="none"></path>
//!     </Chart>
//! }
//! ```

pub mod geometry;
pub mod palette;
pub mod view;

pub use geometry::{
    accuracy_floor, band_path, line_path, percent, Dot, Frame, Line, Plot, Scale, Series, Table,
    Tick, Ticks,
};
pub use palette::{class_colour, series_style, Style};
pub use view::{Chart, Dots, LineLegend, Lines, TableDetails};
