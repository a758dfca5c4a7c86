//! Ranked lookup over the catalogue: BM25 (the `bm25` crate, with stemming and stop
//! words) over a weighted text of each entry, so that what people actually type — a
//! problem in plain words or a pasted error message — finds the entry that fixes it.

use crate::catalog::{Catalog, Entry};
use bm25::{DefaultTokenizer, Language, SearchEngine, SearchEngineBuilder, Tokenizer};
use std::collections::HashSet;

/// Field weights, applied by repeating a field's text in the indexed document. Aliases
/// carry the phrasings and error texts users paste, so they weigh as much as the title.
const TITLE_WEIGHT: usize = 3;
const ALIAS_WEIGHT: usize = 3;
const TAG_WEIGHT: usize = 2;
const SUMMARY_WEIGHT: usize = 2;

pub struct SearchIndex {
    engine: SearchEngine<usize>,
    tokenizer: DefaultTokenizer,
    /// Per entry: the stemmed tokens of its title, aliases (each), tags and summary.
    fields: Vec<EntryTokens>,
}

struct EntryTokens {
    title: HashSet<String>,
    aliases: Vec<(String, HashSet<String>)>,
    tags: HashSet<String>,
    summary: HashSet<String>,
}

pub struct Hit<'a> {
    pub entry: &'a Entry,
    pub score: f32,
    pub reason: String,
}

fn repeat(text: &str, times: usize, out: &mut String) {
    for _ in 0..times {
        out.push_str(text);
        out.push('\n');
    }
}

impl SearchIndex {
    pub fn new(catalog: &Catalog) -> Self {
        let tokenizer = DefaultTokenizer::new(Language::English);
        let set =
            |text: &str| -> HashSet<String> { tokenizer.tokenize(text).into_iter().collect() };
        let mut documents = Vec::with_capacity(catalog.entries.len());
        let mut fields = Vec::with_capacity(catalog.entries.len());
        for (i, entry) in catalog.entries.iter().enumerate() {
            let mut text = String::new();
            repeat(&entry.title, TITLE_WEIGHT, &mut text);
            repeat(&entry.id.replace('-', " "), TITLE_WEIGHT, &mut text);
            for alias in &entry.aliases {
                repeat(alias, ALIAS_WEIGHT, &mut text);
            }
            repeat(&entry.tags.join(" "), TAG_WEIGHT, &mut text);
            repeat(&entry.summary, SUMMARY_WEIGHT, &mut text);
            text.push_str(&entry.body);
            documents.push(bm25::Document::new(i, text));
            fields.push(EntryTokens {
                title: set(&format!("{} {}", entry.title, entry.id.replace('-', " "))),
                aliases: entry.aliases.iter().map(|a| (a.clone(), set(a))).collect(),
                tags: set(&entry.tags.join(" ")),
                summary: set(&entry.summary),
            });
        }
        let engine =
            SearchEngineBuilder::<usize>::with_documents(Language::English, documents).build();
        Self {
            engine,
            tokenizer,
            fields,
        }
    }

    /// The best `limit` entries for `query`, best first; empty when nothing matches.
    pub fn search<'a>(&self, catalog: &'a Catalog, query: &str, limit: usize) -> Vec<Hit<'a>> {
        let wanted: HashSet<String> = self.tokenizer.tokenize(query).into_iter().collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<Hit<'a>> = self
            .engine
            .search(query, catalog.entries.len())
            .into_iter()
            .filter(|r| r.score > 0.0)
            .map(|r| {
                let i = r.document.id;
                let (bonus, reason) = self.explain(i, &wanted);
                Hit {
                    entry: &catalog.entries[i],
                    score: r.score * (1.0 + bonus),
                    reason,
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.entry.id.cmp(&b.entry.id))
        });
        hits.truncate(limit);
        hits
    }

    /// Why entry `i` matched, and a bonus for an alias that the query covers almost whole
    /// (a pasted error message should beat an entry that merely mentions its words).
    fn explain(&self, i: usize, wanted: &HashSet<String>) -> (f32, String) {
        let fields = &self.fields[i];
        let best_alias = fields
            .aliases
            .iter()
            .filter(|(_, tokens)| !tokens.is_empty())
            .map(|(alias, tokens)| {
                let covered = tokens.intersection(wanted).count() as f32 / tokens.len() as f32;
                (covered, alias)
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((covered, alias)) = best_alias {
            if covered >= 0.75 {
                return (covered, format!("matches the alias \"{alias}\""));
            }
        }
        let mut parts = Vec::new();
        for (name, tokens) in [
            ("title", &fields.title),
            ("tags", &fields.tags),
            ("summary", &fields.summary),
        ] {
            let mut common: Vec<&str> = tokens.intersection(wanted).map(String::as_str).collect();
            if !common.is_empty() {
                common.sort_unstable();
                parts.push(format!("{name} ({})", common.join(", ")));
            }
        }
        if parts.is_empty() {
            (0.0, "mentioned in the entry's text".to_string())
        } else {
            (0.0, format!("matches in {}", parts.join("; ")))
        }
    }
}
