// catalog_loader.cpp — JSON Lines and CSV rows to products; every rejection names its line and cause.
#include "adapters/catalog/catalog_loader.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "adapters/catalog/product_type.hpp"
#include "adapters/catalog/text.hpp"
#include "protocol/errors.hpp"

namespace cartmate::catalog {

namespace {

using protocol::product;
using json = nlohmann::json;

// Prices beyond this are typos or overflow bait, not products.
constexpr double max_price_major = 1e12;

struct row_result {
  std::optional<product> item;
  std::string reason;  // set when item is empty
};

row_result reject(std::string reason) {
  return {std::nullopt, std::move(reason)};
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n\f\v";
  auto first = s.find_first_not_of(ws);
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

std::vector<std::string> split_sizes(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto piece = trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (!piece.empty())
      out.emplace_back(piece);
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return out;
}

// Fills what a row may leave out: currency, stock and the product type.
void complete(product& p, bool has_currency, bool has_stock, std::string_view given_type,
              std::string_view category, const load_options& options) {
  if (!has_currency)
    p.price.currency = options.default_currency;
  if (!has_stock)
    p.stock = options.default_stock;
  if (!given_type.empty())
    p.product_type = normalize_product_type(given_type);
  if (p.product_type.empty())
    p.product_type = derive_product_type(p.title);
  if (p.product_type.empty() && !category.empty())
    p.product_type = normalize_product_type(category);
}

std::optional<std::string> check_price(double major, product& p) {
  if (!std::isfinite(major))
    return "price is not a finite number";
  if (major < 0)
    return "negative price";
  if (major > max_price_major)
    return "price out of range";
  p.price.minor = to_minor_units(major);
  return std::nullopt;
}

// --- JSON Lines -------------------------------------------------------------------------------

// A string field: absent or null gives nullopt; another type is an error the caller reports.
struct json_text {
  std::optional<std::string> value;
  bool wrong_type = false;
};

json_text text_field(const json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null())
    return {};
  if (!it->is_string())
    return {std::nullopt, true};
  return {std::string{trim(it->get_ref<const std::string&>())}, false};
}

row_result product_from_json(const json& row, const load_options& options) {
  if (!row.is_object())
    return reject("row is not a JSON object");
  product p;
  if (auto it = row.find("id"); it != row.end() && it->is_string())
    p.id = std::string{trim(it->get_ref<const std::string&>())};
  else if (it != row.end() && it->is_number_integer())
    p.id = it->dump();
  else if (it != row.end() && !it->is_null())
    return reject("id is neither a string nor an integer");
  if (p.id.empty())
    return reject("missing id");

  std::string given_type;
  std::string category;
  struct binding {
    const char* key;
    std::string* target;
  };
  const binding texts[] = {{"title", &p.title},       {"description", &p.description},
                           {"brand", &p.brand},       {"gender", &p.gender},
                           {"color", &p.colour},      {"colour", &p.colour},
                           {"currency", &p.price.currency},
                           {"product_type", &given_type}, {"article_type", &given_type},
                           {"category", &category}};
  for (const auto& b : texts) {
    auto field = text_field(row, b.key);
    if (field.wrong_type)
      return reject(std::string{b.key} + " is not a string");
    if (field.value && b.target->empty())
      *b.target = std::move(*field.value);
  }
  if (p.title.empty())
    return reject("missing title");

  if (auto it = row.find("price"); it != row.end() && !it->is_null()) {
    if (!it->is_number())
      return reject("price is not a number");
    if (auto err = check_price(it->get<double>(), p))
      return reject(*err);
  } else if (options.require_price) {
    return reject("missing price");
  }

  bool has_stock = false;
  if (auto it = row.find("stock"); it != row.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > INT32_MAX)
      return reject("stock is not a non-negative integer");
    p.stock = static_cast<int32_t>(it->get<int64_t>());
    has_stock = true;
  }

