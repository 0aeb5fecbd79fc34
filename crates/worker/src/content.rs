//! A file's bytes as the worker holds them: in memory, or read from the picked file when needed;
//! and the upload they arrive in.

use crate::protocol::MAX_UPLOAD_BYTES;
use engine::data::source::{read_all, ByteSource};
use std::rc::Rc;

/// Refuse an upload of more than [`MAX_UPLOAD_BYTES`].
pub(crate) fn check_upload_size(total: u64) -> Result<(), String> {
    if total > MAX_UPLOAD_BYTES {
        return Err(format!(
            "The files hold {total} bytes, more than the {MAX_UPLOAD_BYTES} this page can hold: choose fewer or smaller files."
        ));
    }
    Ok(())
}

/// A file's bytes: in memory, or a [`ByteSource`] read when needed (in the browser, the picked
/// file itself, so the worker's wasm memory, which never shrinks, never holds it). Cloning shares
/// the bytes.
#[derive(Clone)]
pub struct Content(Rc<dyn ByteSource>);

impl Content {
    /// Bytes in memory.
    pub fn bytes(bytes: Vec<u8>) -> Self {
        Self(Rc::new(bytes))
    }

    /// Bytes read from `source` when they are needed.
    pub fn source(source: Rc<dyn ByteSource>) -> Self {
        Self(source)
    }

    /// Bytes in all.
    pub fn size(&self) -> u64 {
        self.0.size()
    }

    pub(crate) fn as_source(&self) -> &dyn ByteSource {
        &*self.0
    }

    /// All the bytes in memory (the exports that embed or rewrite the file, an image to decode);
    /// an error names the file.
    pub fn read_all(&self, name: &str) -> Result<Vec<u8>, String> {
        read_all(self.as_source()).map_err(|e| format!("{name}: {e}"))
    }
}

impl Default for Content {
    fn default() -> Self {
        Self::bytes(Vec::new())
    }
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Content({} bytes)", self.size())
    }
}

/// One file of an upload: its bytes arriving in [`Request::UploadChunk`]s, or whole.
#[derive(Debug)]
pub(crate) enum Upload {
    Filling(Vec<u8>),
    Ready(Content),
}

impl Upload {
    /// The bytes as [`Content`] (chunks received so far are moved, not copied).
    pub(crate) fn content(&mut self) -> Content {
        match self {
            Upload::Ready(content) => content.clone(),
            Upload::Filling(bytes) => {
                let content = Content::bytes(std::mem::take(bytes));
                *self = Upload::Ready(content.clone());
                content
            }
        }
    }
}
