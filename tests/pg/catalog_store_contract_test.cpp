// catalog_store_contract_test.cpp — one behavioural suite for every catalog_store: upserts that
// update in place, vectors that come back bit for bit, bad rows refused one by one with nothing
// else lost, price/stock changes; instantiated for memory and PostgreSQL (with tiny batches, so
// several transactions are exercised).
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/stores/memory_catalog_store.hpp"
#include "adapters/stores/postgres/pg_catalog_store.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores {
namespace {

using protocol::errc;

struct memory_backend {
  static std::unique_ptr<catalog_store> make() { return std::make_unique<memory_catalog_store>(); }
};

struct postgres_backend {
  static std::unique_ptr<catalog_store> make() {
    auto conninfo = testing::migrated_database();
    if (conninfo.empty())
      return nullptr;
    return std::make_unique<pg::pg_catalog_store>(testing::quick_options(conninfo), 3);
  }
};

catalog_row row(const std::string& id, int64_t price = 49900, size_t dim = 4) {
  catalog_row r;
  auto& p = r.product;
  p.id = id;
  p.title = "Kurta " + id;
  p.brand = "Fabindia";
  p.product_type = "kurta";
  p.gender = "Men";
  p.colour = "blue";
  p.description = "cotton";
  p.sizes = {"S", "M"};
  p.price = protocol::money{price, "INR"};
  p.stock = 5;
  for (size_t i = 0; i < dim; ++i)
    r.embedding.push_back(0.25f * static_cast<float>(i + 1) + static_cast<float>(id.size()));
  return r;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void expect_same_product(const protocol::product& a, const protocol::product& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.brand, b.brand);
  EXPECT_EQ(a.product_type, b.product_type);
  EXPECT_EQ(a.gender, b.gender);
  EXPECT_EQ(a.colour, b.colour);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.sizes, b.sizes);
  EXPECT_EQ(a.price.minor, b.price.minor);
  EXPECT_EQ(a.price.currency, b.price.currency);
  EXPECT_EQ(a.stock, b.stock);
}

template <class Backend>
struct catalog_store_contract : ::testing::Test {
  std::unique_ptr<catalog_store> owned;
  catalog_store* store = nullptr;

  void SetUp() override {
    if constexpr (std::is_same_v<Backend, postgres_backend>)
      CARTMATE_REQUIRE_PG_BINARIES();
    owned = Backend::make();
    ASSERT_NE(owned, nullptr);
    store = owned.get();
  }

  upsert_report upsert(const std::vector<catalog_row>& rows) {
    auto r = store->upsert(rows);
    EXPECT_TRUE(r) << protocol::describe(r.error());
    return r ? *r : upsert_report{};
  }

  std::vector<catalog_row> all() {
    auto rows = store->load_all();
    EXPECT_TRUE(rows) << protocol::describe(rows.error());
    return rows ? *rows : std::vector<catalog_row>{};
  }

  std::vector<std::string> ids() {
    std::vector<std::string> out;
    for (const auto& r : all())
      out.push_back(r.product.id);
    return out;
  }
};

using backends = ::testing::Types<memory_backend, postgres_backend>;

struct backend_names {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, memory_backend> ? "memory" : "postgres";
  }
};

TYPED_TEST_SUITE(catalog_store_contract, backends, backend_names);

