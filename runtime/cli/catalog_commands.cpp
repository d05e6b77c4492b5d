// catalog_commands.cpp — `ingest` (catalog files into the memory catalog or PostgreSQL, with a
// progress bar and bad rows by line) and `nlu-eval` (offline understanding against SIMMC 2.0).
#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "adapters/catalog/catalog_loader.hpp"
#include "adapters/embeddings/openai_embedding_client.hpp"
#include "adapters/embeddings/product_text.hpp"
#include "adapters/http/curl_http_client.hpp"
#include "adapters/index/product_index.hpp"
#include "adapters/nlu/offline_understanding.hpp"
#include "adapters/nlu/simmc_eval.hpp"
#include "actors/store_options.hpp"
#include "adapters/stores/catalog_index.hpp"
#include "adapters/stores/postgres/migrations.hpp"
#include "adapters/stores/postgres/pg_catalog_store.hpp"
#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/cli/progress_bar.hpp"

namespace cartmate::cli {

namespace {

constexpr size_t listed_bad_rows = 50;
constexpr const char* default_simmc_turns =
  "../shared/data/conversations/simmc2_dstc10_dev.shared.turns.jsonl";

// The catalog file format the loader reads (price in major units), so an ingested file can be
// loaded again as the node's catalog.
nlohmann::json catalog_row(const protocol::product& p) {
  nlohmann::json j;
  j["id"] = p.id;
  j["title"] = p.title;
  j["description"] = p.description;
  j["brand"] = p.brand;
  j["gender"] = p.gender;
  j["price"] = static_cast<double>(p.price.minor)
               / std::pow(10.0, protocol::minor_digits(p.price.currency));
  j["currency"] = p.price.currency;
  if (!p.colour.empty())
    j["color"] = p.colour;
  j["product_type"] = p.product_type;
  if (!p.sizes.empty())
    j["sizes"] = p.sizes;
  j["stock"] = p.stock;
  return j;
}

bool write_catalog(const std::string& path, const std::vector<protocol::product>& products) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  for (auto& p : products)
    out << protocol::dump_json(catalog_row(p)) << "\n";
  out.flush();
  return static_cast<bool>(out);
}

// A catalog holds vectors of one source: vectors of another (a model change) replace it
// rather than mix. Returns false (after saying why) when the store fails.
bool replace_other_vectors(stores::pg::pg_catalog_store& store, const std::string& source,
                           size_t dim) {
  auto stored_dim = store.embedding_dim();
  auto stored_source = store.vector_source();
  if (!stored_dim || !stored_source || *stored_dim == 0)
    return true;   // empty, or the upsert below reports the store's problem
  auto have = stored_source->empty() ? std::string{"hashing"} : *stored_source;
  if (have == source)
    return true;   // same embedder: a dimension change is refused row by row, as before
  std::cout << "postgres catalog: its vectors were made by " << have << " (" << *stored_dim
            << " floats); replacing it with vectors by " << source << " (" << dim << " floats)\n";
  if (auto err = store.clear()) {
    std::cerr << "cartmate ingest: cannot clear the stored catalog: " << protocol::describe(err)
              << "\n";
    return false;
  }
  return true;
}

// The products' vectors from the configured model, with a progress bar; nullopt (after saying
// why) when the endpoint fails or answers a wrong dimension.
std::optional<std::vector<std::vector<float>>>
embed_with_model(const embeddings::embedding_settings& emb,
                 const std::vector<protocol::product>& products) {
  auto http = std::make_shared<http::curl_http_client>();
  embeddings::openai_embedding_client client{embeddings::openai_embedding_options::from(emb), http};
  progress_bar bar{"embedding with " + emb.model};
  auto vectors = embeddings::embed_products(client, products, [&bar](size_t done, size_t total) {
    bar.update(done, total, done);
  });
  bar.finish();
  http->stop();
  if (!vectors) {
    std::cerr << "cartmate ingest: cannot embed the catalog with " << emb.model << " at "
              << emb.base_url << ": " << protocol::describe(vectors.error()) << "\n";
    return std::nullopt;
  }
  std::cout << "embedded " << vectors->size() << " products with " << emb.model << " ("
            << client.dimensions() << "-dimensional vectors)\n";
  return std::move(*vectors);
}

// Stores the indexed catalog with its vectors in PostgreSQL (schema migrated first), in batches,
// and records what made the vectors (`source`), so discovery refuses them under another model.
int ingest_into_postgres(const config::node_config& cfg, const index::product_index& index,
                         const std::string& source) {
  auto opts = actors::pg_options_from(cfg.postgres);
  stores::pg::pg_connection conn{opts};
  auto migrations = stores::pg::embedded_migrations();
  auto applied = migrations ? stores::pg::apply_migrations(conn, *migrations)
                            : caf::expected<std::vector<int>>{migrations.error()};
  if (!applied) {
    std::cerr << "cartmate ingest: PostgreSQL (" << cfg.postgres.conninfo
              << "): " << protocol::describe(applied.error()) << "\n";
    return 1;
  }
  auto rows = stores::catalog_rows_of(index);
  stores::pg::pg_catalog_store store{opts};
  if (!replace_other_vectors(store, source, index.dim()))
    return 1;
  constexpr size_t batch = 2000;
  progress_bar bar{"storing in PostgreSQL"};
  stores::upsert_report total;
  for (size_t first = 0; first < rows.size(); first += batch) {
    auto last = std::min(rows.size(), first + batch);
    std::vector<stores::catalog_row> part(rows.begin() + static_cast<std::ptrdiff_t>(first),
                                          rows.begin() + static_cast<std::ptrdiff_t>(last));
    auto report = store.upsert(part);
    if (!report) {
      bar.finish();
      std::cerr << "cartmate ingest: PostgreSQL stopped the upload after " << total.stored
                << " products (repeat the command; stored rows are updated, not doubled): "
                << protocol::describe(report.error()) << "\n";
      return 1;
    }
    total.stored += report->stored;
    for (auto& r : report->refused) {
      r.position += first;
      total.refused.push_back(std::move(r));
    }
    bar.update(last, rows.size(), last);
  }
  bar.finish();
  if (total.stored > 0) {
    if (auto err = store.vector_source(source, index.dim())) {
      std::cerr << "cartmate ingest: the products are stored, but not what made their vectors: "
                << protocol::describe(err) << " (repeat the command)\n";
      return 1;
    }
  }
  for (size_t i = 0; i < total.refused.size() && i < listed_bad_rows; ++i)
    std::cout << "  refused " << total.refused[i].id << ": " << total.refused[i].reason << "\n";
  std::cout << "postgres catalog: " << total.stored << " products stored with "
            << index.dim() << "-dimensional vectors, " << total.refused.size() << " refused\n";
  return total.stored > 0 ? 0 : 1;
}

}  // namespace

