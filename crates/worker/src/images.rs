//! Image decoding inside the Web Worker (wasm32 only): the browser's own decoders
//! (`createImageBitmap`) and an `OffscreenCanvas` turn each uploaded file into RGBA pixels, off
//! the page's thread. Files that are not images the browser can decode, empty files and images
//! over [`MAX_DECODE_PIXELS`] are skipped with their reason, never failing the whole folder.

use super::{Request, Response};
use engine::data::image::DecodedImage;
use engine::data::SkippedFile;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Images with more pixels than this (50 megapixels) are skipped.
pub const MAX_DECODE_PIXELS: u64 = 50_000_000;

/// Files larger than this (200 MB) are skipped without decoding.
pub const MAX_IMAGE_FILE_BYTES: usize = 200_000_000;

/// Decoded images are scaled down so that their longer side is at most this (the features are a
/// 16 × 16 thumbnail and a colour histogram; the display thumbnail is 128 pixels).
pub const DECODE_SIDE: u32 = 256;

/// A JS failure of `what`, as a reason for the person.
fn fail(what: &'static str) -> impl Fn(wasm_bindgen::JsValue) -> String {
    move |_| format!("{what} failed in this browser")
}

/// Decode one file's bytes into RGBA pixels, or say why it cannot be used.
pub async fn decode(path: &str, bytes: &[u8]) -> Result<DecodedImage, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.len() > MAX_IMAGE_FILE_BYTES {
        return Err(format!(
            "the file is {} bytes, more than the {MAX_IMAGE_FILE_BYTES} an image may have",
            bytes.len()
        ));
    }
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(fail("Blob"))?;
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let promise = global
        .create_image_bitmap_with_blob(&blob)
        .map_err(fail("createImageBitmap"))?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|_| "not an image this browser can decode".to_string())?
        .unchecked_into();
    let (width, height) = (bitmap.width(), bitmap.height());
    let pixels = u64::from(width) * u64::from(height);
    if pixels == 0 || pixels > MAX_DECODE_PIXELS {
        bitmap.close();
        return Err(format!(
            "the image is {width} × {height} = {pixels} pixels; an image needs between 1 and {MAX_DECODE_PIXELS}"
        ));
    }
    let longer = width.max(height);
    let (w, h) = if longer > DECODE_SIDE {
        let s = f64::from(DECODE_SIDE) / f64::from(longer);
        (
            ((f64::from(width) * s).round() as u32).max(1),
            ((f64::from(height) * s).round() as u32).max(1),
        )
    } else {
        (width, height)
    };
    let result = async {
        let canvas = web_sys::OffscreenCanvas::new(w, h).map_err(fail("OffscreenCanvas"))?;
        let context: web_sys::OffscreenCanvasRenderingContext2d = canvas
            .get_context("2d")
            .map_err(fail("getContext"))?
            .ok_or("no 2D canvas in this browser")?
            .unchecked_into();
        context
            .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, w.into(), h.into())
            .map_err(fail("drawImage"))?;
        let data = context
            .get_image_data(0.0, 0.0, w.into(), h.into())
            .map_err(fail("getImageData"))?;
        Ok::<_, String>(DecodedImage {
            path: path.to_string(),
            width: w,
            height: h,
            rgba: data.data().0,
        })
    }
    .await;
    bitmap.close();
    result
}

/// Decode every uploaded file in turn, reporting [`Response::Progress`] through `progress`;
/// the result is the [`Request::OpenDecodedImages`] to run.
pub async fn decode_all(
    name: String,
    files: Vec<(String, super::Content)>,
    classes: Vec<String>,
    seed: u64,
    progress: impl Fn(Response),
) -> Request {
    let total = files.len() as u64;
    let mut images = Vec::new();
    let mut skipped = Vec::new();
    for (done, (path, content)) in files.into_iter().enumerate() {
        let decoded = match content.read_all(&path) {
            Ok(bytes) => decode(&path, &bytes).await,
            Err(reason) => Err(reason),
        };
        match decoded {
            Ok(image) => images.push(image),
            Err(reason) => skipped.push(SkippedFile { path, reason }),
        }
        progress(Response::Progress {
            stage: "Decoding images".into(),
            done: done as u64 + 1,
            total,
        });
    }
    Request::OpenDecodedImages {
        name,
        images,
        skipped,
        classes,
        seed,
    }
}
