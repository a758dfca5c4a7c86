//! Opaque list cursors. A cursor encodes the offset of the next page and the list it
//! belongs to, so a cursor from one list is refused by another.

use crate::error::McpError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(list: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{offset}"))
}

/// The offset a cursor points at; a malformed or foreign cursor is -32602.
pub fn decode(list: &str, cursor: Option<&str>, len: usize) -> Result<usize, McpError> {
    let Some(cursor) = cursor else {
        return Ok(0);
    };
    let bad = || McpError::InvalidParams(format!("invalid cursor `{cursor}`"));
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (name, offset) = text.split_once(':').ok_or_else(bad)?;
    let offset: usize = offset.parse().map_err(|_| bad())?;
    if name != list || offset == 0 || offset >= len {
        return Err(bad());
    }
    Ok(offset)
}

/// One page of `items` from `offset`, and the cursor of the next page if any.
pub fn page<T>(
    list: &str,
    items: &[T],
    offset: usize,
    size: usize,
) -> (std::ops::Range<usize>, Option<String>) {
    let end = (offset + size).min(items.len());
    let next = (end < items.len()).then(|| encode(list, end));
    (offset..end, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_foreign_cursor() {
        let c = encode("resources", 50);
        assert_eq!(decode("resources", Some(&c), 60).unwrap(), 50);
        assert!(decode("skills", Some(&c), 60).is_err());
        assert!(decode("resources", Some(&c), 40).is_err());
        assert!(decode("resources", Some("%%%"), 60).is_err());
        assert_eq!(decode("resources", None, 60).unwrap(), 0);
    }

    #[test]
    fn last_page_has_no_cursor() {
        let items = [1, 2, 3];
        assert_eq!(page("x", &items, 0, 2), (0..2, Some(encode("x", 2))));
        assert_eq!(page("x", &items, 2, 2), (2..3, None));
    }
}
