// catalog_bootstrap.cpp — catalog file to shared product index at node start-up; see the header.
#include "actors/discovery/catalog_bootstrap.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

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

caf::expected<std::shared_ptr<index::product_index>>
load_product_index(const config::node_config& cfg, load_progress_fn on_progress) {
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
  opts.on_progress = std::move(on_progress);
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
  auto built = index::product_index::build(std::move(report->products),
                                           static_cast<size_t>(cfg.index.embedding_dim));
  if (!built)
    return make_error(errc::invalid_argument,
                      "cannot index catalog " + path + ": " + protocol::describe(built.error()));
  spdlog::info("catalog {}: indexed {} products ({}-dimensional vectors)", path, count,
               cfg.index.embedding_dim);
  return std::make_shared<index::product_index>(std::move(*built));
}

}  // namespace cartmate::discovery
