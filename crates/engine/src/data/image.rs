//! Images → features: a downscaled grayscale thumbnail plus a colour histogram.
//!
//! The input is decoded RGBA pixels (4 bytes per pixel, row by row, as a canvas gives them).
//! Each pixel is first composited over white (`c' = (c·a + 255·(255 − a)) / 255`), so transparent
//! areas read as background rather than black.
//!
//! - **Thumbnail** ([`ImageOptions::grid`] × `grid`, default 16 × 16): the luma
//!   `(0.299 R' + 0.587 G' + 0.114 B') / 255` (ITU-R BT.601) averaged over each cell's exact
//!   area (pixels cut by a cell border count by the fraction inside), row by row; values in
//!   `[0, 1]`. Images smaller than the grid are upsampled the same way.
//! - **Histogram** ([`ImageOptions::bins`] per channel, default 4): for red, then green, then
//!   blue, the share of pixels whose composited value falls in each of `bins` equal ranges of
//!   `0..=255`; each channel's shares sum to 1.
//!
//! So the feature vector has `grid² + 3 · bins` values; [`image_feature_names`] names them.
//!
//! A folder of images becomes a dataset with [`image_dataset`]: each image's features, a
//! [`thumbnail`] to show it, and its label from [`label_from_path`] (the name of the folder it
//! sits in, when that is a subfolder of the chosen folder). Images that cannot be used are
//! listed in the report ([`ImportReport::skipped_files`]) instead of failing the whole folder.

use super::{DataError, Dataset, ImportReport, RowDisplay, SkippedFile, Thumbnail};
use serde::{Deserialize, Serialize};

/// The longest side of a display thumbnail (pixels).
pub const THUMBNAIL_SIDE: u32 = 128;

/// The default cap on an image's pixels (40 megapixels).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// The largest thumbnail side [`ImageOptions::grid`] may ask for.
pub const MAX_GRID: u32 = 64;

/// The most histogram bins per channel.
pub const MAX_BINS: u32 = 64;

/// How an image becomes features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageOptions {
    /// The thumbnail's side, 1 ..= [`MAX_GRID`] (default 16).
    pub grid: u32,
    /// Histogram bins per colour channel, 1 ..= [`MAX_BINS`] (default 4).
    pub bins: u32,
    /// Images with more pixels than this are refused (default [`MAX_IMAGE_PIXELS`]).
    pub max_pixels: u64,
}

impl Default for ImageOptions {
    fn default() -> Self {
        Self {
            grid: 16,
            bins: 4,
            max_pixels: MAX_IMAGE_PIXELS,
        }
    }
}

impl ImageOptions {
    /// Refuse options out of range, naming the option and the rule.
    ///
    /// ```
    /// use engine::data::image::ImageOptions;
    /// let bad = ImageOptions { grid: 0, ..ImageOptions::default() };
    /// assert_eq!(bad.check().unwrap_err().to_string(), "grid = 0 is not allowed: the thumbnail side must be between 1 and 64");
    /// ```
    pub fn check(&self) -> Result<(), DataError> {
        if !(1..=MAX_GRID).contains(&self.grid) {
            return Err(DataError::BadOption {
                option: "grid".into(),
                value: self.grid.to_string(),
                rule: format!("the thumbnail side must be between 1 and {MAX_GRID}"),
            });
        }
        if !(1..=MAX_BINS).contains(&self.bins) {
            return Err(DataError::BadOption {
                option: "bins".into(),
                value: self.bins.to_string(),
                rule: format!("the histogram needs between 1 and {MAX_BINS} bins per channel"),
            });
        }
        Ok(())
    }

    /// The number of features [`image_features`] returns: `grid² + 3 · bins`.
    ///
    /// ```
    /// assert_eq!(engine::data::image::ImageOptions::default().n_features(), 16 * 16 + 12);
    /// ```
    pub fn n_features(&self) -> usize {
        (self.grid as usize).pow(2) + 3 * self.bins as usize
    }
}

