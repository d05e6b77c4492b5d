// curl_http_client.cpp — the client thread: one CURLM handle, transfers added from a queue,
// curl_multi_poll woken by curl_multi_wakeup when send() or stop() has news.
#include "adapters/http/curl_http_client.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

#include <curl/curl.h>

#include "protocol/errors.hpp"

namespace cartmate::http {

namespace {

using protocol::errc;
using protocol::make_error;

CURLM* as_multi(void* p) {
  return static_cast<CURLM*>(p);
}

void global_init_once() {
  static std::once_flag flag;
  std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lowered(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool has_header(const std::map<std::string, std::string>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return lowered(h.first) == name; });
}

}  // namespace

std::optional<std::string> http_response::header(std::string_view name) const {
  auto it = headers.find(lowered(name));
  if (it == headers.end())
    return std::nullopt;
  return it->second;
}

struct curl_http_client::transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  http_request req;
  response_callback done;
  std::string body;
  std::map<std::string, std::string> response_headers;
  size_t received = 0;
  bool too_large = false;
  bool aborted = false;   // on_chunk asked to stop
  char error[CURL_ERROR_SIZE] = {};

  ~transfer() {
    if (easy != nullptr)
      curl_easy_cleanup(easy);
    if (headers != nullptr)
      curl_slist_free_all(headers);
  }

  bool streams_now() {
    if (!req.on_chunk)
      return false;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    return status >= 200 && status < 300;
  }

  static size_t on_data(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<transfer*>(user);
    size_t n = size * count;
    if (self->received + n > self->req.max_body_bytes) {
      self->too_large = true;
      return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
    }
    self->received += n;
    if (self->streams_now()) {
      if (!self->req.on_chunk(std::string_view{data, n})) {
        self->aborted = true;
        return 0;
      }
      return n;
    }
    self->body.append(data, n);
    return n;
  }

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<transfer*>(user);
    size_t n = size * count;
    std::string_view line{data, n};
    if (line.rfind("HTTP/", 0) == 0) {
      // A new status line (redirect, 100 Continue): only the final answer's headers count.
      self->response_headers.clear();
      return n;
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos)
      self->response_headers[lowered(trimmed(line.substr(0, colon)))]
        = std::string{trimmed(line.substr(colon + 1))};
    return n;
  }
};

curl_http_client::curl_http_client(curl_http_client_options options)
  : options_(std::move(options)) {
  global_init_once();
  multi_ = curl_multi_init();
  curl_multi_setopt(as_multi(multi_), CURLMOPT_MAX_HOST_CONNECTIONS,
                    options_.max_host_connections);
  thread_ = std::thread{[this] { run(); }};
}

curl_http_client::~curl_http_client() {
  stop();
}

void curl_http_client::send(http_request req, response_callback done) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!stopping_) {
      queue_.push_back(pending{std::move(req), std::move(done)});
      // Under the lock: stop() cleans the multi handle up only after it set stopping_.
      curl_multi_wakeup(as_multi(multi_));
      return;
    }
  }
  done(make_error(errc::unavailable, "the HTTP client has stopped"));
}

void curl_http_client::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (stopping_)
      return;
    stopping_ = true;
    curl_multi_wakeup(as_multi(multi_));
  }
  if (thread_.joinable())
    thread_.join();
  curl_multi_cleanup(as_multi(multi_));
  multi_ = nullptr;
}

void curl_http_client::start_queued() {
  std::vector<pending> batch;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    while (!queue_.empty() && active_.size() + batch.size() < options_.max_concurrent) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  for (auto& p : batch) {
    auto t = std::make_unique<transfer>();
    t->req = std::move(p.req);
    t->done = std::move(p.done);
    t->easy = curl_easy_init();
    if (t->easy == nullptr) {
      t->done(make_error(errc::unavailable, "libcurl could not create a transfer"));
      continue;
    }
    auto timeout_ms = std::max<long>(1, static_cast<long>(t->req.timeout.count()));
    if (!has_header(t->req.headers, "accept"))
      t->headers = curl_slist_append(t->headers, "Accept: application/json");
    for (const auto& [name, value] : t->req.headers)
      t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->req.url.c_str());
    if (t->req.method == http_method::post) {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(t->req.body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->req.body.data());   // t->req outlives e
      // POST stays POST across redirects (RFC 7231 lets clients turn it into GET).
      curl_easy_setopt(e, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
      t->headers = curl_slist_append(t->headers, "Expect:");   // no 100-continue round trip
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);   // no SIGALRM from a library thread
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &transfer::on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &transfer::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    if (curl_multi_add_handle(as_multi(multi_), e) != CURLM_OK) {
      t->done(make_error(errc::unavailable, "libcurl refused the transfer"));
      continue;
    }
    active_.push_back(t.release());  // owned through active_ until finish()
  }
}

void curl_http_client::finish(transfer* raw, int code) {
  std::unique_ptr<transfer> t{raw};
  curl_multi_remove_handle(as_multi(multi_), t->easy);
  active_.erase(std::find(active_.begin(), active_.end(), raw));
  auto result = [&]() -> caf::expected<http_response> {
    auto curl_code = static_cast<CURLcode>(code);
    if (curl_code == CURLE_OK) {
      http_response r;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.status);
      r.body = std::move(t->body);
      r.headers = std::move(t->response_headers);
      return r;
    }
    std::string detail = t->error[0] != '\0' ? t->error : curl_easy_strerror(curl_code);
    switch (curl_code) {
      case CURLE_OPERATION_TIMEDOUT:
        return make_error(errc::timeout,
                          "timed out after " + std::to_string(t->req.timeout.count()) + " ms");
      case CURLE_WRITE_ERROR:
        if (t->too_large)
          return make_error(errc::agent_error, "answer larger than "
                                                 + std::to_string(t->req.max_body_bytes)
                                                 + " bytes");
        if (t->aborted)
          return make_error(errc::unavailable, "aborted by the receiver");
        break;
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
        return make_error(errc::unavailable, "cannot connect (" + detail + ")");
      case CURLE_ABORTED_BY_CALLBACK:   // only stop() aborts
        return make_error(errc::unavailable, "the HTTP client has stopped");
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return make_error(errc::invalid_argument, "bad URL (" + detail + ")");
      default:
        break;
    }
    return make_error(errc::unavailable, "transfer failed (" + detail + ")");
  }();
  auto done = std::move(t->done);
  t.reset();
  done(std::move(result));
}

void curl_http_client::run() {
  auto* multi = as_multi(multi_);
  for (;;) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (stopping_)
        break;
    }
    start_queued();
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      int code = msg->data.result;
      finish(t, code);
    }
    // Finished transfers may have made room for queued ones: start them before sleeping.
    bool more_queued = false;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      more_queued = !queue_.empty() && active_.size() < options_.max_concurrent;
    }
    if (!more_queued)
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  // Stopping: fail whatever is still running or queued, so every caller hears back once.
  while (!active_.empty()) {
    finish(active_.back(), CURLE_ABORTED_BY_CALLBACK);
  }
  std::deque<pending> queued;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    queued.swap(queue_);
  }
  for (auto& p : queued)
    p.done(make_error(errc::unavailable, "the HTTP client has stopped"));
}

}  // namespace cartmate::http