TYPED_TEST(catalog_store_contract, an_empty_catalog_has_no_rows_and_no_dimension) {
  EXPECT_TRUE(this->all().empty());
  EXPECT_EQ(*this->store->size(), 0u);
  EXPECT_EQ(*this->store->embedding_dim(), 0u);
  auto missing = this->store->get("p1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(protocol::errc_of(missing.error()), errc::not_found);
}

TYPED_TEST(catalog_store_contract, rows_load_in_the_order_first_stored_with_every_field) {
  std::vector<catalog_row> rows;
  for (const char* id : {"p3", "p1", "p7", "p2", "p5", "p4", "p6"})   // more than one batch
    rows.push_back(row(id));
  rows[1].product.sizes = {};
  rows[2].product.colour = "";
  auto report = this->upsert(rows);
  EXPECT_EQ(report.stored, rows.size());
  EXPECT_TRUE(report.refused.empty());
  auto back = this->all();
  ASSERT_EQ(back.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    expect_same_product(back[i].product, rows[i].product);
    EXPECT_TRUE(same_bits(back[i].embedding, rows[i].embedding)) << rows[i].product.id;
  }
  EXPECT_EQ(*this->store->size(), rows.size());
  EXPECT_EQ(*this->store->embedding_dim(), 4u);
  auto one = this->store->get("p7");
  ASSERT_TRUE(one) << protocol::describe(one.error());
  expect_same_product(one->product, rows[2].product);
}

TYPED_TEST(catalog_store_contract, vectors_round_trip_bit_for_bit) {
  auto r = row("p1", 100, 0);
  r.embedding = {0.1f, -2.5e-7f, 1.0f / 3.0f, std::numeric_limits<float>::max(),
                 std::numeric_limits<float>::lowest(), std::numeric_limits<float>::min(),
                 std::numeric_limits<float>::epsilon(), 0.0f, -0.0f, 123456.789f,
                 std::nextafter(1.0f, 2.0f), -std::nextafter(0.5f, 0.0f)};
  ASSERT_EQ(this->upsert({r}).stored, 1u);
  auto back = this->store->get("p1");
  ASSERT_TRUE(back) << protocol::describe(back.error());
  ASSERT_EQ(back->embedding.size(), r.embedding.size());
  for (size_t i = 0; i < r.embedding.size(); ++i)
    EXPECT_TRUE(same_bits({back->embedding[i]}, {r.embedding[i]}))
      << "element " << i << ": stored " << r.embedding[i] << ", read " << back->embedding[i];
}

TYPED_TEST(catalog_store_contract, text_with_copy_and_array_syntax_survives) {
  auto r = row("p\t1");
  r.product.title = "Tab\there, newline\nthere, back\\slash, \\N, \"quoted\", {braces}, ह ✓";
  r.product.description = "\\.\n\\N\r\nend";
  r.product.sizes = {"NULL", "", "a,b", "{x}", "q\"uote", "back\\slash", "tab\tsize"};
  r.product.brand = "";
  ASSERT_EQ(this->upsert({r}).stored, 1u);
  auto back = this->store->get("p\t1");
  ASSERT_TRUE(back) << protocol::describe(back.error());
  expect_same_product(back->product, r.product);
}

TYPED_TEST(catalog_store_contract, upserting_a_known_id_updates_it_in_place) {
  ASSERT_EQ(this->upsert({row("a"), row("b"), row("c")}).stored, 3u);
  auto changed = row("b", 1299);
  changed.product.title = "Kurta b, new season";
  changed.product.stock = 0;
  changed.embedding = {9.f, 8.f, 7.f, 6.f};
  auto report = this->upsert({changed, row("d")});
  EXPECT_EQ(report.stored, 2u);
  EXPECT_EQ(this->ids(), (std::vector<std::string>{"a", "b", "c", "d"}));
  auto b = this->store->get("b");
  ASSERT_TRUE(b);
  expect_same_product(b->product, changed.product);
  EXPECT_TRUE(same_bits(b->embedding, changed.embedding));
  EXPECT_EQ(*this->store->size(), 4u);
}

TYPED_TEST(catalog_store_contract, a_repeated_id_in_one_upsert_keeps_the_last_row_at_the_first_place) {
  auto first = row("x", 100);
  auto second = row("x", 200);
  second.product.title = "the later one";
  auto report = this->upsert({first, row("y"), second, row("z")});
  EXPECT_EQ(report.stored, 3u);
  EXPECT_EQ(report.duplicates, 1u);
  EXPECT_EQ(this->ids(), (std::vector<std::string>{"x", "y", "z"}));
  auto x = this->store->get("x");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->product.title, "the later one");
  EXPECT_EQ(x->product.price.minor, 200);
}

