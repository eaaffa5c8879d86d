//! `switchyard presets [--json]`.

use std::io::{self, ErrorKind, Write};

use super::types::Preset;

/// Prints the compiled-in presets to stdout; a closed pipe (`| head`) is not an error.
pub fn print_presets(json: bool) -> Result<(), String> {
    let catalog = super::builtin().map_err(|err| format!("built-in catalog: {err}"))?;
    let mut out = io::stdout().lock();
    let written = write_presets(&mut out, catalog.presets(), json).and_then(|()| out.flush());
    match written {
        Err(err) if err.kind() != ErrorKind::BrokenPipe => {
            Err(format!("cannot write to stdout: {err}"))
        }
        _ => Ok(()),
    }
}

/// A table (id, name, formats, key variable), or with `json` the presets as a JSON array.
pub fn write_presets(out: &mut impl Write, presets: &[Preset], json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, presets)?;
        return writeln!(out);
    }
    let rows: Vec<[String; 4]> = presets.iter().map(row).collect();
    let header = ["ID", "NAME", "FORMATS", "KEY"].map(str::to_owned);
    let mut widths = [0; 3];
    for cells in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for [id, name, formats, key] in std::iter::once(header).chain(rows) {
        let [a, b, c] = widths;
        writeln!(out, "{id:a$}  {name:b$}  {formats:c$}  {key}")?;
    }
    Ok(())
}

fn row(preset: &Preset) -> [String; 4] {
    let formats: Vec<&str> = preset.formats.iter().map(|f| f.format.as_str()).collect();
    let key = match (&preset.key_env, preset.needs_key) {
        (Some(env), _) => env.clone(),
        (None, true) => "required".to_owned(),
        (None, false) => "-".to_owned(),
    };
    [
        preset.id.clone(),
        preset.name.clone(),
        formats.join(", "),
        key,
    ]
}