/// The names of the features, in order: `gray_r{row}_c{col}`, then `red_bin{k}`, `green_bin{k}`,
/// `blue_bin{k}`.
///
/// ```
/// use engine::data::image::{image_feature_names, ImageOptions};
/// let names = image_feature_names(&ImageOptions { grid: 2, bins: 2, ..ImageOptions::default() });
/// assert_eq!(names[..2], ["gray_r0_c0", "gray_r0_c1"]);
/// assert_eq!(names[4..], ["red_bin0", "red_bin1", "green_bin0", "green_bin1", "blue_bin0", "blue_bin1"]);
/// ```
pub fn image_feature_names(options: &ImageOptions) -> Vec<String> {
    let mut names = Vec::with_capacity(options.n_features());
    for r in 0..options.grid {
        for c in 0..options.grid {
            names.push(format!("gray_r{r}_c{c}"));
        }
    }
    for channel in ["red", "green", "blue"] {
        for k in 0..options.bins {
            names.push(format!("{channel}_bin{k}"));
        }
    }
    names
}

/// Source pixels `[a, b)` along one axis overlapping output cell `cell` of `cells`, with their
/// overlap lengths (in source pixels).
fn overlaps(cell: u32, cells: u32, size: u32) -> impl Iterator<Item = (usize, f64)> {
    let scale = f64::from(size) / f64::from(cells);
    let a = f64::from(cell) * scale;
    let b = f64::from(cell + 1) * scale;
    let first = a.floor() as usize;
    let last = (b.ceil() as usize).min(size as usize);
    (first..last).filter_map(move |s| {
        let w = b.min(s as f64 + 1.0) - a.max(s as f64);
        (w > 0.0).then_some((s, w))
    })
}

/// Compositing over white: `(c·a + 255·(255 − a)) / 255`.
fn over_white(c: u8, a: u8) -> f64 {
    (f64::from(c) * f64::from(a) + 255.0 * f64::from(255 - a)) / 255.0
}

