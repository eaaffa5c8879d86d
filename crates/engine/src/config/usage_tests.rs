//! Issue 12: the usage settings, `[[prices]]` and `[[budgets]]`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

fn parse_at(extra: &str, origin: &str) -> Result<Config, ConfigError> {
    let text = format!(
        "client_keys = [\"sk-local-0123456789abcdef\"]\n{extra}\n[[providers]]\nid = \"ds\"\n\
         format = \"openai_chat\"\nbase_url = \"https://api.deepseek.com/v1\"\napi_key = \"none\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"ds\"\n{tables}",
        extra = extra.split("[[").next().unwrap_or_default(),
        tables = extra.find("[[").map_or("", |at| &extra[at..]),
    );
    parse(&text, Path::new(origin), &|_| None)
}

fn error(extra: &str) -> String {
    parse_at(extra, "u.toml")
        .err()
        .map(|err| err.to_string())
        .unwrap_or_default()
}

#[test]
fn issue_12_usage_defaults_and_a_relative_store_path_from_the_config_dir() {
    let config = parse_at("", "/etc/switchyard/config.toml").unwrap();
    assert_eq!(config.usage.db, None);
    assert!(config.usage.record);
    let retention = config.usage.retention();
    assert_eq!(retention.max_age, Some(Duration::from_secs(365 * 86_400)));
    assert_eq!(retention.max_bytes, Some(256 << 20));
    let extra = "usage_db = \"data/usage.sqlite3\"\nusage_retention_days = 0\nusage_max_mb = 0";
    let config = parse_at(extra, "/etc/switchyard/config.toml").unwrap();
    assert_eq!(
        config.usage.db,
        Some(PathBuf::from("/etc/switchyard/data/usage.sqlite3"))
    );
    assert_eq!(config.usage.retention(), Default::default());
    let absolute = parse_at("usage_db = \"/var/lib/u.db\"", "c.toml").unwrap();
    assert_eq!(absolute.usage.db, Some(PathBuf::from("/var/lib/u.db")));
    assert!(error("usage_db = \"\"").contains("usage_db"));
}

#[test]
fn issue_12_prices_are_checked() {
    let config = parse_at(
        "[[prices]]\nmodel = \"deepseek-*\"\ninput = 0.27\noutput = 1.1",
        "c.toml",
    )
    .unwrap();
    assert_eq!(config.prices[0].prices.input, Some(0.27));
    assert_eq!(config.prices[0].provider, None);
    assert!(error("[[prices]]\nmodel = \"m\"\ninput = -1.0").contains("prices[0].input"));
    assert!(error("[[prices]]\nmodel = \"m\"").contains("no price given"));
    let unknown = error("[[prices]]\nmodel = \"m\"\nprovider = \"dss\"\ninput = 1.0");
    assert!(unknown.contains("did you mean `ds`?"), "{unknown}");
}

#[test]
fn issue_12_budgets_are_checked_and_named() {
    let config = parse_at(
        "[[budgets]]\nperiod = \"month\"\nusd = 20.0\nprovider = \"ds\"\n\
         [[budgets]]\nperiod = \"day\"\ntokens = 2000000\nwarn_at = 0.5",
        "c.toml",
    )
    .unwrap();
    assert_eq!(config.budgets[0].name, "monthly $20.00 on ds");
    assert_eq!(config.budgets[0].limit, BudgetLimit::Usd(20.0));
    assert_eq!(config.budgets[1].name, "daily 2000000 tokens");
    assert_eq!(config.budgets[1].warn_at, 0.5);
    assert!(error("[[budgets]]\nperiod = \"day\"").contains("needs one limit"));
    assert!(
        error("[[budgets]]\nperiod = \"day\"\nusd = 1.0\ntokens = 5").contains("needs one limit")
    );
    assert!(error("[[budgets]]\nperiod = \"week\"\nusd = 1.0").contains("unknown variant"));
    assert!(error("[[budgets]]\nperiod = \"day\"\nusd = 1.0\nwarn_at = 2.0").contains("warn_at"));
}