  if (auto it = row.find("sizes"); it != row.end() && !it->is_null()) {
    if (it->is_string()) {
      p.sizes = split_sizes(it->get_ref<const std::string&>());
    } else if (it->is_array()) {
      for (const auto& s : *it) {
        if (!s.is_string())
          return reject("sizes holds a non-string value");
        if (auto t = trim(s.get_ref<const std::string&>()); !t.empty())
          p.sizes.emplace_back(t);
      }
    } else {
      return reject("sizes is neither an array nor a string");
    }
  }
  complete(p, !p.price.currency.empty(), has_stock, given_type, category, options);
  return {std::move(p), {}};
}

row_result parse_json_line(std::string_view line, const load_options& options) {
  if (!valid_utf8(line))
    return reject("invalid UTF-8");
  try {
    return product_from_json(json::parse(line), options);
  } catch (const json::exception& e) {  // nlohmann reports malformed JSON by throwing
    return reject(std::string{"invalid JSON: "} + e.what());
  }
}

// --- CSV --------------------------------------------------------------------------------------

enum class csv_status { ok, incomplete, malformed };

// Splits one RFC 4180 record; `incomplete` when it ends inside a quoted field.
csv_status split_csv_record(std::string_view rec, std::vector<std::string>& cells, std::string& why) {
  cells.clear();
  size_t i = 0;
  while (true) {
    std::string cell;
    if (i < rec.size() && rec[i] == '"') {
      ++i;
      while (true) {
        if (i >= rec.size())
          return csv_status::incomplete;
        if (rec[i] == '"') {
          if (i + 1 < rec.size() && rec[i + 1] == '"') {
            cell.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cell.push_back(rec[i++]);
      }
      if (i < rec.size() && rec[i] != ',') {
        why = "text after a closing quote";
        return csv_status::malformed;
      }
    } else {
      auto comma = rec.find(',', i);
      auto end = comma == std::string_view::npos ? rec.size() : comma;
      cell.assign(rec.substr(i, end - i));
      i = end;
    }
    cells.push_back(std::move(cell));
    if (i >= rec.size())
      return csv_status::ok;
    ++i;  // the comma
    if (i == rec.size()) {  // a trailing comma means one more, empty, cell
      cells.emplace_back();
      return csv_status::ok;
    }
  }
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size())
    return std::nullopt;
  return v;
}

std::optional<int64_t> parse_int(std::string_view s) {
  s = trim(s);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size())
    return std::nullopt;
  return v;
}

struct csv_columns {
  std::unordered_map<std::string, size_t> index;
  size_t count = 0;

  std::string_view get(const std::vector<std::string>& cells, std::string_view name) const {
    auto it = index.find(std::string{name});
    return it == index.end() ? std::string_view{} : trim(cells[it->second]);
  }
};

row_result product_from_csv(const csv_columns& cols, const std::vector<std::string>& cells,
                            const load_options& options) {
  if (cells.size() != cols.count)
    return reject("expected " + std::to_string(cols.count) + " fields, got "
                  + std::to_string(cells.size()));
  for (const auto& c : cells)
    if (!valid_utf8(c))
      return reject("invalid UTF-8");
  product p;
  p.id = std::string{cols.get(cells, "id")};
  if (p.id.empty())
    return reject("missing id");
  p.title = std::string{cols.get(cells, "title")};
  if (p.title.empty())
    return reject("missing title");
  p.description = std::string{cols.get(cells, "description")};
  p.brand = std::string{cols.get(cells, "brand")};
  p.gender = std::string{cols.get(cells, "gender")};
  p.colour = std::string{cols.get(cells, "color")};
  if (p.colour.empty())
    p.colour = std::string{cols.get(cells, "colour")};
  p.price.currency = std::string{cols.get(cells, "currency")};
  if (auto price = cols.get(cells, "price"); !price.empty()) {
    auto major = parse_double(price);
    if (!major)
      return reject("price is not a number");
    if (auto err = check_price(*major, p))
      return reject(*err);
  } else if (options.require_price) {
    return reject("missing price");
  }
  bool has_stock = false;
  if (auto stock = cols.get(cells, "stock"); !stock.empty()) {
    auto n = parse_int(stock);
    if (!n || *n < 0 || *n > INT32_MAX)
      return reject("stock is not a non-negative integer");
    p.stock = static_cast<int32_t>(*n);
    has_stock = true;
  }
  p.sizes = split_sizes(cols.get(cells, "sizes"));
  auto given_type = cols.get(cells, "product_type");
  if (given_type.empty())
    given_type = cols.get(cells, "article_type");
  complete(p, !p.price.currency.empty(), has_stock, given_type, cols.get(cells, "category"),
           options);
  return {std::move(p), {}};
}

// --- shared -----------------------------------------------------------------------------------

// Collects rows; a repeated id overwrites the earlier product where it stands.
class collector {
public:
  collector(const load_options& options, uint64_t total_bytes)
    : options_(options), total_bytes_(total_bytes) {
    // nop
  }

