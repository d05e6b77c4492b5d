// catalog_bootstrap.cpp — catalog file to shared product index at node start-up; see the header.
#include "actors/discovery/catalog_bootstrap.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <caf/message.hpp>
#include <spdlog/spdlog.h>

#include "adapters/embeddings/embedding_client.hpp"
#include "adapters/embeddings/embedding_settings.hpp"
#include "adapters/embeddings/product_text.hpp"
#include "adapters/index/product_index.hpp"
#include "protocol/errors.hpp"

namespace cartmate::discovery {

namespace {

using protocol::errc;
using protocol::make_error;

void log_bad_rows(const std::string& path, const catalog::load_report& report) {
  if (report.bad_rows.empty())
    return;
  spdlog::warn("catalog {}: skipped {} of {} rows", path, report.bad_rows.size(),
               report.rows_read);
  auto shown = std::min(report.bad_rows.size(), logged_bad_rows);
  for (size_t i = 0; i < shown; ++i)
    spdlog::warn("catalog {}:{}: {}", path, report.bad_rows[i].line, report.bad_rows[i].reason);
  if (report.bad_rows.size() > shown)
    spdlog::warn("catalog {}: {} more bad rows not shown", path, report.bad_rows.size() - shown);
}

}  // namespace

// The index over vectors from the model; its errors keep their code (unavailable, conflict...).
caf::expected<index::product_index> build_with_model(const std::string& path,
                                                     std::vector<protocol::product> products,
                                                     embeddings::embedding_client& model,
                                                     const load_progress_fn& on_progress) {
  embeddings::progress_fn progress;
  if (on_progress)
    progress = [&on_progress](size_t done, size_t total) {
      on_progress(catalog::load_progress{done, done, total});
    };
  auto vectors = embeddings::embed_products(model, products, progress);
  if (!vectors) {
    auto code = protocol::errc_of(vectors.error()).value_or(errc::unavailable);
    const auto& ctx = vectors.error().context();
    auto why = protocol::errc_of(vectors.error()) && ctx.match_elements<std::string>()
                 ? ctx.get_as<std::string>(0)
                 : protocol::describe(vectors.error());
    return make_error(code, "cannot embed catalog " + path + " (check embeddings.base_url, "
                              "embeddings.model, embeddings.dimensions): " + why);
  }
  return index::product_index::build_with_vectors(std::move(products), std::move(*vectors));
}

caf::expected<std::shared_ptr<index::product_index>>
load_product_index(const config::node_config& cfg, load_progress_fn on_progress,
                   embeddings::embedding_client* model) {
  const auto& path = cfg.catalog.path;
  if (path.empty())
    return make_error(errc::invalid_argument, "no catalog path configured (catalog.path)");
  if (cfg.index.embedding_dim <= 0)
    return make_error(errc::invalid_argument,
                      "index.embedding_dim must be positive, got "
                        + std::to_string(cfg.index.embedding_dim));
  catalog::load_options opts;
  if (!cfg.catalog.currency.empty())
    opts.default_currency = cfg.catalog.currency;
  opts.on_progress = on_progress;
  auto report = catalog::load_catalog_file(path, opts);
  if (!report)
    return std::move(report.error());
  log_bad_rows(path, *report);
  if (report->duplicates > 0)
    spdlog::info("catalog {}: {} rows repeated an earlier id and updated it", path,
                 report->duplicates);
  if (report->products.empty())
    return make_error(errc::invalid_argument, "catalog " + path + " has no usable product ("
                                                + std::to_string(report->bad_rows.size())
                                                + " bad rows)");
  auto count = report->products.size();
  if (model != nullptr) {
    auto built = build_with_model(path, std::move(report->products), *model, on_progress);
    if (!built)
      return std::move(built.error());
    spdlog::info("catalog {}: indexed {} products ({}-dimensional vectors from the model)", path,
                 count, built->dim());
    return std::make_shared<index::product_index>(std::move(*built));
  }
  auto built = index::product_index::build(std::move(report->products),
                                           static_cast<size_t>(cfg.index.embedding_dim));
  if (!built)
    return make_error(errc::invalid_argument,
                      "cannot index catalog " + path + ": " + protocol::describe(built.error()));
  spdlog::info("catalog {}: indexed {} products ({}-dimensional vectors)", path, count,
               cfg.index.embedding_dim);
  return std::make_shared<index::product_index>(std::move(*built));
}

caf::error check_vector_source(const std::string& stored,
                               const embeddings::embedding_settings& settings) {
  auto have = stored.empty() ? std::string{"hashing"} : stored;
  auto want = settings.vector_source();
  if (have == want)
    return {};
  return make_error(errc::conflict, "the stored catalog's vectors were made by '" + have
                                      + "', this node is configured for '" + want
                                      + "' (embeddings.provider/model): re-ingest the catalog "
                                        "with `cartmate ingest --store=postgres` and this "
                                        "configuration");
}

caf::expected<std::shared_ptr<index::product_index>>
index_from_model_vectors(std::vector<protocol::product> products,
                         std::vector<std::vector<float>> vectors, const std::string& stored_source,
                         const embeddings::embedding_settings& settings) {
  if (auto err = check_vector_source(stored_source, settings))
    return err;
  if (products.empty())
    return make_error(errc::invalid_argument, "the stored catalog has no products");
  for (size_t i = 0; i < vectors.size() && settings.dimensions != 0; ++i)
    if (vectors[i].size() != settings.dimensions)
      return make_error(errc::conflict,
                        "product " + products[i].id + ": its stored vector has "
                          + std::to_string(vectors[i].size()) + " floats, embeddings.dimensions is "
                          + std::to_string(settings.dimensions)
                          + ": re-ingest the catalog with this configuration");
  auto built = index::product_index::build_with_vectors(std::move(products), std::move(vectors));
  if (!built)
    return make_error(errc::invalid_argument, "cannot index the stored catalog: "
                                                + protocol::describe(built.error()));
  return std::make_shared<index::product_index>(std::move(*built));
}

}  // namespace cartmate::discovery
