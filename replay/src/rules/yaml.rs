//! Where things are in a rules file: a line scanner that finds the items and keys that
//! serde_yaml parses without positions.
//!
//! serde_yaml reports positions for syntax errors but not for values. Rule files are block
//! sequences of block mappings, so a small scanner over the raw lines finds each top-level
//! `- ` item (in every YAML document of the file), the keys of its mapping, and for a scalar
//! value the positions of its content lines, so an offset in a (possibly folded) condition maps
//! back to its line and column. Flow-style files still load; their diagnostics then point at
//! the item's first line.

use std::sync::Arc;

use super::diag::{Location, TextMap};

/// The position of one top-level item and of its keys.
#[derive(Clone, Debug)]
pub struct ItemPos {
    /// 1-based line of the item's `-`.
    pub line: u32,
    /// 1-based column of the item's `-`.
    pub col: u32,
    /// 0-based index of the last line of the item.
    last_line: usize,
    /// `(key, 0-based line, 0-based column)` of each key of the item's mapping.
    keys: Vec<(String, usize, usize)>,
}

/// The items of one file, in order across all its documents.
pub struct FileMap<'a> {
    file: Arc<str>,
    lines: Vec<&'a str>,
    /// Items in order.
    pub items: Vec<ItemPos>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_item_start(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ") || rest.starts_with("-\t")
}

fn key_at(rest: &str) -> Option<&str> {
    let end = rest.find(':')?;
    let key = rest[..end].trim_end();
    let ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && rest[end + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
    ok.then_some(key)
}

impl<'a> FileMap<'a> {
    /// Scans `text` (the contents of `file`).
    pub fn scan(file: Arc<str>, text: &'a str) -> FileMap<'a> {
        let lines: Vec<&str> = text.lines().collect();
        let mut items: Vec<ItemPos> = Vec::new();
        let mut seq_indent: Option<usize> = None;
        let mut key_indent = 0;
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start_matches(' ');
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if line.starts_with("---") || line.starts_with("...") {
                seq_indent = None;
                continue;
            }
            let ind = indent(line);
            if seq_indent.is_none() && is_item_start(t) {
                seq_indent = Some(ind);
            }
            if Some(ind) == seq_indent && is_item_start(t) {
                if let Some(prev) = items.last_mut() {
                    prev.last_line = i.saturating_sub(1).max(prev.line as usize - 1);
                }
                let after = &t[1..];
                let pad = after.len() - after.trim_start().len();
                key_indent = ind + 1 + pad;
                let mut keys = Vec::new();
                if let Some(k) = key_at(after.trim_start()) {
                    keys.push((k.to_string(), i, key_indent));
                }
                items.push(ItemPos {
                    line: i as u32 + 1,
                    col: ind as u32 + 1,
                    last_line: i,
                    keys,
                });
                continue;
            }
            if let Some(item) = items.last_mut() {
                item.last_line = i;
                if ind == key_indent {
                    if let Some(k) = key_at(t) {
                        item.keys.push((k.to_string(), i, ind));
                    }
                }
            }
        }
        FileMap { file, lines, items }
    }

    fn loc(&self, line: usize, col: usize) -> Location {
        Location {
            file: self.file.clone(),
            line: line as u32 + 1,
            col: col as u32 + 1,
        }
    }

    /// The location of item `idx` (or the file start if the scanner did not find it).
    pub fn item_loc(&self, idx: usize) -> Location {
        match self.items.get(idx) {
            Some(p) => Location {
                file: self.file.clone(),
                line: p.line,
                col: p.col,
            },
            None => Location {
                file: self.file.clone(),
                line: 1,
                col: 1,
            },
        }
    }

    /// The item containing 1-based `line`, with the name found on its first line.
    pub fn item_at_line(&self, line: u32) -> Option<String> {
        let l = line as usize;
        let item = self.items.iter().rev().find(|p| (p.line as usize) <= l)?;
        let first = self
            .lines
            .get(item.line as usize - 1)?
            .trim_start_matches(' ');
        let rest = first.get(1..)?.trim_start();
        let (_, name) = rest.split_once(':')?;
        let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
        (!name.is_empty()).then(|| name.to_string())
    }

    /// The location of `key` in item `idx` (falls back to the item).
    pub fn key_loc(&self, idx: usize, key: &str) -> Location {
        match self
            .items
            .get(idx)
            .and_then(|p| p.keys.iter().find(|k| k.0 == key))
        {
            Some(&(_, line, col)) => self.loc(line, col),
            None => self.item_loc(idx),
        }
    }

    /// A map from offsets in the scalar value of `key` in item `idx` to file positions.
    pub fn value_map(&self, idx: usize, key: &str) -> TextMap {
        let Some(item) = self.items.get(idx) else {
            return TextMap::at(&self.item_loc(idx));
        };
        let Some(&(_, kline, kcol)) = item.keys.iter().find(|k| k.0 == key) else {
            return TextMap::at(&self.item_loc(idx));
        };
        let line = self.lines[kline];
        let after_key = kcol + key.len() + 1;
        let rest = line.get(after_key..).unwrap_or("");
        let vcol = after_key + (rest.len() - rest.trim_start().len());
        let inline = rest.trim();
        let mut map = TextMap::default();
        let block = inline.starts_with('>') || inline.starts_with('|');
        let mut off = 0;
        if !block && !inline.is_empty() {
            let quoted = inline.starts_with('"') || inline.starts_with('\'');
            map.push(0, &self.loc(kline, vcol + usize::from(quoted)));
            off = inline.len() - usize::from(quoted) + 1;
        }
        // Continuation lines: more indented than the key, up to the item's end.
        for (i, l) in self
            .lines
            .iter()
            .enumerate()
            .take(item.last_line + 1)
            .skip(kline + 1)
        {
            let t = l.trim_start_matches(' ');
            if t.is_empty() {
                off += 1;
                continue;
            }
            let ind = indent(l);
            if ind <= kcol {
                break;
            }
            map.push(off, &self.loc(i, ind));
            off += t.len() + 1;
        }
        if off == 0 {
            map.push(0, &self.loc(kline, vcol));
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# c\n- list: a\n  items: [x]\n\n- rule: r\n  condition: >\n    proc.name = x\n    and fd.name = y\n  output: o\n---\n- macro: m\n  condition: evt.type = open\n";

    #[test]
    fn finds_items_and_keys_across_documents() {
        let m = FileMap::scan("f.yaml".into(), TEXT);
        assert_eq!(m.items.len(), 3);
        assert_eq!((m.items[1].line, m.items[1].col), (5, 1));
        assert_eq!(m.key_loc(1, "output").line, 9);
        assert_eq!(m.item_at_line(8).as_deref(), Some("r"));
        let v = m.value_map(1, "condition");
        let l = v.locate("proc.name = x\nand ".len()).unwrap();
        assert_eq!((l.line, l.col), (8, 9));
        let v = m.value_map(2, "condition");
        let l = v.locate(11).unwrap();
        assert_eq!((l.line, l.col), (12, 25));
    }
}
