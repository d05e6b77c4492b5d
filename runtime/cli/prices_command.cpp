// prices_command.cpp — `cartmate prices FILE`: posts catalog price and stock updates to a running
// `cartmate serve` (POST /admin/prices) with an admin token signed by auth.secret, so alerts of
// every shopper watching those products fire.
// Threading: main thread only; libcurl's easy interface blocks here, where that is fine.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "adapters/auth/token.hpp"
#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/cli/commands.hpp"

namespace cartmate::cli {
namespace {

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// {"updates":[...]} as a whole file, or one update object per line (JSON Lines).
caf::expected<nlohmann::json> read_updates(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return protocol::make_error(protocol::errc::invalid_argument, "cannot read " + path);
  std::stringstream all;
  all << in.rdbuf();
  auto text = all.str();
  if (auto whole = protocol::parse_json(text); whole && whole->is_object() && whole->contains("updates"))
    return *whole;
  nlohmann::json updates = nlohmann::json::array();
  std::istringstream lines{text};
  std::string line;
  for (size_t n = 1; std::getline(lines, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    auto row = protocol::parse_json(line);
    if (!row || !row->is_object())
      return protocol::make_error(protocol::errc::invalid_argument,
                                  path + ":" + std::to_string(n) + ": not a JSON object");
    updates.push_back(std::move(*row));
  }
  return nlohmann::json{{"updates", std::move(updates)}};
}

}  // namespace

int prices_command(const cli_options& opts, const config::node_config& cfg) {
  if (opts.positional.size() != 1) {
    std::cerr << "cartmate prices: give one file of updates ({\"updates\":[...]} or JSON Lines of "
                 "{\"product_id\",\"price\",\"stock\"})\n";
    return 2;
  }
  if (cfg.auth.secret.empty()) {
    std::cerr << "cartmate prices: the admin endpoint needs auth.secret (the same as the server's)\n";
    return 2;
  }
  auto body = read_updates(opts.positional.front());
  if (!body) {
    std::cerr << "cartmate prices: " << protocol::describe(body.error()) << "\n";
    return 2;
  }
  auto url_flag = opts.flags.find("url");
  auto url = url_flag != opts.flags.end()
               ? url_flag->second
               : "http://" + cfg.server.address + ":" + std::to_string(cfg.server.port);
  url += "/admin/prices";
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto token = auth::issue_token(cfg.auth.secret, auth::token_claims{"ops", "admin", now_s + 300});
  auto payload = body->dump();
  std::string answer;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    std::cerr << "cartmate prices: libcurl did not start\n";
    return 1;
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  auto rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    std::cerr << "cartmate prices: " << url << ": " << curl_easy_strerror(rc) << "\n";
    return 1;
  }
  std::cout << "HTTP " << status << " " << answer << "\n";
  return status == 202 ? 0 : 1;
}

}  // namespace cartmate::cli
