//! Embeds the help center's built-in articles (`content/help/<language>/<slug>.md`) in the binary.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let content = manifest_dir.join("../../content/help");
    println!("cargo:rerun-if-changed={}", content.display());
    let mut entries = Vec::new();
    for language in ["zh-CN", "en"] {
        let dir = content.join(language);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
            .collect();
        files.sort();
        for path in files {
            println!("cargo:rerun-if-changed={}", path.display());
            entries.push((language, canonical(&path)));
        }
    }
    let mut out =
        String::from("/// (language tag, file name, text) of every built-in help article.\n");
    out.push_str("pub(crate) const BUILTIN_ARTICLES: &[(&str, &str, &str)] = &[\n");
    for (language, path) in &entries {
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        let path = path.display().to_string();
        out.push_str(&format!(
            "    ({language:?}, {name:?}, include_str!({path:?})),\n"
        ));
    }
    out.push_str("];\n");
    let out_path =
        PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("help_content.rs");
    fs::write(out_path, out).expect("writing help_content.rs");
}

fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