  void add(size_t line, row_result row) {
    ++report_.rows_read;
    if (!row.item) {
      report_.bad_rows.push_back({line, std::move(row.reason)});
    } else if (auto it = positions_.find(row.item->id); it != positions_.end()) {
      report_.products[it->second] = std::move(*row.item);
      ++report_.duplicates;
    } else {
      positions_.emplace(row.item->id, report_.products.size());
      report_.products.push_back(std::move(*row.item));
    }
    if (options_.on_progress && options_.progress_every > 0
        && report_.rows_read % options_.progress_every == 0)
      options_.on_progress({report_.rows_read, bytes_read_, total_bytes_});
  }

  void consumed(uint64_t bytes) {
    bytes_read_ += bytes;
  }

  load_report finish() {
    if (options_.on_progress)
      options_.on_progress({report_.rows_read, bytes_read_, total_bytes_});
    return std::move(report_);
  }

private:
  const load_options& options_;
  uint64_t total_bytes_;
  uint64_t bytes_read_ = 0;
  load_report report_;
  std::unordered_map<std::string, size_t> positions_;
};

// Reads one physical line; drops a trailing CR and, on the first line, a UTF-8 byte order mark.
bool next_line(std::istream& in, std::string& line, size_t line_no, collector& rows) {
  if (!std::getline(in, line))
    return false;
  rows.consumed(line.size() + (in.eof() ? 0 : 1));
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  if (line_no == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
    line.erase(0, 3);
  return true;
}

bool is_blank(std::string_view s) {
  return trim(s).empty();
}

}  // namespace

int64_t to_minor_units(double major) {
  return std::llround(major * 100.0);
}

load_report load_jsonl(std::istream& in, const load_options& options, uint64_t total_bytes) {
  collector rows{options, total_bytes};
  std::string line;
  for (size_t line_no = 1; next_line(in, line, line_no, rows); ++line_no) {
    if (!is_blank(line))
      rows.add(line_no, parse_json_line(line, options));
  }
  return rows.finish();
}

caf::expected<load_report> load_csv(std::istream& in, const load_options& options,
                                    uint64_t total_bytes) {
  collector rows{options, total_bytes};
  std::optional<csv_columns> columns;
  std::vector<std::string> cells;
  std::string line;
  std::string record;
  std::string why;
  size_t line_no = 0;
  while (next_line(in, line, line_no + 1, rows)) {
    ++line_no;
    if (is_blank(line))
      continue;
    size_t start_line = line_no;
    record = line;
    auto status = split_csv_record(record, cells, why);
    while (status == csv_status::incomplete && next_line(in, line, line_no + 1, rows)) {
      ++line_no;
      record += '\n';
      record += line;
      status = split_csv_record(record, cells, why);
    }
    if (!columns) {
      if (status != csv_status::ok)
        return protocol::make_error(protocol::errc::invalid_argument, "malformed CSV header");
      columns.emplace();
      for (size_t i = 0; i < cells.size(); ++i)
        columns->index.emplace(fold_lower(trim(cells[i])), i);
      columns->count = cells.size();
      if (!columns->index.count("id") || !columns->index.count("title"))
        return protocol::make_error(protocol::errc::invalid_argument,
                                    "CSV header lacks an id or title column");
      continue;
    }
    if (status == csv_status::incomplete)
      rows.add(start_line, reject("unterminated quoted field"));
    else if (status == csv_status::malformed)
      rows.add(start_line, reject(why));
    else
      rows.add(start_line, product_from_csv(*columns, cells, options));
  }
  if (!columns)
    return protocol::make_error(protocol::errc::invalid_argument, "CSV file has no header row");
  return rows.finish();
}

caf::expected<load_report> load_catalog_file(const std::string& path, const load_options& options) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return protocol::make_error(protocol::errc::not_found, "cannot open catalog file " + path);
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec)
    size = 0;
  auto format = options.format;
  if (format == catalog_format::auto_detect) {
    auto ext = fold_lower(std::filesystem::path{path}.extension().string());
    format = ext == ".csv" ? catalog_format::csv : catalog_format::jsonl;
  }
  if (format == catalog_format::csv)
    return load_csv(in, options, size);
  return load_jsonl(in, options, size);
}

}  // namespace cartmate::catalog
