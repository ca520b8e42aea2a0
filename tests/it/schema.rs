//! `src/schema.rs` is written by hand (see `diesel.toml`): it must say what
//! the migrations make, on both databases, for every table it names, and
//! name every table but the search index.

use std::collections::{BTreeMap, BTreeSet};

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};

use agora::db::AnyConnection;

use crate::both;
use crate::helpers::{Backend, TestDb, pool_of};

/// Tables the migrations make that `schema.rs` leaves out on purpose.
fn left_out(table: &str) -> bool {
    table.starts_with("listing_search")
        || table.starts_with("sqlite_")
        || table == "__diesel_schema_migrations"
}

/// A column as `schema.rs` or a database declares it: its type (without
/// `Nullable`) and whether it may be null.
type Columns = BTreeMap<String, (String, bool)>;

/// The tables of `src/schema.rs` and their columns.
fn declared() -> BTreeMap<String, Columns> {
    let text = std::fs::read_to_string("src/schema.rs").unwrap();
    let mut tables = BTreeMap::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line != "diesel::table! {" {
            continue;
        }
        let head = lines.next().unwrap();
        let name = head.split_whitespace().next().unwrap().to_string();
        let mut columns = Columns::new();
        for line in lines.by_ref() {
            if line == "}" {
                break;
            }
            let Some((column, ty)) = line.split_once(" -> ") else {
                continue;
            };
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            columns.insert(column.to_string(), (ty.to_string(), nullable));
        }
        tables.insert(name, columns);
    }
    tables
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    nullable: i64,
}

/// Every table of the database and its columns, with each type mapped to
/// the diesel type `schema.rs` uses for it.
fn actual(conn: &mut AnyConnection) -> BTreeMap<String, Columns> {
    let rows: Vec<Column> = match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             data_type::text AS data_type, \
             CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END::bigint AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .load(c),
        // `table_xinfo` lists generated columns too; `hidden` 1 marks a
        // virtual table's own. SQLite keeps an INTEGER PRIMARY KEY out of
        // NULL whatever `notnull` says.
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, c.name AS column_name, upper(c.type) AS data_type, \
             CASE WHEN c.\"notnull\" = 1 OR c.pk > 0 THEN 0 ELSE 1 END AS nullable \
             FROM sqlite_master m, pragma_table_xinfo(m.name) c \
             WHERE m.type = 'table' AND c.hidden != 1",
        )
        .load(c),
    }
    .unwrap();
    let postgres = conn.is_postgres();
    let mut tables: BTreeMap<String, Columns> = BTreeMap::new();
    for r in rows {
        let ty = match (postgres, r.data_type.as_str()) {
            (true, "bigint") => "BigInt",
            (true, "integer") => "Integer",
            (true, "text") => "Text",
            (true, "boolean") => "Bool",
            (true, "timestamp without time zone") => "Timestamp",
            // SQLite's INTEGER is 64 bits: either diesel type reads it.
            (false, "INTEGER" | "BIGINT") => "Integer|BigInt",
            (false, "TEXT") => "Text",
            (false, "BOOLEAN") => "Bool",
            (false, "TIMESTAMP") => "Timestamp",
            (_, other) => other,
        };
        tables
            .entry(r.table_name)
            .or_default()
            .insert(r.column_name, (ty.to_string(), r.nullable == 1));
    }
    tables
}

async fn schema_rs_matches_the_migrations(backend: Backend) {
    let (_db, url) = TestDb::create(backend);
    let found = tokio::task::spawn_blocking(move || {
        let mut conn = pool_of(&url).get().unwrap();
        agora::db::run_migrations(&mut conn).unwrap();
        actual(&mut conn)
    })
    .await
    .unwrap();
    let declared = declared();
    assert!(declared.len() > 20, "{:?}", declared.keys());
    let mut problems = Vec::new();
    let tables: BTreeSet<&String> = found.keys().filter(|t| !left_out(t)).collect();
    for t in &tables {
        if !declared.contains_key(*t) {
            problems.push(format!("table {t} is not in schema.rs"));
        }
    }
    for (table, columns) in &declared {
        let Some(real) = found.get(table) else {
            problems.push(format!("schema.rs has {table}, the database does not"));
            continue;
        };
        for (name, (ty, nullable)) in columns {
            match real.get(name) {
                None => problems.push(format!("{table}.{name} is not in the database")),
                Some((real_ty, real_null)) => {
                    if !real_ty.split('|').any(|t| t == ty) {
                        problems.push(format!(
                            "{table}.{name}: schema.rs says {ty}, the database {real_ty}"
                        ));
                    }
                    if nullable != real_null {
                        problems.push(format!(
                            "{table}.{name}: schema.rs says nullable {nullable}, the database {real_null}"
                        ));
                    }
                }
            }
        }
        for name in real.keys() {
            if !columns.contains_key(name) {
                problems.push(format!("{table}.{name} is not in schema.rs"));
            }
        }
    }
    assert!(problems.is_empty(), "{backend:?}:\n{}", problems.join("\n"));
}
both!(schema_rs_matches_the_migrations);