/// Features of one RGBA image (see the module docs): `grid²` thumbnail values, then `3 · bins`
/// histogram shares.
///
/// Refuses a zero width or height, a buffer that is not `4 · width · height` bytes, and images
/// over [`ImageOptions::max_pixels`].
///
/// ```
/// use engine::data::image::{image_features, ImageOptions};
/// // 2 × 1: a black pixel and a white one, into a 1 × 1 thumbnail and 2 bins.
/// let rgba = [0, 0, 0, 255, 255, 255, 255, 255];
/// let f = image_features(&rgba, 2, 1, &ImageOptions { grid: 1, bins: 2, ..ImageOptions::default() })
///     .unwrap();
/// assert_eq!(f.len(), 1 + 3 * 2);
/// assert!(f.iter().all(|v| (v - 0.5).abs() < 1e-12)); // mean luma 0.5; half the pixels per bin
/// ```
pub fn image_features(
    rgba: &[u8],
    width: u32,
    height: u32,
    options: &ImageOptions,
) -> Result<Vec<f64>, DataError> {
    options.check()?;
    if width == 0 || height == 0 {
        return Err(DataError::ImageEmpty { width, height });
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > options.max_pixels {
        return Err(DataError::ImageTooLarge {
            width,
            height,
            pixels,
            max: options.max_pixels,
        });
    }
    check_buffer(rgba, width, height)?;
    let (w, grid, bins) = (width as usize, options.grid, options.bins as usize);
    let luma = |x: usize, y: usize| -> f64 {
        let p = 4 * (y * w + x);
        let a = rgba[p + 3];
        (0.299 * over_white(rgba[p], a)
            + 0.587 * over_white(rgba[p + 1], a)
            + 0.114 * over_white(rgba[p + 2], a))
            / 255.0
    };
    let cell_area = (f64::from(width) / f64::from(grid)) * (f64::from(height) / f64::from(grid));
    let mut out = Vec::with_capacity(options.n_features());
    for gy in 0..grid {
        for gx in 0..grid {
            let mut sum = 0.0;
            for (y, wy) in overlaps(gy, grid, height) {
                let mut row = 0.0;
                for (x, wx) in overlaps(gx, grid, width) {
                    row += wx * luma(x, y);
                }
                sum += wy * row;
            }
            out.push(sum / cell_area);
        }
    }
    let mut hist = vec![0u64; 3 * bins];
    for p in rgba.chunks_exact(4) {
        for channel in 0..3 {
            let v = over_white(p[channel], p[3]);
            let bin = ((v * bins as f64 / 256.0) as usize).min(bins - 1);
            hist[channel * bins + bin] += 1;
        }
    }
    out.extend(hist.iter().map(|&c| c as f64 / pixels as f64));
    Ok(out)
}

/// Refuse an RGBA buffer that is not 4 bytes for each of `width × height` pixels.
fn check_buffer(rgba: &[u8], width: u32, height: u32) -> Result<(), DataError> {
    let expected = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != expected {
        return Err(DataError::ImageBuffer {
            width,
            height,
            expected,
            found: rgba.len() as u64,
        });
    }
    Ok(())
}

/// A display copy of an RGBA image whose longer side is at most `max_side` pixels (area
/// average; smaller images are kept as they are, never enlarged).
///
/// ```
/// use engine::data::image::thumbnail;
/// let rgba = [0u8, 0, 0, 255].repeat(4 * 2); // 4 × 2 black
/// let t = thumbnail(&rgba, 4, 2, 2).unwrap();
/// assert_eq!((t.width, t.height, t.rgba.len()), (2, 1, 8));
/// assert_eq!(t.rgba[..4], [0, 0, 0, 255]);
/// ```
pub fn thumbnail(
    rgba: &[u8],
    width: u32,
    height: u32,
    max_side: u32,
) -> Result<Thumbnail, DataError> {
    if width == 0 || height == 0 {
        return Err(DataError::ImageEmpty { width, height });
    }
    check_buffer(rgba, width, height)?;
    let max_side = max_side.max(1);
    let longer = width.max(height);
    if longer <= max_side {
        return Ok(Thumbnail {
            width,
            height,
            rgba: rgba.to_vec(),
        });
    }
    let scale = f64::from(max_side) / f64::from(longer);
    let tw = ((f64::from(width) * scale).round() as u32).clamp(1, max_side);
    let th = ((f64::from(height) * scale).round() as u32).clamp(1, max_side);
    let cell_area = (f64::from(width) / f64::from(tw)) * (f64::from(height) / f64::from(th));
    let mut out = Vec::with_capacity((tw * th * 4) as usize);
    for ty in 0..th {
        for tx in 0..tw {
            let mut sum = [0.0f64; 4];
            for (y, wy) in overlaps(ty, th, height) {
                for (x, wx) in overlaps(tx, tw, width) {
                    let p = 4 * (y * width as usize + x);
                    for (c, s) in sum.iter_mut().enumerate() {
                        *s += wx * wy * f64::from(rgba[p + c]);
                    }
                }
            }
            out.extend(
                sum.iter()
                    .map(|s| (s / cell_area).round().clamp(0.0, 255.0) as u8),
            );
        }
    }
    Ok(Thumbnail {
        width: tw,
        height: th,
        rgba: out,
    })
}

/// The label a file's path gives: the folder the file is in, when the path has a chosen folder
/// and a subfolder (`animals/cat/1.png` → `cat`); `None` for files directly in the chosen folder
/// (`animals/1.png`) or dropped alone (`1.png`). Backslashes count as slashes.
///
/// ```
/// use engine::data::image::label_from_path;
/// assert_eq!(label_from_path("animals/cat/1.png").as_deref(), Some("cat"));
/// assert_eq!(label_from_path("animals\\dog\\2.jpg").as_deref(), Some("dog"));
/// assert_eq!(label_from_path("animals/1.png"), None);
/// assert_eq!(label_from_path("1.png"), None);
/// ```
pub fn label_from_path(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    (parts.len() >= 3).then(|| parts[parts.len() - 2].to_string())
}

/// One decoded image of a folder: its path inside the folder and its RGBA pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedImage {
    /// The path inside the chosen folder (`animals/cat/1.png`).
    pub path: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `4 · width · height` bytes, row by row.
    pub rgba: Vec<u8>,
}

