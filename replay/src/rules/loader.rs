//! Reading rule files: YAML documents to list, macro and rule definitions, with Falco's
//! load-order semantics.
//!
//! [`Loader`] takes files, directories (their `.yaml`/`.yml` files in name order) and strings
//! in order. Each top-level item is applied as Falco's rule loader does: a new definition
//! replaces an earlier one of the same name (keeping its position), `append: true` and
//! `override: {key: append|replace}` update the earlier definition, `enabled`-only rule items
//! toggle an earlier rule, and exceptions are validated. Problems become
//! [`Diagnostic`]s located at the key or value in the YAML. [`Loader::finish`] then compiles
//! everything (see [`super::compile`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_yaml::{Mapping, Value as Yaml};

use super::diag::{Diagnostic, Location, Severity, TextMap};
use super::select::Priority;
use super::yaml::FileMap;

/// The Falco engine version whose rule semantics this loader implements.
pub const ENGINE_VERSION: (u64, u64, u64) = (0, 57, 0);

/// A string assembled from YAML scalars, with its position map.
#[derive(Clone, Debug, Default)]
pub(crate) struct Text {
    pub text: String,
    pub map: TextMap,
}

impl Text {
    pub(crate) fn append(&mut self, other: &Text) {
        self.text.push(' ');
        self.map.extend(self.text.len(), &other.map);
        self.text.push_str(&other.text);
    }
}

pub(crate) struct ListInfo {
    pub name: String,
    pub items: Vec<String>,
    pub index: u32,
    pub visibility: u32,
    pub loc: Location,
}

pub(crate) struct MacroInfo {
    pub name: String,
    pub cond: Text,
    pub index: u32,
    pub visibility: u32,
    pub loc: Location,
}

/// One exception of a rule, as written.
#[derive(Clone, Debug)]
pub(crate) struct ExceptionInfo {
    pub name: String,
    /// One field, or a tuple of fields.
    pub fields: Option<Either>,
    pub comps: Option<Either>,
    /// Each value: a string (single field) or a tuple whose items are strings or lists.
    pub values: Vec<Yaml>,
    pub loc: Location,
}

#[derive(Clone, Debug)]
pub(crate) enum Either {
    One(String),
    Many(Vec<String>),
}

pub(crate) struct RuleInfo {
    pub name: String,
    pub cond: Text,
    pub output: Text,
    pub desc: String,
    pub priority: Priority,
    pub source: String,
    pub enabled: bool,
    pub warn_evttypes: bool,
    pub skip_if_unknown_filter: bool,
    pub tags: Vec<String>,
    pub exceptions: Vec<ExceptionInfo>,
    pub loc: Location,
}

/// Reads rule files in order and collects their definitions.
#[derive(Default)]
pub struct Loader {
    pub(crate) lists: Vec<ListInfo>,
    pub(crate) macros: Vec<MacroInfo>,
    pub(crate) rules: Vec<RuleInfo>,
    pub(crate) by_name: [HashMap<String, usize>; 3],
    pub(crate) next_index: u32,
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) required_engine_version: Option<String>,
    pub(crate) required_plugins: Vec<(String, String)>,
    /// Whether the rules will see enter events (sysdig's view, `--enter-events`) rather than
    /// current libs' view; load warnings about conditions that cannot match depend on it.
    pub(crate) enter_events: bool,
}

pub(crate) const LIST: usize = 0;
pub(crate) const MACRO: usize = 1;
pub(crate) const RULE: usize = 2;

/// The position context of the item being read.
pub(crate) struct Ctx<'a, 'm> {
    pub map: &'a FileMap<'m>,
    pub idx: usize,
    pub item: Option<String>,
}

impl Ctx<'_, '_> {
    pub fn loc(&self) -> Location {
        self.map.item_loc(self.idx)
    }
    pub fn key(&self, k: &str) -> Location {
        self.map.key_loc(self.idx, k)
    }
    pub fn text(&self, s: String, key: &str) -> Text {
        Text {
            text: s,
            map: self.map.value_map(self.idx, key),
        }
    }
}