int ingest_command(const cli_options& opts, const config::node_config& cfg) {
  if (opts.positional.size() != 1) {
    std::cerr << "cartmate ingest: give exactly one catalog file (.jsonl or .csv)\n";
    return 2;
  }
  const auto& path = opts.positional.front();
  catalog::load_options load;
  load.default_currency = cfg.catalog.currency;
  if (auto f = opts.flags.find("format"); f != opts.flags.end()) {
    if (f->second == "jsonl")
      load.format = catalog::catalog_format::jsonl;
    else if (f->second == "csv")
      load.format = catalog::catalog_format::csv;
    else if (f->second != "auto") {
      std::cerr << "cartmate ingest: --format is jsonl, csv or auto, not '" << f->second << "'\n";
      return 2;
    }
  }
  progress_bar bar{"ingesting " + path};
  load.on_progress = [&bar](const catalog::load_progress& p) {
    bar.update(p.bytes_read, p.total_bytes, p.rows_read);
  };
  auto report = catalog::load_catalog_file(path, load);
  bar.finish();
  if (!report) {
    std::cerr << "cartmate ingest: " << protocol::describe(report.error()) << "\n";
    return 1;
  }
  for (size_t i = 0; i < report->bad_rows.size() && i < listed_bad_rows; ++i)
    std::cout << "  skipped line " << report->bad_rows[i].line << ": "
              << report->bad_rows[i].reason << "\n";
  if (report->bad_rows.size() > listed_bad_rows)
    std::cout << "  ... and " << report->bad_rows.size() - listed_bad_rows
              << " more bad rows\n";
  std::cout << "read " << report->rows_read << " rows: " << report->products.size()
            << " products, " << report->duplicates << " duplicate id(s) updated in place, "
            << report->bad_rows.size() << " bad row(s) skipped\n";
  if (report->products.empty()) {
    std::cerr << "cartmate ingest: no valid product in " << path << "\n";
    return 1;
  }
  // Indexing proves the products load and serve exactly as the node would serve them, and
  // computes the vectors PostgreSQL keeps with them.
  std::string target = cfg.stores.catalog;
  if (auto f = opts.flags.find("store"); f != opts.flags.end())
    target = f->second;
  if (target != "file" && target != "memory" && target != "postgres") {
    std::cerr << "cartmate ingest: --store is memory or postgres, not '" << target << "'\n";
    return 2;
  }
  auto count = report->products.size();
  auto emb = embeddings::read_embedding_settings(*cfg.settings);
  if (!emb) {
    std::cerr << "cartmate ingest: " << protocol::describe(emb.error()) << "\n";
    return 2;
  }
  auto products = report->products;
  // Model vectors are what PostgreSQL keeps for discovery; the file and memory targets serve
  // from the file, where the node embeds the products itself.
  bool model_vectors = emb->uses_model() && target == "postgres";
  caf::expected<index::product_index> index{caf::error{}};
  if (model_vectors) {
    auto vectors = embed_with_model(*emb, products);
    if (!vectors)
      return 1;
    index = index::product_index::build_with_vectors(std::move(products), std::move(*vectors));
  } else {
    index = index::product_index::build(std::move(products),
                                        static_cast<size_t>(cfg.index.embedding_dim));
  }
  if (!index) {
    std::cerr << "cartmate ingest: the memory catalog refused the products: "
              << protocol::describe(index.error()) << "\n";
    return 1;
  }
  std::cout << "memory catalog: " << index->size() << " of " << count << " products indexed\n";
  if (target == "postgres") {
    if (auto rc = ingest_into_postgres(cfg, *index, emb->vector_source()); rc != 0)
      return rc;
  }
  if (auto o = opts.flags.find("output"); o != opts.flags.end()) {
    if (o->second.empty() || !write_catalog(o->second, report->products)) {
      std::cerr << "cartmate ingest: cannot write --output file '" << o->second << "'\n";
      return 1;
    }
    std::cout << "wrote the normalised catalog to " << o->second << "\n";
  }
  return 0;
}

int nlu_eval_command(const cli_options& opts, const config::node_config& cfg) {
  if (opts.positional.size() > 1) {
    std::cerr << "cartmate nlu-eval: give at most one SIMMC turns file\n";
    return 2;
  }
  auto turns = opts.positional.empty() ? std::string{default_simmc_turns} : opts.positional[0];
  auto products = nlu::load_vocabulary_products(cfg.catalog.path);
  if (!products) {
    std::cerr << "cartmate nlu-eval: vocabulary catalog: " << protocol::describe(products.error())
              << "\n";
    return 1;
  }
  nlu::offline_understanding lu{nlu::vocabulary::from_products(*products)};
  nlu::simmc_options options;
  options.use_dialogue_hints = opts.flags.count("no-hints") == 0;
  auto report = nlu::evaluate_simmc(turns, lu, options);
  if (!report) {
    std::cerr << "cartmate nlu-eval: " << protocol::describe(report.error()) << "\n";
    return 1;
  }
  std::cout << "SIMMC 2.0 turns: " << turns << "\nvocabulary: " << cfg.catalog.path << " ("
            << products->size() << " products)\n"
            << nlu::format_report(*report);
  return 0;
}

}  // namespace cartmate::cli
