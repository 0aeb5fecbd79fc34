//! Decoded image folders as one block of bytes, so the page can keep them in IndexedDB and a
//! reload reopens the folder exactly.
//!
//! A folder is stored decoded (the RGBA pixels the worker's decoder produced, at most
//! 256 pixels a side) rather than as its original files: the features are computed from these
//! pixels by the pure engine, so the same pixels give the same dataset bit for bit, whereas
//! decoding the files again relies on the browser's decoders and canvas scaling, which may
//! change between browser versions and machines. It also bounds the size: at most 256 KiB an
//! image, whatever the size of the photo it came from.
//!
//! Format (all integers little-endian `u32`): the magic [`MAGIC`], the image count, then per
//! image its path length and UTF-8 path, width, height, pixel byte count and pixels; then the
//! skipped-file count and per skipped file its path and reason (each a length and UTF-8 text).

use engine::data::image::DecodedImage;
use engine::data::SkippedFile;

/// The first bytes of a stored folder.
pub const MAGIC: &[u8; 8] = b"ALIMG01\n";

/// What went wrong reading a stored folder.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoredError {
    /// The bytes do not start with [`MAGIC`].
    #[error("the stored images do not start with the activelab image header")]
    NoHeader,
    /// The bytes end inside a field.
    #[error(
        "the stored images end early: {what} at byte {at} needs {need} bytes, {left} are left"
    )]
    Truncated {
        what: &'static str,
        at: usize,
        need: usize,
        left: usize,
    },
    /// A path or reason is not UTF-8.
    #[error("the stored images hold a {what} at byte {at} that is not UTF-8 text")]
    NotText { what: &'static str, at: usize },
    /// An image's pixel count does not match its size.
    #[error("stored image {index} is {width} × {height} but holds {bytes} pixel bytes, not 4 × {width} × {height}")]
    BadPixels {
        index: usize,
        width: u32,
        height: u32,
        bytes: usize,
    },
    /// Bytes are left after the last field.
    #[error("the stored images have {extra} bytes after their end")]
    Trailing { extra: usize },
}

fn put(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Pack decoded images and the files that were skipped.
///
/// ```
/// use engine::data::image::DecodedImage;
/// use worker::stored::{pack_images, unpack_images};
/// let images = vec![DecodedImage { path: "f/a/1.png".into(), width: 1, height: 1, rgba: vec![1, 2, 3, 255] }];
/// let bytes = pack_images(&images, &[]);
/// assert_eq!(unpack_images(&bytes).unwrap(), (images, vec![]));
/// assert!(unpack_images(&bytes[..bytes.len() - 1]).is_err());
/// ```
pub fn pack_images(images: &[DecodedImage], skipped: &[SkippedFile]) -> Vec<u8> {
    let size: usize = images
        .iter()
        .map(|i| i.rgba.len() + i.path.len() + 16)
        .sum();
    let mut out = Vec::with_capacity(size + 16);
    out.extend_from_slice(MAGIC);
    put(&mut out, images.len());
    for image in images {
        put_text(&mut out, &image.path);
        put(&mut out, image.width as usize);
        put(&mut out, image.height as usize);
        put(&mut out, image.rgba.len());
        out.extend_from_slice(&image.rgba);
    }
    put(&mut out, skipped.len());
    for file in skipped {
        put_text(&mut out, &file.path);
        put_text(&mut out, &file.reason);
    }
    out
}

/// A reader over packed bytes that refuses to read past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, need: usize, what: &'static str) -> Result<&'a [u8], StoredError> {
        let left = self.bytes.len() - self.at;
        if need > left {
            return Err(StoredError::Truncated {
                what,
                at: self.at,
                need,
                left,
            });
        }
        let slice = &self.bytes[self.at..self.at + need];
        self.at += need;
        Ok(slice)
    }

    fn number(&mut self, what: &'static str) -> Result<u32, StoredError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn text(&mut self, what: &'static str) -> Result<String, StoredError> {
        let n = self.number(what)? as usize;
        let at = self.at;
        let raw = self.take(n, what)?;
        String::from_utf8(raw.to_vec()).map_err(|_| StoredError::NotText { what, at })
    }
}

/// Read what [`pack_images`] wrote; damaged bytes give an error naming the field and byte.
pub fn unpack_images(bytes: &[u8]) -> Result<(Vec<DecodedImage>, Vec<SkippedFile>), StoredError> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len(), "header").ok() != Some(MAGIC.as_slice()) {
        return Err(StoredError::NoHeader);
    }
    let n = r.number("image count")? as usize;
    // Every image takes at least 16 bytes: a count can never ask for more than the bytes hold.
    let mut images = Vec::with_capacity(n.min(bytes.len() / 16));
    for index in 0..n {
        let path = r.text("image path")?;
        let width = r.number("image width")?;
        let height = r.number("image height")?;
        let len = r.number("pixel count")? as usize;
        let expected = 4u64 * u64::from(width) * u64::from(height);
        if len as u64 != expected {
            return Err(StoredError::BadPixels {
                index,
                width,
                height,
                bytes: len,
            });
        }
        let rgba = r.take(len, "pixels")?.to_vec();
        images.push(DecodedImage {
            path,
            width,
            height,
            rgba,
        });
    }
    let n = r.number("skipped count")? as usize;
    let mut skipped = Vec::with_capacity(n.min(bytes.len() / 8));
    for _ in 0..n {
        let path = r.text("skipped path")?;
        let reason = r.text("skip reason")?;
        skipped.push(SkippedFile { path, reason });
    }
    let extra = bytes.len() - r.at;
    if extra > 0 {
        return Err(StoredError::Trailing { extra });
    }
    Ok((images, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let images = vec![
            DecodedImage {
                path: "pets/cat/1.png".into(),
                width: 2,
                height: 1,
                rgba: vec![9; 8],
            },
            DecodedImage {
                path: "pets/dög.png".into(),
                width: 1,
                height: 1,
                rgba: vec![1, 2, 3, 4],
            },
        ];
        let skipped = vec![SkippedFile {
            path: "pets/x.txt".into(),
            reason: "not an image".into(),
        }];
        let bytes = pack_images(&images, &skipped);
        assert_eq!(
            unpack_images(&bytes).unwrap(),
            (images.clone(), skipped.clone())
        );
        assert_eq!(unpack_images(b"nope"), Err(StoredError::NoHeader));
        for cut in MAGIC.len()..bytes.len() {
            assert!(unpack_images(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            unpack_images(&longer),
            Err(StoredError::Trailing { extra: 1 })
        );
        let mut bad = images;
        bad[0].rgba.pop();
        assert!(matches!(
            unpack_images(&pack_images(&bad, &[])),
            Err(StoredError::BadPixels { index: 0, .. })
        ));
        // A huge count in a tiny file is refused without allocating for it.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            unpack_images(&huge),
            Err(StoredError::Truncated { .. })
        ));
    }
}
