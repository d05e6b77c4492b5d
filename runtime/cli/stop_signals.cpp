// stop_signals.cpp — synchronous signal waiting for the main thread.
#include "runtime/cli/stop_signals.hpp"

#include <ctime>
#include <exception>
#include <iostream>
#include <string>

#include <pthread.h>

namespace cartmate::cli {

sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

std::optional<double> stop_after_seconds(const cli_options& opts) {
  auto i = opts.flags.find("for");
  if (i == opts.flags.end())
    return 0.0;
  try {
    return std::stod(i->second);
  } catch (const std::exception&) {
    std::cerr << "cartmate: --for expects seconds, got '" << i->second << "'\n";
    return std::nullopt;
  }
}

int wait_for_stop(const sigset_t& set, double seconds) {
  if (seconds <= 0) {
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
  }
  timespec timeout;
  timeout.tv_sec = static_cast<time_t>(seconds);
  timeout.tv_nsec = static_cast<long>((seconds - static_cast<double>(timeout.tv_sec)) * 1e9);
  int sig = sigtimedwait(&set, nullptr, &timeout);
  return sig < 0 ? 0 : sig;
}

}  // namespace cartmate::cli