TYPED_TEST(catalog_store_contract, bad_rows_are_refused_with_reasons_and_nothing_else_is_lost) {
  ASSERT_EQ(this->upsert({row("kept-1"), row("kept-2")}).stored, 2u);
  std::vector<catalog_row> rows;
  rows.push_back(row("good-1"));
  auto negative = row("neg", -100);
  rows.push_back(negative);
  auto no_id = row("");
  rows.push_back(no_id);
  auto nan = row("nan");
  nan.embedding[2] = std::nanf("");
  rows.push_back(nan);
  auto inf = row("inf");
  inf.embedding[0] = std::numeric_limits<float>::infinity();
  rows.push_back(inf);
  rows.push_back(row("short", 100, 3));
  auto no_vector = row("novec", 100, 0);
  rows.push_back(no_vector);
  auto bad_utf8 = row("utf");
  bad_utf8.product.description = "caf\xC3";
  rows.push_back(bad_utf8);
  auto nul = row("nul");
  nul.product.title = std::string{"a\0b", 3};
  rows.push_back(nul);
  auto no_stock = row("stock");
  no_stock.product.stock = -1;
  rows.push_back(no_stock);
  auto no_currency = row("cur");
  no_currency.product.price.currency.clear();
  rows.push_back(no_currency);
  auto no_title = row("untitled");
  no_title.product.title.clear();
  rows.push_back(no_title);
  auto bad_kurta = row("kept-1", 5);   // a bad version of a stored product must not replace it
  bad_kurta.embedding.push_back(1.f);
  rows.push_back(bad_kurta);
  rows.push_back(row("good-2"));

  auto report = this->upsert(rows);
  EXPECT_EQ(report.stored, 2u);
  ASSERT_EQ(report.refused.size(), rows.size() - 2);
  auto reason_of = [&](const std::string& id) {
    for (const auto& r : report.refused)
      if (r.id == id)
        return r.reason;
    return std::string{"(not refused)"};
  };
  EXPECT_NE(reason_of("neg").find("price is negative"), std::string::npos) << reason_of("neg");
  EXPECT_NE(reason_of("").find("id is empty"), std::string::npos);
  EXPECT_NE(reason_of("nan").find("element 2 is not a finite number"), std::string::npos);
  EXPECT_NE(reason_of("inf").find("element 0"), std::string::npos);
  EXPECT_NE(reason_of("short").find("has 3 floats, the catalog's vectors have 4"),
            std::string::npos) << reason_of("short");
  EXPECT_NE(reason_of("novec").find("vector is empty"), std::string::npos);
  EXPECT_NE(reason_of("utf").find("description is not valid UTF-8"), std::string::npos);
  EXPECT_NE(reason_of("nul").find("title contains a NUL"), std::string::npos);
  EXPECT_NE(reason_of("stock").find("stock is negative"), std::string::npos);
  EXPECT_NE(reason_of("cur").find("currency is empty"), std::string::npos);
  EXPECT_NE(reason_of("untitled").find("title is empty"), std::string::npos);
  EXPECT_NE(reason_of("kept-1").find("has 5 floats"), std::string::npos);
  EXPECT_EQ(report.refused.front().position, 1u);   // positions index the input
  EXPECT_EQ(this->ids(), (std::vector<std::string>{"kept-1", "kept-2", "good-1", "good-2"}));
  auto kept = this->store->get("kept-1");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->product.price.minor, 49900);
  EXPECT_EQ(kept->embedding.size(), 4u);
}

TYPED_TEST(catalog_store_contract, the_first_row_fixes_the_dimension_until_cleared) {
  auto report = this->upsert({row("bad", -1, 2), row("a", 100, 3), row("b", 100, 4)});
  EXPECT_EQ(report.stored, 1u);
  ASSERT_EQ(report.refused.size(), 2u);
  EXPECT_EQ(report.refused[1].id, "b");
  EXPECT_EQ(*this->store->embedding_dim(), 3u);
  ASSERT_FALSE(this->store->clear());
  EXPECT_EQ(*this->store->size(), 0u);
  EXPECT_EQ(*this->store->embedding_dim(), 0u);
  EXPECT_EQ(this->upsert({row("b", 100, 4)}).stored, 1u);
  EXPECT_EQ(*this->store->embedding_dim(), 4u);
}

TYPED_TEST(catalog_store_contract, price_and_stock_updates_report_the_old_values) {
  ASSERT_EQ(this->upsert({row("p1", 49900)}).stored, 1u);
  auto change = this->store->update_price_stock("p1", 39900, -1);
  ASSERT_TRUE(change) << protocol::describe(change.error());
  EXPECT_EQ(change->old_price_minor, 49900);
  EXPECT_EQ(change->old_stock, 5);
  EXPECT_EQ(change->after.price.minor, 39900);
  EXPECT_EQ(change->after.stock, 5);
  EXPECT_EQ(change->after.title, "Kurta p1");
  auto restock = this->store->update_price_stock("p1", -1, 0);
  ASSERT_TRUE(restock);
  EXPECT_EQ(restock->old_price_minor, 39900);
  EXPECT_EQ(restock->after.price.minor, 39900);
  EXPECT_EQ(restock->after.stock, 0);
  auto stored = this->store->get("p1");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->product.price.minor, 39900);
  EXPECT_EQ(stored->product.stock, 0);
  EXPECT_TRUE(same_bits(stored->embedding, row("p1").embedding));
  auto missing = this->store->update_price_stock("nope", 1, 1);
  ASSERT_FALSE(missing);
  EXPECT_EQ(protocol::errc_of(missing.error()), errc::not_found);
}

}  // namespace
}  // namespace cartmate::stores
