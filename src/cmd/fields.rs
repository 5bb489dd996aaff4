//! `hindsight fields`: the field catalogue, like `falco --list`.
//!
//! Only fields hindsight computes are listed; `--all` adds those Falco has and hindsight does
//! not compute yet (marked `unsupported`: a rule naming one fails to load).

use std::io::Write;
use std::process::ExitCode;

use hindsight_replay::fields::catalog::{flags, FIELDS};

/// Arguments of `hindsight fields`.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
    hindsight fields proc.           the proc.* fields
    hindsight fields --json | jq -r .name
    hindsight fields --markdown > FIELDS.md
    hindsight fields --all           also the fields Falco has that hindsight cannot compute")]
pub struct Args {
    /// One JSON object per field (name, type, arg, flags, description).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// A Markdown table (name, type, argument, flags, description).
    #[arg(long)]
    pub markdown: bool,
    /// Also list the fields hindsight cannot compute yet (flag `unsupported`).
    #[arg(long)]
    pub all: bool,
    /// Only fields whose name starts with this prefix (e.g. `proc.` or `fd`).
    #[arg(value_name = "PREFIX")]
    pub prefix: Option<String>,
}

fn flag_names(f: u16) -> Vec<&'static str> {
    [
        (flags::FILTER_ONLY, "filter-only"),
        (flags::PRINT_ONLY, "output-only"),
        (flags::NO_RHS, "no-rhs"),
        (flags::NO_TRANSFORMER, "no-transformer"),
        (flags::IS_LIST, "list"),
        (flags::DOTTED_ARG, "dotted-arg"),
        (flags::DEPRECATED, "deprecated"),
        (flags::MULTI, "any-of-values"),
        (flags::UNSUPPORTED, "unsupported"),
        (flags::NEEDS_ENTER, "needs-enter"),
    ]
    .into_iter()
    .filter(|(b, _)| f & b != 0)
    .map(|(_, n)| n)
    .collect()
}

/// Runs `hindsight fields`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut class = "";
    let selected = FIELDS
        .iter()
        .filter(|f| args.prefix.as_deref().is_none_or(|p| f.name.starts_with(p)))
        .filter(|f| args.all || !f.has(flags::UNSUPPORTED));
    if args.markdown {
        writeln!(out, "| field | type | argument | flags | description |")?;
        writeln!(out, "|---|---|---|---|---|")?;
    }
    for f in selected {
        if args.markdown {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                f.name,
                f.ty.name(),
                f.arg.describe(),
                flag_names(f.flags).join(", "),
                f.desc.replace('|', "\\|")
            )?;
            continue;
        }
        if args.json {
            let v = serde_json::json!({
                "name": f.name, "type": f.ty.name(), "arg": f.arg.describe(),
                "flags": flag_names(f.flags), "desc": f.desc,
            });
            writeln!(out, "{v}")?;
            continue;
        }
        if f.class() != class {
            class = f.class();
            writeln!(
                out,
                "\n-------------------------------\nField Class: {class}\n"
            )?;
        }
        let mut name = f.name.to_string();
        if !f.arg.describe().is_empty() {
            name.push_str(&format!(" {}", f.arg.describe()));
        }
        let fl = flag_names(f.flags);
        let fl = if fl.is_empty() {
            String::new()
        } else {
            format!(" [{}]", fl.join(", "))
        };
        writeln!(out, "{name:<44} {:<8} {}{fl}", f.ty.name(), f.desc)?;
    }
    Ok(ExitCode::SUCCESS)
}
