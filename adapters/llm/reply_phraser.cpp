// reply_phraser.cpp — the phrasing request and its streamed answer; see the header.
#include "adapters/llm/reply_phraser.hpp"

#include "protocol/errors.hpp"

namespace cartmate::llm {

chat_request phrasing_request(const std::string& reply_prompt, const std::string& shopper_text,
                              const std::string& built_in_reply, double temperature,
                              std::chrono::steady_clock::time_point deadline) {
  chat_request req;
  req.messages.push_back({"system", reply_prompt});
  req.messages.push_back({"user", "Shopper's message:\n" + shopper_text
                                    + "\n\nReply with these facts:\n" + built_in_reply});
  req.temperature = temperature;
  req.deadline = deadline;
  return req;
}

reply_phraser::reply_phraser(std::shared_ptr<chat_client> client, std::string reply_prompt,
                             double temperature)
  : client_(std::move(client)), reply_prompt_(std::move(reply_prompt)), temperature_(temperature) {
  // nop
}

void reply_phraser::phrase(const std::string& shopper_text, const std::string& built_in_reply,
                           std::chrono::steady_clock::time_point deadline, delta_callback on_delta,
                           done_fn done) const {
  client_->stream(phrasing_request(reply_prompt_, shopper_text, built_in_reply, temperature_,
                                   deadline),
                  std::move(on_delta), [done = std::move(done)](caf::expected<chat_reply> r) {
                    if (!r)
                      return done(std::move(r.error()));
                    if (r->content.find_first_not_of(" \t\r\n") == std::string::npos)
                      return done(protocol::make_error(protocol::errc::agent_error,
                                                       "the model phrased an empty reply"));
                    done(std::move(r->content));
                  });
}

}  // namespace cartmate::llm