/// A dataset from decoded images (see the module docs): features from [`image_features`], a
/// [`thumbnail`] of at most [`THUMBNAIL_SIDE`] pixels per image, labels from
/// [`label_from_path`], rows in path order. Images whose pixels cannot be used join `skipped`
/// (with the reason) in the report; none usable at all is [`DataError::NoImages`].
///
/// ```
/// use engine::data::image::{image_dataset, DecodedImage, ImageOptions};
/// let img = |path: &str, v: u8| DecodedImage { path: path.into(), width: 2, height: 2, rgba: [v, v, v, 255].repeat(4) };
/// let d = image_dataset("pets", vec![img("pets/dog/b.png", 200), img("pets/cat/a.png", 10), img("pets/c.png", 90)], Vec::new(), &ImageOptions::default())
///     .unwrap();
/// assert_eq!(d.class_names, vec!["cat", "dog"]);
/// assert_eq!(d.known_labels, vec![None, Some(0), Some(1)]); // sorted by path: c.png, cat/a.png, dog/b.png
/// assert_eq!(d.row_ids, vec!["pets/c.png", "pets/cat/a.png", "pets/dog/b.png"]);
/// ```
pub fn image_dataset(
    name: &str,
    mut images: Vec<DecodedImage>,
    mut skipped: Vec<SkippedFile>,
    options: &ImageOptions,
) -> Result<Dataset, DataError> {
    options.check()?;
    images.sort_by(|a, b| a.path.cmp(&b.path));
    let files = images.len() + skipped.len();
    let mut rows: Vec<(String, Vec<f64>, Thumbnail)> = Vec::new();
    for image in images {
        let made = image_features(&image.rgba, image.width, image.height, options).and_then(|f| {
            thumbnail(&image.rgba, image.width, image.height, THUMBNAIL_SIDE).map(|t| (f, t))
        });
        match made {
            Ok((features, thumb)) => rows.push((image.path, features, thumb)),
            Err(e) => skipped.push(SkippedFile {
                path: image.path,
                reason: e.to_string(),
            }),
        }
    }
    if rows.is_empty() {
        return Err(DataError::NoImages {
            files,
            skipped: skipped.len(),
        });
    }
    let labels: Vec<Option<String>> = rows.iter().map(|(p, ..)| label_from_path(p)).collect();
    let mut class_names: Vec<String> = labels.iter().flatten().cloned().collect();
    class_names.sort_unstable();
    class_names.dedup();
    let known_labels: Vec<Option<usize>> = labels
        .iter()
        .map(|l| {
            l.as_ref()
                .and_then(|l| class_names.iter().position(|c| c == l))
        })
        .collect();
    let d = options.n_features();
    let mut features = ndarray::Array2::<f64>::zeros((rows.len(), d));
    for (mut dst, (_, f, _)) in features.rows_mut().into_iter().zip(&rows) {
        for (a, b) in dst.iter_mut().zip(f) {
            *a = *b;
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let report = ImportReport {
        rows_read: rows.len(),
        unlabeled_rows: known_labels.iter().filter(|l| l.is_none()).count(),
        header_detected: false,
        label_column: "(folder name)".into(),
        skipped_files: skipped,
        ..ImportReport::default()
    };
    let (paths, thumbnails): (Vec<String>, Vec<Thumbnail>) =
        rows.into_iter().map(|(p, _, t)| (p, t)).unzip();
    Ok(Dataset {
        name: name.to_string(),
        feature_names: image_feature_names(options),
        features,
        class_names,
        known_labels,
        row_ids: paths.clone(),
        report,
        display: RowDisplay::Images { thumbnails, paths },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    fn solid(width: u32, height: u32, rgba: [u8; 4]) -> Vec<u8> {
        rgba.repeat((width * height) as usize)
    }

    #[test]
    fn refuses_bad_sizes_with_clear_messages() {
        let o = ImageOptions::default();
        assert_eq!(
            image_features(&[], 0, 5, &o).unwrap_err().to_string(),
            "the image is 0 × 5 pixels: an image needs at least 1 × 1"
        );
        assert_eq!(
            image_features(&[0; 15], 2, 2, &o).unwrap_err().to_string(),
            "a 2 × 2 RGBA image needs 16 bytes (4 per pixel), but 15 were given"
        );
        assert_eq!(
            image_features(&[], 10_000, 5_000, &o)
                .unwrap_err()
                .to_string(),
            "the image is 10000 × 5000 = 50000000 pixels, more than the 40000000 allowed: scale it down first"
        );
        // u32::MAX × u32::MAX does not overflow.
        assert!(matches!(
            image_features(&[], u32::MAX, u32::MAX, &o),
            Err(DataError::ImageTooLarge { .. })
        ));
        let bad = ImageOptions { bins: 0, ..o };
        assert_eq!(
            image_features(&[0; 4], 1, 1, &bad).unwrap_err().to_string(),
            "bins = 0 is not allowed: the histogram needs between 1 and 64 bins per channel"
        );
    }

    #[test]
    fn solid_colours_give_flat_thumbnails_and_one_bin() {
        let o = ImageOptions::default();
        let f = image_features(&solid(37, 23, [255, 0, 0, 255]), 37, 23, &o).unwrap();
        assert_eq!(f.len(), 256 + 12);
        for v in &f[..256] {
            assert!((v - 0.299).abs() < 1e-12, "{v}");
        }
        assert_eq!(
            f[256..],
            [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
        );
        // Fully transparent pixels read as white.
        let f = image_features(&solid(3, 3, [0, 0, 0, 0]), 3, 3, &o).unwrap();
        assert!(f[..256].iter().all(|v| (v - 1.0).abs() < 1e-12));
    }

    #[test]
    fn area_average_splits_border_pixels() {
        // 3 × 1: black, white, black into a 2 × 2 grid: each cell covers 1.5 pixels across,
        // so the left cell is (1 · 0 + 0.5 · 1) / 1.5 = 1/3, and so is the right one.
        let mut rgba = solid(3, 1, [0, 0, 0, 255]);
        rgba[4..8].copy_from_slice(&[255, 255, 255, 255]);
        let o = ImageOptions {
            grid: 2,
            bins: 2,
            ..ImageOptions::default()
        };
        let f = image_features(&rgba, 3, 1, &o).unwrap();
        for v in &f[..4] {
            assert!((v - 1.0 / 3.0).abs() < 1e-12, "{f:?}");
        }
        assert_eq!(
            f[4..],
            [
                2.0 / 3.0,
                1.0 / 3.0,
                2.0 / 3.0,
                1.0 / 3.0,
                2.0 / 3.0,
                1.0 / 3.0
            ]
        );
        // A 1 × 1 image upsampled to 16 × 16.
        let f = image_features(&[10, 20, 30, 255], 1, 1, &ImageOptions::default()).unwrap();
        let luma = (0.299 * 10.0 + 0.587 * 20.0 + 0.114 * 30.0) / 255.0;
        assert!(f[..256].iter().all(|v| (v - luma).abs() < 1e-12));
    }

    #[test]
    fn thumbnails_average_and_never_enlarge() {
        // 4 × 4: left half black, right half white → 2 × 2: black, white per row.
        let mut rgba = Vec::new();
        for _ in 0..4 {
            for x in 0..4 {
                let v = if x < 2 { 0 } else { 255 };
                rgba.extend_from_slice(&[v, v, v, 255]);
            }
        }
        let t = thumbnail(&rgba, 4, 4, 2).unwrap();
        assert_eq!((t.width, t.height), (2, 2));
        assert_eq!(t.rgba[..8], [0, 0, 0, 255, 255, 255, 255, 255]);
        let t = thumbnail(&rgba, 4, 4, 128).unwrap();
        assert_eq!((t.width, t.height, t.rgba.len()), (4, 4, 64));
        // A very wide image keeps at least one row.
        let wide = solid(1000, 1, [1, 2, 3, 255]);
        let t = thumbnail(&wide, 1000, 1, 10).unwrap();
        assert_eq!((t.width, t.height), (10, 1));
        assert!(thumbnail(&[0; 3], 1, 1, 4).is_err());
    }

    #[test]
    fn folder_import_skips_what_it_cannot_use() {
        let good = DecodedImage {
            path: "f/a/1.png".into(),
            width: 1,
            height: 1,
            rgba: vec![0, 0, 0, 255],
        };
        let bad = DecodedImage {
            path: "f/b/2.png".into(),
            width: 2,
            height: 2,
            rgba: vec![0; 3],
        };
        let earlier = SkippedFile {
            path: "f/notes.txt".into(),
            reason: "not an image".into(),
        };
        let d = image_dataset(
            "f",
            vec![bad.clone(), good],
            vec![earlier.clone()],
            &ImageOptions::default(),
        )
        .unwrap();
        assert_eq!(d.n_rows(), 1);
        assert_eq!(d.class_names, vec!["a"]);
        let skipped = &d.report.skipped_files;
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].path, "f/b/2.png");
        assert!(skipped[0].reason.contains("needs 16 bytes"));
        assert_eq!(skipped[1], earlier);
        let err =
            image_dataset("f", vec![bad], vec![earlier], &ImageOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "none of the 2 file(s) is an image that can be used (2 skipped: not an image, empty, or too large): choose a folder of PNG, JPEG, GIF, WebP or BMP files"
        );
    }

    #[test]
    fn names_match_features() {
        let o = ImageOptions::default();
        assert_eq!(image_feature_names(&o).len(), o.n_features());
        assert_eq!(o.n_features(), 268);
    }
}
