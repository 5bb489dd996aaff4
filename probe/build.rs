//! Builds the eBPF object from `bpf/*.bpf.c` with clang, against a `vmlinux.h` generated from
//! the running kernel's BTF with bpftool (both into OUT_DIR; nothing generated is committed).
//!
//! When clang, bpftool or the BTF is missing, or `HINDSIGHT_BUILD_BPF=0`, an empty object is
//! written instead so the crate (and everything depending on it) still builds; the loader then
//! refuses to start with the reason recorded here and what to install.

use std::path::{Path, PathBuf};
use std::process::Command;

const INSTALL_HINT: &str = "install clang, bpftool, libbpf-dev";

fn main() {
    println!("cargo:rerun-if-changed=bpf");
    println!("cargo:rerun-if-env-changed=HINDSIGHT_BUILD_BPF");
    println!("cargo:rerun-if-env-changed=HINDSIGHT_BTF");
    println!("cargo:rerun-if-env-changed=CLANG");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let obj = out.join("hindsight.bpf.o");
    let error = build(&out, &obj).err();
    if let Some(why) = &error {
        println!("cargo:warning=hindsight-probe: eBPF object not built: {why}");
        std::fs::write(&obj, b"").expect("cannot write the stub object into OUT_DIR");
    }
    let status = match error {
        None => "None".to_string(),
        Some(why) => format!("Some({why:?})"),
    };
    std::fs::write(
        out.join("build_status.rs"),
        format!("/// Why the eBPF object is a stub (`None` when it was built).\npub const BPF_BUILD_ERROR: Option<&str> = {status};\n"),
    )
    .expect("cannot write build_status.rs into OUT_DIR");
}

fn build(out: &Path, obj: &Path) -> Result<(), String> {
    if std::env::var("HINDSIGHT_BUILD_BPF").is_ok_and(|v| v == "0") {
        return Err(format!(
            "disabled by HINDSIGHT_BUILD_BPF=0; unset it and {INSTALL_HINT}"
        ));
    }
    let btf = std::env::var("HINDSIGHT_BTF").unwrap_or_else(|_| "/sys/kernel/btf/vmlinux".into());
    if !Path::new(&btf).exists() {
        return Err(format!(
            "no kernel BTF at {btf} (a kernel with CONFIG_DEBUG_INFO_BTF is needed)"
        ));
    }
    let dump = Command::new("bpftool")
        .args(["btf", "dump", "file", &btf, "format", "c"])
        .output()
        .map_err(|e| format!("cannot run bpftool ({e}); {INSTALL_HINT}"))?;
    if !dump.status.success() {
        return Err(format!(
            "bpftool btf dump failed: {}",
            String::from_utf8_lossy(&dump.stderr).trim()
        ));
    }
    std::fs::write(out.join("vmlinux.h"), &dump.stdout).map_err(|e| e.to_string())?;
    let clang = std::env::var("CLANG").unwrap_or_else(|_| "clang".into());
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let src = manifest.join("bpf/hindsight.bpf.c");
    let res = Command::new(&clang)
        .args([
            "-target",
            "bpf",
            "-O2",
            "-g",
            "-D__TARGET_ARCH_x86",
            "-Wall",
            "-Wno-unused-function",
        ])
        .arg("-I")
        .arg(out)
        .arg("-I")
        .arg(manifest.join("bpf"))
        .arg("-c")
        .arg(&src)
        .arg("-o")
        .arg(obj)
        .output()
        .map_err(|e| format!("cannot run {clang} ({e}); {INSTALL_HINT}"))?;
    if !res.status.success() {
        return Err(format!(
            "{clang} failed on {}: {}",
            src.display(),
            String::from_utf8_lossy(&res.stderr).trim()
        ));
    }
    Ok(())
}
