// webhook_sender.cpp — a due-time ordered queue drained by one thread with one reusable curl easy
// handle; a retry goes back into the queue, so a failing endpoint never holds up the others.
// libcurl's errors are values (CURLcode), so nothing here throws.
#include "adapters/notify/webhook_sender.hpp"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"

namespace cartmate::notify {

namespace {

using protocol::errc;
using protocol::make_error;

void init_curl_once() {
  static std::once_flag flag;
  std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t discard_body(char*, size_t size, size_t count, void*) {
  return size * count;
}

/// Worth another attempt: the server may recover (5xx), asks us to slow down (429) or sent none.
bool retryable(long status) {
  return status == 0 || status == 429 || status >= 500;
}

}  // namespace

std::string webhook_targets::url_for(const std::string& tenant, const std::string& user) const {
  if (auto i = per_user.find(tenant + "/" + user); i != per_user.end())
    return i->second;
  if (auto i = per_user.find(user); i != per_user.end())
    return i->second;
  return global_url;
}

std::string webhook_body(const std::string& tenant, const protocol::notification_event& n) {
  auto j = protocol::encode(n);
  j["tenant"] = tenant;
  return protocol::dump_json(j);
}

webhook_sender::webhook_sender(webhook_options opts) : opts_(std::move(opts)) {
  init_curl_once();
  worker_ = std::thread{[this] { run(); }};
}

webhook_sender::~webhook_sender() {
  stop();
}

caf::error webhook_sender::send(std::string url, std::string notification_id, std::string body,
                                done_fn done) {
  if (url.empty())
    return make_error(errc::invalid_argument, "a webhook needs a URL");
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (stopping_)
      return make_error(errc::unavailable, "the webhook sender has stopped");
    if (due_.size() >= opts_.max_queued)
      return make_error(errc::unavailable, "too many webhooks waiting");
    due_.emplace(clock::now(),
                 job{std::move(url), std::move(notification_id), std::move(body), std::move(done)});
  }
  wake_.notify_one();
  return {};
}

size_t webhook_sender::queued() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return due_.size();
}

void webhook_sender::stop() {
  std::lock_guard<std::mutex> once{stop_mutex_};
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable())
    worker_.join();
  std::vector<job> left;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& [when, j] : due_)
      left.push_back(std::move(j));
    due_.clear();
  }
  for (auto& j : left)
    settle(j, 0, make_error(errc::unavailable, "the webhook sender stopped first"));
}

void webhook_sender::run() {
  for (;;) {
    job j;
    {
      std::unique_lock<std::mutex> guard{mutex_};
      for (;;) {
        if (stopping_)
          return;
        if (!due_.empty() && due_.begin()->first <= clock::now())
          break;
        if (due_.empty())
          wake_.wait(guard);
        else
          wake_.wait_until(guard, due_.begin()->first);
      }
      j = std::move(due_.begin()->second);
      due_.erase(due_.begin());
    }
    ++j.attempts;
    auto [status, err] = attempt(j);
    if (!err || !retryable(status) || j.attempts >= std::max(opts_.max_attempts, 1)) {
      settle(j, status, std::move(err));
      continue;
    }
    auto pause = runtime::backoff_delay(opts_.backoff, static_cast<uint32_t>(j.attempts),
                                        runtime::random_unit());
    spdlog::info("webhook: {} for {} failed ({}); retry {} in {} ms", j.url, j.notification_id,
                 protocol::describe(err), j.attempts, pause.count());
    std::lock_guard<std::mutex> guard{mutex_};
    due_.emplace(clock::now() + pause, std::move(j));
  }
}

std::pair<long, caf::error> webhook_sender::attempt(const job& j) {
  // One handle per attempt: cheap next to the network, and no state leaks between URLs.
  CURL* e = curl_easy_init();
  if (e == nullptr)
    return {0, make_error(errc::agent_error, "curl_easy_init failed")};
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("Idempotency-Key: " + j.notification_id).c_str());
  auto timeout_ms = static_cast<long>(opts_.timeout.count());
  curl_easy_setopt(e, CURLOPT_URL, j.url.c_str());
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, j.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(j.body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);   // no SIGALRM from a library thread
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "CartMate/0.1 (notifications)");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard_body);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  auto rc = curl_easy_perform(e);
  long status = 0;
  if (rc == CURLE_OK)
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(e);
  if (rc != CURLE_OK) {
    std::string why = error[0] != '\0' ? error : curl_easy_strerror(rc);
    auto code = rc == CURLE_OPERATION_TIMEDOUT ? errc::timeout : errc::unavailable;
    return {0, make_error(code, "webhook " + j.url + ": " + why)};
  }
  if (status >= 200 && status < 300)
    return {status, caf::error{}};
  return {status, make_error(retryable(status) ? errc::unavailable : errc::invalid_argument,
                             "webhook " + j.url + " answered HTTP " + std::to_string(status))};
}

void webhook_sender::settle(job& j, long status, caf::error err) {
  if (err)
    spdlog::warn("webhook: gave up on {} for {} after {} attempt(s): {}", j.url,
                 j.notification_id, j.attempts, protocol::describe(err));
  if (!j.done)
    return;
  webhook_outcome out;
  out.url = j.url;
  out.notification_id = j.notification_id;
  out.attempts = j.attempts;
  out.status = status;
  out.error = std::move(err);
  j.done(out);
}

}  // namespace cartmate::notify
