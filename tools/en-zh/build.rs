//! Finds the CC-CEDICT entry table that `chinese_dictionary` embeds, so the generator can
//! read every entry: the crate only offers look-ups, not a way to list its entries.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--manifest-path",
        ])
        .arg(manifest_dir.join("Cargo.toml"))
        .output()
        .expect("cannot run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata printed invalid JSON");
    let manifest = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "chinese_dictionary")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("chinese_dictionary is not among the dependencies");
    let data = PathBuf::from(manifest)
        .parent()
        .expect("a manifest path has a parent")
        .join("data/data.dictionary");
    assert!(data.is_file(), "missing {}", data.display());
    println!("cargo:rustc-env=CEDICT_DATA={}", data.display());
    println!("cargo:rerun-if-changed=Cargo.lock");
}
