//! TOML documents (Codex's config.toml) edited through `toml_edit`, which
//! keeps comments, order and spelling of everything it is not asked to
//! change. New tables are implicit, so `[a.b]` appears without `[a]`.

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::error::TextError;
use super::tree::{Container, Tree};

#[derive(Debug, Clone)]
pub(crate) struct TomlTree {
    doc: DocumentMut,
    text: String,
}

impl TomlTree {
    pub(crate) fn parse(text: &str) -> Result<Self, TextError> {
        let doc: DocumentMut = text.parse().map_err(|err: toml_edit::TomlError| {
            let offset = err.span().map_or(0, |span| span.start);
            TextError::new(offset, err.message().trim_end().to_owned())
        })?;
        Ok(Self {
            doc,
            text: text.to_owned(),
        })
    }

    /// Where `path` starts in the text, to point errors at it.
    fn offset(&self, path: &[String]) -> usize {
        let Ok(spanned) = toml_edit::Document::parse(self.text.clone()) else {
            return 0;
        };
        let mut table: &dyn TableLike = spanned.as_table();
        let mut offset = 0;
        for key in path {
            let Some((found, item)) = table.get_key_value(key) else {
                break;
            };
            offset = found
                .span()
                .or_else(|| item.span())
                .map_or(offset, |span| span.start);
            match item.as_table_like() {
                Some(inner) => table = inner,
                None => break,
            }
        }
        offset
    }

    fn not_a_table(&self, path: &[String], item: &Item) -> TextError {
        let message = format!("`{}` is {}, not a table", path.join("."), kind(item));
        TextError::new(self.offset(path), message)
    }

    fn table(&self, path: &[String]) -> Result<Option<&dyn TableLike>, TextError> {
        let mut table: &dyn TableLike = self.doc.as_table();
        for (depth, key) in path.iter().enumerate() {
            let Some(item) = table.get(key) else {
                return Ok(None);
            };
            table = item
                .as_table_like()
                .ok_or_else(|| self.not_a_table(&path[..=depth], item))?;
        }
        Ok(Some(table))
    }

    /// The table at `path`, which the caller has seen exist.
    fn table_mut(&mut self, path: &[String]) -> Result<&mut dyn TableLike, TextError> {
        let missing = || TextError::new(0, format!("no table `{}`", path.join(".")));
        if self.table(path)?.is_none() {
            return Err(missing());
        }
        let mut table: &mut dyn TableLike = self.doc.as_table_mut();
        for key in path {
            table = table
                .get_mut(key)
                .and_then(Item::as_table_like_mut)
                .ok_or_else(missing)?;
        }
        Ok(table)
    }

    fn refresh(&mut self) {
        self.text = self.doc.to_string();
    }
}

impl Tree for TomlTree {
    fn text(&self) -> &str {
        &self.text
    }

    fn get(&self, path: &[String]) -> Result<Option<String>, TextError> {
        let Some((key, parent)) = path.split_last() else {
            return Ok(Some(self.text.clone()));
        };
        let Some(item) = self.table(parent)?.and_then(|table| table.get(key)) else {
            return Ok(None);
        };
        Ok(Some(match item.as_value() {
            Some(value) => bare(value),
            None => item.to_string(),
        }))
    }

    fn set(&mut self, path: &[String], raw: &str) -> Result<(), TextError> {
        let Some((key, parent)) = path.split_last() else {
            return Err(TextError::new(0, "cannot replace the whole document"));
        };
        let mut value: Value = raw
            .parse()
            .map_err(|_| TextError::new(0, format!("not a TOML value: {raw}")))?;
        if let Some(item) = self.table(parent)?.and_then(|table| table.get(key)) {
            if !item.is_value() {
                let message = format!("`{}` is {}, not a value", path.join("."), kind(item));
                return Err(TextError::new(self.offset(path), message));
            }
        }
        let table = self.table_mut(parent)?;
        match table.get_mut(key).and_then(Item::as_value_mut) {
            Some(old) => {
                // Keep the spacing and the comment around the old value.
                *value.decor_mut() = old.decor().clone();
                *old = value;
            }
            None => {
                table.insert(key, Item::Value(value));
            }
        }
        self.refresh();
        Ok(())
    }

    fn remove(&mut self, path: &[String]) -> Result<(), TextError> {
        let Some((key, parent)) = path.split_last() else {
            return Ok(());
        };
        if self.table(parent)?.is_some() {
            self.table_mut(parent)?.remove(key);
            self.refresh();
        }
        Ok(())
    }

    fn container(&self, path: &[String]) -> Result<Container, TextError> {
        Ok(match self.table(path)? {
            None => Container::Absent,
            Some(table) if table.is_empty() => Container::Empty(String::new()),
            Some(_) => Container::Filled,
        })
    }

    fn create_container(&mut self, path: &[String]) -> Result<(), TextError> {
        let Some((key, parent)) = path.split_last() else {
            return Ok(());
        };
        self.table(parent)?;
        let parent_is_inline = matches!(
            parent_item(&self.doc, parent),
            Some(Item::Value(Value::InlineTable(_)))
        );
        let item = if parent_is_inline {
            Item::Value(Value::InlineTable(InlineTable::new()))
        } else {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        };
        self.table_mut(parent)?.insert(key, item);
        self.refresh();
        Ok(())
    }

    /// An empty table's text is its header, which we never touch.
    fn restore_empty(&mut self, _path: &[String], _interior: &str) -> Result<(), TextError> {
        Ok(())
    }

    fn canonical(&self, raw: &str) -> String {
        format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|table| table.get("v").map(ToString::to_string))
            .unwrap_or_else(|| raw.to_owned())
    }
}

fn parent_item<'d>(doc: &'d DocumentMut, path: &[String]) -> Option<&'d Item> {
    let (last, parents) = path.split_last()?;
    let mut table: &dyn TableLike = doc.as_table();
    for key in parents {
        table = table.get(key)?.as_table_like()?;
    }
    table.get(last)
}

/// A value's text without the spacing and comment around it.
fn bare(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string()
}

fn kind(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) | Item::Value(Value::InlineTable(_)) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(Value::Array(_)) => "an array",
        Item::Value(Value::String(_)) => "a string",
        Item::Value(_) => "a value",
    }
}

/// TOML text of a string value.
pub(crate) fn quote(value: &str) -> String {
    Value::from(value).to_string()
}