/// A problem in an item: where, code and message.
pub(crate) type ItemError = (Location, &'static str, String);

pub(crate) fn err(loc: Location, msg: impl Into<String>) -> ItemError {
    (loc, "LOAD_ERR_YAML_VALIDATE", msg.into())
}

pub(crate) fn scalar(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// Sets the view the rules will be replayed in: `true` for sysdig's and Falco 0.41's
    /// (enter events shown to rules, `--enter-events`), `false` (the default) for current
    /// libs'. [`Loader::finish`] warns about conditions that can never match in that view.
    pub fn set_enter_events(&mut self, yes: bool) {
        self.enter_events = yes;
    }

    pub(crate) fn diag(
        &mut self,
        severity: Severity,
        code: &'static str,
        loc: Location,
        item: Option<String>,
        message: impl Into<String>,
    ) {
        self.diags.push(Diagnostic {
            severity,
            code,
            location: loc,
            item,
            message: message.into(),
        });
    }

    /// Loads a file, or every `.yaml`/`.yml` file of a directory in name order.
    pub fn add_path(&mut self, path: &Path) {
        let name: Arc<str> = path.display().to_string().into();
        let here = Location {
            file: name.clone(),
            line: 1,
            col: 1,
        };
        if path.is_dir() {
            let mut files: Vec<_> = match std::fs::read_dir(path) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => {
                    self.diag(
                        Severity::Error,
                        "LOAD_ERR_FILE_READ",
                        here,
                        None,
                        format!("cannot read directory: {e}"),
                    );
                    return;
                }
            };
            files.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
            files.sort();
            for f in files {
                self.add_path(&f);
            }
            return;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => self.add_str(&name, &text),
            Err(e) => self.diag(
                Severity::Error,
                "LOAD_ERR_FILE_READ",
                here,
                None,
                format!("cannot read rules file: {e}"),
            ),
        }
    }

    /// Loads rules from `text`, reported as coming from `file`.
    pub fn add_str(&mut self, file: &str, text: &str) {
        let file: Arc<str> = file.into();
        let map = FileMap::scan(file.clone(), text);
        let mut docs = Vec::new();
        for de in serde_yaml::Deserializer::from_str(text) {
            match serde::Deserialize::deserialize(de) {
                Ok(v) => docs.push(v),
                Err(e) => {
                    let (line, col) = e
                        .location()
                        .map_or((1, 1), |l| (l.line() as u32, l.column() as u32));
                    let item = map.item_at_line(line);
                    let msg = e.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                    let loc = Location {
                        file: file.clone(),
                        line,
                        col,
                    };
                    let hint = if msg.contains("did not find expected")
                        || msg.contains("mapping values are not allowed")
                    {
                        " (check the indentation of this line: the keys of an item must line up under its first key)"
                    } else {
                        ""
                    };
                    self.diag(
                        Severity::Error,
                        "LOAD_ERR_YAML_PARSE",
                        loc,
                        item,
                        format!("invalid YAML: {msg}{hint}"),
                    );
                    return;
                }
            }
        }
        let mut idx = 0;
        for doc in docs {
            match doc {
                Yaml::Null => {}
                Yaml::Sequence(items) => {
                    for item in items {
                        self.read_item(
                            &Ctx {
                                map: &map,
                                idx,
                                item: None,
                            },
                            item,
                        );
                        idx += 1;
                    }
                }
                _ => {
                    let loc = map.item_loc(idx);
                    self.diag(
                        Severity::Error,
                        "LOAD_ERR_YAML_VALIDATE",
                        loc,
                        None,
                        "rules content is not a sequence of items (each item starts with '- ')",
                    );
                }
            }
        }
    }

    fn read_item(&mut self, ctx: &Ctx, item: Yaml) {
        let Yaml::Mapping(m) = item else {
            self.diag(
                Severity::Error,
                "LOAD_ERR_YAML_VALIDATE",
                ctx.loc(),
                None,
                "item is not a mapping (expected keys like 'rule:', 'macro:' or 'list:')",
            );
            return;
        };
        let kind = [
            "list",
            "macro",
            "rule",
            "required_engine_version",
            "required_plugin_versions",
        ]
        .into_iter()
        .find(|k| m.contains_key(*k));
        let name = kind.and_then(|k| m.get(k)).and_then(scalar);
        let ctx = Ctx {
            item: name.clone(),
            ..*ctx
        };
        let expected: &[&str] = match kind {
            Some("list") => &["list", "items", "append", "override"],
            Some("macro") => &["macro", "condition", "append", "override"],
            Some("rule") => &[
                "rule",
                "condition",
                "output",
                "desc",
                "priority",
                "source",
                "enabled",
                "capture",
                "capture_duration",
                "warn_evttypes",
                "skip-if-unknown-filter",
                "tags",
                "exceptions",
                "override",
                "append",
            ],
            Some(k) => std::slice::from_ref(match k {
                "required_engine_version" => &"required_engine_version",
                _ => &"required_plugin_versions",
            }),
            None => {
                self.diag(
                    Severity::Warning,
                    "LOAD_UNKNOWN_ITEM",
                    ctx.loc(),
                    None,
                    "unknown top level item, ignored",
                );
                return;
            }
        };
        for k in m.keys() {
            let ks = scalar(k).unwrap_or_default();
            if !expected.contains(&ks.as_str()) {
                self.diag(
                    Severity::Warning,
                    "LOAD_UNKNOWN_KEY",
                    ctx.key(&ks),
                    name.clone(),
                    format!("unknown key '{ks}', ignored"),
                );
            }
        }
        let res = match kind {
            Some("list") => self.read_list(&ctx, &m),
            Some("macro") => self.read_macro(&ctx, &m),
            Some("rule") => self.read_rule(&ctx, &m),
            Some("required_engine_version") => self.read_engine_version(&ctx, &m),
            _ => self.read_plugin_versions(&ctx, &m),
        };
        if let Err((loc, code, msg)) = res {
            self.diag(Severity::Error, code, loc, name, msg);
        }
    }

    fn read_engine_version(&mut self, ctx: &Ctx, m: &Mapping) -> Result<(), ItemError> {
        let v = m
            .get("required_engine_version")
            .and_then(scalar)
            .unwrap_or_default();
        let loc = ctx.key("required_engine_version");
        let parts: Vec<u64> = v
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| {
                err(
                    loc.clone(),
                    format!(
                        "invalid required_engine_version '{v}': expected a version like 0.57.0"
                    ),
                )
            })?;
        // A single integer is the pre-semver engine version: every such version is supported.
        if parts.len() == 3 {
            let want = (parts[0], parts[1], parts[2]);
            if want.0 != ENGINE_VERSION.0 || want > ENGINE_VERSION {
                let (a, b, c) = ENGINE_VERSION;
                return Err((
                    loc,
                    "LOAD_ERR_VALIDATE",
                    format!(
                        "rules require engine version {v}, but this engine implements {a}.{b}.{c}"
                    ),
                ));
            }
        } else if parts.len() != 1 {
            return Err(err(loc, format!("invalid required_engine_version '{v}'")));
        }
        self.required_engine_version = Some(v);
        Ok(())
    }

    fn read_plugin_versions(&mut self, ctx: &Ctx, m: &Mapping) -> Result<(), ItemError> {
        let loc = ctx.key("required_plugin_versions");
        let Some(Yaml::Sequence(reqs)) = m.get("required_plugin_versions") else {
            return Err(err(
                loc,
                "required_plugin_versions must be a sequence of {name, version}",
            ));
        };
        for r in reqs {
            let name = r.get("name").and_then(scalar);
            let version = r.get("version").and_then(scalar);
            let (Some(name), Some(version)) = (name, version) else {
                return Err(err(
                    loc,
                    "each required plugin needs a 'name' and a 'version'",
                ));
            };
            if name != "container" {
                self.diag(Severity::Warning, "LOAD_UNKNOWN_SOURCE", loc.clone(), None,
                    format!("plugin '{name}' {version} is required; hindsight evaluates syscall fields only (the container plugin's fields are built in)"));
            }
            self.required_plugins.push((name, version));
        }
        Ok(())
    }

    pub(crate) fn overrides(
        ctx: &Ctx,
        m: &Mapping,
        append_ok: &[&str],
        replace_ok: &[&str],
    ) -> Result<(Vec<String>, Vec<String>), ItemError> {
        let Some(o) = m.get("override") else {
            return Ok(Default::default());
        };
        let loc = ctx.key("override");
        let Yaml::Mapping(o) = o else {
            return Err(err(
                loc,
                "'override' must be a mapping of key: append|replace",
            ));
        };
        let (mut app, mut rep) = (Vec::new(), Vec::new());
        for (k, v) in o {
            let k = scalar(k).unwrap_or_default();
            match scalar(v).as_deref() {
                Some("append") if append_ok.contains(&k.as_str()) => app.push(k),
                Some("replace") if replace_ok.contains(&k.as_str()) => rep.push(k),
                Some(how @ ("append" | "replace")) => {
                    return Err(err(
                        loc,
                        format!("key '{k}' cannot be overridden with '{how}'"),
                    ));
                }
                _ => {
                    return Err(err(
                        loc,
                        format!("override of '{k}' must be 'append' or 'replace'"),
                    ))
                }
            }
        }
        for k in app.iter().chain(&rep) {
            if !m.contains_key(k.as_str()) {
                return Err(err(
                    loc,
                    format!("'{k}' is listed under 'override' but the item has no '{k}' key"),
                ));
            }
        }
        Ok((app, rep))
    }

    pub(crate) fn append_flag(&mut self, ctx: &Ctx, m: &Mapping) -> Result<bool, ItemError> {
        let Some(v) = m.get("append") else {
            return Ok(false);
        };
        let Yaml::Bool(b) = v else {
            return Err(err(ctx.key("append"), "'append' must be true or false"));
        };
        if *b {
            if m.contains_key("override") {
                return Err((ctx.key("append"), "LOAD_ERR_VALIDATE", "keys 'override' and 'append: true' cannot be used together; use only 'override'".into()));
            }
            self.diag(
                Severity::Warning,
                "LOAD_DEPRECATED_ITEM",
                ctx.key("append"),
                ctx.item.clone(),
                "'append' is deprecated; use 'override: {key: append}' instead",
            );
        }
        Ok(*b)
    }

    pub(crate) fn str_key(ctx: &Ctx, m: &Mapping, key: &str) -> Result<Option<String>, ItemError> {
        match m.get(key) {
            None => Ok(None),
            Some(v) => scalar(v)
                .map(Some)
                .ok_or_else(|| err(ctx.key(key), format!("value of '{key}' must be a string"))),
        }
    }

    pub(crate) fn req_key(ctx: &Ctx, m: &Mapping, key: &str) -> Result<String, ItemError> {
        Self::str_key(ctx, m, key)?
            .ok_or_else(|| err(ctx.loc(), format!("item has no '{key}' key")))
    }

    fn read_list(&mut self, ctx: &Ctx, m: &Mapping) -> Result<(), ItemError> {
        let name = Self::req_key(ctx, m, "list")?;
        let valid = !name.is_empty()
            && name.bytes().all(|b| {
                !matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') && !b.is_ascii_whitespace()
            });
        if !valid {
            self.diag(
                Severity::Warning,
                "LOAD_INVALID_LIST_NAME",
                ctx.loc(),
                ctx.item.clone(),
                "list name contains blanks, quotes, parentheses, '=' or ','",
            );
        }
        let items = match m.get("items") {
            Some(Yaml::Sequence(s)) => s
                .iter()
                .map(|v| {
                    scalar(v).ok_or_else(|| err(ctx.key("items"), "list items must be strings"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(Yaml::Null) => Vec::new(),
            Some(_) => return Err(err(ctx.key("items"), "'items' must be a sequence")),
            None => return Err(err(ctx.loc(), "list has no 'items' key")),
        };
        let mut append = self.append_flag(ctx, m)?;
        let (app, _) = Self::overrides(ctx, m, &["items"], &["items"])?;
        append |= !app.is_empty();
        if append {
            let Some(&i) = self.by_name[LIST].get(&name) else {
                return Err((
                    ctx.loc(),
                    "LOAD_ERR_VALIDATE",
                    format!(
                        "list '{name}' has 'append' but no list of that name was defined before"
                    ),
                ));
            };
            let id = self.next_index;
            self.next_index += 1;
            self.lists[i].items.extend(items);
            self.lists[i].visibility = id;
            return Ok(());
        }
        let info = ListInfo {
            name: name.clone(),
            items,
            index: 0,
            visibility: 0,
            loc: ctx.loc(),
        };
        self.define_list(info);
        Ok(())
    }

    fn define_list(&mut self, mut info: ListInfo) {
        let id = self.next_index;
        self.next_index += 1;
        info.visibility = id;
        if let Some(&i) = self.by_name[LIST].get(&info.name) {
            info.index = self.lists[i].index;
            self.lists[i] = info;
        } else {
            info.index = id;
            self.by_name[LIST].insert(info.name.clone(), self.lists.len());
            self.lists.push(info);
        }
    }

    fn read_macro(&mut self, ctx: &Ctx, m: &Mapping) -> Result<(), ItemError> {
        let name = Self::req_key(ctx, m, "macro")?;
        let ident = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ident {
            self.diag(Severity::Warning, "LOAD_INVALID_MACRO_NAME", ctx.loc(), ctx.item.clone(), "macro name is not an identifier ([a-zA-Z][a-zA-Z0-9_]*); conditions cannot refer to it");
        }
        let cond = ctx.text(Self::req_key(ctx, m, "condition")?, "condition");
        let mut append = self.append_flag(ctx, m)?;
        let (app, _) = Self::overrides(ctx, m, &["condition"], &["condition"])?;
        append |= !app.is_empty();
        let id = self.next_index;
        self.next_index += 1;
        if append {
            let Some(&i) = self.by_name[MACRO].get(&name) else {
                return Err((
                    ctx.loc(),
                    "LOAD_ERR_VALIDATE",
                    format!(
                        "macro '{name}' has 'append' but no macro of that name was defined before"
                    ),
                ));
            };
            self.macros[i].cond.append(&cond);
            self.macros[i].visibility = id;
            return Ok(());
        }
        let mut info = MacroInfo {
            name: name.clone(),
            cond,
            index: id,
            visibility: id,
            loc: ctx.loc(),
        };
        if let Some(&i) = self.by_name[MACRO].get(&name) {
            info.index = self.macros[i].index;
            self.macros[i] = info;
        } else {
            self.by_name[MACRO].insert(name, self.macros.len());
            self.macros.push(info);
        }
        Ok(())
    }
}
