//! The skill folder is embedded with `include_dir!`, which cargo cannot see as an input:
//! without this, editing a reference would leave a stale skill in the binary.
fn main() {
    println!("cargo:rerun-if-changed=skill/async-python-patterns");
}
