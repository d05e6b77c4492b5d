// discovery_bench.cpp — speed of catalog indexing and product search on the shared Myntra catalog
// (11,991 products). Single-threaded, as the discovery agent runs on one CAF worker.
// The data directory is $CARTMATE_SHARED_DATA_DIR, else the compiled-in ../shared/data.
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include "adapters/catalog/catalog_loader.hpp"
#include "adapters/index/product_index.hpp"
#include "protocol/errors.hpp"

namespace {

using namespace cartmate;

std::string myntra_path() {
  const char* dir = std::getenv("CARTMATE_SHARED_DATA_DIR");
  return std::string{dir ? dir : CARTMATE_SHARED_DATA_DIR}
         + "/catalog/myntra_products_catalog.shared.jsonl";
}

// The shared catalog has no stock; every item gets some so in-stock filters have work to do.
std::vector<protocol::product> load_products() {
  catalog::load_options opts;
  opts.default_stock = 5;
  auto report = catalog::load_catalog_file(myntra_path(), opts);
  if (!report) {
    std::fprintf(stderr, "cannot load %s: %s\n", myntra_path().c_str(),
                 protocol::describe(report.error()).c_str());
    std::exit(1);
  }
  return std::move(report->products);
}

const index::product_index& shared_index() {
  static index::product_index idx = [] {
    auto built = index::product_index::build(load_products());
    if (!built)
      std::exit(1);
    return std::move(*built);
  }();
  return idx;
}

void BM_LoadCatalog(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(load_products());
}
BENCHMARK(BM_LoadCatalog)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_BuildIndex(benchmark::State& state) {
  auto products = load_products();
  for (auto _ : state) {
    auto idx = index::product_index::build(products);
    benchmark::DoNotOptimize(idx);
  }
}
BENCHMARK(BM_BuildIndex)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_EmbedQuery(benchmark::State& state) {
  const auto& idx = shared_index();
  for (auto _ : state)
    benchmark::DoNotOptimize(idx.embedder().embed("black running shoes for men"));
}
BENCHMARK(BM_EmbedQuery);

void run_search(benchmark::State& state, const std::string& query,
                const protocol::search_filters& filters) {
  const auto& idx = shared_index();
  uint32_t matches = 0;
  for (auto _ : state) {
    auto r = idx.search(query, filters, 10);
    matches = r ? r->total_matches : 0;
    benchmark::DoNotOptimize(r);
  }
  state.counters["matches"] = matches;
}

void BM_SearchNoFilter(benchmark::State& state) {
  run_search(state, "black running shoes", {});
}
BENCHMARK(BM_SearchNoFilter)->Unit(benchmark::kMicrosecond);

void BM_SearchWithFilters(benchmark::State& state) {
  protocol::search_filters f;
  f.gender = "men";
  f.max_price_minor = 500000;
  f.in_stock_only = true;
  f.exclude_colours = {"yellow"};
  run_search(state, "black running shoes", f);
}
BENCHMARK(BM_SearchWithFilters)->Unit(benchmark::kMicrosecond);

void BM_SearchTypeAndColour(benchmark::State& state) {
  protocol::search_filters f;
  f.product_type = "kurta";
  f.colour = "blue";
  f.max_price_minor = 200000;
  run_search(state, "printed cotton kurta with palazzos", f);
}
BENCHMARK(BM_SearchTypeAndColour)->Unit(benchmark::kMicrosecond);

void BM_SearchTypo(benchmark::State& state) {
  protocol::search_filters f;
  f.gender = "women";
  run_search(state, "sneekers", f);
}
BENCHMARK(BM_SearchTypo)->Unit(benchmark::kMicrosecond);

void BM_SearchWithStyle(benchmark::State& state) {
  const auto& idx = shared_index();
  auto style = *idx.vector_of(idx.products()[42].id);
  protocol::search_filters f;
  f.gender = "women";
  f.max_price_minor = 300000;
  for (auto _ : state)
    benchmark::DoNotOptimize(idx.search("printed dress", f, 10, 0, &style, 0.3f));
}
BENCHMARK(BM_SearchWithStyle)->Unit(benchmark::kMicrosecond);

void BM_BrowseFilters(benchmark::State& state) {
  protocol::search_filters f;
  f.product_type = "shirt";
  f.gender = "men";
  f.max_price_minor = 150000;
  run_search(state, "", f);
}
BENCHMARK(BM_BrowseFilters)->Unit(benchmark::kMicrosecond);

void BM_Similar(benchmark::State& state) {
  const auto& idx = shared_index();
  const auto& id = idx.products()[1000].id;
  protocol::search_filters f;
  f.in_stock_only = true;
  for (auto _ : state)
    benchmark::DoNotOptimize(idx.similar(id, f, 10));
}
BENCHMARK(BM_Similar)->Unit(benchmark::kMicrosecond);

}  // namespace
